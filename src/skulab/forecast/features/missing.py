"""Missing values and stock-outs: tell a censored or absent period from a true zero, keep a mask, impute.

Each period of a series' history is one of
- `sale`: a row with units > 0 and in stock;
- `zero`: a row with units == 0 and in stock: a true zero, kept;
- `stockout`: a row flagged as a stock-out: sales are a lower bound of demand (censored);
- `etl_gap`: no row while the store reported nothing at all that period (a lost load);
- `no_row`: no row while the store reported other SKUs (not carried, or not sold and not recorded).
Where sales are summed from transactions (order lines, receipts), a SKU without one in a period the store
reported sold nothing: with `no_row="zero"` such periods are true zeros (`zero`, units 0), kept and scored.
Absent periods are filled by the named strategy (`nan` leaves them to AutoGluon, `zero`, `ffill`, or
`seasonal`: the mean of the same weekday, or of the previous periods for weekly data, over the last four
observed values); stock-out periods keep their sales (`keep`) or are raised to that seasonal estimate
(`impute`). The mask column `imputed` marks every value that is not an observed, uncensored sale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KINDS = ("sale", "zero", "stockout", "etl_gap", "no_row", "future")
SEASONAL_OBS = 4


def classify(panel: pd.DataFrame, store_periods: pd.MultiIndex, history_end: pd.Timestamp,
             no_row: str = "missing") -> pd.Series:
    """The kind of each grid row (see the module docstring); `store_periods` are the (store, period) with rows;
    `no_row` "zero" makes a row-less period of a store that reported other SKUs a true zero."""
    present = panel["units"].notna().to_numpy()
    stockout = panel["stockout"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    reported = pd.MultiIndex.from_arrays([panel["store_id"], panel["timestamp"]]).isin(store_periods)
    kind = np.select(
        [panel["timestamp"].to_numpy() > history_end, present & stockout, present & (panel["units"].to_numpy() == 0),
         present, reported],
        ["future", "stockout", "zero", "sale", "zero" if no_row == "zero" else "no_row"], default="etl_gap")
    return pd.Series(pd.Categorical(kind, categories=KINDS), index=panel.index, name="kind")


def seasonal_estimate(panel: pd.DataFrame, values: pd.Series, freq: str) -> pd.Series:
    """Mean of the last four observed values of the same weekday (daily) or of the series (weekly), past only."""
    slot = panel["timestamp"].dt.weekday if freq == "D" else pd.Series(0, index=panel.index)
    keys = [panel["item_id"], slot]
    past = values.groupby(keys).shift(1)
    means = (past.groupby(keys).rolling(SEASONAL_OBS, min_periods=1).mean()
             .reset_index(level=[0, 1], drop=True))
    est = means.reindex(panel.index)
    est = est.groupby(panel["item_id"]).ffill()
    return est.fillna(values.groupby(panel["item_id"]).transform("mean")).fillna(0.0)


def impute(panel: pd.DataFrame, kind: pd.Series, strategy: str, censored: str, freq: str, unrecorded: int = 0
           ) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """(target, imputed mask, rules): the history's target after the named strategies, and points per rule;
    `unrecorded` true zeros had no row (`classify` with `no_row="zero"`), which the rules table says."""
    observed = panel["units"].where(kind.isin(["sale", "zero"]))
    target = panel["units"].where(kind.isin(["sale", "zero", "stockout"]))
    absent = kind.isin(["etl_gap", "no_row"])
    stock = kind == "stockout"
    need_estimate = strategy == "seasonal" or censored == "impute"
    est = seasonal_estimate(panel, observed, freq) if need_estimate else None
    if strategy == "zero":
        target = target.mask(absent, 0.0)
    elif strategy == "ffill":
        target = target.groupby(panel["item_id"]).ffill().where(kind != "future")
    elif strategy == "seasonal":
        target = target.mask(absent, est)
    raised = pd.Series(False, index=panel.index)
    if censored == "impute":
        raised = stock & (est > target)
        target = target.mask(raised, est)
    mask = (absent | stock).astype(float)
    counts = kind.value_counts().reindex(KINDS, fill_value=0)
    rules = pd.DataFrame({
        "rule": [f"{k}: {_ACTION[k](strategy, censored)}" for k in KINDS],
        "points": counts.to_numpy(),
    })
    rules.loc[KINDS.index("stockout"), "rule"] += f" ({int(raised.sum()):,} raised)"
    if unrecorded:
        rules.loc[KINDS.index("zero"), "rule"] += f" ({unrecorded:,} without a row: sales summed from transactions)"
    return target.where(kind != "future"), mask.where(kind != "future", 0.0), rules


_ACTION = {
    "sale": lambda s, c: "kept",
    "zero": lambda s, c: "kept as a true zero",
    "stockout": lambda s, c: "raised to the seasonal estimate when below it" if c == "impute" else "kept (censored)",
    "etl_gap": lambda s, c: {"nan": "left missing", "zero": "set to 0", "ffill": "previous value",
                             "seasonal": "seasonal estimate"}[s],
    "no_row": lambda s, c: {"nan": "left missing", "zero": "set to 0", "ffill": "previous value",
                            "seasonal": "seasonal estimate"}[s],
    "future": lambda s, c: "forecast horizon (not imputed)",
}
