"""Calibration of the 80 % interval on synthetic series whose true quantiles are known: coverage per horizon step
after calibration, the held-out check that keeps a model's own quantiles, and the randomised PIT for counts."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from skulab.forecast import calibration
from skulab.forecast.metrics import coverage, pit_coverage, tail_shares

Z90 = stats.norm.ppf(0.9)


def _points(series: int, windows: list[int], steps: int, half_width: float, seed: int, noise: float = 1.0,
            model: str = "m") -> tuple[pd.DataFrame, pd.Series]:
    """Forecasts of series with level mu and scale s (mu / 10): the sale at step h is mu + noise s sqrt(h) N(0, 1);
    the forecast's interval is mu +- half_width s at every step (the truth's is mu +- 1.28 noise s sqrt(h))."""
    mu = np.random.default_rng(0).uniform(20, 200, series)  # the same series in every call
    rng = np.random.default_rng(seed)
    scale = pd.Series(mu / 10, index=[f"s{i}" for i in range(series)])
    rows = []
    for w in windows:
        for h in range(1, steps + 1):
            y = mu + noise * scale.to_numpy() * np.sqrt(h) * rng.normal(size=series)
            rows.append(pd.DataFrame({"model": model, "window": w, "item_id": scale.index,
                                      "timestamp": pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * w + h),
                                      "q10": mu - half_width * scale.to_numpy(), "q50": mu,
                                      "q90": mu + half_width * scale.to_numpy(), "mean": mu, "actual": y,
                                      "scored": True}))
    return pd.concat(rows, ignore_index=True), scale


@pytest.mark.parametrize("half_width", [0.3, 6.0])  # far too narrow, far too wide
def test_calibration_brings_every_horizon_step_to_80_percent_on_fresh_windows(half_width: float) -> None:
    val, scale = _points(400, [1, 2, 3], steps=4, half_width=half_width, seed=1)
    test, _ = _points(400, [9], steps=4, half_width=half_width, seed=2)

    cal = calibration.fit(val, scale)
    after = calibration.apply(test.drop(columns="window"), cal)

    assert cal.checks["calibrated"].all()
    for h, g in after.assign(step=after.groupby("item_id")["timestamp"].rank(method="dense")).groupby("step"):
        assert abs(coverage(g.assign(q10=g["q10_raw"], q90=g["q90_raw"])) - 0.8) > 0.15  # as fitted: off
        assert coverage(g) == pytest.approx(0.8, abs=0.035), f"step {h}"
    # the truth widens with the step, so do the offsets; q10_raw / q90_raw keep the model's own quantiles
    hi = cal.offsets.sort_values("step")["hi"].to_numpy()
    assert (np.diff(hi) > 0).all()
    pd.testing.assert_series_equal(after["q10_raw"], test["q10"], check_names=False)


def test_a_forecast_with_the_true_quantiles_is_not_moved_further_from_80_percent() -> None:
    # the truth at every step (noise 1, step 1): interval mu +- 1.28 s
    val, scale = _points(400, [1, 2, 3], steps=1, half_width=Z90, seed=3)
    test, _ = _points(400, [9], steps=1, half_width=Z90, seed=4)

    after = calibration.apply(test.drop(columns="window"), calibration.fit(val, scale))

    assert abs(coverage(after) - 0.8) <= abs(coverage(test) - 0.8) + 0.01


def test_the_model_keeps_its_own_quantiles_when_the_held_out_window_says_calibration_hurts() -> None:
    # the early windows are three times as noisy as the latest, where the forecast is right: offsets fitted on the
    # early ones would widen an interval that already holds 80 % of the held-out window
    early, scale = _points(400, [1, 2], steps=1, half_width=Z90, seed=5, noise=3.0)
    latest, _ = _points(400, [3], steps=1, half_width=Z90, seed=6)

    cal = calibration.fit(pd.concat([early, latest], ignore_index=True), scale)

    check = cal.checks.iloc[0]
    assert not check["calibrated"] and check["held_out_calibrated"] > check["held_out_raw"] > 0.75
    assert cal.offsets[["lo", "hi"]].eq(0).all().all()


def test_with_one_validation_window_nothing_is_calibrated() -> None:
    val, scale = _points(200, [1], steps=2, half_width=0.3, seed=7)
    cal = calibration.fit(val, scale)
    assert not cal.checks["calibrated"].any() and cal.offsets[["lo", "hi"]].eq(0).all().all()


def test_calibrated_quantiles_stay_ordered_and_non_negative_and_other_models_are_left_alone() -> None:
    val, scale = _points(300, [1, 2], steps=2, half_width=6.0, seed=8)  # far too wide: the offsets narrow it
    cal = calibration.fit(val, scale)
    f, _ = _points(50, [5], steps=2, half_width=6.0, seed=9)
    out = calibration.apply(f.assign(q10=0.0, q50=0.2, q90=0.4).drop(columns="window"), cal)
    assert (out["q10"] >= 0).all() and (out["q10"] <= out["q50"]).all() and (out["q50"] <= out["q90"]).all()
    other = calibration.apply(f.assign(model="other").drop(columns="window"), cal)
    assert (other["q10"] == f["q10"]).all() and (other["q90"] == f["q90"]).all()


def test_unscored_points_do_not_calibrate() -> None:
    val, scale = _points(200, [1, 2], steps=1, half_width=0.3, seed=10)
    val["scored"] = False
    cal = calibration.fit(val, scale)
    assert cal.checks.empty and cal.offsets.empty


def test_the_randomised_pit_counts_a_poisson_forecasts_true_quantiles_near_80_percent_where_the_plain_share_does_not(
) -> None:
    # Poisson counts with their true q10 / q50 / q90: ties at the interval's ends make the plain share too high
    rng = np.random.default_rng(11)
    lam = rng.choice([0.3, 0.8, 2.0, 5.0], 20000)
    y = rng.poisson(lam)
    frame = pd.DataFrame({"q10": stats.poisson.ppf(0.1, lam), "q50": stats.poisson.ppf(0.5, lam),
                          "q90": stats.poisson.ppf(0.9, lam), "actual": y})
    assert coverage(frame) > 0.9
    assert pit_coverage(frame) == pytest.approx(0.8, abs=0.05)
    below, inside, above = tail_shares(*(frame[c].to_numpy() for c in ("q10", "q50", "q90", "actual")))
    assert np.allclose(below + inside + above, 1) and (below >= 0).all() and (above >= 0).all()


def test_calibrating_counts_brings_the_randomised_coverage_to_80_percent() -> None:
    # intermittent counts forecast by an interval far too narrow (q10 = q50 = q90 = the rounded mean)
    rng = np.random.default_rng(12)
    n = 500
    lam = pd.Series(rng.uniform(0.2, 6.0, n), index=[f"s{i}" for i in range(n)])

    def windows(ws: list[int]) -> pd.DataFrame:
        return pd.concat([pd.DataFrame({"model": "m", "window": w, "item_id": lam.index,
                                        "timestamp": pd.Timestamp("2024-01-01") + pd.Timedelta(days=w),
                                        "q10": np.round(lam.to_numpy()), "q50": np.round(lam.to_numpy()),
                                        "q90": np.round(lam.to_numpy()), "mean": lam.to_numpy(),
                                        "actual": rng.poisson(lam.to_numpy()).astype(float), "scored": True})
                          for w in ws], ignore_index=True)

    cal = calibration.fit(windows([1, 2, 3]), np.sqrt(lam).clip(lower=calibration.SCALE_FLOOR))
    test = windows([9]).drop(columns="window")
    assert pit_coverage(test) < 0.5
    assert pit_coverage(calibration.apply(test, cal)) == pytest.approx(0.8, abs=0.05)


def test_a_real_naive_fit_on_low_counts_is_calibrated_toward_80_percent_not_past_it() -> None:
    # AutoGluon's Naive gives Gaussian quantiles, below zero on low counts; the served forecast is clipped at zero.
    # Offsets fitted on unclipped validation forecasts pulled the served q10 far up (frat's Naive: 92 % -> 62 %).
    from skulab.config import ForecastConfig
    from skulab.forecast import fitting
    from skulab.forecast.features import Panel

    rng = np.random.default_rng(13)
    n, weeks, horizon = 600, 60, 4
    lam = rng.uniform(0.5, 4.0, n)
    stamps = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    y = rng.poisson(np.repeat(lam, weeks)).astype(float)
    frame = pd.DataFrame({"item_id": np.repeat([f"s{i}" for i in range(n)], weeks),
                          "timestamp": np.tile(stamps, n), "target": y, "actual": y, "scored": True})
    panel = Panel(frame=frame, known=[], past=[], static=None, rules=pd.DataFrame(), freq="W-MON",
                  horizon=horizon, history_end=stamps[-1])
    cfg = ForecastConfig(freq="W-MON", horizon=horizon, models=["Naive"], ensemble=False, conformal=True,
                         val_windows=3)
    fitted = fitting.fit(panel, cfg, stamps[-1 - horizon])
    try:
        pred = fitting.predict(fitted, panel).merge(frame[["item_id", "timestamp", "actual"]],
                                                    on=["item_id", "timestamp"])
    finally:
        fitting.discard(fitted)

    raw, calibrated = pit_coverage(pred.assign(q10=pred["q10_raw"], q90=pred["q90_raw"])), pit_coverage(pred)
    assert fitted.calibration.checks["calibrated"].all()
    assert raw > 0.85  # Naive's interval grows with the step; the stationary counts' spread does not
    assert abs(calibrated - 0.8) < abs(raw - 0.8) and calibrated == pytest.approx(0.8, abs=0.05)


def test_coverage_by_step_counts_steps_from_the_cutoff_when_some_days_are_not_scored() -> None:
    from skulab.forecast.backtest import coverage_by_step
    days = pd.date_range("2024-01-06", periods=3, freq="D")  # step 1 falls on a day the shop is closed
    fc = pd.DataFrame({"window": 1, "model": "M", "item_id": "A", "timestamp": days, "q10": 0.0, "q50": 1.0,
                       "q90": [2.0, 2.0, 0.5], "actual": [np.nan, 1.0, 3.0], "scored": [False, True, True]})
    table = coverage_by_step(fc).set_index("step")
    assert list(table.index) == [2, 3]  # not renumbered 1, 2
    assert table.loc[2, "coverage80"] == 1.0 and table.loc[3, "coverage80"] == 0.0


def test_the_coverage_plot_breaks_its_line_at_a_step_without_scored_sales() -> None:
    from skulab import plots
    table = pd.DataFrame({"model": "M", "step": [2, 3, 5], "coverage80_pit": [0.8, 0.7, 0.9]})
    x, y = plots.coverage_by_step(table, "a closed day at step 4").lines[0].get_data()
    assert list(x) == [2, 3, 4, 5] and np.isnan(y[2])  # not a straight line from step 3 to step 5
