"""Retail calendars (the canonical `dim_calendar` table) for China, the US and the UK.

A day carries at most one holiday name. Shopping festivals and their run-ups count as holidays,
because they move retail demand the way public holidays do.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import pandas as pd

from skulab.errors import SkulabError

Locale = Literal["cn", "us", "uk"]

# Chinese (lunar) New Year's Day; the Spring Festival holiday starts the evening before.
LUNAR_NEW_YEAR: dict[int, date] = {
    2010: date(2010, 2, 14), 2011: date(2011, 2, 3), 2012: date(2012, 1, 23), 2013: date(2013, 2, 10),
    2014: date(2014, 1, 31), 2015: date(2015, 2, 19), 2016: date(2016, 2, 8), 2017: date(2017, 1, 28),
    2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}

_NAMES: dict[str, tuple[str, ...]] = {
    "cn": ("New Year", "Spring Festival run-up", "Spring Festival", "Qingming", "Labour Day", "618 presale",
           "618", "National Day", "Double 11 presale", "Double 11", "Double 12"),
    "us": ("New Year", "Martin Luther King Day", "Super Bowl", "Presidents Day", "Easter", "Memorial Day",
           "Independence Day", "Labor Day", "Thanksgiving", "Black Friday", "Christmas"),
    "uk": ("New Year", "Good Friday", "Easter Monday", "Early May bank holiday", "Spring bank holiday",
           "Summer bank holiday", "Christmas", "Boxing Day"),
}


def holiday_names(locale: Locale) -> tuple[str, ...]:
    """The holiday names `build_calendar` can emit for `locale`, in calendar order (for one-hot features)."""
    if locale not in _NAMES:
        raise SkulabError(f"unknown calendar locale {locale!r}; known: {', '.join(_NAMES)}")
    return _NAMES[locale]


def easter(year: int) -> date:
    """Western Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (0 = Monday) of a month; n = -1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _span(first: date, n_days: int, name: str) -> list[tuple[date, str]]:
    return [(first + timedelta(days=i), name) for i in range(n_days)]


def _cn(year: int) -> list[tuple[date, str]]:
    """Chinese public holidays and e-commerce festivals; later entries win on overlaps."""
    if year not in LUNAR_NEW_YEAR:
        raise SkulabError(f"the 'cn' calendar knows Spring Festival for {min(LUNAR_NEW_YEAR)}-"
                          f"{max(LUNAR_NEW_YEAR)} only, not {year}: add it to LUNAR_NEW_YEAR")
    eve = LUNAR_NEW_YEAR[year] - timedelta(days=1)
    qingming = date(year, 4, 4 if year % 4 in (0, 1) else 5)  # exact for 2008-2031
    return [
        (date(year, 1, 1), "New Year"),
        *_span(eve - timedelta(days=10), 10, "Spring Festival run-up"),
        *_span(eve, 7, "Spring Festival"),
        (qingming, "Qingming"),
        *_span(date(year, 5, 1), 5, "Labour Day"),
        *_span(date(year, 6, 1), 17, "618 presale"),
        (date(year, 6, 18), "618"),
        *_span(date(year, 10, 1), 7, "National Day"),
        *_span(date(year, 11, 1), 10, "Double 11 presale"),
        (date(year, 11, 11), "Double 11"),
        (date(year, 12, 12), "Double 12"),
    ]


def _us(year: int) -> list[tuple[date, str]]:
    """US federal holidays plus Easter, Super Bowl Sunday and Black Friday."""
    if year >= 2022:
        super_bowl = _nth_weekday(year, 2, 6, 2)
    elif year >= 2004:
        super_bowl = _nth_weekday(year, 2, 6, 1)
    else:
        super_bowl = _nth_weekday(year, 1, 6, -1)
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return [
        (date(year, 1, 1), "New Year"),
        (_nth_weekday(year, 1, 0, 3), "Martin Luther King Day"),
        (super_bowl, "Super Bowl"),
        (_nth_weekday(year, 2, 0, 3), "Presidents Day"),
        (easter(year), "Easter"),
        (_nth_weekday(year, 5, 0, -1), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (_nth_weekday(year, 9, 0, 1), "Labor Day"),
        (thanksgiving, "Thanksgiving"),
        (thanksgiving + timedelta(days=1), "Black Friday"),
        (date(year, 12, 25), "Christmas"),
    ]


def _uk(year: int) -> list[tuple[date, str]]:
    """England and Wales bank holidays on their nominal dates (weekend substitute days are not moved)."""
    sunday = easter(year)
    return [
        (date(year, 1, 1), "New Year"),
        (sunday - timedelta(days=2), "Good Friday"),
        (sunday + timedelta(days=1), "Easter Monday"),
        (_nth_weekday(year, 5, 0, 1), "Early May bank holiday"),
        (_nth_weekday(year, 5, 0, -1), "Spring bank holiday"),
        (_nth_weekday(year, 8, 0, -1), "Summer bank holiday"),
        (date(year, 12, 25), "Christmas"),
        (date(year, 12, 26), "Boxing Day"),
    ]


_RULES = {"cn": _cn, "us": _us, "uk": _uk}


def build_calendar(start: date | str, end: date | str, locale: Locale) -> pd.DataFrame:
    """The `dim_calendar` rows for every day from `start` to `end` inclusive, holidays per `locale`.

    `week_start` is the Monday of the ISO week; `holiday` is None on ordinary days.
    """
    holiday_names(locale)  # rejects an unknown locale
    dates = pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(), freq="D")
    years = range(dates.year.min(), dates.year.max() + 1) if len(dates) else range(0)
    named = {pd.Timestamp(day): name for year in years for day, name in _RULES[locale](year)}
    names = pd.Series(dates).map(named).astype(object)
    names = names.where(names.notna(), None)
    return pd.DataFrame({
        "date": dates,
        "weekday": dates.weekday.astype("int64"),
        "week_of_year": dates.isocalendar().week.to_numpy().astype("int64"),
        "week_start": dates - pd.to_timedelta(dates.weekday, unit="D"),
        "month": dates.month.astype("int64"),
        "year": dates.year.astype("int64"),
        "is_weekend": dates.weekday >= 5,
        "holiday": names.to_numpy(),
        "is_holiday": names.notna().to_numpy(),
    })
