"""The exact assortment: the max-coverage integer program solved by HiGHS, with its status, bound and gap.

max sum_j v_j y_j  s.t.  y_j <= x_i (i in order type j),  sum_i x_i <= K,  x binary, 0 <= y <= 1.
Only x needs to be integral: with x fixed, the best y is min over the type's x, already 0 or 1. Orders of
one SKU need no y (their weight goes onto that SKU's x). HiGHS (highspy) is the only solver used: it cannot
share a process with OR-Tools.
"""

from __future__ import annotations

import atexit
import functools
import os
import pickle
import select
import struct
import subprocess
import sys
import time

import numpy as np
from scipy import sparse

from skulab.assort.heuristics import covered_weight
from skulab.assort.order_types import Assortment, OrderTypes, complete, from_order

GRACE_SECONDS = 2.0  # past the time limit, the most a stopped solve may take to hand back its answer


def mip(types: OrderTypes, k: int, time_limit: float = 60.0, start: Assortment | None = None) -> Assortment:
    """Solve the integer program to proven optimality or until `time_limit` seconds of wall time.

    `info` reports status, objective and dual bound (in orders), relative gap, seconds and nodes; the
    objective is the weight the returned assortment covers. `start` (e.g. a heuristic) seeds HiGHS, and is what
    comes back when the solve is stopped before HiGHS found anything better.
    """
    t0 = time.perf_counter()
    live = np.flatnonzero(types.popularity > 0)
    if k >= len(live):
        order = complete(types, live, k)
        return from_order(types, order, types.popularity[order], "mip", status="Optimal", objective=types.total,
                          dual_bound=types.total, gap=0.0, seconds=time.perf_counter() - t0, nodes=0)
    x, status, dual_bound, nodes = _solve_within(types, k, time_limit, start)
    chosen = np.flatnonzero(x > 0.5)
    objective = covered_weight(types, types.sku_ids[chosen])
    done = np.where(types.matrix @ (x > 0.5).astype(np.float32) >= types.sizes - 1e-6, types.weights, 0.0)
    value = np.asarray(types.by_sku @ done).ravel()
    order = complete(types, chosen[np.lexsort((-types.popularity[chosen], -value[chosen]))], k)
    bound = max(dual_bound, objective) if np.isfinite(dual_bound) else float("inf")
    if status == "Optimal":  # proven: the gap is below the tolerance (one order when weights are integers)
        bound = objective
    return from_order(types, order, np.concatenate([value[order[:len(chosen)]], np.zeros(len(order) - len(chosen))]),
                      "mip", k, status=status, objective=objective, dual_bound=bound,
                      gap=(bound - objective) / max(bound, 1e-12), seconds=time.perf_counter() - t0,
                      nodes=nodes)


def _solve_within(types: OrderTypes, k: int, time_limit: float, start: Assortment | None
                  ) -> tuple[np.ndarray, str, float, int]:
    """(x, status, dual bound, nodes) of HiGHS run in a solver process that is killed past the deadline.

    HiGHS checks its time limit and interrupt callbacks in simplex and branch-and-bound, but not inside every
    phase (root cut separation on large instances runs for minutes), so the wall time is bounded by the process:
    it gets `time_limit` plus a short grace, then the warm start stands with an unknown dual bound.
    """
    answer = _SOLVER.solve((types, k, time_limit, start), time_limit + min(GRACE_SECONDS, 0.5 * time_limit + 0.5))
    if answer is not None:
        return answer
    x = np.zeros(types.n_skus)
    if start is not None:
        pos = types.index_of(start.top(k))
        x[pos[pos >= 0]] = 1.0
    return x, "Time limit reached (solver process stopped)", float("inf"), 0


class _SolverProcess:
    """One long-lived child process (`serve`) that solves MIPs sent to it (length-prefixed pickles);
    it starts on first use and again after it was stopped at a deadline."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None

    def solve(self, request: tuple, timeout: float) -> tuple | None:
        """The child's answer to `request`, or None when none came within `timeout` seconds (the child is killed)."""
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([sys.executable, "-c", "from skulab.assort.exact import serve; serve()"],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        proc = self._proc
        _send(proc.stdin, request)
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        answer = _receive(proc.stdout) if ready else None
        if answer is None:
            self.stop()
        return answer

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None


_SOLVER = _SolverProcess()
atexit.register(_SOLVER.stop)


def _send(stream, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _receive(stream) -> object | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    return pickle.loads(stream.read(struct.unpack("<Q", head)[0]))


def serve() -> None:
    """The solver process: answer requests from stdin on the original stdout; HiGHS's own output goes to stderr."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        while (request := _receive(requests)) is not None:
            _send(answers, _solve(*request))
    except KeyboardInterrupt:  # the interrupt that stops a notebook's kernel reaches this child too: exit quietly
        return


def _solve(types: OrderTypes, k: int, time_limit: float, start: Assortment | None) -> tuple:
    """HiGHS with its time limit and interrupt callbacks at the deadline."""
    t0 = time.perf_counter()
    h, multi = _model(types, k, integral=True)
    h.setOptionValue("time_limit", float(time_limit))
    # HiGHS's presolve cannot be interrupted and takes minutes on large-basket instances
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
    return x, status, float(info.mip_dual_bound), int(info.mip_node_count)


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
