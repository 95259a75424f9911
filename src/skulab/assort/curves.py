"""Coverage against K: how much of the training and of the test week each ranking fills, under the bounds.

A ranking's prefixes are assortments of every size, so one ranking draws a whole fill-versus-K curve. The
min-cut bound on the training orders caps every in-sample curve; the bound on the test week caps what any
assortment of that size could have filled there (the hindsight limit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.assort.bound import lagrangian_bound
from skulab.assort.metrics import fill_curve
from skulab.assort.order_types import OrderTypes
from skulab.assort.windows import Window


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
