"""Price features: price relative to the base price, change vs the last period, index within category, discount.

Periods without a row carry the series' last known prices forward (the shelf price did not change
because nothing was recorded), so known covariates have no holes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def fill_prices(panel: pd.DataFrame) -> pd.DataFrame:
    """`price` and `base_price` carried forward (then back) within each series; base falls back to list price."""
    item = panel["item_id"]
    base = panel["base_price"].groupby(item).ffill().groupby(item).bfill().fillna(panel["list_price"])
    price = panel["price"].groupby(item).ffill().groupby(item).bfill().fillna(base)
    return pd.DataFrame({"price": price, "base_price": base}, index=panel.index)


def features(panel: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """price_ratio, price_change (log vs previous period), price_index (ratio / category mean), discount_pct."""
    ratio = (prices["price"] / prices["base_price"]).replace([np.inf, -np.inf], np.nan).fillna(1.0)
    previous = prices["price"].groupby(panel["item_id"]).shift(1)
    change = np.log(prices["price"] / previous).replace([np.inf, -np.inf], np.nan).fillna(0.0)
    category = panel["category"].astype("string").fillna("(none)")
    category_mean = ratio.groupby([category, panel["timestamp"]]).transform("mean")
    return pd.DataFrame({
        "price_ratio": ratio,
        "price_change": change,
        "price_index": ratio / category_mean,
        "discount_pct": (1.0 - ratio).clip(lower=0.0),
    }, index=panel.index)
