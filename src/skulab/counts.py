"""Count demand as a negative binomial with a given mean and variance (a Poisson below the Poisson's variance).

One definition for every chapter that turns a mean and a spread into whole-unit quantiles: the demo's noise
floor, the M5-recipe LightGBM's quantiles and the store allocation's demand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

MIN_SIZE = 0.05  # the smallest negative-binomial size r (variance at most mean + 20 mean^2)


@dataclass(frozen=True)
class Demand:
    """Negative binomial demand per row: `mean` and `size` r (np.inf for Poisson); zero mean is no demand."""

    mean: np.ndarray
    size: np.ndarray

    @property
    def var(self) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return self.mean + np.where(np.isfinite(self.size), self.mean**2 / self.size, 0.0)

    def sf(self, k: np.ndarray) -> np.ndarray:
        """P(D > k) per row (k broadcast against the rows)."""
        return self._frozen(lambda d: d.sf(k), lambda: np.zeros(np.broadcast(k, self.mean).shape))

    def cdf(self, k: np.ndarray) -> np.ndarray:
        """P(D <= k) per row."""
        return 1.0 - self.sf(k)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        """The smallest k with P(D <= k) >= q per row (scipy's discrete quantile)."""
        return self._frozen(lambda d: d.ppf(q), lambda: np.zeros(np.broadcast(q, self.mean).shape))

    def _frozen(self, f: Callable, zero: Callable[[], np.ndarray]) -> np.ndarray:
        """`f` of the frozen scipy distribution per row (negative binomial or Poisson), `zero()` where no demand."""
        mean, size = np.asarray(self.mean, float), np.asarray(self.size, float)
        pos, nb = mean > 0, np.isfinite(size)
        safe_mean = np.where(pos, mean, 1.0)
        safe_size = np.where(nb, size, 1.0)
        out_nb = f(stats.nbinom(safe_size, safe_size / (safe_size + safe_mean)))
        out_pois = f(stats.poisson(safe_mean))
        return np.where(pos, np.where(nb, out_nb, out_pois), zero())


def from_moments(mean: np.ndarray, var: np.ndarray) -> Demand:
    """The negative binomial with this mean and variance (Poisson when the variance does not exceed the mean)."""
    mean, var = np.asarray(mean, float), np.asarray(var, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(var > mean * (1 + 1e-9), mean**2 / (var - mean), np.inf)
    return Demand(mean=np.clip(mean, 0.0, None), size=np.clip(size, MIN_SIZE, None))
