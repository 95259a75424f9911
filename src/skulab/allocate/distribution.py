"""Demand distributions from quantile forecasts: a negative binomial per series and period, weekly sums by moments.

A forecast gives q10 / q50 / q90 per store x SKU x period. `fit_quantiles` turns them into a negative binomial
(mean and size r, variance mean + mean^2 / r) by least squares on the quantile mismatch, vectorised over every
row (Levenberg-Marquardt on log mean and log r). A count distribution's quantiles are integers, so the fit
compares the forecast's quantiles with a smooth version of the model's: the continuous inverse of the CDF
(scipy's `nbdtrik` / `pdtrik`) plus half a unit, and inside the mass at zero a straight line from 0 to 0.5.
When the forecast's spread is no wider than a Poisson's of the same mean, the row falls back to a Poisson
(r = inf) fitted the same way. `weekly` sums periods by moment matching: the sum of means and of variances.
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
