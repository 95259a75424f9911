"""reports/<profile>/manifest.json: per chapter its title, question, conclusion, saved tables and figures and
how long it ran. `save_table`, `save_figure` and `conclude` add to it; `skulab report` starts and closes each
chapter's entry; the index reads it (git-ignored: it holds wall times and the run's date)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FILE = "manifest.json"
CHAPTER_ENV = "SKULAB_CHAPTER"  # set by `skulab report` for the kernel of each chapter it executes


def current_chapter() -> str | None:
    """The chapter whose kernel this is when `skulab report` runs it; None in an interactive session."""
    return os.environ.get(CHAPTER_ENV) or None


def load(out_dir: Path) -> dict[str, Any]:
    """The manifest of a report folder; an empty one when none was written yet."""
    path = out_dir / FILE
    if not path.is_file():
        return {"chapters": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def update_chapter(out_dir: Path, chapter: str, **fields: Any) -> None:
    """Set fields of one chapter's entry (creating it)."""
    data = load(out_dir)
    data["chapters"].setdefault(chapter, {"tables": [], "figures": []}).update(fields)
    _write(out_dir, data)


def start_chapter(out_dir: Path, chapter: str, **fields: Any) -> None:
    """A fresh entry for a chapter about to run: what an earlier run of it saved is forgotten."""
    data = load(out_dir)
    data["chapters"][chapter] = {"tables": [], "figures": [], **fields}
    _write(out_dir, data)


def add(out_dir: Path, kind: str, name: str, wide: bool = False) -> None:
    """Record that the running chapter saved a table or a figure `name` (`wide`: panels side by side, which the
    index shows across the page); nothing is recorded outside `skulab report`."""
    chapter = current_chapter()
    if chapter is None:
        return
    data = load(out_dir)
    entry = data["chapters"].setdefault(chapter, {"tables": [], "figures": []})
    if name not in entry[kind]:
        entry[kind].append(name)
    if wide and name not in entry.setdefault("wide", []):
        entry["wide"].append(name)
    _write(out_dir, data)


def _write(out_dir: Path, data: dict[str, Any]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{FILE}.tmp"
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    tmp.replace(out_dir / FILE)
