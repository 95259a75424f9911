"""The retail calendars: known holiday dates per locale, the dim_calendar format."""

from __future__ import annotations

import pandas as pd
import pytest

from skulab.data.calendar import build_calendar, easter, holiday_names
from skulab.data.schema import DIM_CALENDAR
from skulab.data.validate import validate
from skulab.errors import SkulabError


def _holidays(start: str, end: str, locale: str) -> dict[str, str]:
    cal = build_calendar(start, end, locale)
    named = cal[cal["is_holiday"]]
    return dict(zip(named["date"].dt.strftime("%Y-%m-%d"), named["holiday"]))


def test_columns_follow_the_schema_and_validate():
    cal = build_calendar("2023-12-25", "2025-01-05", "cn")
    assert list(cal.columns) == DIM_CALENDAR.column_names
    assert len(cal) == 378 and cal["date"].is_monotonic_increasing
    validate({"dim_calendar": cal})


def test_weekday_iso_week_and_week_start():
    cal = build_calendar("2024-12-28", "2025-01-06", "us").set_index("date")
    assert cal.loc["2024-12-30", "weekday"] == 0 and cal.loc["2024-12-29", "weekday"] == 6
    assert cal.loc["2024-12-30", "week_of_year"] == 1 and cal.loc["2024-12-29", "week_of_year"] == 52
    assert (cal["week_start"].dt.weekday == 0).all()
    assert cal.loc["2025-01-01", "week_start"] == pd.Timestamp("2024-12-30")
    assert cal["is_weekend"].tolist() == [d.weekday() >= 5 for d in cal.index]


def test_holiday_is_none_exactly_on_ordinary_days():
    for locale in ("cn", "us", "uk"):
        cal = build_calendar("2023-01-01", "2024-12-31", locale)
        assert (cal["holiday"].isna() == ~cal["is_holiday"]).all()
        assert set(cal["holiday"].dropna()) == set(holiday_names(locale))


def test_chinese_retail_calendar():
    days = _holidays("2023-01-01", "2024-12-31", "cn")
    assert days["2024-02-10"] == "Spring Festival" and days["2024-02-09"] == "Spring Festival"  # from the eve
    assert days["2024-02-15"] == "Spring Festival" and "2024-02-16" not in days
    assert days["2023-01-22"] == "Spring Festival" and days["2024-02-01"] == "Spring Festival run-up"
    assert days["2024-04-04"] == "Qingming" and days["2023-04-05"] == "Qingming"
    assert [days[f"2024-05-0{d}"] for d in range(1, 6)] == ["Labour Day"] * 5
    assert days["2024-06-18"] == "618"
    assert days["2024-06-01"] == "618 presale" and days["2024-06-17"] == "618 presale"
    assert [days[f"2023-10-0{d}"] for d in range(1, 8)] == ["National Day"] * 7 and "2023-10-08" not in days
    assert days["2023-11-11"] == "Double 11" and days["2023-11-10"] == "Double 11 presale"
    assert days["2023-12-12"] == "Double 12" and days["2024-01-01"] == "New Year"


def test_us_calendar():
    days = _holidays("2011-01-01", "2011-12-31", "us")
    assert days["2011-11-24"] == "Thanksgiving" and days["2011-11-25"] == "Black Friday"
    assert days["2011-02-06"] == "Super Bowl" and days["2011-04-24"] == "Easter"
    days = _holidays("2024-01-01", "2024-12-31", "us")
    expected = {"2024-01-01": "New Year", "2024-01-15": "Martin Luther King Day", "2024-02-11": "Super Bowl",
                "2024-02-19": "Presidents Day", "2024-03-31": "Easter", "2024-05-27": "Memorial Day",
                "2024-07-04": "Independence Day", "2024-09-02": "Labor Day", "2024-11-28": "Thanksgiving",
                "2024-11-29": "Black Friday", "2024-12-25": "Christmas"}
    assert days == expected


def test_uk_calendar():
    days = _holidays("2024-01-01", "2024-12-31", "uk")
    expected = {"2024-01-01": "New Year", "2024-03-29": "Good Friday", "2024-04-01": "Easter Monday",
                "2024-05-06": "Early May bank holiday", "2024-05-27": "Spring bank holiday",
                "2024-08-26": "Summer bank holiday", "2024-12-25": "Christmas", "2024-12-26": "Boxing Day"}
    assert days == expected
    assert _holidays("2010-12-01", "2010-12-31", "uk")["2010-12-26"] == "Boxing Day"


@pytest.mark.parametrize("year, day", [(2000, "04-23"), (2008, "03-23"), (2011, "04-24"), (2019, "04-21"),
                                       (2024, "03-31"), (2025, "04-20"), (2038, "04-25")])
def test_easter(year, day):
    assert str(easter(year)) == f"{year}-{day}"


def test_bad_input_is_named():
    with pytest.raises(SkulabError, match="locale"):
        build_calendar("2024-01-01", "2024-01-31", "fr")
    with pytest.raises(SkulabError, match="Spring Festival"):
        build_calendar("2031-01-01", "2031-12-31", "cn")
    assert build_calendar("2024-01-05", "2024-01-01", "uk").empty
