"""Feature groups: missing values vs true zeros, promotion and price features, calendars, series selection."""

import numpy as np
import pandas as pd
import pytest

from skulab.config import ForecastConfig
from skulab.data.calendar import build_calendar
from skulab.errors import DataError
from skulab.forecast.features import build_panel, missing, promo
from skulab.forecast.features import calendar as calendar_features
from skulab.forecast.features.summary import promo_uplift


def _sales(rows: list[tuple], **attrs: object) -> pd.DataFrame:
    """Training rows like the packaged query returns: (date, store, sku, units, price, promo, stockout)."""
    df = pd.DataFrame(rows, columns=["date", "store_id", "sku_id", "units", "price", "promo_type", "stockout"])
    df["date"] = pd.to_datetime(df["date"])
    df["base_price"] = 10.0
    df["discount"] = np.where(df["promo_type"].notna(), 1 - df["price"] / 10.0, np.nan)
    df["category"] = attrs.get("category", "Tops")
    df["list_price"] = 10.0
    df["region"], df["segment"] = "East", "mall"
    return df


@pytest.fixture
def week_of_sales() -> pd.DataFrame:
    """Store S1 sells A every day but day 3 (store-wide gap) and B on days 1, 2, 5 (day 4: no row, store open);
    A runs out on day 2 and sells nothing on day 5."""
    d = [f"2024-01-0{i}" for i in range(1, 6)]
    return _sales([
        (d[0], "S1", "A", 4, 10, None, False), (d[1], "S1", "A", 1, 10, None, True),
        (d[3], "S1", "A", 5, 8, "pct_off", False), (d[4], "S1", "A", 0, 8, "pct_off+bundle", False),
        (d[0], "S1", "B", 2, 10, None, False), (d[1], "S1", "B", 3, 10, None, False),
        (d[4], "S1", "B", 1, 10, None, False),
    ])


def _cfg(**kw: object) -> ForecastConfig:
    return ForecastConfig(**{"freq": "D", "horizon": 2, "windows": 1, "static": False, **kw})


def test_stockouts_gaps_and_true_zeros_are_told_apart(week_of_sales: pd.DataFrame) -> None:
    cal = build_calendar("2024-01-01", "2024-01-10", "cn")
    panel = build_panel(week_of_sales, cal, _cfg(features=["missing"], impute="zero", censored="keep"))
    kinds = panel.frame.set_index(["item_id", "timestamp"])["kind"].astype(str)
    assert kinds[("S1|A", pd.Timestamp("2024-01-02"))] == "stockout"
    assert kinds[("S1|A", pd.Timestamp("2024-01-03"))] == "etl_gap"
    assert kinds[("S1|B", pd.Timestamp("2024-01-04"))] == "no_row"
    assert kinds[("S1|A", pd.Timestamp("2024-01-05"))] == "zero"
    counts = panel.rules.set_index(panel.rules["rule"].str.split(":").str[0])["points"]
    assert counts["etl_gap"] == 2 and counts["no_row"] == 1 and counts["stockout"] == 1 and counts["zero"] == 1


def test_sales_summed_from_transactions_make_a_row_less_day_of_an_open_store_a_scored_zero(
        week_of_sales: pd.DataFrame) -> None:
    cal = build_calendar("2024-01-01", "2024-01-10", "cn")
    panel = build_panel(week_of_sales, cal, _cfg(features=["missing"], impute="seasonal", no_row="zero"))
    f = panel.frame.set_index(["item_id", "timestamp"])
    b4, a3 = ("S1|B", pd.Timestamp("2024-01-04")), ("S1|A", pd.Timestamp("2024-01-03"))
    assert f.loc[b4, "kind"] == "zero" and f.loc[b4, "actual"] == 0 and f.loc[b4, "target"] == 0
    assert f.loc[b4, "scored"] and f.loc[b4, "imputed"] == 0
    assert f.loc[a3, "kind"] == "etl_gap" and not f.loc[a3, "scored"]  # the store reported nothing: unknown
    rules = panel.rules.set_index(panel.rules["rule"].str.split(":").str[0])
    assert rules.loc["zero", "points"] == 2 and rules.loc["no_row", "points"] == 0
    assert "1 without a row" in rules.loc["zero", "rule"]


def test_impute_strategies_fill_only_absent_periods_and_keep_a_mask(week_of_sales: pd.DataFrame) -> None:
    cal = build_calendar("2024-01-01", "2024-01-10", "cn")
    zero = build_panel(week_of_sales, cal, _cfg(features=["missing"], impute="zero", censored="keep")).frame
    left = build_panel(week_of_sales, cal, _cfg(features=["missing"], impute="nan", censored="keep")).frame
    ffill = build_panel(week_of_sales, cal, _cfg(features=["missing"], impute="ffill", censored="keep")).frame
    a3 = (zero["item_id"] == "S1|A") & (zero["timestamp"] == "2024-01-03")
    assert zero.loc[a3, "target"].item() == 0 and np.isnan(left.loc[a3, "target"].item())
    assert ffill.loc[a3, "target"].item() == 1  # the previous (censored) value
    assert zero.loc[a3, "imputed"].item() == 1 and zero["imputed"].sum() == 4  # 3 absent + 1 stock-out
    assert (zero.loc[zero["kind"].isin(["sale", "zero"]), "target"] ==
            zero.loc[zero["kind"].isin(["sale", "zero"]), "actual"]).all()


def test_censored_stockout_is_raised_to_the_seasonal_estimate_from_past_values_only() -> None:
    days = pd.date_range("2024-01-01", periods=15, freq="D")
    rows = [(d, "S1", "A", 7.0, 10, None, False) for d in days[:14]] + [(days[14], "S1", "A", 1.0, 10, None, True)]
    panel = build_panel(_sales(rows), build_calendar(days[0], days[-1], "cn"),
                        _cfg(features=["missing"], impute="seasonal", censored="impute"))
    last = panel.frame.iloc[-1]
    assert last["kind"] == "stockout" and last["actual"] == 1 and last["target"] == pytest.approx(7.0)


def test_seasonal_estimate_ignores_the_current_and_later_values() -> None:
    frame = pd.DataFrame({"item_id": ["a"] * 8, "timestamp": pd.date_range("2024-01-01", periods=8, freq="7D")})
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 100.0, 100.0, 100.0])
    est = missing.seasonal_estimate(frame, values, "W-MON")
    assert est.iloc[5] == pytest.approx(np.mean([2, 3, 4, 5])) and est.iloc[0] == pytest.approx(values.mean())


def test_promotion_types_are_split_and_periods_into_and_since_are_counted(week_of_sales: pd.DataFrame) -> None:
    cal = build_calendar("2024-01-01", "2024-01-10", "cn")
    panel = build_panel(week_of_sales, cal, _cfg(features=["promo"]))
    a = panel.frame[panel.frame["item_id"] == "S1|A"].set_index("timestamp")
    assert {"promo_pct_off", "promo_bundle", "promo_depth", "promo_age", "promo_since"} <= set(panel.known)
    assert a["promo_pct_off"].tolist() == [0, 0, 0, 1, 1] and a["promo_bundle"].tolist() == [0, 0, 0, 0, 1]
    assert a["promo_age"].tolist() == [0, 0, 0, 1, 2]
    assert a["promo_since"].tolist() == [promo.SINCE_CAP] * 3 + [0, 0]
    assert a["promo_depth"].iloc[3] == pytest.approx(0.2)


def test_promotion_summaries_of_data_without_promotions_are_empty_tables(week_of_sales: pd.DataFrame) -> None:
    """A source without promotions (online_retail's order lines) gives chapter 02 an empty uplift table, not a
    KeyError; with them, one row per promotion type, strongest first."""
    cal = build_calendar("2024-01-01", "2024-01-10", "cn")
    never = week_of_sales.assign(promo_type=None, discount=np.nan)
    assert promo_uplift(build_panel(never, cal, _cfg(features=["promo"]))).empty
    uplift = promo_uplift(build_panel(week_of_sales, cal, _cfg(features=["promo"])))
    assert set(uplift.index) == {"pct_off", "bundle"} and uplift["uplift"].is_monotonic_decreasing


def test_price_features_compare_to_base_price_last_period_and_category() -> None:
    days = pd.date_range("2024-01-01", periods=3, freq="D")
    rows = [(days[0], "S1", "A", 1, 10, None, False), (days[1], "S1", "A", 1, 8, "pct_off", False),
            (days[2], "S1", "A", 1, 8, "pct_off", False),
            *[(d, "S1", "B", 1, 10, None, False) for d in days]]
    panel = build_panel(_sales(rows), build_calendar(days[0], days[-1], "cn"), _cfg(features=["price"]))
    a = panel.frame[panel.frame["item_id"] == "S1|A"]
    assert a["price_ratio"].tolist() == pytest.approx([1.0, 0.8, 0.8])
    assert a["price_change"].tolist() == pytest.approx([0.0, np.log(0.8), 0.0])
    assert a["discount_pct"].tolist() == pytest.approx([0.0, 0.2, 0.2])
    assert a["price_index"].iloc[1] == pytest.approx(0.8 / 0.9)  # B stays at full price in the same category


def test_weekly_calendar_marks_a_holiday_anywhere_in_the_sales_week() -> None:
    cal = build_calendar("2011-11-17", "2011-12-07", "us")  # Thanksgiving 2011-11-24 is a Thursday
    weeks = calendar_features.features(cal, "W-THU")
    assert list(weeks.index) == list(pd.date_range("2011-11-17", periods=3, freq="7D"))
    assert weeks["hol_thanksgiving"].tolist() == [0, 1, 0] and weeks["hol_black_friday"].tolist() == [0, 1, 0]
    assert "weekday" not in weeks


def test_calendar_past_the_erp_is_built_with_the_erp_locale() -> None:
    erp_days = build_calendar("2024-01-01", "2024-01-31", "cn")
    longer = calendar_features.extend(erp_days, pd.Timestamp("2024-02-20"))
    assert longer["date"].max() == pd.Timestamp("2024-02-20")
    assert "Spring Festival" in set(longer["holiday"].dropna())


def test_a_frequency_that_does_not_match_the_sales_dates_names_the_right_one() -> None:
    rows = [(d, "S1", "A", 1, 10, None, None) for d in pd.date_range("2011-01-06", periods=3, freq="7D")]
    with pytest.raises(DataError, match="set forecast.freq to W-THU"):
        build_panel(_sales(rows), build_calendar("2011-01-01", "2011-01-31", "us"), _cfg(freq="W-MON"))


def test_training_rows_without_a_canonical_column_give_one_message(week_of_sales: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="training rows lack column.s. base_price"):
        build_panel(week_of_sales.drop(columns="base_price"), build_calendar("2024-01-01", "2024-01-10", "cn"), _cfg())


def test_max_series_samples_only_series_that_sold_in_the_evaluated_span() -> None:
    days = pd.date_range("2024-01-01", periods=20, freq="D")
    rows = [(d, "S1", f"K{k}", 1, 10, None, False) for k in range(10) for d in days]
    rows += [(d, "S1", "OLD", 1, 10, None, False) for d in days[:5]]
    cfg = _cfg(max_series=4, horizon=3, windows=2, seed=1)
    panel = build_panel(_sales(rows), build_calendar(days[0], days[-1], "cn"), cfg)
    items = set(panel.frame["item_id"])
    assert len(items) == 4 and "S1|OLD" not in items
    assert items == set(build_panel(_sales(rows), build_calendar(days[0], days[-1], "cn"), cfg).frame["item_id"])


def test_static_features_keep_informative_attributes_only(week_of_sales: pd.DataFrame) -> None:
    sales = week_of_sales.assign(category=np.where(week_of_sales["sku_id"] == "A", "Tops", "Shoes"), color=None)
    panel = build_panel(sales, build_calendar("2024-01-01", "2024-01-10", "cn"), _cfg(static=True))
    assert list(panel.static.columns) == ["category"]
    assert panel.static.loc["S1|B", "category"] == "Shoes"


def test_scores_by_category_of_a_source_without_categories_are_one_group(week_of_sales: pd.DataFrame) -> None:
    """online_retail's SKUs have no category: chapter 03's table by category is one '(none)' row, not a KeyError."""
    from skulab.forecast.backtest import Backtest, by_group

    cal = build_calendar("2024-01-01", "2024-01-10", "cn")
    panel = build_panel(week_of_sales.assign(category=None), cal, _cfg(features=["promo"]))
    points = panel.frame[["item_id", "timestamp"]].assign(actual=panel.frame["actual"].fillna(0.0),
        model="Naive", scored=True, mean=2.0, q10=0.0, q50=2.0, q90=4.0, q20=1.0, q30=1.0, q40=2.0, q60=2.0,
        q70=3.0, q80=3.0)
    bt = Backtest(forecasts=points, scores=pd.DataFrame(), runs=pd.DataFrame())

    table = by_group(bt, panel, "category")

    assert list(table.index) == ["(none)"] and list(table.columns) == ["Naive"] and table.iloc[0, 0] > 0
    assert set(by_group(bt, panel, "promoted").index) == {"promotion", "regular"}
