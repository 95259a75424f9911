"""The learned ranker: K distinct SKUs of the window, popularity without a past week, the optimum's pattern learnt."""

import numpy as np
import pandas as pd

from skulab.assort import heuristics, learned, methods, synthetic
from skulab.assort.metrics import fill_rate, stocked_mask
from skulab.assort.net.features import candidates
from skulab.assort.order_types import from_lines
from skulab.assort.windows import window, with_weeks
from skulab.config import AssortConfig

CFG = AssortConfig(learned_label_time_limit=5)


def _window(lines: pd.DataFrame):
    lines = with_weeks(lines)
    return window(lines, "F1", lines["week"].min(), lines["week"].max() + pd.Timedelta(weeks=1))


def _planted(week: int, seed: int) -> pd.DataFrame:
    """One week: ten pairs that always sell together, twenty more popular SKUs each beside a one-off SKU."""
    rng = np.random.default_rng(seed)
    baskets = [[f"a{p}", f"b{p}"] for p in range(10) for _ in range(rng.poisson(6))]
    baskets += [[f"c{c}", f"t{week}_{c}_{n}"] for c in range(20) for n in range(rng.poisson(9))]
    baskets += [[f"s{s}"] for s in rng.integers(0, 30, size=20)]
    rows = [(f"w{week}o{n:04d}", sku) for n, basket in enumerate(baskets) for sku in basket]
    return pd.DataFrame({"fdc_id": "F1", "order_id": [r[0] for r in rows],
                         "ts": pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=week), "customer_id": None,
                         "sku_id": [r[1] for r in rows], "qty": 1.0})


def test_learned_returns_k_distinct_skus_of_the_window() -> None:
    win = _window(synthetic.order_lines(60, 900, seed=3, weeks=3))
    ks = [5, 15]

    got = [t.assortment for t in methods.run("learned", [win], [ks], CFG)[0]]

    for k, a in zip(ks, got):
        assert len(a) == len(set(a.sku_ids)) == k and set(a.sku_ids) <= set(candidates(win))
        assert a.method == "learned" and a.info["label_weeks"] == 2 and 0 < a.info["positives"] < a.info["examples"]
        assert (np.diff(a.scores) <= 0).all()  # ranked by predicted probability


def test_learned_falls_back_to_popularity_with_one_week() -> None:
    win = _window(synthetic.order_lines(60, 300, seed=3, weeks=1))

    got = methods.run("learned", [win], [[10]], CFG)[0][0].assortment

    assert got.info["fallback"] == "popularity" and "fewer than 2 weeks" in got.info["reason"]
    assert list(got.top(10)) == list(heuristics.popularity(win.types, 10).top(10))


def test_learned_beats_popularity_where_the_optimum_keeps_pairs_popularity_splits() -> None:
    win = _window(pd.concat([_planted(w, seed=w) for w in range(4)], ignore_index=True))
    test = from_lines(_planted(4, seed=4))
    k = 20

    got = learned.run([win], [[k]], CFG)[0][0]
    popular = heuristics.popularity(win.types, k).top(k)

    popular_fill, learned_fill = (fill_rate(test, stocked_mask(test, a)) for a in (popular, got.top(k)))
    assert len(set(popular) & {f"c{c}" for c in range(20)}) >= 15  # popularity stocks loners, completing little
    assert learned_fill > popular_fill + 0.15, (learned_fill, popular_fill)
    assert len(set(got.top(k)) & {f"{s}{p}" for s in "ab" for p in range(10)}) >= 16
