"""Static features of a series: the SKU's category, colour, size, season and list price, the store's attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd

CATEGORICAL = ("category", "color", "size", "season", "region", "segment")
NUMERIC = ("list_price", "area_sqm")


def features(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per item_id: categorical attributes as pandas categories, log list price and store area.

    Attributes that are empty for every series (e.g. colour on frat) or constant are left out.
    """
    first = rows.groupby("item_id", sort=True).first()
    out = pd.DataFrame(index=first.index)
    for col in CATEGORICAL:
        if col in first and first[col].nunique() > 1:
            out[col] = first[col].astype("string").fillna("(none)").astype("category")
    for col in NUMERIC:
        if col in first and first[col].notna().any() and first[col].nunique() > 1:
            values = pd.to_numeric(first[col], errors="coerce").astype(float)
            out[f"log_{col}"] = np.log1p(values.fillna(values.median()))
    return out
