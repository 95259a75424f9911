"""Assortment heuristics: popularity Top-K, order-level greedy, Reverse-Exclude peeling and swap local search.

The covered weight is supermodular (an order counts only once all its SKUs are in), so adding single SKUs
by marginal gain sees zero gain for most multi-SKU orders. These heuristics work at the order level instead:
greedy adds whole orders by weight per still-missing SKU, Reverse-Exclude peels off the SKU whose still
complete orders weigh least, and swap search exchanges SKUs, or whole orders against SKUs, while that pays.
"""

from __future__ import annotations

import heapq

import numpy as np

from skulab.assort.order_types import Assortment, OrderTypes, complete, from_order, popularity_order


def popularity(types: OrderTypes, k: int) -> Assortment:
    """The baseline: the k SKUs held by the most orders."""
    order = popularity_order(types)
    order = order[types.popularity[order] > 0]
    return from_order(types, order, types.popularity[order], "popularity", k)


def order_greedy(types: OrderTypes, k: int) -> Assortment:
    """Add the order type with the most weight per still-missing SKU (its SKUs, most popular first), until k.

    Orders whose SKUs are all in arrive for free; when no order fits the remaining budget, popular SKUs fill it.
    """
    by_sku, m = types.by_sku, types.matrix
    w, pop = types.weights, types.popularity
    missing = types.sizes.astype(np.int64).copy()
    chosen: list[int] = []
    taken = np.zeros(types.n_skus, dtype=bool)
    heap = [(-w[j] / missing[j], -w[j], j, missing[j]) for j in range(types.n_types)]
    heapq.heapify(heap)
    while heap and len(chosen) < k:
        _, _, j, miss = heapq.heappop(heap)
        if miss != missing[j] or miss == 0 or miss > k - len(chosen):
            continue
        skus = m.indices[m.indptr[j]:m.indptr[j + 1]]
        for i in sorted(skus[~taken[skus]], key=lambda s: -pop[s]):
            taken[i] = True
            chosen.append(i)
            touched = by_sku.indices[by_sku.indptr[i]:by_sku.indptr[i + 1]]
            missing[touched] -= 1
            for t in touched:
                if missing[t] > 0:
                    heapq.heappush(heap, (-w[t] / missing[t], -w[t], t, missing[t]))
    order = complete(types, np.array(chosen, dtype=np.int64), k)
    return from_order(types, order, _rank_scores(len(order)), "order_greedy", k)


def reverse_exclude(types: OrderTypes, k: int, sku_weight: np.ndarray | None = None) -> Assortment:
    """Peel SKUs one by one, each time the one whose still-complete orders weigh least; the last k remain.

    The peeling order read backwards ranks every SKU, so one run serves every k. `sku_weight` adds a fixed
    value per SKU to what dropping it costs (the hybrid blends popularity in this way); ties go to popularity.
    """
    by_sku, m = types.by_sku, types.matrix
    w = types.weights
    extra = np.zeros(types.n_skus) if sku_weight is None else np.asarray(sku_weight, dtype=float)
    alive = (types.popularity > 0) | (extra > 0)
    loss = types.popularity + extra
    tie = types.popularity
    complete_ = np.ones(types.n_types, dtype=bool)
    heap = [(loss[i], tie[i], -i, i) for i in np.flatnonzero(alive)]
    heapq.heapify(heap)
    dropped: list[int] = []
    cost: list[float] = []
    while heap:
        value, _, _, i = heapq.heappop(heap)
        if not alive[i] or value != loss[i]:
            continue
        alive[i] = False
        dropped.append(i)
        cost.append(value)
        for j in by_sku.indices[by_sku.indptr[i]:by_sku.indptr[i + 1]]:
            if not complete_[j]:
                continue
            complete_[j] = False
            for s in m.indices[m.indptr[j]:m.indptr[j + 1]]:
                if alive[s]:
                    loss[s] -= w[j]
                    heapq.heappush(heap, (loss[s], tie[s], -s, s))
    order = np.array(dropped[::-1], dtype=np.int64)
    return from_order(types, order, np.array(cost[::-1]), "reverse_exclude", k)


def warm_start(types: OrderTypes, k: int) -> Assortment:
    """The better of Reverse-Exclude and order-level greedy at size k: the start of swap search and the MIP."""
    starts = [reverse_exclude(types, k), order_greedy(types, k)]
    return max(starts, key=lambda a: covered_weight(types, a.sku_ids))


def swap_search(types: OrderTypes, k: int, start: Assortment | None = None, max_moves: int = 500,
                candidates: int = 30, max_add: int = 3) -> Assortment:
    """Improve an assortment of size k by exact-gain moves until none of the candidates pays.

    Moves: swap one SKU for one outside SKU that completes orders; or add an order missing up to `max_add`
    SKUs and drop as many SKUs whose complete orders weigh least. Every accepted move strictly raises the
    covered weight. Starts from the better of Reverse-Exclude and order-level greedy when `start` is None.
    """
    start = start or warm_start(types, k)
    state = _State(types, types.index_of(start.top(k)))
    moves = 0
    while moves < max_moves and state.improve(candidates, max_add):
        moves += 1
    loss = state.loss()
    chosen = np.flatnonzero(state.x)
    order = chosen[np.lexsort((-types.popularity[chosen], -loss[chosen]))]
    return from_order(types, order, loss[order], "swap_search", k, moves=moves, start=start.method)


def covered_weight(types: OrderTypes, sku_ids: np.ndarray) -> float:
    """Weight of the order types whose SKUs are all in `sku_ids` (the objective, in orders)."""
    x = np.zeros(types.n_skus, dtype=np.float32)
    pos = types.index_of(sku_ids)
    x[pos[pos >= 0]] = 1.0
    missing = types.sizes - np.asarray(types.matrix @ x).ravel()
    return float(types.weights[missing < 0.5].sum())


def _rank_scores(n: int) -> np.ndarray:
    """Scores for methods whose output is an order only: n, n-1, ..., 1."""
    return np.arange(n, 0, -1, dtype=float)


class _State:
    """An assortment under local search: stocked flags, missing SKUs per order type, exact move gains."""

    def __init__(self, types: OrderTypes, chosen: np.ndarray) -> None:
        self.t = types
        self.x = np.zeros(types.n_skus, dtype=bool)
        self.x[chosen[chosen >= 0]] = True
        self.missing = self._missing()

    def _missing(self) -> np.ndarray:
        return self.t.sizes - np.asarray(self.t.matrix @ self.x.astype(np.float32)).ravel().round().astype(np.int64)

    def loss(self) -> np.ndarray:
        """Per SKU: weight of the complete orders that hold it (what dropping it alone costs)."""
        done = np.where(self.missing == 0, self.t.weights, 0.0)
        return np.asarray(self.t.by_sku @ done).ravel()

    def gain1(self) -> np.ndarray:
        """Per SKU: weight of the orders it alone is missing (what adding it alone completes)."""
        one = self.missing == 1
        m = self.t.matrix
        rows = np.repeat(np.arange(self.t.n_types), np.diff(m.indptr))
        lacking = one[rows] & ~self.x[m.indices]
        return np.bincount(m.indices[lacking], weights=self.t.weights[rows[lacking]], minlength=self.t.n_skus)

    def delta(self, adds: np.ndarray, drops: np.ndarray) -> float:
        """Exact change of covered weight if `adds` come in and `drops` go out."""
        sub = self.t.by_sku[np.concatenate([adds, drops])].tocoo()
        sign = np.concatenate([-np.ones(len(adds)), np.ones(len(drops))])[sub.row]
        touched, where = np.unique(sub.col, return_inverse=True)
        after = self.missing[touched] + np.bincount(where.ravel(), weights=sign).round().astype(np.int64)
        w = self.t.weights[touched]
        return float(w[after == 0].sum() - w[self.missing[touched] == 0].sum())

    def apply(self, adds: np.ndarray, drops: np.ndarray) -> None:
        self.x[adds] = True
        self.x[drops] = False
        self.missing = self._missing()

    def improve(self, candidates: int, max_add: int) -> bool:
        """Apply the best improving move among the candidates; False when none improves."""
        loss, gain = self.loss(), self.gain1()
        inside = np.flatnonzero(self.x)
        if len(inside) == 0:
            return False
        cheapest = inside[np.argsort(loss[inside], kind="stable")[: candidates + max_add]]
        outside = np.flatnonzero(~self.x & (gain > 0))
        best, move = 0.0, None
        for o in outside[np.argsort(-gain[outside], kind="stable")[:candidates]]:
            if gain[o] - loss[cheapest[0]] <= best + 1e-9:
                break
            for i in cheapest[:candidates]:
                if gain[o] - loss[i] <= best + 1e-9:  # an upper bound: dropping i may also break o's orders
                    break
                d = self.delta(np.array([o]), np.array([i]))
                if d > best + 1e-9:
                    best, move = d, (np.array([o]), np.array([i]))
        m, w = self.t.matrix, self.t.weights
        open_ = np.flatnonzero((self.missing >= 2) & (self.missing <= max_add))
        for j in open_[np.argsort(-w[open_] / self.missing[open_], kind="stable")[:candidates]]:
            skus = m.indices[m.indptr[j]:m.indptr[j + 1]]
            adds = skus[~self.x[skus]]
            drops = cheapest[~np.isin(cheapest, skus)][: len(adds)]
            if len(drops) < len(adds):
                continue
            d = self.delta(adds, drops)
            if d > best + 1e-9:
                best, move = d, (adds, drops)
        if move is None:
            return False
        self.apply(*move)
        return True
