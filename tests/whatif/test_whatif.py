"""Promotion what-if: covariates rebuilt like build_panel, the uplift's sign and size on a planted promotion."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skulab.config import ForecastConfig
from skulab.data.calendar import build_calendar
from skulab.errors import DataError
from skulab.forecast import fitting
from skulab.forecast.features import build_panel
from skulab.whatif import scenario as whatif

PLANTED = 2.0  # units double on pct_off days
FAST = {"models": ["DirectTabular"], "tabular_rounds": 60, "static": False, "windows": 1}


@pytest.fixture
def planted_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eight daily series of 120 days, pct_off at 20 % on 20 % of the days doubling the units, a few bundles."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    rows = []
    for k in range(8):
        kind = np.where(rng.random(len(days)) < 0.2, "pct_off", None)
        kind[(rng.random(len(days)) < 0.03) & pd.isna(kind)] = "bundle"
        level = (4 + 2 * (days.weekday >= 5)) * np.where(kind == "pct_off", PLANTED, 1.0)
        units = rng.poisson(level * (1 + 0.2 * k))
        rows += [(d, "S1", f"K{k}", float(u), 8.0 if p else 10.0, p, 0.2 if p else np.nan, False)
                 for d, u, p in zip(days, units, kind)]
    sales = pd.DataFrame(rows, columns=["date", "store_id", "sku_id", "units", "price", "promo_type", "discount",
                                        "stockout"])
    sales = sales.assign(base_price=10.0, category=np.where(sales["sku_id"] < "K4", "Tops", "Shoes"), list_price=10.0)
    return sales, build_calendar(days[0], days[-1] + pd.Timedelta(days=30), "cn")


@pytest.mark.parametrize("features", [["calendar", "missing", "promo", "price"], ["raw"]])
def test_covariates_read_back_and_rebuilt_equal_the_panel(planted_inputs, features: list[str]) -> None:
    panel = build_panel(*planted_inputs, ForecastConfig(freq="D", horizon=7, features=features))
    kinds = whatif.promo_types(panel)
    rebuilt = whatif.rebuild(panel, whatif.inputs(panel, kinds), kinds)
    assert kinds == ["bundle", "pct_off"]
    pd.testing.assert_frame_equal(rebuilt[panel.known], panel.frame[panel.known], rtol=1e-9)


def test_switching_on_sets_flag_depth_price_and_promotion_age_on_the_chosen_rows_only(planted_inputs) -> None:
    panel = build_panel(*planted_inputs, ForecastConfig(freq="D", horizon=7))
    cutoff = panel.history_end - pd.Timedelta(days=7)
    days = pd.date_range(cutoff + pd.Timedelta(days=1), periods=3)
    changed, mask = whatif.scenario_panel(panel, whatif.Scenario("bundle", 0.3, skus=["K1"], dates=days), cutoff)
    rows = changed.frame[mask]
    assert mask.sum() == 3 and set(rows["sku_id"]) == {"K1"}
    assert (rows["promo_bundle"] == 1).all() and (rows["promo_pct_off"] == 0).all()
    assert rows["promo_depth"].tolist() == [0.3] * 3 and np.allclose(rows["price_ratio"], 0.7)
    assert rows["promo_age"].iloc[-1] >= 3 and (rows["promo_since"] == 0).all()
    untouched = panel.frame["sku_id"] != "K1"
    keep = [c for c in panel.known if c != "price_index"]  # the category index moves with the promoted SKU
    pd.testing.assert_frame_equal(changed.frame.loc[untouched, keep], panel.frame.loc[untouched, keep])


def test_default_discount_is_the_types_median_depth_in_the_history(planted_inputs) -> None:
    panel = build_panel(*planted_inputs, ForecastConfig(freq="D", horizon=7))
    assert whatif.typical_discount(panel, "pct_off", panel.history_end) == pytest.approx(0.2)


def test_unknown_promotion_type_names_the_known_ones(planted_inputs) -> None:
    panel = build_panel(*planted_inputs, ForecastConfig(freq="D", horizon=7))
    with pytest.raises(DataError, match="'flash_sale' is not one the model saw; known: bundle, pct_off"):
        whatif.scenario_panel(panel, whatif.Scenario("flash_sale"), panel.history_end - pd.Timedelta(days=7))


def test_a_scenario_selecting_nothing_is_one_line(planted_inputs) -> None:
    panel = build_panel(*planted_inputs, ForecastConfig(freq="D", horizon=7))
    with pytest.raises(DataError, match="selects no series x period"):
        whatif.scenario_panel(panel, whatif.Scenario("pct_off", skus=["NOPE"]), panel.history_end - pd.Timedelta(days=7))


def test_observed_uplift_finds_the_planted_doubling(planted_inputs) -> None:
    panel = build_panel(*planted_inputs, ForecastConfig(freq="D", horizon=7))
    seen = whatif.observed_uplift(panel, panel.history_end).set_index(["promotion", "category"])
    assert seen.loc[("pct_off", "all"), "observed"] == pytest.approx(PLANTED, rel=0.15)
    assert seen.loc[("bundle", "all"), "observed"] == pytest.approx(1.0, rel=0.25)


@pytest.mark.slow
def test_planted_uplift_is_forecast_with_its_sign_and_roughly_its_size(planted_inputs, tmp_path: Path) -> None:
    cfg = ForecastConfig(freq="D", horizon=7, **FAST)
    panel = build_panel(*planted_inputs, cfg)
    fitted = fitting.fit(panel, cfg, panel.history_end - pd.Timedelta(days=7), path=tmp_path / "ag")
    on = whatif.whatif(fitted, panel, whatif.Scenario("pct_off", 0.2))
    rows = on[on["in_scenario"] & ~on["was_promoted"]]
    ratio = rows["scenario_mean"].sum() / rows["baseline_mean"].sum()
    assert 1.3 < ratio < 3.0
    assert (rows["scenario_q90"] >= rows["scenario_q10"]).all() and (rows["uplift_units"].mean() > 0)
    off = whatif.whatif(fitted, panel, whatif.Scenario(None))
    plain, promoted = off[~off["was_promoted"]], off[off["was_promoted"]]
    assert plain["scenario_mean"].sum() / plain["baseline_mean"].sum() == pytest.approx(1.0, abs=0.05)
    assert promoted["scenario_mean"].sum() / promoted["baseline_mean"].sum() < 1 / 1.3
    k0 = on[(on["sku_id"] == "K0") & ~on["was_promoted"]]["timestamp"].unique()
    untouched = whatif.whatif(fitted, panel, whatif.Scenario(None, skus=["K0"], dates=k0))
    assert np.allclose(untouched["uplift_ratio"], 1.0)  # nothing was promoted there: the forecast is unchanged
    table = whatif.validate_uplift(fitted, panel, generator=False, n_boot=50).set_index(["promotion", "category"])
    assert table.loc[("pct_off", "all"), "estimated"] > 1.3 and table.loc[("pct_off", "all"), "promoted_series"] == 8


def test_the_uplift_figure_spans_the_points_not_an_interval_of_thousands_of_percent() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from skulab.whatif import plot_uplift

    table = pd.DataFrame({"promotion": ["bundle"] * 2, "category": ["Tops", "Shoes"], "promoted_series": [12, 0],
                          "estimated": [1.4, 3.0], "lo": [1.2, 1.5], "hi": [1.6, 128.0], "true": [1.5, 1.8],
                          "observed": [1.3, float("nan")]})
    fig = plot_uplift(table, "t")
    left, right = fig.axes[0].get_xlim()
    assert left < 0 and 200 < right < 400  # the point at +200 % shows; the +12,700 % whisker runs off the axis
