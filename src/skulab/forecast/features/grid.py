"""The regular time grid of each series: one row per period from its first sale to the end, rows or not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.errors import DataError
from skulab.periods import infer_freq, period_start, step

SEP = "|"



def check_alignment(dates: pd.Series, freq: str) -> None:
    """Refuse a frequency that does not match the sales dates (e.g. W-MON on weeks that start on Thursdays)."""
    off = dates[period_start(dates, freq).to_numpy() != pd.to_datetime(dates).to_numpy()]
    if len(off):
        day = pd.Timestamp(off.iloc[0]).day_name()
        fix = infer_freq(dates)
        raise DataError(f"forecast.freq {freq!r} does not match the ERP's sales dates ({len(off):,} rows such as "
                        f"{pd.Timestamp(off.iloc[0]):%Y-%m-%d}, a {day}): set forecast.freq to {fix}")


def item_ids(store_id: pd.Series, sku_id: pd.Series) -> pd.Series:
    """Series id '<store or region>|<sku>', the item_id AutoGluon sees."""
    return store_id.astype(str) + SEP + sku_id.astype(str)


def grid(first: pd.Series, end: pd.Timestamp, freq: str) -> pd.DataFrame:
    """(item_id, timestamp) for every period from each item's first date (Series indexed by item) to `end`."""
    dt = step(freq)
    n = ((end - first) // dt).astype(int) + 1
    n = n[n > 0]
    items = np.repeat(n.index.to_numpy(), n.to_numpy())
    offset = np.arange(len(items)) - np.repeat(np.cumsum(n.to_numpy()) - n.to_numpy(), n.to_numpy())
    stamps = np.repeat(first[n.index].to_numpy(), n.to_numpy()) + offset * dt.to_timedelta64()
    return pd.DataFrame({"item_id": items, "timestamp": stamps})
