"""Calendar features per period: weekday, week of year, month and the holidays of the ERP's dim_calendar.

The holidays come from the ERP (the demo's Chinese retail calendar, US holidays for frat). When the
forecast horizon runs past the end of dim_calendar, the missing days are built with the same locale's
rules from skulab.data.calendar, so future holidays are known covariates too.
"""

from __future__ import annotations

import re

import pandas as pd

from skulab.data.calendar import build_calendar, holiday_names
from skulab.periods import period_start


def extend(calendar: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """dim_calendar rows through `end`, adding days with the locale whose holiday names the ERP uses."""
    last = pd.Timestamp(calendar["date"].max()) if len(calendar) else None
    if last is not None and last >= end:
        return calendar
    start = (last + pd.Timedelta(days=1)) if last is not None else pd.Timestamp(end) - pd.Timedelta(days=366)
    extra = build_calendar(start, end, infer_locale(calendar))[list(calendar.columns)]
    return pd.concat([calendar, extra.astype(calendar.dtypes.to_dict())], ignore_index=True) if len(calendar) else extra


def infer_locale(calendar: pd.DataFrame) -> str:
    """The locale ('cn', 'us', 'uk') whose holiday names cover most of the calendar's holidays."""
    seen = set(calendar["holiday"].dropna()) if len(calendar) else set()
    return max(("us", "cn", "uk"), key=lambda loc: len(seen & set(holiday_names(loc))))


def features(calendar: pd.DataFrame, freq: str) -> pd.DataFrame:
    """One row per period (index `timestamp`): week of year, month, weekday (daily), holiday days and one-hots."""
    cal = calendar.assign(timestamp=period_start(calendar["date"], freq).to_numpy())
    names = [h for h in holiday_names(infer_locale(calendar)) if h in set(cal["holiday"].dropna())]
    onehot = pd.DataFrame({f"hol_{_slug(h)}": (cal["holiday"] == h).astype(float) for h in names}, index=cal.index)
    cal = pd.concat([cal[["timestamp", "week_of_year", "month", "weekday"]],
                     cal["is_holiday"].astype(float).rename("holiday_days"), onehot], axis=1)
    agg = {"week_of_year": "first", "month": "first", "holiday_days": "sum", **{c: "max" for c in onehot}}
    if freq == "D":
        agg["weekday"] = "first"
    out = cal.groupby("timestamp").agg(agg).astype(float)
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
