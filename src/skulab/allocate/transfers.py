"""After-the-fact transfers: units left at stores (or kept at the DC) sent to stores of the same problem that ran out.

Within each problem the largest shortfall is served from the largest source first (greedy matching, vectorised
over every problem by merging the cumulative sums of sources and sinks); a transfer is made only when the
units it moves are worth more than it costs: units x (margin + holding - per-unit cost) > fixed cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Transfers:
    """One row per transfer: the source and sink indices (into the arrays given to `match`) and the units."""

    source: np.ndarray
    sink: np.ndarray
    units: np.ndarray


def match(source_group: np.ndarray, available: np.ndarray, sink_group: np.ndarray, needed: np.ndarray,
          margin: float, holding: float, fixed: float, per_unit: float) -> Transfers:
    """Greedy transfers from sources to sinks of the same group, each moving at most what either side has."""
    available, needed = np.asarray(available, np.int64), np.asarray(needed, np.int64)
    groups = int(max(np.max(source_group, initial=-1), np.max(sink_group, initial=-1))) + 1
    src_order = np.lexsort((-available, source_group))
    dst_order = np.lexsort((-needed, sink_group))
    src_end = _group_cumsum(source_group[src_order], available[src_order])
    dst_end = _group_cumsum(sink_group[dst_order], needed[dst_order])
    total = np.minimum(np.bincount(source_group, weights=available, minlength=groups),
                       np.bincount(sink_group, weights=needed, minlength=groups)).astype(np.int64)
    big = int(max(total.max(initial=0), src_end.max(initial=0), dst_end.max(initial=0))) + 1
    g_src, g_dst = source_group[src_order], sink_group[dst_order]
    points = np.unique(np.concatenate([g_src * big + np.minimum(src_end, total[g_src]),
                                       g_dst * big + np.minimum(dst_end, total[g_dst]),
                                       np.arange(groups) * big]))
    group, end = points // big, points % big
    start = np.concatenate([[0], end[:-1]])
    seg = (np.concatenate([[False], group[1:] == group[:-1]])) & (end > start)
    group, start, end = group[seg], start[seg], end[seg]
    src = src_order[np.searchsorted(g_src * big + src_end, group * big + start, side="right")]
    dst = dst_order[np.searchsorted(g_dst * big + dst_end, group * big + start, side="right")]
    units = end - start
    worth = units * (margin + holding - per_unit) > fixed
    return Transfers(source=src[worth], sink=dst[worth], units=units[worth])


def _group_cumsum(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each group (rows sorted by group)."""
    total = np.cumsum(values)
    first = np.searchsorted(group, group, side="left")
    return total - np.concatenate([[0], total])[first]
