"""Own covariates and planned promotions in the panel: known vs past, scopes, weekly means, gaps, future campaigns."""

import numpy as np
import pandas as pd
import pytest

from skulab.config import ForecastConfig
from skulab.data.calendar import build_calendar
from skulab.errors import DataError
from skulab.forecast.features import build_panel

DAYS = pd.date_range("2024-01-01", periods=14)


def _sales(stores: tuple[str, ...] = ("S1", "S2"), days: pd.DatetimeIndex = DAYS) -> pd.DataFrame:
    rows = [(d, s, k) for s in stores for k in ("A", "B") for d in days]
    df = pd.DataFrame(rows, columns=["date", "store_id", "sku_id"])
    df["units"], df["price"], df["base_price"], df["list_price"] = 3.0, 10.0, 10.0, 10.0
    df["promo_type"], df["discount"], df["stockout"] = None, np.nan, False
    df["style_id"] = df["sku_id"].map({"A": "ST1", "B": "ST2"})
    df["category"] = df["sku_id"].map({"A": "Tops", "B": "Shoes"})
    df["region"] = df["store_id"].map({"S1": "East", "S2": "West"})
    return df


def _cov(name: str, scope: str, days: pd.DatetimeIndex, values: np.ndarray | float, known: bool) -> pd.DataFrame:
    return pd.DataFrame({"name": name, "date": days, "scope": scope, "value": values, "known_in_advance": known})


def _cfg(**kw: object) -> ForecastConfig:
    return ForecastConfig(**{"freq": "D", "horizon": 3, "windows": 1, "static": False,
                             "features": ["covariates"], **kw})


def _cal(days: int = 40) -> pd.DataFrame:
    return build_calendar(DAYS[0], DAYS[0] + pd.Timedelta(days=days), "us")


def test_known_and_past_covariates_join_on_their_scope() -> None:
    all_days = pd.date_range(DAYS[0], periods=17)
    covariates = pd.concat([
        _cov("temperature", "region:East", all_days, np.arange(17.0), True),
        _cov("temperature", "region:West", all_days, -np.arange(17.0), True),
        _cov("footfall", "store:S1", DAYS, 100.0, False), _cov("footfall", "store:S2", DAYS, 50.0, False),
        _cov("fair", "store:S2/sku:B", all_days, 1.0, True), _cov("fair", "all", all_days, 0.0, True),
    ])
    covariates.loc[(covariates["name"] == "fair") & (covariates["date"] != DAYS[3]), "value"] = 0.0
    panel = build_panel(_sales(), _cal(), _cfg(), end=DAYS[-1] + pd.Timedelta(days=3), covariates=covariates)
    f = panel.frame.join(panel.frame["item_id"].str.split("|", expand=True).set_axis(["s", "k"], axis=1))
    assert set(panel.known) == {"cov_temperature", "cov_fair"} and panel.past == ["cov_footfall"]
    east = f[(f["s"] == "S1") & (f["k"] == "A")].set_index("timestamp")
    assert east.loc[DAYS[-1] + pd.Timedelta(days=2), "cov_temperature"] == 15.0  # a future value, as planned
    assert f.loc[f["s"] == "S2", "cov_temperature"].max() == 0.0
    assert (f.loc[f["s"] == "S1", "cov_footfall"] == 100.0).all()  # past: the history carried into the future
    fair = f[f["cov_fair"] == 1.0]
    assert len(fair) == 1 and fair[["s", "k"]].iloc[0].tolist() == ["S2", "B"]


def test_a_missing_future_value_of_a_known_covariate_names_it_and_the_first_missing_date() -> None:
    covariates = _cov("campaign", "all", pd.date_range(DAYS[0], periods=15), 1.0, True)  # one future day of three
    with pytest.raises(DataError) as err:
        build_panel(_sales(), _cal(), _cfg(), end=DAYS[-1] + pd.Timedelta(days=3), covariates=covariates)
    message = str(err.value)
    assert "covariate 'campaign'" in message and "2024-01-16, after the last sales period 2024-01-14" in message
    assert "store S1 x SKU A" in message
    assert "through 2024-01-17" in message and "\n" not in message


def test_daily_covariates_are_averaged_over_weekly_periods() -> None:
    weeks = pd.date_range("2024-01-01", periods=6, freq="7D")  # Mondays
    days = pd.date_range(weeks[0], weeks[-1] + pd.Timedelta(days=6))
    covariates = _cov("temperature", "all", days, np.arange(len(days), dtype=float), True)
    panel = build_panel(_sales(days=weeks), build_calendar(days[0], days[-1], "us"),
                        _cfg(freq="W-MON", horizon=1), covariates=covariates)
    first = panel.frame[panel.frame["timestamp"] == weeks[1]]["cov_temperature"]
    assert (first == np.mean(np.arange(7, 14))).all()


def test_the_covariates_group_can_name_covariates_and_refuses_unknown_ones() -> None:
    covariates = pd.concat([_cov("a", "all", DAYS, 1.0, True), _cov("b", "all", DAYS, 2.0, True)])
    panel = build_panel(_sales(), _cal(), _cfg(covariates=["b"]), covariates=covariates)
    assert panel.known == ["cov_b"]
    with pytest.raises(DataError, match="forecast.covariates names c, which the ERP's covariate table lacks"):
        build_panel(_sales(), _cal(), _cfg(covariates=["c"]), covariates=covariates)
    assert build_panel(_sales(), _cal(), _cfg(features=["calendar"]), covariates=covariates).known[0] != "cov_a"


def test_a_store_scoped_covariate_is_refused_on_a_region_panel() -> None:
    covariates = _cov("footfall", "store:S1", DAYS, 1.0, False)
    with pytest.raises(DataError, match="given per store, but forecast.level is region"):
        build_panel(_sales(), _cal(), _cfg(level="region"), covariates=covariates)


def test_planned_campaigns_reach_the_future_periods_and_the_price() -> None:
    sales = _sales()
    sales.loc[sales["date"] == DAYS[2], ["promo_type", "discount", "price"]] = ["pct_off", 0.2, 8.0]
    promotions = pd.DataFrame({
        "promo_id": ["P1", "P2", "P3"], "promo_type": ["pct_off", "bundle", "pct_off"],
        "start_date": pd.to_datetime(["2024-01-16", "2024-01-16", "2024-01-10"]),
        "end_date": pd.to_datetime(["2024-01-16", "2024-01-20", "2024-01-14"]),
        "discount": [0.5, 0.2, 0.3], "scope": ["style:ST1", "category:Tops", "all"]})
    panel = build_panel(sales, _cal(), _cfg(features=["promo", "price"]), end=DAYS[-1] + pd.Timedelta(days=3),
                        promotions=promotions)
    f = panel.frame.set_index(["item_id", "timestamp"])
    day16, day17 = pd.Timestamp("2024-01-16"), pd.Timestamp("2024-01-17")
    assert f.loc[("S1|A", day16), "promo_depth"] == pytest.approx(1 - 0.5 * 0.8)  # stacked
    assert f.loc[("S1|A", day16), "promo_pct_off"] == 1.0 and f.loc[("S1|A", day17), "promo_pct_off"] == 0.0
    assert f.loc[("S1|A", day17), "discount_pct"] == pytest.approx(0.2)  # bundle only, on the base price
    assert f.loc[("S1|B", day16), "promo_depth"] == 0.0 and f.loc[("S1|B", day16), "price_ratio"] == 1.0


def test_planned_campaigns_of_a_region_or_a_store_reach_only_their_series() -> None:
    promotions = pd.DataFrame({
        "promo_id": ["P1", "P2"], "promo_type": ["pct_off", "spend_save"],
        "start_date": pd.to_datetime(["2024-01-15", "2024-01-16"]), "end_date": pd.to_datetime(["2024-01-15", "2024-01-16"]),
        "discount": [0.2, 0.1], "scope": ["region:East/category:Tops", "store:S2"]})
    panel = build_panel(_sales(), _cal(), _cfg(features=["promo", "price"]), end=DAYS[-1] + pd.Timedelta(days=3),
                        promotions=promotions)
    f = panel.frame.set_index(["item_id", "timestamp"])
    day15, day16 = pd.Timestamp("2024-01-15"), pd.Timestamp("2024-01-16")
    assert f.loc[("S1|A", day15), "promo_depth"] == pytest.approx(0.2)  # East's Tops
    assert [f.loc[(s, day15), "promo_depth"] for s in ("S1|B", "S2|A", "S2|B")] == [0.0, 0.0, 0.0]
    assert [f.loc[(s, day16), "promo_depth"] for s in ("S1|A", "S1|B", "S2|A", "S2|B")] == pytest.approx(
        [0.0, 0.0, 0.1, 0.1])  # the whole of store S2


def test_a_planned_campaign_with_a_scope_skulab_cannot_read_is_named() -> None:
    promotions = pd.DataFrame({"promo_id": ["P9"], "promo_type": ["pct_off"], "start_date": [DAYS[-1]],
                               "end_date": [DAYS[-1] + pd.Timedelta(days=2)], "discount": [0.2], "scope": ["aisle:3"]})
    with pytest.raises(DataError, match=r"promotion P9: scope 'aisle:3' is not one skulab reads; write all"):
        build_panel(_sales(), _cal(), _cfg(features=["promo", "price"]), end=DAYS[-1] + pd.Timedelta(days=3),
                    promotions=promotions)
