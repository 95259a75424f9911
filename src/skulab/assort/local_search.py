"""Swap local search stopped early on the held-out week: how many swaps to trust is learnt, then replayed on all weeks.

From a start (the hybrid's or popularity's top K, `cfg.local_search_start`), each move swaps the outside SKU and
the stocked SKU whose exchange raises the covered weight of the training orders most; only the top
`cfg.local_search_candidates` outside SKUs (by the weight of orders they alone complete) and the as many cheapest
stocked SKUs are tried, all pairs scored exactly in one sparse product. Such moves fit the training orders ever
better and next week's ever less, so the number of moves is chosen on the window's split: the path runs on all
weeks but the last (K scaled to their SKUs) and stops at the prefix whose fill of the last week is highest (ties:
fewer moves), so the validation fill never falls below the start's. What transfers to the full window is that
number of moves and the start rule (and the hybrid's parameters, chosen on the same split): the path is rerun from
the full window's own start on all weeks' orders, and the SKUs it swaps are the full window's own choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from skulab.assort import heuristics, hybrid
from skulab.assort.metrics import stocked_mask
from skulab.assort.order_types import Assortment, OrderTypes
from skulab.assort.windows import Window
from skulab.config import AssortConfig


@dataclass(frozen=True)
class Validation:
    """The path on the inner window scored on the held-out week: fills[m] after m moves, and the moves kept."""

    fills: np.ndarray
    moves: int
    design: np.ndarray  # the SKUs stocked after `moves` moves


def run(windows: list[Window], ks: list[list[int]], cfg: AssortConfig) -> list[list[Assortment]]:
    """Per window (FDC) and budget, the start improved by as many swaps as its held-out week supported."""
    params = hybrid.choose(windows, ks) if cfg.local_search_start == "hybrid" else [None] * len(ks[0])
    out = []
    for window, budgets in zip(windows, ks):
        split = window.inner()
        row = []
        for i, k in enumerate(budgets):
            info: dict = {"start": cfg.local_search_start}
            moves = 0
            if split is not None and len(split[0].lines):
                inner, valid = split
                k_inner = inner_budgets([k], window, inner)[0]
                checked = validate(inner.types, valid, start(inner, k_inner, params[i]), cfg.local_search_moves,
                                   cfg.local_search_candidates)
                moves = checked.moves
                info |= {"valid_moves": moves, "valid_fill_start": float(checked.fills[0]),
                         "valid_fill": float(checked.fills[moves])}
            ranked = start(window, k, params[i])
            adds, drops = swap_path(window.types, ranked, moves, cfg.local_search_candidates)
            design = replay(ranked, adds, drops)
            row.append(Assortment(design, np.arange(len(design), 0, -1, dtype=float), "local_search",
                                  info | {"moves": len(adds)}))
        out.append(row)
    return out


def start(window: Window, k: int, params: hybrid.HybridParams | None) -> np.ndarray:
    """The start's top k SKUs: the hybrid with `params`, or popularity when `params` is None."""
    if params is None:
        return heuristics.popularity(window.types, k).top(k)
    return hybrid.rank(window, params).top(k)


def validate(types: OrderTypes, valid: OrderTypes, start_ids: np.ndarray, max_moves: int,
             candidates: int) -> Validation:
    """Swap path on training orders `types` from `start_ids`, each prefix scored on the held-out orders `valid`."""
    adds, drops = swap_path(types, start_ids, max_moves, candidates)
    stocked = stocked_mask(valid, start_ids)
    steps = [stocked.copy()]
    add_at, drop_at = valid.index_of(adds), valid.index_of(drops)
    for a, d in zip(add_at, drop_at):
        if a >= 0:
            stocked[a] = True
        if d >= 0:
            stocked[d] = False
        steps.append(stocked.copy())
    unstocked = (~np.column_stack(steps)).astype(np.float32)
    filled = np.asarray(valid.matrix @ unstocked) < 0.5
    fills = valid.weights @ filled / valid.total
    moves = int(np.argmax(fills))
    return Validation(fills, moves, replay(start_ids, adds[:moves], drops[:moves]))


def swap_path(types: OrderTypes, start_ids: np.ndarray, max_moves: int, candidates: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Up to `max_moves` best single swaps on `types` from `start_ids`, each strictly raising the covered weight.

    Returns the SKUs added and dropped, move by move. The exact gain of adding o and dropping i is
    gain(o) - loss(i) - w(o, i): the orders o alone completes, less the complete orders holding i, less the orders
    o would complete that hold i.
    """
    x = np.zeros(types.n_skus, dtype=bool)
    pos = types.index_of(start_ids)
    x[pos[pos >= 0]] = True
    adds: list[int] = []
    drops: list[int] = []
    m, w = types.matrix, types.weights
    rows = np.repeat(np.arange(types.n_types), np.diff(m.indptr))
    while len(adds) < max_moves:
        missing = types.sizes - np.asarray(m @ x.astype(np.float32)).ravel().round().astype(np.int64)
        loss = np.asarray(types.by_sku @ np.where(missing == 0, w, 0.0)).ravel()
        lacking = (missing[rows] == 1) & ~x[m.indices]
        gain = np.bincount(m.indices[lacking], weights=w[rows[lacking]], minlength=types.n_skus)
        outside = np.flatnonzero(~x & (gain > 0))
        inside = np.flatnonzero(x)
        if not len(outside) or not len(inside):
            break
        outside = outside[np.argsort(-gain[outside], kind="stable")[:candidates]]
        inside = inside[np.argsort(loss[inside], kind="stable")[:candidates]]
        one = sparse.diags(np.where(missing == 1, w, 0.0)) @ m
        both = (m[:, outside].T @ one[:, inside]).toarray()  # w(o, i): orders missing only o that hold i
        delta = gain[outside][:, None] - loss[inside][None, :] - both
        best = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if delta[best] <= 1e-9:
            break
        o, i = outside[best[0]], inside[best[1]]
        x[o], x[i] = True, False
        adds.append(o)
        drops.append(i)
    return types.sku_ids[np.array(adds, dtype=np.int64)], types.sku_ids[np.array(drops, dtype=np.int64)]


def replay(start_ids: np.ndarray, adds: np.ndarray, drops: np.ndarray) -> np.ndarray:
    """The start's SKUs after the swaps, in the start's order with each added SKU last (a SKU may come and go)."""
    design = list(start_ids)
    for a, d in zip(adds, drops):
        design.remove(d)
        design.append(a)
    return np.array(design, dtype=object)


def inner_budgets(ks: list[int], window: Window, inner: Window) -> list[int]:
    """K for the shorter inner window, keeping its share of the SKUs ordered (as the hybrid and the net do)."""
    full, part = window.lines["sku_id"].nunique(), max(inner.lines["sku_id"].nunique(), 1)
    return [max(1, round(k * part / max(full, 1))) for k in ks]
