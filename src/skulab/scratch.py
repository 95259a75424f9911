"""Temporary folders a job makes (AutoGluon's model folders): removed when the job ends, however it ends.

`skulab.cli.main` calls `remove_all` after every command, so a Ctrl-C or an error in the middle of a fit leaves
nothing behind in the system's temporary folder.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

_MADE: set[Path] = set()


def make(prefix: str) -> Path:
    """A new temporary folder, remembered until `remove` or `remove_all` deletes it."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    _MADE.add(path)
    return path


def remove(path: Path) -> None:
    """Delete a folder (made here or not) and forget it."""
    shutil.rmtree(path, ignore_errors=True)
    _MADE.discard(path)


def remove_all() -> None:
    """Delete every folder `make` made that is still there."""
    for path in list(_MADE):
        remove(path)
