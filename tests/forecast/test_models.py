"""Forecasting: metrics, the fit checks (skipped models, dropped series, fallbacks), backtests, the noise floor."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from skulab import config, forecast
from skulab.config import ForecastConfig
from skulab.errors import ConfigError
from skulab.forecast import fitting, noise, zoo
from skulab.forecast.features import build_panel
from skulab.forecast.metrics import mase_scale, score

FAST = {"models": ["SeasonalNaive", "Naive"], "epochs": 1, "batches": 2, "tabular_rounds": 10, "static": False}


def _points(actual: list[float], mean: list[float], spread: float = 0.0) -> pd.DataFrame:
    m = np.asarray(mean, dtype=float)
    return pd.DataFrame({"item_id": ["a"] * len(m), "actual": actual, "mean": m, "q10": m - spread, "q50": m,
                         "q90": m + spread})


def test_wql_is_zero_for_a_perfect_forecast_and_one_for_a_zero_forecast() -> None:
    y = [3.0, 0.0, 5.0, 2.0]
    assert score(_points(y, y))["WQL"] == pytest.approx(0.0)
    assert score(_points(y, [0.0] * 4))["WQL"] == pytest.approx(1.0)  # 2 x mean(0.1, 0.5, 0.9)
    assert score(_points(y, [0.0] * 4))["bias"] == pytest.approx(-1.0)


def test_wape_and_bias_use_the_median_and_the_mean() -> None:
    s = score(_points([10.0, 10.0], [12.0, 9.0]))
    assert s["WAPE"] == pytest.approx(3 / 20) and s["bias"] == pytest.approx(1 / 20)


def test_mase_divides_by_the_in_sample_seasonal_difference() -> None:
    history = pd.DataFrame({"item_id": ["a"] * 30, "target": np.tile([1.0, 3.0], 15)})
    scale = mase_scale(history, "W-THU")  # history shorter than two years of weeks: lag 1
    assert scale["a"] == pytest.approx(2.0)
    assert score(_points([4.0, 4.0], [3.0, 5.0]), scale)["MASE"] == pytest.approx(0.5)


def test_noise_floor_quantiles_are_the_negative_binomial_of_the_generator(ci_config) -> None:
    panel = type("P", (), {"freq": "D"})()
    truth = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"]), "store_id": ["S1"], "sku_id": ["A"],
                          "expected_units": [4.0], "expected_sq": [16.0]})
    tf = noise.truth_forecasts(truth, panel, [0.1, 0.5, 0.9], dispersion=1.5)
    nb = stats.nbinom(1.5, 1.5 / (1.5 + 4.0))
    assert tf["mean"].item() == 4.0 and tf["q90"].item() == nb.ppf(0.9) and tf["q10"].item() == nb.ppf(0.1)


def test_unknown_model_names_the_closest_known_one() -> None:
    with pytest.raises(ValueError, match="did you mean 'DirectTabular'"):
        ForecastConfig(models=["DirectTabulr"])


def test_quantiles_must_include_what_the_erp_stores() -> None:
    with pytest.raises(ValueError, match="include 0.1, 0.5 and 0.9"):
        ForecastConfig(quantiles=[0.25, 0.5, 0.75])


def test_a_wrong_setting_in_a_variant_is_one_config_error() -> None:
    with pytest.raises(ConfigError, match=r"forecast\.impute: Input should be"):
        config.override(ForecastConfig(), impute="mean")


def test_fallback_counts_are_read_from_autogluon_warnings() -> None:
    log = [("\tWarning: ETS failed for 3 time series (1.2%). Fallback model SeasonalNaive was used for these "
           "time series."), "something else", "Warning: Theta failed for 1 time series (0.1%)."]
    assert fitting._fallbacks(log) == {"ETS": 3, "Theta": 1}


def test_deep_models_get_fixed_epochs_and_every_model_its_own_name() -> None:
    hp = zoo.hyperparameters(["DeepAR", "DirectTabular", "ETS"], epochs=3, batches=7, tabular_rounds=50)
    assert hp["DeepAR"][0]["max_epochs"] == 3 and hp["DeepAR"][0]["num_batches_per_epoch"] == 7
    assert hp["DirectTabular"][0]["model_hyperparameters"]["num_boost_round"] == 50
    assert {p["ag_args"]["name"] for ps in hp.values() for p in ps} == {"DeepAR", "DirectTabular", "ETS"}


@pytest.mark.slow
def test_short_series_are_counted_as_left_out_yet_still_forecast(small_panel_inputs, tmp_path: Path) -> None:
    cfg = ForecastConfig(freq="D", horizon=7, windows=1, **FAST)
    panel = build_panel(*small_panel_inputs, cfg)
    fitted = fitting.fit(panel, cfg, panel.history_end - pd.Timedelta(days=7), path=tmp_path / "ag")
    assert fitted.dropped == 1 and fitted.models == ["SeasonalNaive", "Naive", "WeightedEnsemble"]
    pred = fitting.predict(fitted, panel)
    assert "S1|NEW" in set(pred["item_id"]) and len(pred) == 7 * 7 * 3
    assert (pred["q10"] <= pred["q50"]).all() and (pred["q50"] <= pred["q90"]).all() and (pred["q10"] >= 0).all()


def test_a_model_autogluon_skips_fails_the_run(small_panel_inputs, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    cfg = ForecastConfig(freq="D", horizon=7, windows=1, **FAST)
    panel = build_panel(*small_panel_inputs, cfg)
    broken = {**zoo.MODELS, "Naive": ("Naive", "statistical", {"n_jobs": "not a number"})}
    monkeypatch.setattr(zoo, "MODELS", broken)
    with pytest.raises(fitting.ModelSkippedError, match="AutoGluon did not train Naive"):
        fitting.fit(panel, cfg, panel.history_end - pd.Timedelta(days=7), path=tmp_path / "ag")


def test_backtest_scores_all_models_on_the_same_points_in_every_window(small_panel_inputs) -> None:
    cfg = ForecastConfig(freq="D", horizon=7, windows=2, features=["missing", "promo"], **FAST)
    panel = build_panel(*small_panel_inputs, cfg)
    bt = forecast.backtest(panel, cfg)
    assert sorted(bt.scores["window"].unique()) == [1, 2] and len(bt.scores) == 2 * 3
    assert bt.scores.groupby("window")["points"].nunique().eq(1).all()
    assert bt.runs["cutoff"].tolist() == forecast.cutoffs(panel, 2)
    assert forecast.cutoffs(panel, 2)[-1] == panel.history_end - pd.Timedelta(days=7)
    assert forecast.cutoffs(panel, 2, skip=1)[-1] == panel.history_end - pd.Timedelta(days=14)
    assert bt.forecasts["timestamp"].max() == panel.history_end
    table = forecast.summary(bt.scores)
    assert table["WQL"].is_monotonic_increasing and set(table["windows"]) == {2}


def test_anchor_is_raw_columns_with_gaps_left_to_autogluon() -> None:
    a = forecast.anchor(ForecastConfig(), covariates=True)
    assert a.features == ["raw"] and a.impute == "nan" and not a.static and a.models == forecast.ANCHOR_MODELS
    assert forecast.anchor(ForecastConfig(), covariates=False).features == []


@pytest.mark.slow
def test_every_model_of_the_zoo_trains_offline_with_fixed_epochs(small_panel_inputs, tmp_path: Path) -> None:
    cfg = ForecastConfig(freq="D", horizon=7, windows=1, models=list(zoo.MODELS), epochs=1, batches=1,
                         tabular_rounds=5, features=["missing", "promo"], static=False)
    panel = build_panel(*small_panel_inputs, cfg)
    fitted = fitting.fit(panel, cfg, panel.history_end - pd.Timedelta(days=7), path=tmp_path / "ag")
    assert set(fitted.models) == set(zoo.MODELS) | {zoo.ENSEMBLE}
