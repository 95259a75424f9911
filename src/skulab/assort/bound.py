"""A certified upper bound on the covered weight: the LP / Lagrangian relaxation solved by min cuts.

Pricing each SKU at lambda turns max sum v_j y_j - lambda sum x_i s.t. y_j <= x_i into a max-weight
closure (the constraint matrix of y <= x is totally unimodular), solved exactly by one s-t min cut. For
every lambda >= 0, U(lambda) = closure value + lambda K bounds the optimum for K; its minimum over lambda is
the LP optimum. The closures shrink as lambda grows, so each cut also fixes SKUs in or out for the next one
(the graph contracts), and each closure is itself an exact optimum for its own size: when one has exactly K
SKUs the bound is attained and the optimum is proven.

Capacities must be integers (scipy's max flow), so weights and lambda are scaled by a power of two D; a
non-integer weight is rounded up, which only raises the bound, so it stays certified.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from skulab.assort.heuristics import covered_weight
from skulab.assort.order_types import OrderTypes

_CAP = 2**31 - 2


@dataclass(frozen=True)
class Bound:
    """The bound (in orders) for budget k, and the closures on both sides of k (column positions).

    `below` has at most k SKUs and covers `below_value` (an exact optimum for its own size); `above` has
    at least k. `exact` means a closure of exactly k SKUs was found: `value` is then the optimum itself.
    """

    k: int
    value: float
    lam: float
    exact: bool
    below: np.ndarray
    below_value: float
    above: np.ndarray
    cuts: int
    seconds: float


def lagrangian_bound(types: OrderTypes, k: int, max_cuts: int = 60) -> Bound:
    """Minimise U(lambda) over lambda by cutting-plane steps on the closure function (a few min cuts)."""
    t0 = time.perf_counter()
    live = np.flatnonzero(types.popularity > 0)
    total = types.total
    if k >= len(live):
        return Bound(k, total, 0.0, True, live, total, live, 0, time.perf_counter() - t0)
    scale = float(2 ** int(np.floor(np.log2(_CAP / (4 * total + 4)))))
    weights = np.ceil(types.weights * scale - 1e-9).astype(np.int64)
    single = np.zeros(types.n_skus, dtype=np.int64)
    ones = types.sizes == 1
    np.add.at(single, types.matrix.indices[types.matrix.indptr[:-1][ones]], weights[ones])
    multi = ~ones
    problem = _Closures(types.matrix[multi].tocsr(), weights[multi], single)
    # lambda = 0 takes every SKU, lambda above the largest popularity takes none
    lo = (0, problem.total_scaled, live)
    top = int(np.asarray(types.by_sku @ weights).max()) + 1
    hi = (top, 0, np.zeros(0, dtype=np.int64))
    best = min((problem.total_scaled, 0), (top * k, top))
    cuts, exact = 0, False
    while cuts < max_cuts and hi[0] - lo[0] > 1:
        (l_lo, c_lo, s_lo), (l_hi, c_hi, s_hi) = lo, hi
        n_lo, n_hi = len(s_lo), len(s_hi)
        meet = (c_lo - c_hi + n_lo * l_lo - n_hi * l_hi) / (n_lo - n_hi)
        lam = int(min(max(round(meet), l_lo + 1), l_hi - 1))
        value, chosen = problem.solve(lam, fixed=s_hi, allowed=s_lo)
        cuts += 1
        best = min(best, (value + lam * k, lam))
        if len(chosen) == k:
            lo = hi = (lam, value, chosen)
            exact = True
            break
        line = max(c_lo - n_lo * (lam - l_lo), c_hi - n_hi * (lam - l_hi))
        if len(chosen) > k:
            lo = (lam, value, chosen)
        else:
            hi = (lam, value, chosen)
        if value <= line and abs(lam - meet) <= 0.5:  # C is the max of the two lines: U is least at their meet
            break
    below = hi[2]
    return Bound(k, min(best[0] / scale, total), best[1] / scale, exact, below,
                 covered_weight(types, types.sku_ids[below]), lo[2], cuts, time.perf_counter() - t0)


class _Closures:
    """Max-weight closures of one instance (integer weights) at integer SKU prices, by min cut."""

    def __init__(self, multi: sparse.csr_matrix, weights: np.ndarray, single: np.ndarray) -> None:
        self.multi, self.weights, self.single = multi, weights, single
        self.by_sku = multi.T.tocsr()
        self.total_scaled = int(weights.sum() + single.sum())

    def solve(self, lam: int, fixed: np.ndarray, allowed: np.ndarray) -> tuple[int, np.ndarray]:
        """Closure value (scaled) and SKUs at price `lam`, knowing `fixed` are in and only `allowed` may be."""
        n = len(self.single)
        is_fixed = np.zeros(n, dtype=bool)
        is_fixed[fixed] = True
        is_allowed = np.zeros(n, dtype=bool)
        is_allowed[allowed] = True
        m = self.multi
        outside = np.asarray(m @ (~is_allowed).astype(np.float32)).ravel() > 0
        inside = np.asarray(m @ is_fixed.astype(np.float32)).ravel() >= np.diff(m.indptr)
        free = np.flatnonzero(~outside & ~inside)
        const = int(self.weights[inside & ~outside].sum() + (self.single[is_fixed] - lam).sum())
        skus = np.flatnonzero(is_allowed & ~is_fixed)
        value, chosen = self._cut(lam, free, skus, is_fixed)
        return const + value, np.sort(np.concatenate([fixed, skus[chosen]]))

    def _cut(self, lam: int, types: np.ndarray, skus: np.ndarray, is_fixed: np.ndarray) -> tuple[int, np.ndarray]:
        """Max-weight closure of the reduced instance: the given types over the given (not fixed) SKUs."""
        if len(skus) == 0:
            return 0, np.zeros(0, dtype=np.int64)
        pos = np.full(len(self.single), -1, dtype=np.int64)
        pos[skus] = np.arange(len(skus))
        sub = self.multi[types].tocoo()
        keep = ~is_fixed[sub.col]
        t_row, s_col = sub.row[keep], pos[sub.col[keep]]
        n_t, n_s = len(types), len(skus)
        profit = self.single[skus] - lam
        w = self.weights[types]
        source, sink = n_t + n_s, n_t + n_s + 1
        inf = int(w.sum() + np.clip(profit, 0, None).sum()) + 1
        if inf > _CAP:
            raise OverflowError("closure capacities exceed 32 bits; lower the weight scale")
        pos_p, neg_p = np.flatnonzero(profit > 0), np.flatnonzero(profit < 0)
        rows = np.concatenate([np.full(n_t, source), t_row, np.full(len(pos_p), source), n_t + neg_p])
        cols = np.concatenate([np.arange(n_t), n_t + s_col, n_t + pos_p, np.full(len(neg_p), sink)])
        caps = np.concatenate([w, np.full(len(t_row), inf), profit[pos_p], -profit[neg_p]])
        graph = sparse.csr_matrix((caps.astype(np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
        flow = maximum_flow(graph, source, sink)
        residual = (graph - flow.flow).tocsr()
        residual.data[residual.data < 0] = 0
        residual.eliminate_zeros()
        reach = breadth_first_order(residual, source, directed=True, return_predecessors=False)
        in_s = np.zeros(sink + 1, dtype=bool)
        in_s[reach] = True
        value = int(w.sum() + profit[pos_p].sum()) - int(flow.flow_value)
        return value, np.flatnonzero(in_s[n_t:n_t + n_s])
