"""Learn from the optimum: a ranker trained on past weeks' optimal assortments ranks the SKUs for next week.

Every week s of the window after its first is labelled with its own hindsight optimum at K: the exact MIP
(HiGHS, warm-started, at most `cfg.learned_label_time_limit` seconds) on week s's orders, the assortment a perfect
forecast of that week would stock. The MIP rather than swap search or a min-cut closure: on FDC-sized weeks it
proves optimality in hundredths of a second (a closure is optimal only for its own size, not for K), so the label
is the optimum itself, not a heuristic's guess. Each SKU's features come from the weeks before s only: the net's
features (assort.net.features: orders, last week, trend, small and single orders, basket size, customers,
Reverse-Exclude's ranking, chain and style evidence, price) plus K-aware ones (popularity's and Reverse-Exclude's
rank over K, the share of the SKU's orders that hold other SKUs, and the share of them whose other SKUs popularity's
or Reverse-Exclude's top K already stock). A gradient-boosted classifier (sklearn, 100 trees of depth 3) per budget
position, pooling the label weeks of all FDCs of the window, learns features -> in the optimum; the full window's
SKUs are then ranked by its probability for the week after (ties: popularity). With fewer than 2 weeks nothing can
be labelled, and the method is popularity (`info["fallback"]` says why).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from skulab.assort import exact, heuristics
from skulab.assort.net.features import candidates, sku_features
from skulab.assort.order_types import Assortment, OrderTypes, popularity_order
from skulab.assort.windows import Window
from skulab.config import AssortConfig


def run(windows: list[Window], ks: list[list[int]], cfg: AssortConfig) -> list[list[Assortment]]:
    """Per window (FDC) and budget, its SKUs ranked by a ranker trained on the optima of the windows' past weeks."""
    examples = [labelled(w, kl, cfg.learned_label_time_limit) for w, kl in zip(windows, ks)]
    tables = [features(w, kl) for w, kl in zip(windows, ks)]
    out: list[list[Assortment]] = [[] for _ in windows]
    for i in range(len(ks[0])):
        rows = [pair for ex in examples for pair in ex[i]]
        y = np.concatenate([lab for _, lab in rows]) if rows else np.zeros(0, dtype=bool)
        reason = ("fewer than 2 weeks with orders: no past week to label" if not len(y)
                  else "every label is the same" if y.all() or not y.any() else None)
        model = None if reason else GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=cfg.seed
                                                               ).fit(pd.concat([t for t, _ in rows]).to_numpy(), y)
        for f, (window, kl) in enumerate(zip(windows, ks)):
            if model is None:
                a = heuristics.popularity(window.types, kl[i])
                out[f].append(Assortment(a.sku_ids, a.scores, "learned", {"fallback": "popularity", "reason": reason}))
                continue
            table = tables[f][i]
            p = model.predict_proba(table.to_numpy())[:, 1]
            order = np.lexsort((table["pop_rank_k"].to_numpy(), -p))[: kl[i]]
            out[f].append(Assortment(table.index.to_numpy()[order], p[order], "learned",
                                     {"label_weeks": len(rows), "examples": len(y), "positives": int(y.sum())}))
    return out


def labelled(window: Window, ks: list[int], time_limit: float) -> list[list[tuple[pd.DataFrame, np.ndarray]]]:
    """Per budget, per week of the window after its first (with orders before and in it): features from the weeks
    before it, and whether each SKU is in that week's optimum at that budget."""
    out: list[list[tuple[pd.DataFrame, np.ndarray]]] = [[] for _ in ks]
    for week in window.weeks[1:]:
        before = window.before(week)
        if not len(before.lines) or not (window.lines["week"] == week).any():
            continue
        types = window.week_types(week)
        for i, (k, table) in enumerate(zip(ks, features(before, ks))):
            best = exact.mip(types, k, time_limit, start=heuristics.warm_start(types, k)).top(k)
            out[i].append((table, table.index.isin(best)))
    return out


def features(window: Window, ks: list[int]) -> list[pd.DataFrame]:
    """Per budget, one row per candidate SKU of the window: the net's standardised features and the K-aware ones."""
    sku_ids = candidates(window)
    base = sku_features(window, sku_ids).numeric
    types = window.types
    pos = types.index_of(sku_ids)
    known = pos >= 0
    ordered = popularity_order(types)
    ordered = ordered[types.popularity[ordered] > 0]
    peeled = types.index_of(heuristics.reverse_exclude(types, types.n_skus).sku_ids)
    pop = types.popularity
    multi = np.where(pop > 0, 1.0 - types.single_weight / np.where(pop > 0, pop, 1.0), 0.0)
    out = []
    for k in ks:
        extra = {
            "pop_rank_k": _rank_over_k(ordered, types.n_skus, k),
            "re_rank_k": _rank_over_k(peeled, types.n_skus, k),
            "multi_share": multi,
            "completes_popular": _completes(types, ordered[:k]),
            "completes_reverse_exclude": _completes(types, peeled[:k]),
        }
        table = base.copy()
        for name, values in extra.items():
            absent = values.max(initial=0.0) if name.endswith("rank_k") else 0.0
            table[name] = np.where(known, values[np.where(known, pos, 0)], absent)
        out.append(table)
    return out


def _rank_over_k(ranked: np.ndarray, n_skus: int, k: int) -> np.ndarray:
    """log(rank / k) per column (1 = first); columns the ranking leaves out rank last."""
    rank = np.full(n_skus, len(ranked) + 1.0)
    rank[ranked] = np.arange(1, len(ranked) + 1)
    return np.log(rank / k)


def _completes(types: OrderTypes, stocked: np.ndarray) -> np.ndarray:
    """Per column: share of the orders holding it, with other SKUs too, whose other SKUs are all in `stocked`."""
    m, w = types.matrix, types.weights
    inside = np.zeros(types.n_skus, dtype=bool)
    inside[stocked] = True
    out_count = types.sizes - np.asarray(m @ inside.astype(np.float32)).ravel().round().astype(np.int64)
    rows = np.repeat(np.arange(types.n_types), np.diff(m.indptr))
    others_in = (out_count[rows] - ~inside[m.indices] == 0) & (types.sizes[rows] > 1)
    done = np.bincount(m.indices[others_in], weights=w[rows[others_in]], minlength=types.n_skus)
    multi = types.popularity - types.single_weight
    return np.where(multi > 0, done / np.where(multi > 0, multi, 1.0), 0.0)
