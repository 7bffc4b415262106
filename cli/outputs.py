"""Files a command writes: staged in a temporary folder, moved into place only when everything succeeded.

So a command that fails half way leaves no file behind.

>>> import pathlib, tempfile
>>> dest = pathlib.Path(tempfile.mkdtemp()) / "out" / "y.txt"
>>> with Outputs() as out:
...     _ = out.file(dest).write_text("hello")
>>> dest.read_text()
'hello'
>>> try:
...     with Outputs() as out:
...         _ = out.file(dest.with_name("z.txt")).write_text("half")
...         raise RuntimeError("failed")
... except RuntimeError:
...     pass
>>> dest.with_name("z.txt").exists()
False
"""
import os
import shutil
import tempfile
from pathlib import Path

from .errors import CliError


def check_writable(path, kind="file"):
    """Refuse early a destination that cannot be written (an existing folder where a file goes, ...)."""
    path = Path(path)
    if kind == "file" and path.is_dir():
        raise CliError(f"cannot write {path}: it is a folder; give a file name")
    if kind == "folder" and path.exists() and not path.is_dir():
        raise CliError(f"cannot write into {path}: it is a file, not a folder")
    parent = path.parent if kind == "file" else path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise CliError(f"cannot write {path}: {parent} is a file, not a folder")
    if parent.exists() and not os.access(parent, os.W_OK):
        raise CliError(f"cannot write {path}: no permission to write in {parent}")


def _key(path):
    return os.path.normcase(os.path.abspath(os.fspath(path)))


def check_distinct(named):
    """Refuse two outputs that would land on the same path: ``named`` is (option, path or None) pairs.

    >>> check_distinct([("-o", "y.svg"), ("--steps", "frames")])
    >>> check_distinct([("-o", "y.svg"), ("--steps", "./y.svg")])
    Traceback (most recent call last):
    ...
    graphviz_grad.cli.errors.CliError: -o and --steps both name ./y.svg; give them different paths
    """
    seen = {}
    for option, path in named:
        if path is None:
            continue
        key = _key(path)
        if key in seen:
            raise CliError(f"{seen[key]} and {option} both name {path}; give them different paths")
        seen[key] = option


class Outputs:
    """A context manager handing out staging paths; on success they are moved to their destinations."""

    def __init__(self):
        self._moves = []  # (staged, final, kind)
        self._tmp = None

    def __enter__(self):
        self._tmp = Path(tempfile.mkdtemp(prefix="vizgrad-"))
        return self

    def _stage(self, final, kind):
        final = Path(final)
        check_writable(final, kind)
        if any(_key(final) == _key(other) for _, other, _ in self._moves):
            raise CliError(f"{final} is asked for twice; give the outputs different paths")
        staged = self._tmp / str(len(self._moves))
        staged.mkdir()
        if kind == "file":
            staged = staged / final.name
        self._moves.append((staged, final, kind))
        return staged

    def file(self, final):
        """A path to write ``final``'s content to (same file name, so suffix-based formats work)."""
        return self._stage(final, "file")

    def folder(self, final):
        """An empty folder whose files end up in ``final``."""
        return self._stage(final, "folder")

    def commit(self):
        written = []
        try:
            for staged, final, kind in self._moves:
                if kind == "file":
                    if not staged.exists():
                        continue
                    final.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(staged), str(final))
                    written.append(final)
                else:
                    final.mkdir(parents=True, exist_ok=True)
                    for item in sorted(staged.iterdir()):
                        target = final / item.name
                        if target.is_dir() and item.is_dir():
                            shutil.rmtree(target)
                        shutil.move(str(item), str(target))
                    written.append(final)
        except OSError as e:
            raise CliError(f"cannot write {e.filename or final}: {e.strerror or e}") from e
        return written

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.written = self.commit()
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
        return False
