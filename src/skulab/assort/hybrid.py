"""A hybrid aimed at next week: a smoothed demand estimate blended into Reverse-Exclude's co-purchase peeling.

Demand per SKU is the recency-weighted number of orders holding it at this FDC, plus a share of the whole
chain's orders in the same weeks (pooled evidence, scaled to this FDC's volume). Reverse-Exclude then peels
recency-weighted order types, and dropping a SKU also costs `blend` times its demand: blend 0 is plain
peeling, a large blend is smoothed popularity. JD's 2024 hybrid blends a forecast with co-purchase structure
in the same spirit. The three knobs are chosen on the window's last week, learning from the weeks before it.
With a forecast (hybrid_forecast) the demand is the forecast orders of the week ahead instead, the chain share
unused (the pooled forecast already holds the chain's evidence); the choice then forecasts the last week from the
weeks before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.assort.heuristics import reverse_exclude
from skulab.assort.metrics import fill_curve
from skulab.assort.order_types import Assortment, from_lines
from skulab.assort.windows import Window


@dataclass(frozen=True)
class HybridParams:
    """Half-life of order weights in weeks (None: no decay), chain share, and blend of demand into peeling.

    blend = inf ranks by demand alone (smoothed popularity); blend = 0 is Reverse-Exclude on weighted orders.
    """

    half_life: float | None = None
    chain: float = 0.0
    blend: float = 0.0


GRID = {"half_life": [None, 1.0], "chain": [0.0, 0.5], "blend": [0.0, 0.25, 1.0, 4.0, float("inf")]}


def rank(window: Window, params: HybridParams, forecast_of: Callable[[Window], pd.Series] | None = None
         ) -> Assortment:
    """Every candidate SKU ranked by the hybrid with fixed parameters (prefixes serve every K); `forecast_of` (window
    -> forecast orders per SKU of the week after it) replaces the order-count demand estimate."""
    ages = _ages(window)
    weight = np.ones(len(ages)) if params.half_life is None else 0.5 ** ((ages.to_numpy() - 1) / params.half_life)
    order_weights = pd.Series(weight, index=ages.index)
    skus = np.union1d(window.lines["sku_id"].unique(), window.chain["sku_id"].unique()) if params.chain else None
    types = from_lines(window.lines, skus, order_weights)
    demand = (pd.Series(types.popularity, index=types.sku_ids) if forecast_of is None
              else forecast_of(window).reindex(types.sku_ids).fillna(0.0).clip(lower=0.0))
    if params.chain:
        chain = window.chain.groupby("sku_id")["order_id"].nunique().reindex(types.sku_ids, fill_value=0)
        volume = window.lines["order_id"].nunique() / max(window.chain["order_id"].nunique(), 1)
        demand = demand + params.chain * chain.to_numpy() * volume
    if np.isinf(params.blend):
        out = _by_demand(types.sku_ids, demand.to_numpy(), types.popularity)
    else:
        out = reverse_exclude(types, types.n_skus, sku_weight=params.blend * demand.to_numpy())
    return Assortment(out.sku_ids, out.scores, "hybrid", {"params": params})


def choose(windows: list[Window], ks: list[list[int]], grid: dict[str, list] | None = None,
           forecast_of: Callable[[Window], pd.Series] | None = None) -> list[HybridParams]:
    """Per budget position, the grid point that fills the windows' last weeks best, learning from the weeks before.

    `windows` are FDCs over the same weeks and `ks[f]` the budgets of FDC f (one per position, e.g. K = 200
    and the 70 % rule); orders of all FDCs are summed, so one choice rests on the whole chain's evidence.
    With `forecast_of` (see `rank`) the chain share is not searched.
    """
    grid = grid or GRID
    if forecast_of is not None or windows[0].chain["fdc_id"].nunique() <= 1:  # one FDC: the chain adds nothing
        grid = {**grid, "chain": [0.0]}
    points = list(dict.fromkeys(HybridParams(h, c if b else 0.0, b)  # without blending, the chain is unused
                                for h, c, b in itertools.product(grid["half_life"], grid["chain"], grid["blend"])))
    filled = np.zeros((len(points), len(ks[0])))
    for window, budgets in zip(windows, ks):
        split = window.inner()
        if split is None:
            continue
        inner, valid = split
        for p, point in enumerate(points):
            filled[p] += valid.total * fill_curve(valid, rank(inner, point, forecast_of).sku_ids,
                                                  _scaled(budgets, window, inner))
    if not filled.any():
        return [HybridParams() for _ in ks[0]]
    return [points[int(np.argmax(filled[:, i]))] for i in range(len(ks[0]))]


def _scaled(ks: list[int], window: Window, inner: Window) -> list[int]:
    """K for the shorter inner window, keeping its share of the SKUs ordered (as the net does)."""
    full, part = window.lines["sku_id"].nunique(), max(inner.lines["sku_id"].nunique(), 1)
    return [max(1, round(k * part / max(full, 1))) for k in ks]


def _ages(window: Window) -> pd.Series:
    """Each order's age in weeks at the end of the window (1 = the last week)."""
    last = window.weeks[-1] if len(window.weeks) else window.lines["week"].max()
    weeks = window.lines.groupby("order_id")["week"].first()
    return ((last - weeks).dt.days // 7 + 1).astype(float)


def _by_demand(sku_ids: np.ndarray, demand: np.ndarray, popularity: np.ndarray) -> Assortment:
    order = np.lexsort((np.arange(len(sku_ids)), -popularity, -demand))
    order = order[(demand[order] > 0) | (popularity[order] > 0)]  # a SKU the forecast gives 0 still ranks
    return Assortment(sku_ids[order], demand[order], "hybrid")
