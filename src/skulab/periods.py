"""Periods of a sales table: its frequency ('D' or 'W-<day>'), a period's length and the start of each date's period.

One detection of the frequency serves the data adapters, the EDA and the forecasting panel.
"""

from __future__ import annotations

import pandas as pd

from skulab.errors import DataError

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def infer_freq(dates: pd.Series) -> str:
    """'W-<day>' when all dates share a weekday and lie whole weeks apart, else 'D'."""
    days = pd.Series(pd.to_datetime(pd.Series(dates).dropna().unique())).sort_values()
    if len(days) < 2 or days.dt.weekday.nunique() != 1:
        return "D"
    if ((days.diff().dropna().dt.days % 7) != 0).any():
        return "D"
    return f"W-{WEEKDAYS[int(days.iloc[0].weekday())]}"


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
    anchor = WEEKDAYS.index(freq.split("-")[1] if "-" in freq else "SUN")
    return dates - pd.to_timedelta((dates.dt.weekday - anchor) % 7, unit="D")
