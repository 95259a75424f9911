"""The exact assortment: the max-coverage integer program solved by HiGHS, with its status, bound and gap.

max sum_j v_j y_j  s.t.  y_j <= x_i (i in order type j),  sum_i x_i <= K,  x binary, 0 <= y <= 1.
Only x needs to be integral: with x fixed, the best y is min over the type's x, already 0 or 1. Orders of
one SKU need no y (their weight goes onto that SKU's x). HiGHS (highspy) is the only solver used: it cannot
share a process with OR-Tools.
"""

from __future__ import annotations

import functools
import os
import sys
import time

import numpy as np
from scipy import sparse

from skulab.assort.heuristics import covered_weight
from skulab.assort.order_types import Assortment, OrderTypes, complete, from_order


def mip(types: OrderTypes, k: int, time_limit: float = 60.0, start: Assortment | None = None) -> Assortment:
    """Solve the integer program to proven optimality or until `time_limit` seconds.

    `info` reports status, objective and dual bound (in orders), relative gap, seconds and nodes; the
    objective is the weight the returned assortment covers. `start` (e.g. a heuristic) seeds HiGHS.
    """
    t0 = time.perf_counter()
    live = np.flatnonzero(types.popularity > 0)
    if k >= len(live):
        order = complete(types, live, k)
        return from_order(types, order, types.popularity[order], "mip", status="Optimal", objective=types.total,
                          dual_bound=types.total, gap=0.0, seconds=time.perf_counter() - t0, nodes=0)
    h, multi = _model(types, k, integral=True)
    h.setOptionValue("time_limit", float(time_limit))
    # HiGHS's presolve cannot be interrupted and takes minutes on large-basket instances; without it, and with
    # callbacks that stop simplex and branch-and-bound at the deadline, the time limit holds
    h.setOptionValue("presolve", "off")
    deadline = t0 + time_limit

    def stop(event) -> None:
        if time.perf_counter() > deadline:
            event.interrupt()

    h.cbSimplexInterrupt.subscribe(stop)
    h.cbMipInterrupt.subscribe(stop)
    h.setOptionValue("mip_rel_gap", 0.0)
    if np.allclose(types.weights, np.round(types.weights)):
        h.setOptionValue("mip_abs_gap", 1.0 - 1e-6)  # integer objective: a gap below one order proves optimality
    if start is not None:
        h.setSolution(_solution(types, start.top(k), multi))
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus()).replace("Interrupted by user", "Time limit reached")
    n_x = types.n_skus
    x = np.asarray(h.getSolution().col_value[:n_x]) if info.primal_solution_status >= 2 else np.zeros(n_x)
    chosen = np.flatnonzero(x > 0.5)
    objective = covered_weight(types, types.sku_ids[chosen])
    done = np.where(types.matrix @ (x > 0.5).astype(np.float32) >= types.sizes - 1e-6, types.weights, 0.0)
    value = np.asarray(types.by_sku @ done).ravel()
    order = complete(types, chosen[np.lexsort((-types.popularity[chosen], -value[chosen]))], k)
    bound = max(float(info.mip_dual_bound), objective) if np.isfinite(info.mip_dual_bound) else float("inf")
    if status == "Optimal":  # proven: the gap is below the tolerance (one order when weights are integers)
        bound = objective
    return from_order(types, order, np.concatenate([value[order[:len(chosen)]], np.zeros(len(order) - len(chosen))]),
                      "mip", k, status=status, objective=objective, dual_bound=bound,
                      gap=(bound - objective) / max(bound, 1e-12), seconds=time.perf_counter() - t0,
                      nodes=int(info.mip_node_count))


def lp_relaxation(types: OrderTypes, k: int) -> float:
    """The LP relaxation's optimum (x in [0, 1]) by HiGHS: a cross-check of the min-cut bound."""
    h, _ = _model(types, k, integral=False)
    h.run()
    return float(h.getInfo().objective_function_value)


@functools.cache
def _mute_banner() -> None:
    """HiGHS prints a banner to the C-level stdout when a process makes its first instance: make that one muted."""
    import highspy

    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _model(types: OrderTypes, k: int, integral: bool):
    """A silent HiGHS instance holding the program (x integral or not) and the multi-SKU types behind its y."""
    import highspy

    _mute_banner()
    multi = np.flatnonzero(types.sizes > 1)
    n_x, n_y = types.n_skus, len(multi)
    sub = types.matrix[multi].tocoo()
    n_pairs = sub.nnz
    # rows 0..n_pairs-1: y_j - x_i <= 0; row n_pairs: sum x <= k
    rows = np.concatenate([np.arange(n_pairs), np.arange(n_pairs), np.full(n_x, n_pairs)])
    cols = np.concatenate([n_x + sub.row, sub.col, np.arange(n_x)])
    vals = np.concatenate([np.ones(n_pairs), -np.ones(n_pairs), np.ones(n_x)])
    a = sparse.csc_matrix((vals, (rows, cols)), shape=(n_pairs + 1, n_x + n_y))
    upper = np.ones(n_x + n_y)
    upper[:n_x][types.popularity <= 0] = 0.0
    h = highspy.Highs()
    h.silent()
    h.passModel(n_x + n_y, n_pairs + 1, a.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMaximize),
                0.0, np.concatenate([types.single_weight, types.weights[multi]]), np.zeros(n_x + n_y), upper,
                np.full(n_pairs + 1, -np.inf), np.concatenate([np.zeros(n_pairs), [float(k)]]),
                a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data,
                np.concatenate([np.full(n_x, int(integral)), np.zeros(n_y)]).astype(np.int32))
    return h, multi


def _solution(types: OrderTypes, sku_ids: np.ndarray, multi: np.ndarray):
    import highspy

    x = np.zeros(types.n_skus)
    pos = types.index_of(sku_ids)
    x[pos[pos >= 0]] = 1.0
    y = (np.asarray(types.matrix[multi] @ x).ravel() >= types.sizes[multi] - 1e-9).astype(float)
    sol = highspy.HighsSolution()
    sol.col_value = np.concatenate([x, y]).tolist()
    sol.value_valid = True
    return sol
