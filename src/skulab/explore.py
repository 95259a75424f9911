"""Summaries for the exploratory chapter: sales by dimension, promotions, gaps, calendar, baskets, long tail."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from skulab.baskets import Baskets


def infer_freq(sales: pd.DataFrame) -> str:
    """'D' for daily sales, 'W-<day>' for weekly ones: the most common step between a series' dates."""
    steps = sales.sort_values("date").groupby(["store_id", "sku_id"], observed=True)["date"].diff().dt.days
    step = int(steps.mode().iloc[0]) if steps.notna().any() else 1
    if step == 7:
        return "W-" + sales["date"].iloc[0].day_name()[:3].upper()
    return "D"


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


def gap_summary(sales: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Per store x SKU series: periods spanned, rows present, rows missing, stock-out rows and zero-sale rows.

    A series spans from its first to its last row; a period inside the span without a row is missing
    (not carried that period, or an ETL gap), which features must tell apart from a true zero.
    """
    g = sales.groupby(["store_id", "sku_id"], observed=True)
    out = g.agg(first=("date", "min"), last=("date", "max"), present=("units", "size"),
                stockout=("stockout", lambda s: int(s.fillna(False).sum())), zeros=("units", lambda s: int((s == 0).sum())))
    step = pd.Timedelta(days=7) if freq.startswith("W") else pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    out["spanned"] = ((out["last"] - out["first"]) / step).round().astype(int) + 1
    out["missing"] = out["spanned"] - out["present"]
    return out.reset_index()


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
