"""A guard against learned methods that do not pay: popularity unless a candidate surely beats it on held-out weeks.

Per budget, every candidate (`cfg.guard_candidates`; sku2vec only when SKU vectors can be fitted) and
popularity learn from the same weeks and are scored on the same held-out orders, in each of the latest weeks
before the test: at least `guard_weeks`, more until they hold `guard_orders` orders, at most `guard_max_weeks`
(`held_out_weeks`; `Window.validation_splits`: each held-out week is trained on a window as long as the method's
own, where the earlier weeks allow). The decision is one per budget for the FDCs run together (a chain's
policy: which method it deploys), on the held-out orders of all of them, and a candidate is picked only when that
decision is sure of itself:
- its gain over popularity, pooled over the held-out orders, has a one-sided lower confidence bound above
  `guard_margin` (a paired test over orders, each filled or not by both; the confidence `guard_confidence` is
  split among the candidates, Bonferroni, so trying more candidates does not buy false wins), and
- it fills more than popularity in most of the held-out weeks (a gain that a single week carries is not trusted).
Among the sure candidates the largest gain wins. When none is sure but one leads (the largest pooled gain above
`guard_margin`), the leader alone gets a second look on earlier weeks the first decision never saw, as many as
hold `guard_orders` orders again within `guard_max_weeks` (`confirm_weeks`): it is picked when it is sure there,
one test at `guard_confidence` (the leader was chosen on other orders, so no split among candidates), which keeps
a gain too small for one look without letting the first look's noise through. Otherwise (and without any
held-out week) it is popularity. The pick then runs on the whole window, so the guard's assortment is exactly the
picked method's. `info["choice"]` names it, `info["valid_fills"]` holds each method's pooled fill on the first
look's weeks, `info["valid_weeks"]` their number and `info["confirm_weeks"]` the second look's (0 without one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from skulab.assort.local_search import inner_budgets
from skulab.assort.metrics import missing_counts, stocked_mask
from skulab.assort.order_types import Assortment, OrderTypes
from skulab.assort.windows import Window
from skulab.config import AssortConfig

Runner = Callable[[str, list[Window], list[list[int]]], list[list[Assortment]]]


@dataclass(frozen=True)
class Verdict:
    """The guard's decision for one budget (all FDCs run together): the pick, each method's pooled held-out fill,
    the held-out weeks."""

    choice: str
    fills: dict[str, float]
    weeks: int
    leader: str | None = None  # the unsure candidate with the largest gain above the margin, when no pick is sure
    confirm_weeks: int = 0  # the weeks of the leader's second look


def run(windows: list[Window], ks: list[list[int]], cfg: AssortConfig, runner: Runner,
        vectors: bool = False) -> list[list[Assortment]]:
    """Per window (FDC) and budget, the assortment of the method picked on the held-out weeks.

    `runner(method, windows, ks)` runs a registered method (skulab.assort.methods.run); `vectors` says whether
    it can fit SKU2Vec vectors, without which sku2vec is no candidate.
    """
    names = [m for m in cfg.guard_candidates if m != "popularity" and (vectors or m != "sku2vec")]
    verdicts = choose(windows, ks, cfg, names, runner)
    results = {m: runner(m, windows, ks) for m in sorted({v.choice for row in verdicts for v in row})}
    return [[Assortment(results[v.choice][f][i].sku_ids, results[v.choice][f][i].scores, "guarded",
                        {**results[v.choice][f][i].info, "choice": v.choice, "valid_fills": v.fills,
                         "valid_weeks": v.weeks, "confirm_weeks": v.confirm_weeks})
             for i, v in enumerate(row)] for f, row in enumerate(verdicts)]


def choose(windows: list[Window], ks: list[list[int]], cfg: AssortConfig, names: list[str], runner: Runner
           ) -> list[list[Verdict]]:
    """Per window and budget, the guard's verdict (see the module docstring): one per budget for all the FDCs of
    the windows, decided on their held-out orders pooled."""
    splits = [w.validation_splits(cfg.guard_max_weeks) for w in windows]
    weeks = held_out_weeks(splits, cfg.guard_weeks, cfg.guard_orders)
    methods = ["popularity", *names]
    filled = _held_out(windows, ks, splits, weeks, methods, runner)
    z = NormalDist().inv_cdf(1 - (1 - cfg.guard_confidence) / max(len(names), 1))
    budgets = range(max((len(kl) for kl in ks), default=0))
    verdicts = [decide(_cell(filled, i, methods, weeks), names, z, cfg.guard_margin) for i in budgets]
    leaders = {i: v.leader for i, v in enumerate(verdicts) if v.leader}
    earlier = held_out_weeks([[s for s in fdc if s[0] < min(weeks)] for fdc in splits], 1, cfg.guard_orders
                             ) if leaders and weeks else []
    if earlier:
        again = _held_out(windows, ks, splits, earlier, ["popularity", *sorted(set(leaders.values()))], runner)
        one = NormalDist().inv_cdf(cfg.guard_confidence)
        for i, lead in leaders.items():
            second = decide(_cell(again, i, ["popularity", lead], earlier), [lead], one, cfg.guard_margin)
            verdicts[i] = replace(verdicts[i], choice=second.choice, confirm_weeks=second.weeks)
    return [[verdicts[i] for i in range(len(kl))] for kl in ks]


Filled = dict[tuple[int, str, np.datetime64], list[tuple[np.ndarray, np.ndarray]]]


def _held_out(windows: list[Window], ks: list[list[int]], splits: list[list[tuple[np.datetime64, Window, OrderTypes]]],
              weeks: list[np.datetime64], methods: list[str], runner: Runner) -> Filled:
    """Per budget, method and held-out week of `weeks`: (order weights, filled or not) of every FDC with orders
    that week, each method trained on the same weeks before it."""
    filled: Filled = {}
    for held in weeks:  # one call per week: pooled methods share its weeks
        live = [(f, inner, test) for f, s in enumerate(splits) for h, inner, test in s if h == held]
        inner_ks = [inner_budgets(ks[f], windows[f], inner) for f, inner, _ in live]
        for m in methods:
            rows = runner(m, [inner for _, inner, _ in live], inner_ks)
            for (_, _, test), row, kl in zip(live, rows, inner_ks):
                for i, (a, k) in enumerate(zip(row, kl)):
                    filled.setdefault((i, m, held), []).append((test.weights, _filled(test, a.top(k))))
    return filled


def _cell(filled: Filled, i: int, methods: list[str], weeks: list[np.datetime64]
          ) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """One budget's held-out weeks per method, each week's FDCs pooled."""
    return {m: [_pooled(filled[i, m, h]) for h in weeks if (i, m, h) in filled] for m in methods}


def held_out_weeks(splits: list[list[tuple[np.datetime64, Window, OrderTypes]]], least: int, orders: int
                   ) -> list[np.datetime64]:
    """The latest weeks of `splits` (each FDC's held-out weeks), at least `least` of them and more until they hold
    `orders` orders over the FDCs: a paired test over few orders cannot be sure of a small gain."""
    held: dict[np.datetime64, float] = {}
    for s in splits:
        for week, _, test in s:
            held[week] = held.get(week, 0) + test.total
    chosen: list[np.datetime64] = []
    for week in sorted(held, reverse=True):
        if len(chosen) >= least and sum(held[w] for w in chosen) >= orders:
            break
        chosen.append(week)
    return sorted(chosen)


def _pooled(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """One held-out week's orders of every FDC, as one (weights, filled) pair."""
    return np.concatenate([w for w, _ in parts]), np.concatenate([x for _, x in parts])


def decide(cell: dict[str, list[tuple[np.ndarray, np.ndarray]]], names: list[str], z: float,
           margin: float) -> Verdict:
    """Popularity unless a candidate's pooled gain has its lower bound (mean - z x standard error) above `margin`
    and it wins most held-out weeks; among such candidates the largest gain. Without a sure one, the verdict names
    the candidate with the largest gain above `margin` as its leader."""
    pop = cell["popularity"]
    weeks = len(pop)
    if not weeks:
        return Verdict("popularity", {}, 0)
    w = np.concatenate([wt for wt, _ in pop])
    fills = {m: float(np.concatenate([x for _, x in cell[m]]) @ w / w.sum()) for m in cell}
    best, best_gain, leader, lead_gain = "popularity", 0.0, None, margin
    for m in names:
        d = np.concatenate([x for _, x in cell[m]]) - np.concatenate([x for _, x in pop])
        gain = float(d @ w / w.sum())
        se = float(np.sqrt(((d - gain) ** 2) @ w / w.sum() / w.sum()))
        wins = sum(float(x @ wt) > float(p @ wt) for (wt, x), (_, p) in zip(cell[m], pop))
        if gain - z * se > margin and wins > weeks / 2 and gain > best_gain:
            best, best_gain = m, gain
        if gain > lead_gain:
            leader, lead_gain = m, gain
    return Verdict(best, fills, weeks, None if best != "popularity" else leader)


def _filled(types: OrderTypes, top: np.ndarray) -> np.ndarray:
    """1.0 for each order type the assortment `top` fills completely, else 0.0."""
    return (missing_counts(types, stocked_mask(types, top)) == 0).astype(float)
