"""Every assortment method behind one call: the windows of some FDCs (same weeks) and their budgets in, assortments out.

Methods that rank every SKU once (popularity, Reverse-Exclude, the hybrid, forecast_topk) are cut at each K; the
others run once per K. The net, the hybrid's parameter choice, the learned ranker, the guard's candidates and the
forecast (forecast_topk, net_forecast, hybrid_forecast: one pooled fit per fold, shared) pool all FDCs of the
window; per-FDC methods loop. Each result carries its wall time (a pooled method's time is shared equally
among its FDCs; a forecast reused from another method's fit is charged its fit's seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.assort import exact, guarded, heuristics, hybrid, local_search, sku2vec
from skulab.assort.order_types import Assortment
from skulab.assort.windows import Window
from skulab.config import AssortConfig, Config
from skulab.errors import DataError
from skulab.registry import ASSORT_METHODS


@dataclass(frozen=True)
class Timed:
    """An assortment and the seconds it took."""

    assortment: Assortment
    seconds: float


# the methods whose assortment for an FDC reads that FDC's window alone (the others learn across a window's FDCs)
PER_FDC = ("popularity", "order_greedy", "reverse_exclude", "swap_search", "mip", "sku2vec")


def run(method: str, windows: list[Window], ks: list[list[int]], cfg: AssortConfig,
        fit_vectors: Callable[[pd.DataFrame], sku2vec.Vectors] | None = None,
        done: Mapping[str, list[list[Timed]]] | None = None) -> list[list[Timed]]:
    """Assortments of `method` for each window (FDC) and each of its budgets: out[f][i] has size ks[f][i].

    `done` holds methods already run on these same windows and budgets: the guard reuses its pick from there
    instead of running it again, and is charged the pick's seconds as if it had.
    """
    if method not in ASSORT_METHODS:
        raise ValueError(f"unknown assortment method '{method}' (known: {', '.join(ASSORT_METHODS)})")
    if method == "net":
        return _net(windows, ks, cfg)
    if method == "hybrid":
        return _hybrid(windows, ks)
    if method in ("forecast_topk", "net_forecast", "hybrid_forecast"):
        return _forecasting(method, windows, ks, cfg)
    if method == "sku2vec":
        if fit_vectors is None:
            raise ValueError("the sku2vec method needs fit_vectors (order lines -> SKU vectors)")
        return [_sku2vec(w, kl, fit_vectors) for w, kl in zip(windows, ks)]
    if method == "local_search":
        return _pooled(lambda: local_search.run(windows, ks, cfg), len(windows))
    if method == "learned":
        from skulab.assort import learned

        return _pooled(lambda: learned.run(windows, ks, cfg), len(windows))
    if method == "guarded":
        return _guarded(windows, ks, cfg, fit_vectors, done or {})
    return [_per_fdc(method, w, kl, cfg) for w, kl in zip(windows, ks)]


def vector_fitter(cfg: Config, skus: pd.DataFrame | None, methods: list[str]
                  ) -> Callable[[pd.DataFrame], sku2vec.Vectors] | None:
    """Order lines -> SKU2Vec vectors (skulab.embed, the profile's embed section, SKU attributes `skus`) when
    `methods` hold 'sku2vec' (or 'guarded' with sku2vec among its candidates), else None.

    The output-side vectors, the side notebook 05's table of vector sides chose on the validation orders.
    """
    if "sku2vec" not in methods and not ("guarded" in methods and "sku2vec" in cfg.assort.guard_candidates):
        return None
    from skulab.embed import sku2vec as embeddings

    def fit_vectors(lines: pd.DataFrame) -> sku2vec.Vectors:
        return embeddings.fit(lines, cfg.embed, skus, progress=False).output_embeddings()

    return fit_vectors


def _guarded(windows: list[Window], ks: list[list[int]], cfg: AssortConfig,
             fit_vectors: Callable[[pd.DataFrame], sku2vec.Vectors] | None,
             done: Mapping[str, list[list[Timed]]]) -> list[list[Timed]]:
    """The guard, its pick on the full windows taken from `done` when that method ran there already."""
    def runner(name: str, wins: list[Window], budgets: list[list[int]]) -> list[list[Assortment]]:
        rows = done[name] if wins is windows and name in done else run(name, wins, budgets, cfg, fit_vectors)
        return [[t.assortment for t in row] for row in rows]

    def reused(pick: str, f: int, i: int) -> float:
        return done[pick][f][i].seconds if pick in done else 0.0

    results = _pooled(lambda: guarded.run(windows, ks, cfg, runner, vectors=fit_vectors is not None), len(windows))
    return [[Timed(t.assortment, t.seconds + reused(t.assortment.info["choice"], f, i)) for i, t in enumerate(row)]
            for f, row in enumerate(results)]


def _per_fdc(method: str, window: Window, ks: list[int], cfg: AssortConfig) -> list[Timed]:
    types = window.types
    if method in ("popularity", "reverse_exclude"):
        fn = heuristics.popularity if method == "popularity" else heuristics.reverse_exclude
        t0 = time.perf_counter()
        ranked = fn(types, max(ks))
        seconds = time.perf_counter() - t0
        return [Timed(_cut(ranked, k), seconds) for k in ks]
    out = []
    for k in ks:
        t0 = time.perf_counter()
        if method == "order_greedy":
            a = heuristics.order_greedy(types, k)
        elif method == "swap_search":
            a = heuristics.swap_search(types, k)
        elif method == "mip":
            a = exact.mip(types, k, cfg.mip_time_limit, start=heuristics.warm_start(types, k))
        else:
            raise ValueError(f"assortment method '{method}' has no runner in skulab.assort.methods")
        out.append(Timed(a, time.perf_counter() - t0))
    return out


def _forecasting(method: str, windows: list[Window], ks: list[list[int]], cfg: AssortConfig) -> list[list[Timed]]:
    """The methods that read the fold's forecast (skulab.assort.forecast_topk), each charged the fits it reuses."""
    from skulab.assort import forecast_topk

    ahead = forecast_topk.demand_of(cfg)
    inner = forecast_topk.demand_of(cfg, cfg.topk_inner_models)
    with forecast_topk.reused() as reused:
        if method == "forecast_topk":
            results = _pooled(lambda: forecast_topk.run(windows, ks, cfg), len(windows))
        elif method == "net_forecast":
            results = _net(windows, ks, cfg, ahead, inner, name=method)
        else:
            results = _hybrid(windows, ks, ahead, inner, name=method)
    extra = sum(reused.values()) / len(windows)
    return [[Timed(t.assortment, t.seconds + extra) for t in row] for row in results]


def _net(windows: list[Window], ks: list[list[int]], cfg: AssortConfig,
         forecast: Callable[[Window], pd.Series] | None = None,
         inner_forecast: Callable[[Window], pd.Series] | None = None, name: str = "net") -> list[list[Timed]]:
    from skulab.assort import net

    out: list[list[Timed]] = [[] for _ in windows]
    t0 = time.perf_counter()
    prepared = net.prepare(windows, cfg.net_max_pairs, forecast, inner_forecast)
    shared = (time.perf_counter() - t0) / len(windows) / len(ks[0])
    for i in range(len(ks[0])):
        t0 = time.perf_counter()
        fits = net.fit_pooled(windows, [kl[i] for kl in ks], cfg.net_epochs, cfg.net_hidden, seed=cfg.seed,
                              prepared=prepared)
        seconds = (time.perf_counter() - t0) / len(windows) + shared
        for f, fit in enumerate(fits):
            a = fit.assortment
            out[f].append(Timed(Assortment(a.sku_ids, a.scores, name, a.info), seconds))
    return out


def _hybrid(windows: list[Window], ks: list[list[int]], forecast: Callable[[Window], pd.Series] | None = None,
            inner_forecast: Callable[[Window], pd.Series] | None = None, name: str = "hybrid") -> list[list[Timed]]:
    t0 = time.perf_counter()
    chosen = hybrid.choose(windows, ks, forecast_of=inner_forecast)
    shared = (time.perf_counter() - t0) / len(windows)
    out = []
    for window, budgets in zip(windows, ks):
        rankings: dict[hybrid.HybridParams, tuple[Assortment, float]] = {}
        row = []
        for k, params in zip(budgets, chosen):
            if params not in rankings:
                t0 = time.perf_counter()
                rankings[params] = (hybrid.rank(window, params, forecast), time.perf_counter() - t0)
            ranked, seconds = rankings[params]
            cut = _cut(ranked, k)
            row.append(Timed(Assortment(cut.sku_ids, cut.scores, name, cut.info), seconds + shared))
        out.append(row)
    return out


def _sku2vec(window: Window, ks: list[int], fit_vectors: Callable[[pd.DataFrame], sku2vec.Vectors]) -> list[Timed]:
    t0 = time.perf_counter()
    try:
        chosen = sku2vec.choose(window, ks, fit_vectors)
        vectors = fit_vectors(window.lines)
    except DataError:  # too few multi-SKU orders to embed: no neighbours, so the seed is all there is
        chosen, vectors = [(1.0, 0.0)] * len(ks), sku2vec.no_vectors(window.types.sku_ids)
    shared = time.perf_counter() - t0
    out = []
    for k, (share, strength) in zip(ks, chosen):
        t0 = time.perf_counter()
        a = sku2vec.expand(window.types, k, vectors, share, strength)
        out.append(Timed(a, shared + time.perf_counter() - t0))
    return out


def _pooled(fn: Callable[[], list[list[Assortment]]], n_windows: int) -> list[list[Timed]]:
    """Run a method over all windows at once; its wall time is shared equally among them."""
    t0 = time.perf_counter()
    results = fn()
    seconds = (time.perf_counter() - t0) / max(n_windows, 1)
    return [[Timed(a, seconds) for a in row] for row in results]


def _cut(ranked: Assortment, k: int) -> Assortment:
    return Assortment(ranked.sku_ids[:k], np.asarray(ranked.scores)[:k], ranked.method, ranked.info)
