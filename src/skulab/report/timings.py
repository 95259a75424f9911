"""Wall times apart from results: a label that says "second" marks a wall time (a column, or a row of a
key-figures table); results files stay byte-identical when only the machine's speed changed."""

from __future__ import annotations

from typing import Any

import pandas as pd


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


def without_timings(record: Any) -> Any:
    """A JSON-like value without its wall-time keys, at any depth."""
    if isinstance(record, dict):
        return {k: without_timings(v) for k, v in record.items() if not is_timing(k)}
    if isinstance(record, list):
        return [without_timings(v) for v in record]
    return record
