"""Your own covariates (the ERP's `covariate` table) as panel columns `cov_<name>`.

A covariate known in advance (a campaign, an event, a weather forecast) is a known covariate: it needs a value
for every period of the panel, the forecast horizon included, and a missing one is an error naming the first
gap; rows scoped `all` give the value of every series the covariate's other rows do not name (say 0 on
the stores without a local event). The others are past covariates: the models see them up to the cutoff only, and a gap in their history
carries the last value forward. Daily values are averaged over each weekly period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.data.scope import COVARIATE_KEYS, parse
from skulab.errors import DataError
from skulab.periods import period_start

PREFIX = "cov_"


def features(panel: pd.DataFrame, covariates: pd.DataFrame | None, freq: str, level: str,
             history_end: pd.Timestamp, names: list[str] | None = None) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Columns `cov_<name>` aligned with the panel's rows, and the names of the known and of the past ones.

    `panel` has item_id, timestamp, store_id, sku_id, region and category; `names` picks covariates (None: all).
    """
    out = pd.DataFrame(index=panel.index)
    if covariates is None or covariates.empty:
        if names:
            raise DataError(f"forecast.covariates names {', '.join(names)}, but the ERP's covariate table is empty: "
                            "load it (docs/data_format.md), or set forecast.covariates to null")
        return out, [], []
    present = sorted(covariates["name"].unique())
    unknown = [n for n in names or [] if n not in present]
    if unknown:
        raise DataError(f"forecast.covariates names {', '.join(unknown)}, which the ERP's covariate table lacks "
                        f"(it has {', '.join(present)})")
    known, past = [], []
    for name in names or present:
        rows = covariates[covariates["name"] == name]
        is_known = bool(rows["known_in_advance"].iloc[0])
        out[PREFIX + name] = _aligned(panel, rows, freq, level, history_end, name, is_known)
        (known if is_known else past).append(PREFIX + name)
    return out, known, past


def _aligned(panel: pd.DataFrame, rows: pd.DataFrame, freq: str, level: str, history_end: pd.Timestamp,
             name: str, known: bool) -> pd.Series:
    """One covariate's value for each panel row (mean over the period's days); rows scoped `all` give the value
    of every series that the covariate's other rows do not name."""
    scope = parse(rows["scope"])
    values = pd.DataFrame({"timestamp": period_start(rows["date"], freq).to_numpy(),
                           "value": rows["value"].to_numpy(dtype=float)})
    joined = pd.Series(np.nan, index=panel.index)
    for kind in sorted(set(scope["kind"]) - {"all"}) + ["all"]:  # the specific rows first, `all` fills the rest
        keys = list(COVARIATE_KEYS[kind])
        if level == "region" and "store_id" in keys:
            raise DataError(f"covariate {name!r} is given per store, but forecast.level is region: give it per "
                            "region (scope region:<name>), or leave it out with forecast.covariates")
        mine = (scope["kind"] == kind).to_numpy()
        part = values[mine].assign(**{k: scope.loc[mine, col].to_numpy()
                                      for k, col in zip(keys, ("first", "second"), strict=False)})
        per_period = part.groupby([*keys, "timestamp"], as_index=False)["value"].mean()
        strings = {k: "string" for k in keys}
        found = panel[[*keys, "timestamp"]].astype(strings).merge(per_period.astype(strings), how="left",
                                                                  on=[*keys, "timestamp"])["value"]
        joined = joined.fillna(pd.Series(found.to_numpy(), index=panel.index))
    if not known:
        return joined.groupby(panel["item_id"]).ffill().groupby(panel["item_id"]).bfill().fillna(0.0)
    gaps = joined.isna()
    if gaps.any():
        raise DataError(_gap_message(panel, gaps, name, history_end))
    return joined


def _gap_message(panel: pd.DataFrame, gaps: pd.Series, name: str, history_end: pd.Timestamp) -> str:
    """Where a known covariate first lacks a value, and how to fix it."""
    missing = panel.loc[gaps].sort_values(["timestamp", "item_id"])
    first = missing.iloc[0]
    after = f", after the last sales period {history_end:%Y-%m-%d}" if first["timestamp"] > history_end else ""
    return (f"covariate {name!r} is known in advance but has no value for store {first['store_id']} x SKU "
            f"{first['sku_id']} on {first['timestamp']:%Y-%m-%d}{after} ({missing['timestamp'].nunique():,} "
            f"period(s) lack one): give it a value for every period from {panel['timestamp'].min():%Y-%m-%d} "
            f"through {panel['timestamp'].max():%Y-%m-%d} (rows scoped `all` cover the series no other row "
            "names), or set its known_in_advance to false")
