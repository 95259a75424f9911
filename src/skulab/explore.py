"""Summaries for the exploratory chapter: sales by dimension, promotions, gaps, calendar, baskets, long tail."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from skulab.baskets import Baskets
from skulab.forecast.features import missing
from skulab.forecast.features.grid import grid, item_ids


def sales_over_time(sales: pd.DataFrame, by: str, freq: str = "W-MON") -> pd.DataFrame:
    """Units per period (rows) and value of `by` (columns); a missing `by` counts as '(unknown)'."""
    sales = sales.assign(**{by: sales[by].astype("string").fillna("(unknown)")})
    return (sales.groupby([pd.Grouper(key="date", freq=freq, label="left", closed="left"), by], observed=True)["units"]
            .sum().unstack(by).fillna(0.0))


def totals_by(sales: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Units, revenue and active SKUs per group, sorted by units; a missing key counts as '(unknown)'."""
    sales = sales.assign(**{b: sales[b].astype("string").fillna("(unknown)") for b in by})
    out = sales.assign(revenue=sales["units"] * sales["price"]).groupby(by, observed=True).agg(
        units=("units", "sum"), revenue=("revenue", "sum"), skus=("sku_id", "nunique"))
    return out.sort_values("units", ascending=False)


def promotion_summary(sales: pd.DataFrame) -> pd.DataFrame:
    """Per promotion type: share of rows, mean units per row, mean discount (no promotion = 'none')."""
    promo = sales["promo_type"].fillna("none")
    out = sales.assign(promo=promo).groupby("promo").agg(
        rows=("units", "size"), mean_units=("units", "mean"), mean_discount=("discount", "mean"))
    out["share_of_rows"] = out["rows"] / out["rows"].sum()
    return out.sort_values("rows", ascending=False)


def gap_summary(sales: pd.DataFrame, freq: str, no_row: str = "missing") -> pd.DataFrame:
    """Per store x SKU series: periods spanned, rows present, and the spanned periods of each kind.

    A series spans from its first to its last row; each period is classified as the forecasting features do
    (`skulab.forecast.features.missing.classify`): a period without a row is missing (`etl_gap` when the store
    reported nothing that period, `no_row` when it reported other SKUs), which features must tell apart from a
    true zero, unless `no_row` is "zero" (sales summed from transactions); stock-out rows are censored.
    """
    sales = sales.assign(item_id=item_ids(sales["store_id"], sales["sku_id"]).to_numpy())
    spans = sales.groupby("item_id")["date"].agg(["min", "max"])
    g = grid(spans["min"], spans["max"].max(), freq)
    g = g[g["timestamp"] <= g["item_id"].map(spans["max"]).to_numpy()]
    keys = sales.groupby("item_id")[["store_id", "sku_id"]].first()
    rows = sales[["item_id", "date", "units", "stockout"]].rename(columns={"date": "timestamp"})
    panel = g.merge(rows, on=["item_id", "timestamp"], how="left").merge(keys, left_on="item_id", right_index=True)
    store_periods = pd.MultiIndex.from_frame(sales[["store_id", "date"]].drop_duplicates())
    kind = missing.classify(panel, store_periods, spans["max"].max(), no_row)
    counts = pd.crosstab(panel["item_id"], kind).reindex(columns=list(missing.KINDS), fill_value=0)
    out = keys.join(spans.rename(columns={"min": "first", "max": "last"}))
    out["spanned"] = counts.sum(axis=1)
    out["present"] = counts[["sale", "zero", "stockout"]].sum(axis=1)
    out["missing"] = counts[["etl_gap", "no_row"]].sum(axis=1)
    out["etl_gap"], out["no_row"] = counts["etl_gap"], counts["no_row"]
    out["stockout"], out["zeros"] = counts["stockout"], counts["zero"]
    return out.reset_index(drop=True)


def gap_shares(gaps: pd.DataFrame) -> pd.Series:
    """Shares of spanned periods that are missing, stock-outs (censored), zero sales, or ordinary sales."""
    spanned = gaps["spanned"].sum()
    shares = pd.Series({"missing row": gaps["missing"].sum(), "stock-out (censored)": gaps["stockout"].sum(),
                        "zero sales": gaps["zeros"].sum()}) / spanned
    shares["sales > 0, in stock"] = 1.0 - shares.sum()
    return shares


def calendar_profile(sales: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Mean total units by weekday, and mean total units per day on each holiday vs ordinary days."""
    daily = sales.groupby("date").agg(units=("units", "sum"), holiday=("holiday", "first")).reset_index()
    by_weekday = daily.groupby(daily["date"].dt.day_name(), sort=False)["units"].mean()
    order = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    by_weekday = by_weekday.reindex([d for d in order if d in by_weekday.index])
    daily["holiday"] = daily["holiday"].fillna("ordinary day")
    by_holiday = daily.groupby("holiday")["units"].agg(["mean", "size"]).rename(columns={"mean": "mean_units", "size": "days"})
    base = by_holiday.loc["ordinary day", "mean_units"] if "ordinary day" in by_holiday.index else np.nan
    by_holiday["lift_vs_ordinary"] = by_holiday["mean_units"] / base
    return by_weekday, by_holiday.sort_values("lift_vs_ordinary", ascending=False)


def basket_size_distribution(baskets: Baskets, cap: int = 20) -> pd.Series:
    """Share of orders by number of distinct SKUs (sizes above `cap` pooled into the last bin)."""
    sizes = np.minimum(baskets.sizes, cap)
    counts = pd.Series(sizes).value_counts().sort_index()
    counts.index = [f"{cap}+" if s == cap else str(s) for s in counts.index]
    return counts / counts.sum()


def popularity_curve(baskets: Baskets) -> pd.DataFrame:
    """Lorenz-style long tail: share of order lines covered by the top x share of SKUs."""
    counts = np.sort(np.asarray(baskets.matrix.sum(axis=0)).ravel())[::-1]
    return pd.DataFrame({"sku_share": np.arange(1, len(counts) + 1) / len(counts),
                         "line_share": np.cumsum(counts) / counts.sum()})


def top_share(curve: pd.DataFrame, sku_share: float) -> float:
    """Share of order lines taken by the top `sku_share` of SKUs."""
    return float(np.interp(sku_share, curve["sku_share"], curve["line_share"]))


def co_purchase_pairs(baskets: Baskets, names: pd.Series | None = None, top_n: int = 15,
                      max_order_skus: int = 100) -> pd.DataFrame:
    """The SKU pairs bought together most often, with support and lift.

    Orders with more than `max_order_skus` SKUs (bulk or wholesale) are left out of the pair counts,
    as they pair everything with everything; the count left out is in the frame's attrs.
    """
    keep = baskets.sizes <= max_order_skus
    m = baskets.matrix[keep]
    co = sparse.triu(m.T @ m, k=1).tocoo()
    order = np.argsort(-co.data, kind="stable")[:top_n]
    n_orders = m.shape[0]
    freq = np.asarray(m.sum(axis=0)).ravel() / n_orders
    i, j, c = co.row[order], co.col[order], co.data[order]
    out = pd.DataFrame({"sku_a": baskets.sku_ids[i], "sku_b": baskets.sku_ids[j], "orders": c.astype(int),
                        "support": c / n_orders, "lift": (c / n_orders) / (freq[i] * freq[j])})
    if names is not None:
        out.insert(2, "name_b", out["sku_b"].map(names))
        out.insert(1, "name_a", out["sku_a"].map(names))
    out.attrs["orders_left_out"] = int((~keep).sum())
    return out
