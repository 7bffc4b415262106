"""What ``pip install .`` ships: every package of the source tree, and its data files.

``pyproject.toml`` lists the packages by name (``cli/`` installs as
``graphviz_grad.cli``), so a new subpackage that is not listed would work from
a checkout and be missing once installed.
"""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_is_installed():
    in_tree = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "graphviz_grad").rglob("__init__.py")
               if "__pycache__" not in p.parts and not p.parent.is_symlink()}
    listed = set(_config()["packages"])
    assert in_tree - listed == set(), f"packages missing from pyproject.toml: {sorted(in_tree - listed)}"
    assert "graphviz_grad.cli" in listed and _config()["package-dir"]["graphviz_grad.cli"] == "cli"


def test_no_top_level_cli_module_is_installed():
    assert "cli" not in _config()["packages"]
