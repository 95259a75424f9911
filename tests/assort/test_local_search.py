"""Local search stopped on the held-out week: it never loses to its start there, and replays the moves it earned."""

import numpy as np
import pandas as pd
import pytest

from skulab.assort import heuristics, local_search, methods, synthetic
from skulab.assort.metrics import fill_rate, stocked_mask
from skulab.config import AssortConfig


@pytest.mark.parametrize(("seed", "k"), [(seed, k) for seed in range(4) for k in (5, 12)])
def test_local_search_never_lowers_the_validation_fill_of_its_start(seed: int, k: int) -> None:
    inner, valid = synthetic.whole_window(synthetic.order_lines(40, 600, seed=seed, weeks=3)).inner()
    start = heuristics.popularity(inner.types, k).top(k)

    checked = local_search.validate(inner.types, valid, start, max_moves=30, candidates=20)

    assert checked.fills[0] == pytest.approx(fill_rate(valid, stocked_mask(valid, start)))
    assert checked.fills[checked.moves] >= checked.fills[0]
    assert checked.fills[checked.moves] == pytest.approx(fill_rate(valid, stocked_mask(valid, checked.design)))
    assert checked.fills[checked.moves] == checked.fills.max()
    assert len(checked.design) == len(set(checked.design)) == k


def test_every_swap_strictly_raises_the_covered_weight_of_the_training_orders() -> None:
    types = synthetic.whole_window(synthetic.order_lines(40, 600, seed=4, weeks=2)).types
    start = heuristics.popularity(types, 8).top(8)

    adds, drops = local_search.swap_path(types, start, max_moves=20, candidates=20)

    assert len(adds) > 0  # popularity leaves orders to complete on this instance
    covered = [heuristics.covered_weight(types, local_search.replay(start, adds[:m], drops[:m]))
               for m in range(len(adds) + 1)]
    assert bool((np.diff(covered) > 0).all())


@pytest.mark.parametrize(("seed", "k"), [(seed, k) for seed in range(4) for k in (5, 8, 12)])
def test_the_first_swap_is_the_best_single_swap_by_brute_force(seed: int, k: int) -> None:
    types = synthetic.whole_window(synthetic.order_lines(40, 600, seed=seed, weeks=2)).types
    start = heuristics.popularity(types, k).top(k)
    before = heuristics.covered_weight(types, start)
    best = max([heuristics.covered_weight(types, np.append(start[start != i], o)) - before
                for i in start for o in np.setdiff1d(types.sku_ids, start)])

    adds, drops = local_search.swap_path(types, start, max_moves=1, candidates=types.n_skus)

    got = heuristics.covered_weight(types, local_search.replay(start, adds, drops)) - before
    assert got == pytest.approx(max(best, 0.0)) and len(adds) == (best > 0)


def test_swaps_the_held_out_week_does_not_support_are_not_made() -> None:
    # training weeks: the pair (a, b) sells together; c and d sell more, always beside a one-off SKU;
    # the held-out week sells c and d alone, so swapping them for the pair would lose all of it
    pair = [["a", "b"]] * 6
    loners = [[s, f"t{n}"] for n in range(8) for s in ("c", "d")]
    lines = pd.concat([synthetic.baskets("2024-01-01", pair + loners, "w1"), synthetic.baskets("2024-01-08", pair + loners, "w2"),
                       synthetic.baskets("2024-01-15", [["c"], ["d"]] * 4, "w3")], ignore_index=True)
    win = synthetic.whole_window(lines)
    cfg = AssortConfig(local_search_start="popularity")

    got = methods.run("local_search", [win], [[2]], cfg)[0][0].assortment

    assert got.info["valid_moves"] == 0 and got.info["moves"] == 0
    assert set(got.top(2)) == {"c", "d"} == set(heuristics.popularity(win.types, 2).top(2))
    inner, _ = win.inner()
    assert len(local_search.swap_path(inner.types, np.array(["c", "d"]), 5, 10)[0]) > 0  # moves were on offer


def test_swaps_the_held_out_week_supports_are_replayed_on_the_full_window() -> None:
    # each week: the pair (a, b) sells together 6 times, d 7 times, each beside another rare SKU; popularity stocks
    # d and a, completing nothing, and one swap (d for b) completes the pair's orders, in every week alike
    weeks = ["2024-01-01", "2024-01-08", "2024-01-15"]
    lines = pd.concat([synthetic.baskets(week, [["a", "b"]] * 6 + [["d", f"t{n}"] for n in range(7)], f"w{w}")
                       for w, week in enumerate(weeks)], ignore_index=True)
    win = synthetic.whole_window(lines)
    cfg = AssortConfig(local_search_start="popularity")

    got = methods.run("local_search", [win], [[2]], cfg)[0][0].assortment

    assert set(heuristics.popularity(win.types, 2).top(2)) == {"a", "d"}
    assert got.info["valid_moves"] == got.info["moves"] == 1 and got.info["valid_fill"] > got.info["valid_fill_start"]
    assert set(got.top(2)) == {"a", "b"}
    assert heuristics.covered_weight(win.types, got.top(2)) > heuristics.covered_weight(
        win.types, heuristics.popularity(win.types, 2).top(2))
