"""The regular time grid of each series: one row per period from its first sale to the end, rows or not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.errors import DataError

SEP = "|"


def step(freq: str) -> pd.Timedelta:
    """The fixed length of one period: a day for 'D', a week for 'W-<day>'."""
    if freq == "D":
        return pd.Timedelta(days=1)
    if freq.startswith("W"):
        return pd.Timedelta(days=7)
    raise DataError(f"forecast.freq {freq!r} is not supported: use D (daily) or W-<day> (weekly, e.g. W-THU)")


def period_start(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.Series:
    """The first day of the period each date falls in (weekly periods start on the weekday of `freq`)."""
    dates = pd.Series(pd.to_datetime(dates)).dt.normalize()
    if freq == "D":
        return dates
    anchor = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN").index(freq.split("-")[1] if "-" in freq else "SUN")
    return dates - pd.to_timedelta((dates.dt.weekday - anchor) % 7, unit="D")


def check_alignment(dates: pd.Series, freq: str) -> None:
    """Refuse a frequency that does not match the sales dates (e.g. W-MON on weeks that start on Thursdays)."""
    off = dates[period_start(dates, freq).to_numpy() != pd.to_datetime(dates).to_numpy()]
    if len(off):
        day = pd.Timestamp(off.iloc[0]).day_name()
        daily = pd.Series(pd.to_datetime(dates)).drop_duplicates().sort_values().diff().dt.days.min() == 1
        fix = "D" if daily else f"W-{day[:3].upper()}"
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
