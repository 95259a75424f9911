"""The promotion calendar's planned campaigns on the panel's future periods, where no sales row says what runs.

A period after the last sales period gets the types of the promotions whose scope (skulab.data.scope: all, an
item, a place, or a place's item) covers the series and whose dates overlap the period, their discounts stacked
(1 - product of 1 - discount), and the price the SKU's base price less that discount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.data.scope import GRAMMAR, PROMOTION_KINDS, parse, parts
from skulab.errors import DataError
from skulab.periods import step

_TARGET = {"category": "category", "style": "style_id", "sku": "sku_id", "region": "region", "store": "store_id"}


def planned(rows: pd.DataFrame, promotions: pd.DataFrame | None, freq: str) -> pd.DataFrame:
    """`promo_type` ('+'-joined, NA when none) and `discount` (NaN when none) for each of `rows` (timestamp,
    sku_id, style_id, category, store_id, region)."""
    n = len(rows)
    types = [set() for _ in range(n)]
    keep = np.ones(n)
    if promotions is not None and len(promotions) and n:
        start = rows["timestamp"].to_numpy()
        end = start + (step(freq) - pd.Timedelta(days=1)).to_timedelta64()
        scope = parse(promotions["scope"])
        for p, kind, first, second in zip(promotions.itertuples(), scope["kind"], scope["first"], scope["second"],
                                          strict=True):
            if pd.isna(kind) or kind not in PROMOTION_KINDS:
                raise DataError(f"promotion {p.promo_id}: scope {p.scope!r} is not one skulab reads; {GRAMMAR}")
            covered = np.ones(n, dtype=bool)
            for part, target in zip(parts(kind), (first, second)):
                covered &= (rows[_TARGET[part]].astype("string") == target).fillna(False).to_numpy()
            covered &= (start <= np.datetime64(p.end_date)) & (end >= np.datetime64(p.start_date))
            for i in np.flatnonzero(covered):
                types[i].add(p.promo_type)
            discount = 0.0 if pd.isna(p.discount) else float(p.discount)
            keep[covered] *= 1.0 - discount
    label = pd.array(["+".join(sorted(t)) if t else pd.NA for t in types], dtype="string")
    active = np.array([bool(t) for t in types])
    return pd.DataFrame({"promo_type": label, "discount": np.where(active, 1.0 - keep, np.nan)}, index=rows.index)
