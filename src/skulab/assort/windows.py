"""A training window: what an assortment method may learn from, and nothing later.

One FDC's order lines over whole weeks, the lines of every FDC over the same weeks (so a method may pool
the chain's evidence without seeing more time), and the SKU attributes. Order types are built on demand.
A window may also carry the chain's lines of a few weeks just before it (`past`): still nothing later, they
let the guard hold out several weeks, each trained on a window as long as this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from skulab.assort.order_types import OrderTypes, from_lines, week_start
from skulab.config import AssortConfig
from skulab.errors import DataError


@dataclass(frozen=True)
class Window:
    """Order lines (order_id, sku_id, qty, week[, customer_id]) of one FDC and of the chain, over `weeks`."""

    lines: pd.DataFrame
    chain: pd.DataFrame
    weeks: np.ndarray
    skus: pd.DataFrame | None = None
    past: pd.DataFrame | None = None  # the chain's lines of `past_weeks`, the weeks just before `weeks`
    past_weeks: np.ndarray | None = None

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

    def validation_splits(self, n: int) -> list[tuple[np.datetime64, Window, OrderTypes]]:
        """Up to `n` held-out weeks, latest first: each of the last `n` weeks (of `past_weeks` and `weeks`) in which
        this FDC has orders, with its training window: the weeks right before it, as many as this window has where
        the earlier weeks allow (at least one with orders)."""
        if self.lines.empty:
            return []
        fdc = self.lines["fdc_id"].iloc[0]
        past = self.past_weeks if self.past_weeks is not None else np.array([], dtype=self.weeks.dtype)
        weeks = np.concatenate([past, self.weeks])
        chain = self.chain if self.past is None else pd.concat([self.past, self.chain], ignore_index=True)
        span = np.timedelta64(7 * len(self.weeks), "D")
        out = []
        for held in weeks[::-1][:n]:
            train = weeks[(weeks < held) & (weeks >= held - span)]
            lines = chain[chain["week"].isin(train)]
            test = chain[(chain["week"] == held) & (chain["fdc_id"] == fdc)]
            inner = Window(lines[lines["fdc_id"] == fdc], lines, train, self.skus)
            if len(inner.lines) and len(test):
                out.append((held, inner, from_lines(test)))
        return out


def with_weeks(lines: pd.DataFrame) -> pd.DataFrame:
    """Order lines with a `week` column (Monday of the order's week); checks the canonical columns."""
    missing = {"order_id", "sku_id", "ts", "fdc_id"} - set(lines.columns)
    if missing:
        raise DataError(f"order lines lack column(s) {', '.join(sorted(missing))} "
                        "(expected the packaged query order_lines: fdc_id, order_id, ts, customer_id, sku_id, qty)")
    return lines.assign(week=week_start(lines["ts"]))


def window(lines: pd.DataFrame, fdc_id: str, start: pd.Timestamp, end: pd.Timestamp,
           skus: pd.DataFrame | None = None, past_weeks: int = 0) -> Window:
    """The window of weeks [start, end) for one FDC, with the chain's lines of the `past_weeks` weeks before
    `start` that `lines` holds; `lines` must carry `week` (see with_weeks)."""
    span = lines[(lines["week"] >= start) & (lines["week"] < end)]
    weeks = pd.date_range(start, end - pd.Timedelta(days=7), freq="7D").to_numpy()
    if not past_weeks:
        return Window(span[span["fdc_id"] == fdc_id], span, weeks, skus)
    first = max(start - pd.Timedelta(weeks=past_weeks), lines["week"].min()) if len(lines) else start
    past = lines[(lines["week"] >= first) & (lines["week"] < start)]
    earlier = pd.date_range(first, start - pd.Timedelta(days=7), freq="7D").to_numpy()
    return Window(span[span["fdc_id"] == fdc_id], span, weeks, skus, past, earlier)


def history_weeks(cfg: AssortConfig, methods: list[str]) -> int:
    """Weeks before a training window its methods may read: the guard's most held-out weeks when `guarded` runs."""
    return cfg.guard_max_weeks if "guarded" in methods else 0
