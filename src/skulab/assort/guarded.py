"""A guard against learned methods that do not pay: popularity unless a candidate beats it on the held-out week.

Per FDC and budget, every candidate (`cfg.guard_candidates`; sku2vec only when SKU vectors can be fitted) and
popularity learn from the window's weeks but the last (K scaled to their SKUs) and are scored on the last week's
orders. The candidate with the highest fill there is picked if it beats popularity's by more than
`cfg.guard_margin`, else popularity is (a tie keeps popularity); the pick then runs on the whole window, so the
guard's assortment is exactly the picked method's. `info["choice"]` names it and `info["valid_fills"]` holds
each method's held-out fill. Without a held-out week (a one-week window) the guard keeps popularity.
"""

from __future__ import annotations

from collections.abc import Callable

from skulab.assort.local_search import inner_budgets
from skulab.assort.metrics import fill_rate, stocked_mask
from skulab.assort.order_types import Assortment
from skulab.assort.windows import Window
from skulab.config import AssortConfig

Runner = Callable[[str, list[Window], list[list[int]]], list[list[Assortment]]]


def run(windows: list[Window], ks: list[list[int]], cfg: AssortConfig, runner: Runner,
        vectors: bool = False) -> list[list[Assortment]]:
    """Per window (FDC) and budget, the assortment of the method picked on the held-out week.

    `runner(method, windows, ks)` runs a registered method (skulab.assort.methods.run); `vectors` says whether
    it can fit SKU2Vec vectors, without which sku2vec is no candidate.
    """
    names = [m for m in cfg.guard_candidates if m != "popularity" and (vectors or m != "sku2vec")]
    picks, fills = choose(windows, ks, cfg.guard_margin, names, runner)
    results = {m: runner(m, windows, ks) for m in sorted({p for row in picks for p in row})}
    return [[Assortment(results[pick][f][i].sku_ids, results[pick][f][i].scores, "guarded",
                        {**results[pick][f][i].info, "choice": pick, "valid_fills": fills[f][i]})
             for i, pick in enumerate(row)] for f, row in enumerate(picks)]


def choose(windows: list[Window], ks: list[list[int]], margin: float, names: list[str], runner: Runner
           ) -> tuple[list[list[str]], list[list[dict[str, float]]]]:
    """Per window and budget, the method picked and every method's fill of the held-out week (empty without one)."""
    picks = [["popularity"] * len(kl) for kl in ks]
    fills: list[list[dict[str, float]]] = [[{} for _ in kl] for kl in ks]
    splits = [w.inner() for w in windows]
    live = [f for f, s in enumerate(splits) if s is not None and len(s[0].lines)]
    if not live:
        return picks, fills
    inner = [splits[f][0] for f in live]
    valid = [splits[f][1] for f in live]
    inner_ks = [inner_budgets(ks[f], windows[f], w) for f, w in zip(live, inner)]
    for m in ["popularity", *names]:
        for n, (f, row) in enumerate(zip(live, runner(m, inner, inner_ks))):
            for i, (a, k) in enumerate(zip(row, inner_ks[n])):
                fills[f][i][m] = fill_rate(valid[n], stocked_mask(valid[n], a.top(k)))
    for f in live:
        for i, got in enumerate(fills[f]):
            best = max(names, key=lambda m: got[m], default=None)  # ties: the earlier candidate
            if best is not None and got[best] > got["popularity"] + margin + 1e-12:
                picks[f][i] = best
    return picks, fills

