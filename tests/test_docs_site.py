"""The documentation site builds with ``mkdocs build --strict``: no broken links, no missing anchors.

mkdocs.yml has no ``nav``: every Markdown page under docs/ becomes a page of
the site, and other files (the notebook, the images) are copied as they are.
The site is built into a temporary folder, never into the repository.
"""
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_config_has_no_explicit_nav():
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs" and config["site_name"]
    assert "nav" not in config


def test_strict_build_writes_the_index(site):
    assert (DOCS / "index.md").is_file(), "docs/index.md is missing: the site has no home page"
    assert (site / "index.html").is_file()


def test_every_page_and_the_notebook_are_in_the_site(site):
    for page in DOCS.rglob("*.md"):
        relative = page.relative_to(DOCS)
        if relative.name.lower() == "readme.md" and (page.parent / "index.md").exists():
            continue  # mkdocs lets index.md win over a README.md beside it
        html = site / relative.with_name("index.html" if relative.name.lower() == "readme.md" else
                                         relative.stem + ".html")
        assert html.is_file(), f"{relative} was not built"
    for notebook in DOCS.rglob("*.ipynb"):
        assert (site / notebook.relative_to(DOCS)).is_file(), f"{notebook.name} was not copied"
