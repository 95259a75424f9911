"""The allocation policy against scipy (stockpyl is not installed): the critical fractile, and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from skulab.allocate.policy import critical_fractile, equal, expected_profit, newsvendor, proportional
from skulab.counts import Demand

MARGIN, HOLDING = 10.0, 2.0


def test_ample_stock_gives_every_store_its_critical_fractile_quantile() -> None:
    mean, size = np.array([3.0, 12.0, 0.4, 7.0]), np.array([1.5, 4.0, 0.8, np.inf])
    demand = Demand(mean, size)
    units = newsvendor(np.zeros(4, int), demand, np.array([1000]), MARGIN, HOLDING)
    cf = critical_fractile(MARGIN, HOLDING)
    oracle = [stats.nbinom.ppf(cf, r, r / (r + m)) for m, r in zip(mean[:3], size[:3])]
    oracle.append(stats.poisson.ppf(cf, mean[3]))
    assert units.tolist() == [int(v) for v in oracle]


@pytest.mark.parametrize("seed", range(6))
def test_short_stock_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4))
    demand = Demand(rng.uniform(0.5, 6, n), rng.uniform(0.5, 5, n))
    cap = demand.ppf(critical_fractile(MARGIN, HOLDING)).astype(int)
    stock = int(rng.integers(1, max(2, min(cap.sum(), 10))))
    units = newsvendor(np.zeros(n, int), demand, np.array([stock]), MARGIN, HOLDING)
    profit = [[_scipy_profit(a, demand.mean[s], demand.size[s]) for a in range(stock + 1)] for s in range(n)]
    best = max(sum(profit[s][a[s]] for s in range(n))
               for a in itertools.product(range(stock + 1), repeat=n) if sum(a) <= stock)
    assert units.sum() <= stock
    assert expected_profit(units, demand, MARGIN, HOLDING).sum() == pytest.approx(best, rel=1e-12)


def _scipy_profit(units: int, mean: float, size: float) -> float:
    """margin x E[min(D, a)] - holding x E[(a - D)+] from scipy's pmf, summed directly."""
    k = np.arange(units + 1)
    pmf = stats.nbinom.pmf(k, size, size / (size + mean))
    sold = (np.minimum(k, units) * pmf).sum() + units * stats.nbinom.sf(units, size, size / (size + mean))
    return MARGIN * sold - HOLDING * (units - sold)


def test_many_problems_are_solved_independently() -> None:
    demand = Demand(np.array([5.0, 5.0, 2.0, 9.0]), np.array([2.0, 2.0, 1.0, 3.0]))
    group, stock = np.array([0, 0, 1, 1]), np.array([4, 100])
    together = newsvendor(group, demand, stock, MARGIN, HOLDING)
    alone = [newsvendor(np.zeros(2, int), Demand(demand.mean[s], demand.size[s]), stock[[g]], MARGIN, HOLDING)
             for g, s in [(0, slice(0, 2)), (1, slice(2, 4))]]
    assert together.tolist() == np.concatenate(alone).tolist()
    assert together[:2].sum() == 4


def test_baselines_push_out_all_stock() -> None:
    group, stock = np.array([0, 0, 0, 1, 1]), np.array([10, 3])
    prop = proportional(group, np.array([6.0, 3.0, 1.0, 0.0, 0.0]), stock)
    assert prop.tolist() == [6, 3, 1, 2, 1]
    eq = equal(group, stock)
    assert eq.tolist() == [4, 3, 3, 2, 1] and np.bincount(group, weights=eq).tolist() == [10, 3]
