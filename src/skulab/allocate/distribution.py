"""Demand distributions from quantile forecasts: a negative binomial per series and period, weekly sums by moments.

A forecast gives q10 / q50 / q90 per store x SKU x period. `fit_quantiles` turns them into a negative binomial
(mean and size r, variance mean + mean^2 / r) by least squares on the quantile mismatch, vectorised over every
row (Levenberg-Marquardt on log mean and log r). A count distribution's quantiles are integers, so the fit
compares the forecast's quantiles with a smooth version of the model's: the continuous inverse of the CDF
(scipy's `nbdtrik` / `pdtrik`) plus half a unit, and inside the mass at zero a straight line from 0 to 0.5.
When the forecast's spread is no wider than a Poisson's of the same mean, the row falls back to a Poisson
(r = inf) fitted the same way. `weekly` sums periods by moment matching: the sum of means and of variances.

Summing days as if independent understates a week's spread when a forecast's error persists through the week, and
three quantiles say little of a tail, and a forecast trained on sales may sit below the demand. The decision's
distribution comes from the out-of-sample errors of the weeks a series has already seen instead: `error_scale`
removes the forecast's bias (actual over forecast), `error_dispersion` measures the spread about the corrected
mean by moments (E[(y - m)^2] = m + phi m^2, phi = 1 / r), each series shrunk toward the pooled value as if it held
`prior` weeks of an average series more (a series forecast near zero stays near the pool); `error_adjusted`
applies both to each week with only the weeks observed by its cutoff.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from skulab.counts import MIN_SIZE, Demand

LEVELS = (0.1, 0.5, 0.9)
_MAX_SIZE = 1e4
_ITERATIONS = 30


def fit_quantiles(quantiles: np.ndarray, levels: Sequence[float] = LEVELS) -> Demand:
    """Fit a negative binomial (or a Poisson, when the spread is below Poisson's) to each row of `quantiles`.

    `quantiles` is rows x levels (e.g. the forecast's q10, q50, q90 columns); rows whose quantiles are all zero
    get zero demand.
    """
    x = np.clip(np.asarray(quantiles, float), 0.0, None)
    lv = np.asarray(levels, float)
    n = len(x)
    mean, size = np.zeros(n), np.full(n, np.inf)
    live = x.max(axis=1) > 0
    if not live.any():
        return Demand(mean, size)
    xl = x[live]
    mu0 = np.maximum(xl.mean(axis=1), 0.05)
    spread = xl[:, -1] - xl[:, 0]
    z = stats.norm.ppf(lv[-1]) - stats.norm.ppf(lv[0])
    var0 = (spread / z) ** 2
    poisson_spread = _smooth_quantiles(mu0, np.full(len(mu0), np.inf), lv)
    poisson = spread <= poisson_spread[:, -1] - poisson_spread[:, 0]
    r0 = np.where(var0 > mu0, mu0**2 / np.maximum(var0 - mu0, 1e-9), _MAX_SIZE)
    theta = np.column_stack([np.log(mu0), np.log(np.clip(r0, MIN_SIZE, _MAX_SIZE))])
    theta = _least_squares(theta, xl, lv, poisson)
    m, r = np.exp(theta[:, 0]), np.where(poisson, np.inf, np.exp(theta[:, 1]))
    mean[live], size[live] = m, r
    return Demand(mean, size)


def weekly(frame: pd.DataFrame, keys: list[str], demand: Demand) -> pd.DataFrame:
    """Sum the rows of `frame` over `keys` by moment matching: columns mean and var (independent periods)."""
    parts = frame[keys].assign(mean=demand.mean, var=demand.var)
    return parts.groupby(keys, as_index=False, sort=False)[["mean", "var"]].sum()


def error_scale(errors: pd.DataFrame, keys: list[str], prior: float) -> tuple[pd.Series, float]:
    """Per series (`keys`) the factor sum(actual) / sum(mean) that removes the forecast's bias, shrunk toward the
    pooled factor with the weight of `prior` weeks of an average series' forecast (a series forecast near zero
    says little of its factor, and stays near the pool); and the pooled factor."""
    parts = errors[keys].assign(y=errors["actual"].to_numpy(float), m=errors["mean"].to_numpy(float))
    total = parts[["y", "m"]].sum()
    pooled = float(total["y"] / total["m"]) if total["m"] > 0 else 1.0
    per = parts.groupby(keys, sort=False)[["y", "m"]].sum()
    return _shrunk(per["y"], per["m"], prior * total["m"] / len(parts), pooled), pooled


def error_dispersion(errors: pd.DataFrame, keys: list[str], prior: float) -> tuple[pd.Series, float]:
    """Per series (`keys`) the negative binomial's phi = 1 / r from columns `mean` (the forecast) and `actual`, by
    moments, shrunk toward the pooled phi with the weight of `prior` weeks of an average series; and the pooled phi.
    0 is a Poisson."""
    m, y = errors["mean"].to_numpy(float), errors["actual"].to_numpy(float)
    parts = errors[keys].assign(excess=(y - m) ** 2 - m, m2=m**2)
    total = parts[["excess", "m2"]].sum()
    pooled = max(float(total["excess"] / total["m2"]), 0.0) if total["m2"] > 0 else 0.0
    per = parts.groupby(keys, sort=False)[["excess", "m2"]].sum()
    return _shrunk(per["excess"], per["m2"], prior * total["m2"] / len(parts), pooled).clip(lower=0.0), pooled


def error_adjusted(weeks: pd.DataFrame, keys: list[str], prior: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row of `weeks` (columns cutoff, observed, mean, var, actual and `keys`) the mean with the series' bias
    removed (`error_scale`) and the variance mean + phi mean^2 about it (`error_dispersion`), both from the rows
    observed by the row's cutoff; a series without such a row takes the pooled values, and rows with none at all
    keep their `mean` and `var`."""
    mean, var = weeks["mean"].to_numpy(float).copy(), weeks["var"].to_numpy(float).copy()
    for cutoff, rows in weeks.groupby("cutoff", sort=True).indices.items():
        seen = weeks[weeks["observed"] <= cutoff]
        if seen.empty:
            continue
        scale, scale0 = error_scale(seen, keys, prior)
        seen = seen.assign(mean=seen["mean"].to_numpy() * _per_row(scale, seen[keys], scale0))
        phi, phi0 = error_dispersion(seen, keys, prior)
        at = weeks.iloc[rows][keys]
        mean[rows] *= _per_row(scale, at, scale0)
        var[rows] = mean[rows] + _per_row(phi, at, phi0) * mean[rows] ** 2
    return mean, var


def after_sales(week: Demand, first_mean: np.ndarray, sold: np.ndarray) -> Demand:
    """The rest of a week's demand once its first days (expected `first_mean`) sold `sold`, reading the week's
    negative binomial (size r) as a Poisson whose rate is gamma-distributed and shared by its days: the rest's mean
    times (r + sold) / (r + first_mean), size r + sold. A Poisson week (r = inf) learns nothing. A store that sold out
    gives a lower bound (its sales)."""
    first_mean = np.asarray(first_mean, float)
    rest = np.clip(week.mean - first_mean, 0.0, None)
    nb = np.isfinite(week.size)
    rs = np.where(nb, week.size, 1.0)
    factor = np.where(nb, (rs + sold) / (rs + first_mean), 1.0)
    return Demand(mean=rest * factor, size=np.where(nb, rs + sold, np.inf) * np.ones_like(factor))


def _shrunk(num: pd.Series, den: pd.Series, weight: pd.Series, pooled: float) -> pd.Series:
    """(num + weight x pooled) / (den + weight): a per-series ratio pulled toward the pooled one; pooled where
    the series has no denominator."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (num + weight * pooled) / (den + weight)
    return ratio.where(den > 0, pooled)


def _per_row(values: pd.Series, at: pd.DataFrame, fallback: float) -> np.ndarray:
    """`values` (indexed by series) looked up for each row of `at`, `fallback` for a series it lacks."""
    index = pd.MultiIndex.from_frame(at) if at.shape[1] > 1 else at.iloc[:, 0].to_numpy()
    return values.reindex(index).fillna(fallback).to_numpy(float)


def _smooth_quantiles(mean: np.ndarray, size: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """A smooth stand-in for the discrete quantiles: continuous inverse CDF + 0.5, linear inside the mass at 0."""
    m = mean[:, None]
    r = size[:, None]
    nb = np.isfinite(r)
    rs = np.where(nb, r, 1.0)
    p = rs / (rs + m)
    with np.errstate(all="ignore"):
        cont = np.where(nb, special.nbdtrik(levels, rs, p), special.pdtrik(levels, m))
        p0 = np.where(nb, p**rs, np.exp(-m))
    return np.where(levels > p0, np.nan_to_num(cont) + 0.5, 0.5 * levels / p0)


def _residuals(theta: np.ndarray, x: np.ndarray, levels: np.ndarray, poisson: np.ndarray) -> np.ndarray:
    size = np.where(poisson, np.inf, np.exp(theta[:, 1]))
    return _smooth_quantiles(np.exp(theta[:, 0]), size, levels) - x


def _least_squares(theta: np.ndarray, x: np.ndarray, levels: np.ndarray, poisson: np.ndarray) -> np.ndarray:
    """Levenberg-Marquardt over all rows at once (2 parameters, forward-difference Jacobian)."""
    lo, hi = np.log([1e-4, MIN_SIZE]), np.log([1e6, _MAX_SIZE])
    lam = np.full(len(theta), 1e-2)
    res = _residuals(theta, x, levels, poisson)
    cost = (res**2).sum(axis=1)
    active = np.ones(len(theta), bool)
    eps = 1e-5
    for _ in range(_ITERATIONS):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        t, xs, ps, rs = theta[idx], x[idx], poisson[idx], res[idx]
        jac = np.stack([(_residuals(t + eps * np.eye(2)[j], xs, levels, ps) - rs) / eps for j in range(2)], axis=2)
        jac[ps, :, 1] = 0.0
        a = np.einsum("nki,nkj->nij", jac, jac)
        g = np.einsum("nki,nk->ni", jac, rs)
        a[:, 0, 0] *= 1 + lam[idx]
        a[:, 1, 1] = a[:, 1, 1] * (1 + lam[idx]) + 1e-12
        det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
        step = -np.column_stack([a[:, 1, 1] * g[:, 0] - a[:, 0, 1] * g[:, 1],
                                 a[:, 0, 0] * g[:, 1] - a[:, 1, 0] * g[:, 0]]) / det[:, None]
        trial = np.clip(t + np.nan_to_num(step), lo, hi)
        new_res = _residuals(trial, xs, levels, ps)
        new_cost = (new_res**2).sum(axis=1)
        better = new_cost < cost[idx]
        gain = cost[idx] - new_cost
        theta[idx[better]], res[idx[better]], cost[idx[better]] = trial[better], new_res[better], new_cost[better]
        lam[idx] = np.where(better, lam[idx] / 3, lam[idx] * 10)
        done = (better & (gain < 1e-8 * (1 + cost[idx]))) | (lam[idx] > 1e8)
        active[idx[done]] = False
    return theta
