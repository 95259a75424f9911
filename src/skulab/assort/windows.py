"""A training window: what an assortment method may learn from, and nothing later.

One FDC's order lines over whole weeks, the lines of every FDC over the same weeks (so a method may pool
the chain's evidence without seeing more time), and the SKU attributes. Order types are built on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from skulab.assort.order_types import OrderTypes, from_lines, week_start
from skulab.errors import DataError


@dataclass(frozen=True)
class Window:
    """Order lines (order_id, sku_id, qty, week[, customer_id]) of one FDC and of the chain, over `weeks`."""

    lines: pd.DataFrame
    chain: pd.DataFrame
    weeks: np.ndarray
    skus: pd.DataFrame | None = None

    @cached_property
    def types(self) -> OrderTypes:
        """The FDC's order types over the whole window, each order counting 1."""
        return from_lines(self.lines)

    def week_types(self, week: np.datetime64) -> OrderTypes:
        """The FDC's order types of one week of the window."""
        return from_lines(self.lines[self.lines["week"] == week])

    def before(self, week: np.datetime64) -> Window:
        """The same FDC over the window's weeks before `week` (an inner training window)."""
        return Window(self.lines[self.lines["week"] < week], self.chain[self.chain["week"] < week],
                      self.weeks[self.weeks < week], self.skus)

    def inner(self) -> tuple[Window, OrderTypes] | None:
        """All weeks but the last, and the last week's order types: a validation split inside the window."""
        if len(self.weeks) < 2 or not (self.lines["week"] == self.weeks[-1]).any():
            return None
        return self.before(self.weeks[-1]), self.week_types(self.weeks[-1])


def with_weeks(lines: pd.DataFrame) -> pd.DataFrame:
    """Order lines with a `week` column (Monday of the order's week); checks the canonical columns."""
    missing = {"order_id", "sku_id", "ts", "fdc_id"} - set(lines.columns)
    if missing:
        raise DataError(f"order lines lack column(s) {', '.join(sorted(missing))} "
                        "(expected the packaged query order_lines: fdc_id, order_id, ts, customer_id, sku_id, qty)")
    return lines.assign(week=week_start(lines["ts"]))


def window(lines: pd.DataFrame, fdc_id: str, start: pd.Timestamp, end: pd.Timestamp,
           skus: pd.DataFrame | None = None) -> Window:
    """The window of weeks [start, end) for one FDC; `lines` must carry `week` (see with_weeks)."""
    span = lines[(lines["week"] >= start) & (lines["week"] < end)]
    weeks = pd.date_range(start, end - pd.Timedelta(days=7), freq="7D").to_numpy()
    return Window(span[span["fdc_id"] == fdc_id], span, weeks, skus)
