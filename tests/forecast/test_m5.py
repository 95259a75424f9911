"""The M5-recipe LightGBM: its negative binomial quantiles, and fit + predict on the ci profile through AutoGluon."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from skulab import config, erp
from skulab.forecast import fitting
from skulab.forecast.features import build_panel
from skulab.forecast.m5 import quantiles


def test_quantiles_are_a_negative_binomial_with_the_asked_mean_and_variance() -> None:
    mean, phi, power = np.array([4.0]), 2.5, 1.1
    q10, q50, q90 = quantiles(mean, phi, power, [0.1, 0.5, 0.9])
    var = phi * 4.0 ** power
    r = 16.0 / (var - 4.0)
    draws = stats.nbinom.rvs(r, r / (r + 4.0), size=200_000, random_state=0)
    assert draws.mean() == pytest.approx(4.0, rel=0.02) and draws.var() == pytest.approx(var, rel=0.03)
    assert (q10[0], q50[0], q90[0]) == tuple(np.quantile(draws, [0.1, 0.5, 0.9], method="inverted_cdf"))


def test_quantiles_fall_back_to_poisson_below_its_variance() -> None:
    q = quantiles(np.array([3.0, 0.0]), 0.1, 1.1, [0.1, 0.9])
    assert q[0][0] == stats.poisson.ppf(0.1, 3.0) and q[1][0] == stats.poisson.ppf(0.9, 3.0)
    assert q[0][1] == 0 and q[1][1] == 0  # no demand expected: no units at any level


@pytest.mark.slow
def test_m5_lightgbm_fits_and_predicts_on_the_ci_profile(tmp_path) -> None:
    cfg = config.load("params/ci.yaml")
    fc = config.override(cfg.forecast, models=["M5LightGBM"], ensemble=False, tabular_rounds=50, conformal=True,
                         val_windows=2)
    training = erp.read_training(erp.connect(cfg), fc)
    panel = build_panel(**training.inputs(), cfg=fc)
    cutoff = panel.history_end - pd.Timedelta(days=fc.horizon)
    fitted = fitting.fit(panel, fc, cutoff, path=tmp_path / "ag")
    pred = fitting.predict(fitted, panel)
    assert fitted.models == ["M5LightGBM"] and set(fitted.calibration.offsets["model"]) == {"M5LightGBM"}
    assert len(pred) == pred["item_id"].nunique() * fc.horizon and pred["item_id"].nunique() == 24
    assert (pred["q10"] <= pred["q50"]).all() and (pred["q50"] <= pred["q90"]).all() and (pred["q10"] >= 0).all()
    truth = panel.frame.set_index(["item_id", "timestamp"])["actual"]
    actual = truth.reindex(pd.MultiIndex.from_frame(pred[["item_id", "timestamp"]])).to_numpy()
    assert np.nanmean(np.abs(pred["mean"].to_numpy() - actual)) < np.nanmean(np.abs(actual - np.nanmean(actual)))
