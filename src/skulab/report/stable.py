"""Results files that change only when the results do: wall times are kept apart (a label that says "second"
marks one: a column, or a row of a key-figures table) and floats are written to 10 significant digits, so that
re-running a chapter with unchanged results, on another machine or with floating-point noise in the last bits of
a fitted model, leaves the committed files byte for byte as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

FLOAT_FORMAT = "%.10g"


def is_timing(label: object) -> bool:
    """A column, row or key that holds a wall time."""
    return "second" in str(label).lower()


def split_timings(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The frame without its wall-time columns and rows, and the whole frame when it had any (else None)."""
    cols = [c for c in frame.columns if is_timing(c)]
    rows = [r for r in frame.index if isinstance(r, str) and is_timing(r)]
    if not cols and not rows:
        return frame, None
    return frame.drop(columns=cols).drop(index=rows), frame


def timed_copy(path: Path) -> Path:
    """Where the copy of results file `path` with its wall times goes: timings/ beside it (git-ignored)."""
    (path.parent / "timings").mkdir(parents=True, exist_ok=True)
    return path.parent / "timings" / path.name


def write_csv(frame: pd.DataFrame, path: Path, index: bool = True) -> Path:
    """Write a results table to `path`, and the same table with its wall times to its timed copy."""
    results, timed = split_timings(frame)
    path.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(path, index=index, float_format=FLOAT_FORMAT)
    if timed is not None:
        timed.to_csv(timed_copy(path), index=index)
    return path


def without_timings(record: Any) -> Any:
    """A JSON-like value without its wall-time keys, at any depth."""
    if isinstance(record, dict):
        return {k: without_timings(v) for k, v in record.items() if not is_timing(k)}
    if isinstance(record, list):
        return [without_timings(v) for v in record]
    return record
