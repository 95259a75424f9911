"""The promotion calendar's planned campaigns on the panel's future periods, where no sales row says what runs.

A period after the last sales period gets the types of the promotions whose scope (all, category:<name>,
style:<id>, sku:<id>) covers the SKU and whose dates overlap the period, their discounts stacked
(1 - product of 1 - discount), and the price the SKU's base price less that discount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.data.scope import parse
from skulab.periods import step

_TARGET = {"category": "category", "style": "style_id", "sku": "sku_id"}


def planned(rows: pd.DataFrame, promotions: pd.DataFrame | None, freq: str) -> pd.DataFrame:
    """`promo_type` ('+'-joined, NA when none) and `discount` (NaN when none) for each of `rows` (timestamp,
    sku_id, style_id, category)."""
    n = len(rows)
    types = [set() for _ in range(n)]
    keep = np.ones(n)
    if promotions is not None and len(promotions) and n:
        start = rows["timestamp"].to_numpy()
        end = start + (step(freq) - pd.Timedelta(days=1)).to_timedelta64()
        scope = parse(promotions["scope"])
        for p, kind, target in zip(promotions.itertuples(), scope["kind"], scope["first"], strict=True):
            if kind == "all":
                covered = np.ones(n, dtype=bool)
            elif kind in _TARGET:
                covered = (rows[_TARGET[kind]].astype("string") == target).fillna(False).to_numpy()
            else:
                continue
            covered &= (start <= np.datetime64(p.end_date)) & (end >= np.datetime64(p.start_date))
            for i in np.flatnonzero(covered):
                types[i].add(p.promo_type)
            discount = 0.0 if pd.isna(p.discount) else float(p.discount)
            keep[covered] *= 1.0 - discount
    label = pd.array(["+".join(sorted(t)) if t else pd.NA for t in types], dtype="string")
    active = np.array([bool(t) for t in types])
    return pd.DataFrame({"promo_type": label, "discount": np.where(active, 1.0 - keep, np.nan)}, index=rows.index)
