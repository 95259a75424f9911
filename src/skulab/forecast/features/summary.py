"""What each feature group sees in the history: kinds of periods, promotion uplift, price response, holidays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.forecast.features import Panel

_HISTORY = ["sale", "zero", "stockout", "etl_gap", "no_row"]


def kind_shares(panel: Panel) -> pd.Series:
    """Share of history periods per kind (sale, true zero, stock-out, ETL gap, no row)."""
    kinds = panel.frame["kind"].astype(str)
    counts = kinds[kinds.isin(_HISTORY)].value_counts().reindex(_HISTORY, fill_value=0)
    return counts / counts.sum()


def promo_uplift(panel: Panel) -> pd.DataFrame:
    """Per promotion type: periods on promotion and mean units relative to the same series' regular periods."""
    f = panel.frame[panel.frame["scored"]]
    regular = f[~f["promoted"]].groupby("item_id")["actual"].mean()
    base = f["item_id"].map(regular)
    rows = []
    for col in [c for c in f.columns if c.startswith("promo_") and c not in ("promo_depth", "promo_age", "promo_since")]:
        on = f[col] > 0
        if on.any():
            rows.append({"promotion": col.removeprefix("promo_"), "periods": int(on.sum()),
                         "uplift": float(f.loc[on, "actual"].sum() / base[on].sum())})
    table = pd.DataFrame(rows, columns=["promotion", "periods", "uplift"])  # empty where nothing was promoted
    return table.sort_values("uplift", ascending=False).set_index("promotion")


def price_response(panel: Panel, bins: tuple[float, ...] = (-np.inf, 0.0, 0.1, 0.2, 0.3, 0.5, np.inf)) -> pd.DataFrame:
    """Units relative to the series' full-price mean by discount band (discount_pct of the price group)."""
    f = panel.frame[panel.frame["scored"]]
    full = f[f["discount_pct"] <= 0].groupby("item_id")["actual"].mean()
    base = f["item_id"].map(full)
    band = pd.cut(f["discount_pct"], bins=list(bins), labels=["none", "0-10 %", "10-20 %", "20-30 %", "30-50 %",
                                                              "50 %+"])
    ok = base.notna()
    out = pd.DataFrame({"band": band[ok], "actual": f.loc[ok, "actual"], "base": base[ok]})
    grouped = out.groupby("band", observed=True)
    return pd.DataFrame({"periods": grouped.size(), "relative_units": grouped["actual"].sum() / grouped["base"].sum()})


def holiday_lift(panel: Panel) -> pd.Series:
    """Per holiday: units in its periods over the same series' mean in ordinary periods (no holiday, no promotion)."""
    f = panel.frame[panel.frame["scored"]]
    ordinary = f[(f["holiday_days"] == 0) & ~f["promoted"]].groupby("item_id")["actual"].mean()
    base = f["item_id"].map(ordinary)
    lift = {}
    for col in [c for c in f.columns if c.startswith("hol_")]:
        on = (f[col] > 0) & base.notna()
        if on.any():
            lift[col.removeprefix("hol_")] = f.loc[on, "actual"].sum() / base[on].sum()
    return pd.Series(lift, name="lift", dtype=float).sort_values(ascending=False)
