"""Conformal calibration of the 80 % interval: coverage on synthetic data, ordering, and the scores' direction."""

import numpy as np
import pandas as pd
import pytest

from skulab.forecast import calibration
from skulab.forecast.metrics import coverage


def _forecasts(n: int, half_width: float, seed: int) -> pd.DataFrame:
    """Points whose true 80 % interval is mean +- 1.28 sd (sd 3): `half_width` says how wide the forecast's is."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(5, 50, n)
    return pd.DataFrame({"model": "m", "q10": mean - half_width, "q50": mean, "q90": mean + half_width,
                         "mean": mean, "actual": mean + rng.normal(0, 3, n), "scored": True})


@pytest.mark.parametrize("half_width", [0.5, 10.0])  # far too narrow, far too wide
def test_conformal_offsets_bring_coverage_to_80_percent_on_fresh_points(half_width: float) -> None:
    before = _forecasts(4000, half_width, seed=1)
    table = calibration.offsets(before)
    after = calibration.apply(_forecasts(4000, half_width, seed=2), table)
    assert abs(coverage(_forecasts(4000, half_width, seed=2)) - 0.8) > 0.15
    assert coverage(after) == pytest.approx(0.8, abs=0.025)
    assert (np.sign(table["hi"]) == (1 if half_width < 3 else -1)).all()  # widened, or narrowed


def test_calibrated_quantiles_stay_ordered_and_non_negative() -> None:
    f = _forecasts(500, 0.5, seed=3).assign(q10=0.0, q50=0.2, q90=0.4, actual=5.0)
    out = calibration.apply(f, pd.DataFrame({"model": ["m"], "lo": [3.0], "hi": [-5.0]}))
    assert (out["q10"] >= 0).all() and (out["q10"] <= out["q50"]).all() and (out["q50"] <= out["q90"]).all()


def test_unscored_points_do_not_calibrate_and_unknown_models_are_left_alone() -> None:
    f = _forecasts(200, 0.5, seed=4).assign(scored=False)
    assert calibration.offsets(f)[["lo", "hi"]].eq(0).all().all()
    other = _forecasts(10, 1.0, seed=5).assign(model="other")
    out = calibration.apply(other, calibration.offsets(_forecasts(500, 0.5, seed=6)))
    pd.testing.assert_frame_equal(out, other)
