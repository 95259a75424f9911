"""The quantile fit reproduces the forecast's quantiles and recovers a known negative binomial; so does the
bias and dispersion measured from forecast errors, which look only at the weeks observed by each cutoff."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from skulab.allocate.distribution import (
    LEVELS,
    after_sales,
    error_adjusted,
    error_dispersion,
    error_scale,
    fit_quantiles,
    weekly,
)
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


def _errors(phi: np.ndarray, weeks: int, rng: np.random.Generator) -> pd.DataFrame:
    """Weekly forecasts m and actuals drawn from a negative binomial of mean m and 1 / r = phi per series."""
    series = np.repeat(np.arange(len(phi)), weeks)
    m = rng.uniform(2, 30, len(series))
    f = phi[series]
    actual = np.where(f > 0, rng.poisson(m * rng.gamma(1 / np.where(f > 0, f, 1), np.where(f > 0, f, 1))),
                      rng.poisson(m))
    return pd.DataFrame({"series": series, "mean": m, "actual": actual})


def test_the_error_dispersion_recovers_a_known_negative_binomial_per_series_and_pooled() -> None:
    rng = np.random.default_rng(11)
    phi = np.repeat([1.0, 0.1], 200)  # r = 1 and r = 10

    errors = _errors(phi, 52, rng)
    per, pooled = error_dispersion(errors, ["series"], prior=4)

    for group, truth in ((errors["series"] < 200, 1.0), (errors["series"] >= 200, 0.1)):
        assert error_dispersion(errors[group], ["series"], prior=4)[1] == pytest.approx(truth, rel=0.1)
    assert per.loc[:199].mean() == pytest.approx(1.0, rel=0.1)  # each series shrunk a little toward the pool
    assert per.loc[200:].mean() == pytest.approx(0.1, rel=0.35)
    assert 0.1 < pooled < 1.0
    _, poisson = error_dispersion(_errors(np.zeros(200), 20, rng), ["series"], prior=4)
    assert poisson < 0.01


def test_a_series_with_few_weeks_is_shrunk_toward_the_pooled_dispersion() -> None:
    rng = np.random.default_rng(5)
    errors = _errors(np.full(300, 0.5), 2, rng)

    few, pooled = error_dispersion(errors, ["series"], prior=4)
    alone, _ = error_dispersion(errors, ["series"], prior=0)

    assert (few - pooled).abs().mean() < 0.5 * (alone - pooled).abs().mean()


def test_the_error_scale_removes_a_known_bias_per_series() -> None:
    rng = np.random.default_rng(8)
    errors = _errors(np.full(400, 0.2), 30, rng)
    low = errors["series"] < 200
    errors.loc[low, "mean"] *= 0.7  # half the series forecast 30 % below their demand

    scale, pooled = error_scale(errors, ["series"], prior=4)

    assert scale.loc[:199].mean() == pytest.approx(1 / 0.7, rel=0.05)
    assert scale.loc[200:].mean() == pytest.approx(1.0, rel=0.05)
    assert 1.0 < pooled < 1 / 0.7
    errors.loc[errors["series"] == 0, "mean"] = 1e-3  # a series forecast near zero that sells
    near_zero, _ = error_scale(errors, ["series"], prior=4)
    own = errors.loc[errors["series"] == 0, "actual"].sum() / errors.loc[errors["series"] == 0, "mean"].sum()
    assert near_zero.loc[0] < 0.01 * own  # a tiny forecast's ratio is mostly the pool's, not its own thousandfold


def test_each_week_takes_its_mean_and_spread_from_the_weeks_observed_by_its_cutoff_only() -> None:
    rng = np.random.default_rng(2)
    early = _errors(np.full(50, 0.5), 4, rng).assign(cutoff=pd.Timestamp("2024-01-01"),
                                                     observed=pd.Timestamp("2024-01-20"))
    late = _errors(np.full(50, 0.5), 4, rng).assign(cutoff=pd.Timestamp("2024-02-01"),
                                                    observed=pd.Timestamp("2024-02-20"))
    weeks = pd.concat([early, late], ignore_index=True).assign(var=-1.0)
    n = len(early)
    mean, var = error_adjusted(weeks, ["series"], prior=4)

    assert (var[:n] == -1).all() and np.array_equal(mean[:n], weeks["mean"][:n])  # nothing observed yet: as given
    assert (var[n:] > mean[n:]).all()
    shocked = weeks.assign(actual=np.where(weeks.index >= n, 10 * weeks["actual"], weeks["actual"]))
    again = error_adjusted(shocked, ["series"], prior=4)
    assert np.array_equal(again[0], mean) and np.array_equal(again[1], var)  # the late actuals are not looked at
    moved = weeks.assign(actual=np.where(weeks.index < n, 3 * weeks["actual"], weeks["actual"]))
    m3, v3 = error_adjusted(moved, ["series"], prior=4)
    assert (m3[n:] > 2 * mean[n:]).all() and (v3[n:] > var[n:]).all()


def test_the_rest_of_the_week_given_the_first_days_sales_matches_the_gamma_poisson_it_reads_the_week_as() -> None:
    rng = np.random.default_rng(6)
    r, m1, m2 = 2.0, 3.0, 4.0
    rate = rng.gamma(r, 1 / r, 400_000)
    d1, d2 = rng.poisson(rate * m1), rng.poisson(rate * m2)
    sold = np.array([0, 3, 8])

    later = after_sales(Demand(np.full(3, m1 + m2), np.full(3, r)), np.full(3, m1), sold)

    for i, s in enumerate(sold):
        assert later.mean[i] == pytest.approx(d2[d1 == s].mean(), rel=0.03)
        assert later.var[i] == pytest.approx(d2[d1 == s].var(), rel=0.06)
    poisson = after_sales(Demand(np.array([m1 + m2]), np.array([np.inf])), np.array([m1]), np.array([9]))
    assert poisson.mean[0] == m2 and np.isinf(poisson.size[0])
