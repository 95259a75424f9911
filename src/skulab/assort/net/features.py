"""SKU features for the assortment net: recent orders, trend, basket context, chain and style evidence, attributes,
and optionally a forecast of the week after the window (net_forecast).

Every count is a rate per week of the window, so features from a 1-week and an 8-week window share a scale;
numeric columns are then standardised within the window. Categorical attributes (category, colour, size,
season) become integer codes for the net's embeddings; a source without them simply has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.assort.heuristics import reverse_exclude
from skulab.assort.windows import Window

CATEGORICAL = ("category", "color", "size", "season")


@dataclass(frozen=True)
class SkuFeatures:
    """Numeric (standardised) and categorical (codes, 0 = unknown) features of `sku_ids`, rows aligned.

    `vocab` gives each categorical attribute's number of distinct values over the whole SKU table.
    """

    sku_ids: np.ndarray
    numeric: pd.DataFrame
    categorical: pd.DataFrame
    vocab: dict[str, int]


def candidates(window: Window) -> np.ndarray:
    """SKUs a method may stock: those ordered in the window at this FDC or anywhere in the chain."""
    return np.union1d(window.lines["sku_id"].unique(), window.chain["sku_id"].unique()).astype(object)


def sku_features(window: Window, sku_ids: np.ndarray, forecast: pd.Series | None = None) -> SkuFeatures:
    """The feature table of `sku_ids` from the window's orders and the SKU attributes, plus the forecast orders
    of the week after the window (sku_id -> orders; absent SKUs 0) when `forecast` is given."""
    n_weeks = max(len(window.weeks), 1)
    idx = pd.Index(sku_ids)
    fdc, chain = _order_stats(window.lines), _order_stats(window.chain)
    last = window.lines[window.lines["week"] == window.weeks[-1]] if len(window.weeks) else window.lines
    earlier = window.lines[window.lines["week"] < window.weeks[-1]] if len(window.weeks) else window.lines
    rate = fdc["orders"].reindex(idx, fill_value=0.0) / n_weeks
    last_rate = last.groupby("sku_id")["order_id"].nunique().reindex(idx, fill_value=0.0)
    earlier_rate = (earlier.groupby("sku_id")["order_id"].nunique().reindex(idx, fill_value=0.0)
                    / max(n_weeks - 1, 1))
    ranking = reverse_exclude(window.types, window.types.n_skus).sku_ids
    kept = pd.Series(1.0 - np.arange(len(ranking)) / max(len(ranking), 1), index=ranking).reindex(idx, fill_value=0.0)
    style = _style_of(window, sku_ids)
    style_fdc = pd.Series(rate.to_numpy(), index=style).groupby(level=0).transform("sum").to_numpy()
    chain_rate = chain["orders"].reindex(idx, fill_value=0.0) / n_weeks
    style_chain = pd.Series(chain_rate.to_numpy(), index=style).groupby(level=0).transform("sum").to_numpy()
    numeric = pd.DataFrame({
        "orders": np.log1p(rate.to_numpy()),
        "last_week": np.log1p(last_rate.to_numpy()),
        "trend": np.log1p(last_rate.to_numpy()) - np.log1p(earlier_rate.to_numpy()) if n_weeks > 1 else 0.0,
        "small_orders": np.log1p(fdc["per_size"].reindex(idx, fill_value=0.0).to_numpy() / n_weeks),
        "single_orders": np.log1p(fdc["single"].reindex(idx, fill_value=0.0).to_numpy() / n_weeks),
        "basket_size": fdc["log_size"].reindex(idx, fill_value=0.0).to_numpy(),
        "customers": np.log1p(fdc["customers"].reindex(idx, fill_value=0.0).to_numpy() / n_weeks),
        "kept_by_reverse_exclude": kept.to_numpy(),
        "chain_orders": np.log1p(chain_rate.to_numpy()),
        "style_orders": np.log1p(style_fdc),
        "style_chain_orders": np.log1p(style_chain),
        "list_price": np.log1p(_attribute(window, sku_ids, "list_price").astype(float).fillna(0.0).to_numpy()),
    }, index=idx)
    if forecast is not None:
        numeric["forecast"] = np.log1p(forecast.reindex(idx).fillna(0.0).clip(lower=0.0).to_numpy(dtype=float))
    spread = numeric.std(ddof=0).replace(0.0, 1.0)
    numeric = (numeric - numeric.mean()) / spread
    codes, vocab = _codes(window.skus, idx)
    return SkuFeatures(np.asarray(sku_ids, dtype=object), numeric, codes, vocab)


def _codes(skus: pd.DataFrame | None, idx: pd.Index) -> tuple[pd.DataFrame, dict[str, int]]:
    """Codes of the categorical attributes, numbered over the whole SKU table so every window agrees."""
    if skus is None:
        return pd.DataFrame(index=idx), {}
    table = skus.set_index("sku_id")
    codes, vocab = {}, {}
    for c in CATEGORICAL:
        if c in table.columns and table[c].notna().any():
            numbers, uniques = pd.factorize(table[c].astype("string"))
            codes[c] = pd.Series(numbers + 1, index=table.index).reindex(idx, fill_value=0).to_numpy()
            vocab[c] = len(uniques)
    return pd.DataFrame(codes, index=idx), vocab


def _order_stats(lines: pd.DataFrame) -> pd.DataFrame:
    """Per SKU: orders holding it, single-SKU orders, sum of 1/size, mean log size, distinct customers."""
    size = lines.groupby("order_id")["sku_id"].transform("size")
    frame = lines.assign(size=size, inv=1.0 / size, log_size=np.log(size), single=(size == 1).astype(float))
    cust = lines["customer_id"] if "customer_id" in lines.columns else lines["order_id"]
    frame = frame.assign(customer=cust.astype("string").fillna(frame["order_id"].astype("string")))
    g = frame.groupby("sku_id")
    return pd.DataFrame({"orders": g["order_id"].nunique(), "single": g["single"].sum(), "per_size": g["inv"].sum(),
                         "log_size": g["log_size"].mean(), "customers": g["customer"].nunique()})


def _attribute(window: Window, sku_ids: np.ndarray, column: str) -> pd.Series:
    if window.skus is None or column not in window.skus.columns:
        return pd.Series([None] * len(sku_ids), index=pd.Index(sku_ids), dtype=object)
    return window.skus.set_index("sku_id")[column].reindex(pd.Index(sku_ids))


def _style_of(window: Window, sku_ids: np.ndarray) -> np.ndarray:
    style = _attribute(window, sku_ids, "style_id").astype(object)
    return np.where(style.isna(), np.asarray(sku_ids, dtype=object), style.to_numpy())
