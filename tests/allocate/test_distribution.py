"""The quantile fit reproduces the forecast's quantiles and recovers a known negative binomial."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from skulab.allocate.distribution import LEVELS, fit_quantiles, weekly
from skulab.counts import Demand, from_moments


def _nb_quantiles(mean: np.ndarray, size: np.ndarray, levels) -> np.ndarray:
    return np.column_stack([stats.nbinom.ppf(q, size, size / (size + mean)) for q in levels])


def test_fitted_distribution_reproduces_the_quantiles_within_one_unit() -> None:
    rng = np.random.default_rng(3)
    mean, size = rng.uniform(0.3, 40, 500), rng.uniform(0.5, 20, 500)
    q = _nb_quantiles(mean, size, LEVELS)
    fit = fit_quantiles(q)
    back = np.column_stack([fit.ppf(level) for level in LEVELS])
    assert np.abs(back - q).max() <= 1


def test_fit_recovers_a_known_negative_binomial() -> None:
    levels = np.linspace(0.05, 0.95, 19)
    mean, size = np.array([20.0, 8.0, 50.0]), np.array([3.0, 1.5, 10.0])
    fit = fit_quantiles(_nb_quantiles(mean, size, levels), levels)
    np.testing.assert_allclose(fit.mean, mean, rtol=0.03)
    np.testing.assert_allclose(fit.size, size, rtol=0.1)


def test_spread_below_poisson_falls_back_to_poisson() -> None:
    mean = np.array([5.0, 30.0])
    q = np.column_stack([stats.poisson.ppf(level, mean) for level in LEVELS])
    narrow = q.copy()
    narrow[:, 0] += 1  # narrower than any negative binomial of that mean
    fit = fit_quantiles(np.vstack([q, narrow]))
    assert np.isinf(fit.size[2:]).all()
    assert (fit.size[:2] > 20).all()  # Poisson's own quantiles: at most a trace of extra spread
    np.testing.assert_allclose(fit.mean[:2], mean, rtol=0.1)


def test_zero_forecast_is_no_demand() -> None:
    fit = fit_quantiles(np.zeros((2, 3)))
    assert (fit.mean == 0).all() and (fit.sf(np.zeros(2)) == 0).all()


def test_weekly_sums_means_and_variances() -> None:
    d = from_moments(np.array([1.0, 2.0, 3.0]), np.array([2.0, 5.0, 3.0]))
    np.testing.assert_allclose(d.var, [2.0, 5.0, 3.0])
    frame = pd.DataFrame({"item": ["a", "a", "b"]})
    week = weekly(frame, ["item"], d)
    assert week["mean"].tolist() == [3.0, 3.0] and week["var"].tolist() == [7.0, 3.0]
    total = from_moments(week["mean"].to_numpy(), week["var"].to_numpy())
    assert np.isinf(total.size[1]) and np.isclose(total.size[0], 9 / 4)


def test_demand_matches_scipy() -> None:
    d = Demand(np.array([4.0, 4.0]), np.array([2.0, np.inf]))
    k = np.array([3, 3])
    np.testing.assert_allclose(d.sf(k), [stats.nbinom.sf(3, 2, 2 / 6), stats.poisson.sf(3, 4)])
