"""Allocate a DC's stock of each SKU to its stores: the newsvendor policy and the planners' baselines.

Every function works on many allocation problems at once: row i is one store of problem `group[i]` (a DC x SKU
x period), `stock[g]` the units the DC holds for problem g. The newsvendor policy maximises expected margin on
sales less the holding cost of leftovers, store by store separable: unit a + 1 at a store is worth
(margin + holding) P(D >= a + 1) - holding, which falls as a grows. With ample stock each store gets the
critical-fractile quantile (the smallest a with P(D <= a) >= margin / (margin + holding)) and the rest stays at
the DC; when stock is short the units go, one by one, to the store whose next unit is worth most, which for
decreasing marginal values is the optimum (vectorised: every positive marginal value sorted once per problem).
The two-wave policy (`replenish`, the way apparel chains allocate: an initial push, then replenishment from what
sells) pushes the newsvendor quantities and holds the rest at the DC; mid-week `top_up` tops each store up from
what it has left toward the newsvendor quantity of the rest of the week, as the first days' sales update it
(skulab.allocate.distribution.after_sales), a store's line shipped only when its units earn more than the line
costs (`allocate.wave_fixed`): the wave's cost is inside its objective. Transfers after the week repair what is left
(skulab.allocate.simulate). With `push_all` the one push sends the whole stock: each problem's demand raised to
its stock where the forecast's total is lower (`floored`), then split by the same marginal values. The baselines
push all the stock out: in proportion to recent sales, or in equal shares
(largest remainders).
"""

from __future__ import annotations

import numpy as np

from skulab.counts import Demand

POLICIES = ("newsvendor", "replenish", "proportional", "equal")


def critical_fractile(margin: float, holding: float) -> float:
    """The newsvendor's service level: margin / (margin + holding)."""
    return margin / (margin + holding)


def newsvendor(group: np.ndarray, demand: Demand, stock: np.ndarray, margin: float, holding: float,
               push_all: bool = False) -> np.ndarray:
    """Units per row: each store capped at its critical-fractile quantile, short stock by greedy marginal value;
    `push_all` splits the whole stock so, each problem's demand raised to its stock where lower (`floored`)."""
    demand = floored(group, demand, stock) if push_all else demand
    units, _ = _greedy(np.asarray(group), demand, np.asarray(stock), margin, holding, np.zeros(len(group), np.int64))
    return units


def floored(problem: np.ndarray, demand: Demand, stock: np.ndarray) -> Demand:
    """The demand with each problem's expected total raised to its DC stock where it is lower, every store's mean
    and variance scaled alike: a one push that sends the whole stock splits it by these marginal values."""
    problem = np.asarray(problem)
    total = np.bincount(problem, weights=demand.mean, minlength=len(stock))
    factor = np.where(total > 0, np.maximum(np.asarray(stock, float) / np.where(total > 0, total, 1.0), 1.0), 1.0)
    f = factor[problem]
    return Demand(mean=demand.mean * f, size=demand.size * f)


def top_up(group: np.ndarray, demand: Demand, on_hand: np.ndarray, stock: np.ndarray, margin: float,
           holding: float, line_cost: float) -> np.ndarray:
    """Units per row sent on top of `on_hand` toward the critical-fractile quantile of `demand`, `stock[g]` at most
    per problem by greedy marginal value; a row whose units earn no more than `line_cost` gets none."""
    units, value = _greedy(np.asarray(group), demand, np.asarray(stock), margin, holding, np.asarray(on_hand, np.int64))
    return np.where(value > line_cost, units, 0)


def _greedy(group: np.ndarray, demand: Demand, stock: np.ndarray, margin: float, holding: float,
            start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The units each row gets above `start` (greedy over the problem's rows by marginal value) and what they earn:
    unit k + 1 at a row is worth (margin + holding) P(D > k) - holding."""
    cap = np.maximum(np.nan_to_num(demand.ppf(critical_fractile(margin, holding))).astype(np.int64) - start, 0)
    rows = np.repeat(np.arange(len(group)), cap)
    unit = np.arange(len(rows)) - np.repeat(np.cumsum(cap) - cap, cap) + start[rows]
    value = (margin + holding) * Demand(demand.mean[rows], demand.size[rows]).sf(unit) - holding
    g = group[rows]
    order = np.lexsort((unit, rows, -value, g))
    g_sorted = g[order]
    first = np.searchsorted(g_sorted, g_sorted, side="left")
    rank = np.arange(len(order)) - first
    taken = order[rank < stock[g_sorted]]
    n = len(group)
    return (np.bincount(rows[taken], minlength=n).astype(np.int64),
            np.bincount(rows[taken], weights=value[taken], minlength=n))


def proportional(group: np.ndarray, weights: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """All of each problem's stock in proportion to `weights` (e.g. the last weeks' sales); equal when all are 0."""
    group = np.asarray(group)
    w = np.clip(np.asarray(weights, float), 0.0, None)
    total = np.bincount(group, weights=w, minlength=len(stock))
    count = np.bincount(group, minlength=len(stock))
    share = np.where(total[group] > 0, w / np.where(total[group] > 0, total[group], 1.0), 1.0 / count[group])
    return _largest_remainder(group, share * np.asarray(stock)[group], np.asarray(stock))


def equal(group: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """All of each problem's stock in equal shares."""
    return proportional(group, np.zeros(len(group)), stock)


def expected_profit(units: np.ndarray, demand: Demand, margin: float, holding: float) -> np.ndarray:
    """Per row: margin x E[min(D, a)] - holding x E[(a - D)+], the objective the newsvendor policy maximises."""
    units = np.asarray(units, np.int64)
    rows = np.repeat(np.arange(len(units)), units)
    unit = np.arange(len(rows)) - np.repeat(np.cumsum(units) - units, units)
    sf = Demand(demand.mean[rows], demand.size[rows]).sf(unit)
    sales = np.bincount(rows, weights=sf, minlength=len(units))
    return margin * sales - holding * (units - sales)


def _largest_remainder(group: np.ndarray, quota: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """Integer units summing to each problem's stock: floors of the quotas, the rest to the largest remainders."""
    base = np.floor(quota + 1e-9).astype(np.int64)
    left = stock - np.bincount(group, weights=base, minlength=len(stock)).astype(np.int64)
    order = np.lexsort((np.arange(len(group)), -(quota - base), group))
    g_sorted = group[order]
    rank = np.arange(len(order)) - np.searchsorted(g_sorted, g_sorted, side="left")
    extra = np.zeros(len(group), np.int64)
    extra[order[rank < left[g_sorted]]] = 1
    return base + extra
