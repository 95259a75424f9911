"""Fill rate, split rate and units served of an assortment, vectorised over order types.

An order is filled when every SKU it holds is stocked, split when some but not all are, and missed when
none is; the three shares add up to one. One sparse product per metric scores an assortment over a
million orders in milliseconds. A ranking's prefixes are assortments of every size, so one ranking draws a
whole fill-versus-K curve (`coverage_curves`), capped by the min-cut bound on the same orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.assort.bound import lagrangian_bound
from skulab.assort.order_types import OrderTypes
from skulab.assort.windows import Window


@dataclass(frozen=True)
class Coverage:
    """Shares of orders filled, split and missed, and the share of units on stocked SKUs."""

    fill: float
    split: float
    missed: float
    units: float


def stocked_mask(types: OrderTypes, sku_ids: np.ndarray | list) -> np.ndarray:
    """Boolean per SKU of `types`: is it in the assortment `sku_ids` (SKUs the orders never hold are ignored)."""
    return pd.Index(types.sku_ids).isin(pd.Index(sku_ids))


def missing_counts(types: OrderTypes, stocked: np.ndarray) -> np.ndarray:
    """Number of unstocked SKUs in each order type."""
    return np.asarray(types.matrix @ (~stocked).astype(np.float32)).ravel()


def fill_rate(types: OrderTypes, stocked: np.ndarray) -> float:
    """Share of orders whose SKUs are all stocked (an order type counts with its weight)."""
    return float(types.weights[missing_counts(types, stocked) == 0].sum() / types.total)


def split_rate(types: OrderTypes, stocked: np.ndarray) -> float:
    """Share of orders with some but not all SKUs stocked: they ship in more than one parcel."""
    missing = missing_counts(types, stocked)
    return float(types.weights[(missing > 0) & (missing < types.sizes)].sum() / types.total)


def units_served(types: OrderTypes, stocked: np.ndarray) -> float:
    """Share of ordered units whose SKU is stocked (shipped from the FDC, split or not)."""
    per_sku = np.asarray(types.units.sum(axis=0)).ravel()
    return float(per_sku[stocked].sum() / per_sku.sum())


def coverage(types: OrderTypes, stocked: np.ndarray) -> Coverage:
    """All metrics of one assortment."""
    missing = missing_counts(types, stocked)
    w, total = types.weights, types.total
    fill = w[missing == 0].sum() / total
    missed = w[missing == types.sizes].sum() / total
    return Coverage(float(fill), float(1.0 - fill - missed), float(missed), units_served(types, stocked))


def fill_curve(types: OrderTypes, ranking: np.ndarray | list, ks: np.ndarray | list) -> np.ndarray:
    """Fill rate of every prefix ranking[:k] for k in `ks`: an order is filled from the rank of its last SKU."""
    rank = np.full(types.n_skus, np.inf)
    pos = types.index_of(ranking)
    rank[pos[pos >= 0]] = np.flatnonzero(pos >= 0) + 1
    m = types.matrix
    last = np.maximum.reduceat(rank[m.indices], m.indptr[:-1]) if m.nnz else np.zeros(0)
    order = np.argsort(last, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(types.weights[order])])
    return cum[np.searchsorted(last[order], np.asarray(ks, dtype=float), side="right")] / types.total


def k_for_fill(types: OrderTypes, ranking: np.ndarray | list, target: float) -> int:
    """Smallest prefix of `ranking` whose fill rate reaches `target` (the '70 % rule' with target 0.7)."""
    ks = np.arange(1, len(ranking) + 1)
    curve = fill_curve(types, ranking, ks)
    reached = np.flatnonzero(curve >= target - 1e-12)
    return int(ks[reached[0]]) if len(reached) else len(ranking)


def coverage_curves(win: Window, test: OrderTypes, rankings: dict[str, np.ndarray], ks: np.ndarray) -> pd.DataFrame:
    """Long table (k, series, orders, fill): each ranking on training and test orders, and both bounds."""
    frames = []
    for name, ranking in rankings.items():
        for orders, types in (("training", win.types), ("test", test)):
            frames.append(pd.DataFrame({"k": ks, "series": name, "orders": orders,
                                        "fill": fill_curve(types, ranking, ks)}))
    for orders, types in (("training", win.types), ("test", test)):
        bound = [lagrangian_bound(types, int(k)).value / types.total for k in ks]
        frames.append(pd.DataFrame({"k": ks, "series": "bound (min cut)", "orders": orders, "fill": bound}))
    return pd.concat(frames, ignore_index=True)


def k_grid(types: OrderTypes, largest: int, points: int = 16) -> np.ndarray:
    """About `points` sizes from 1 to `largest` (at most the SKUs ordered), denser at small K."""
    top = max(1, min(largest, int((types.popularity > 0).sum())))
    return np.unique(np.round(np.geomspace(1, top, points)).astype(int))
