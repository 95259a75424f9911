"""The guard keeps popularity unless a candidate surely beats it on several held-out weeks, and then deploys it."""

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from skulab.assort import guarded, heuristics, methods, synthetic
from skulab.assort.metrics import fill_rate, stocked_mask
from skulab.assort.order_types import Assortment
from skulab.assort.windows import window, with_weeks
from skulab.config import AssortConfig

# candidates that need no torch keep these tests fast; the guard treats every candidate alike
CFG = AssortConfig(guard_candidates=["hybrid", "local_search"])
Z = 1.96

# every week: five pairs sell together, ten more popular SKUs each beside a rare one; popularity stocks the
# loners and completes nothing, peeling-based candidates keep the pairs
PAIRS = [[f"a{p}", f"b{p}"] for p in range(5)] * 6 + [[f"c{c}", f"t{c}{n}"] for c in range(10) for n in range(8)]


def _weeks(baskets: list[list[str]], n: int) -> pd.DataFrame:
    starts = pd.date_range("2024-01-01", periods=n, freq="7D")
    return pd.concat([synthetic.baskets(f"{w:%Y-%m-%d}", baskets, f"w{i}") for i, w in enumerate(starts)],
                     ignore_index=True)


def _cell(pop: list[list[float]], cand: list[list[float]]) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """A guard cell from per-week filled flags (one order each) of popularity and a candidate `c`."""
    return {"popularity": [(np.ones(len(x)), np.array(x)) for x in pop],
            "c": [(np.ones(len(x)), np.array(x)) for x in cand]}


def test_the_guard_keeps_popularity_when_no_candidate_beats_it_on_the_held_out_weeks() -> None:
    # two weeks of synthetic orders, then a held-out week of single-SKU orders of popularity's own top K:
    # popularity fills all of it, so no candidate can do better there
    train = synthetic.order_lines(40, 600, seed=2, weeks=2)
    k = 6
    top = heuristics.popularity(synthetic.whole_window(train).types, k).top(k)
    held_out = synthetic.baskets("2024-01-15", [[s] for s in top] * 3, "h")
    win = synthetic.whole_window(pd.concat([train, held_out], ignore_index=True))

    got = methods.run("guarded", [win], [[k]], CFG)[0][0].assortment

    assert got.method == "guarded" and got.info["choice"] == "popularity"
    assert got.info["valid_weeks"] == 2  # weeks 3 and 2 held out, each trained on the weeks before it
    assert set(got.info["valid_fills"]) == {"popularity", "hybrid", "local_search"}
    assert list(got.top(k)) == list(heuristics.popularity(win.types, k).top(k))


def test_the_guard_picks_a_candidate_that_surely_beats_popularity_on_every_held_out_week() -> None:
    win = synthetic.whole_window(_weeks(PAIRS, 4))
    k = 10

    got = methods.run("guarded", [win], [[k]], CFG)[0][0].assortment

    fills = got.info["valid_fills"]
    assert got.info["valid_weeks"] == 3
    assert got.info["choice"] != "popularity" and fills[got.info["choice"]] > fills["popularity"]
    alone = methods.run(got.info["choice"], [win], [[k]], CFG)[0][0].assortment
    assert list(got.top(k)) == list(alone.top(k))  # the guard deploys exactly the method it picked
    test = win.types
    assert fill_rate(test, stocked_mask(test, got.top(k))) > fill_rate(
        test, stocked_mask(test, heuristics.popularity(test, k).top(k)))


def test_a_gain_one_week_carries_is_not_trusted() -> None:
    # a large gain in the latest week, small losses in the two before: the pooled gain is positive, yet one week
    cell = _cell(pop=[[0.0] * 100, [1.0] * 100, [1.0] * 100], cand=[[1.0] * 100, [1.0] * 95 + [0.0] * 5,
                                                                      [1.0] * 95 + [0.0] * 5])
    assert guarded.decide(cell, ["c"], Z, 0.0).choice == "popularity"
    assert guarded.decide(cell, ["c"], Z, 0.0).fills["c"] > guarded.decide(cell, ["c"], Z, 0.0).fills["popularity"]


def test_a_gain_within_the_noise_keeps_popularity_and_a_sure_one_wins() -> None:
    # 3 weeks of 200 orders: the candidate fills 2 more orders and loses 1 each week (noise), or 20 more (sure)
    base = [1.0] * 100 + [0.0] * 100
    noisy = [0.0] + [1.0] * 99 + [1.0, 1.0] + [0.0] * 98
    sure = [1.0] * 120 + [0.0] * 80
    assert guarded.decide(_cell([base] * 3, [noisy] * 3), ["c"], Z, 0.0).choice == "popularity"
    assert guarded.decide(_cell([base] * 3, [sure] * 3), ["c"], Z, 0.0).choice == "c"
    assert guarded.decide(_cell([base] * 3, [sure] * 3), ["c"], Z, 0.25).choice == "popularity"  # margin


def test_more_candidates_need_a_surer_gain() -> None:
    # each week the candidate fills 12 orders popularity misses and misses 6 it fills: 2.5 standard errors above
    # zero over 3 weeks, enough alone (one-sided 95 %: z 1.64), not among 20 candidates (Bonferroni: z 2.81)
    base = [1.0] * 100 + [0.0] * 100
    cand = [0.0] * 6 + [1.0] * 94 + [1.0] * 12 + [0.0] * 88
    cell = _cell([base] * 3, [cand] * 3)
    assert guarded.decide(cell, ["c"], NormalDist().inv_cdf(0.95), 0.0).choice == "c"
    assert guarded.decide(cell, ["c"], NormalDist().inv_cdf(1 - 0.05 / 20), 0.0).choice == "popularity"


def test_the_fdcs_run_together_share_one_decision_on_their_pooled_orders() -> None:
    def fdc(f: str) -> pd.DataFrame:
        starts = pd.date_range("2024-01-01", periods=4, freq="7D")
        return pd.concat([synthetic.baskets(f"{w:%Y-%m-%d}", PAIRS, f"{f}w{i}", fdc_id=f) for i, w in enumerate(starts)],
                         ignore_index=True)

    lines = with_weeks(pd.concat([fdc("F1"), fdc("F2")], ignore_index=True))
    wins = [window(lines, f, lines["week"].min(), lines["week"].max() + pd.Timedelta(weeks=1)) for f in ("F1", "F2")]

    got = methods.run("guarded", wins, [[10], [10]], CFG)

    picks = {row[0].assortment.info["choice"] for row in got}
    assert len(picks) == 1 and picks != {"popularity"}


def test_without_a_held_out_week_the_guard_is_popularity() -> None:
    win = synthetic.whole_window(_weeks(PAIRS, 1))
    got = methods.run("guarded", [win], [[10]], CFG)[0][0].assortment
    assert got.info["choice"] == "popularity" and got.info["valid_weeks"] == 0


def test_held_out_weeks_are_trained_on_a_window_as_long_as_the_methods_and_never_look_past_it() -> None:
    lines = with_weeks(_weeks(PAIRS, 8))
    weeks = pd.date_range("2024-01-01", periods=8, freq="7D")
    win = window(lines, "F1", weeks[5], weeks[7], past_weeks=3)  # a 2-week window, 3 earlier weeks readable

    splits = win.validation_splits(3)

    assert [pd.Timestamp(h) for h, _, _ in splits] == [weeks[6], weeks[5], weeks[4]]
    for held, inner, test in splits:
        assert len(inner.weeks) == 2 and inner.weeks.max() < held and pd.Timestamp(inner.lines["week"].max()) < held
        assert test.total == len(PAIRS)
    assert all(pd.Timestamp(inner.chain["week"].min()) >= weeks[2] for _, inner, _ in splits)
    assert not any((pd.Timestamp(h) >= weeks[7]) for h, _, _ in splits)  # the window ends before week 7


def test_the_guard_reuses_its_pick_from_methods_already_run_and_is_charged_their_time() -> None:
    wins = [synthetic.whole_window(_weeks(PAIRS, 4))]
    ks = [[10]]
    fresh = methods.run("guarded", wins, ks, CFG)[0][0]
    pick = fresh.assortment.info["choice"]
    ran = methods.run(pick, wins, ks, CFG)
    planted = [[methods.Timed(ran[0][0].assortment, 1000.0)]]  # a pick that took 1,000 s where it ran

    reused = methods.run("guarded", wins, ks, CFG, done={pick: planted})[0][0]

    assert list(reused.assortment.top(10)) == list(fresh.assortment.top(10))
    assert reused.seconds >= 1000.0 > fresh.seconds


def test_the_guard_holds_out_more_weeks_until_they_hold_enough_orders_and_never_more_than_the_most() -> None:
    # 110 orders a week: 3 weeks hold 330 orders, so a target of 500 takes a fifth week's orders, capped at 4
    lines = with_weeks(_weeks(PAIRS, 12))
    weeks = pd.date_range("2024-01-01", periods=12, freq="7D")
    win = window(lines, "F1", weeks[8], weeks[10], past_weeks=6)
    splits = [win.validation_splits(6)]

    assert guarded.held_out_weeks(splits, 3, 0) == [w.to_datetime64() for w in weeks[7:10]]
    assert guarded.held_out_weeks(splits, 3, 500) == [w.to_datetime64() for w in weeks[5:10]]
    assert len(guarded.held_out_weeks(splits, 1, 10**6)) == 6  # every week the window can hold out

    few = AssortConfig(guard_candidates=["hybrid"], guard_orders=0)
    more = AssortConfig(guard_candidates=["hybrid"], guard_orders=500, guard_max_weeks=4)
    assert methods.run("guarded", [win], [[10]], few)[0][0].assortment.info["valid_weeks"] == 3
    assert methods.run("guarded", [win], [[10]], more)[0][0].assortment.info["valid_weeks"] == 4


def test_the_most_held_out_weeks_cannot_be_fewer_than_the_fewest() -> None:
    with pytest.raises(ValueError, match="guard_max_weeks"):
        AssortConfig(guard_weeks=4, guard_max_weeks=2)


def test_an_unsure_candidate_names_the_leader_and_a_sure_one_or_a_loser_does_not() -> None:
    base = [1.0] * 100 + [0.0] * 100
    noisy = [0.0] + [1.0] * 99 + [1.0, 1.0] + [0.0] * 98  # one order better a week: leads, not sure
    sure = [1.0] * 120 + [0.0] * 80
    worse = [1.0] * 90 + [0.0] * 110
    assert guarded.decide(_cell([base] * 3, [noisy] * 3), ["c"], Z, 0.0).leader == "c"
    assert guarded.decide(_cell([base] * 3, [sure] * 3), ["c"], Z, 0.0).leader is None
    assert guarded.decide(_cell([base] * 3, [worse] * 3), ["c"], Z, 0.0).leader is None
    assert guarded.decide(_cell([base] * 3, [noisy] * 3), ["c"], Z, 0.05).leader is None  # not above the margin


def _two_looks(earlier_pairs: int) -> list[list[guarded.Verdict]]:
    """The guard on 8 weeks of 100 orders, a pair [x, y] or a single s / t each: the candidate stocks the pair,
    popularity the singles. The 3 latest weeks hold 52 pair orders (the candidate leads, unsure); the weeks before
    hold `earlier_pairs`."""
    def week(pairs: int) -> list[list[str]]:
        return [["x", "y"]] * pairs + [["s"], ["t"]] * ((100 - pairs) // 2)

    lines = with_weeks(pd.concat([synthetic.baskets(f"{d:%Y-%m-%d}", week(52 if i >= 5 else earlier_pairs), f"w{i}")
                                  for i, d in enumerate(pd.date_range("2024-01-01", periods=8, freq="7D"))],
                                 ignore_index=True))
    weeks = sorted(lines["week"].unique())
    win = window(lines, "F1", weeks[6], weeks[7] + pd.Timedelta(weeks=1), past_weeks=6)
    stock = {"popularity": ["s", "t"], "c": ["x", "y"]}
    seen: list[tuple[str, int]] = []

    def runner(m: str, wins: list, budgets: list[list[int]]) -> list[list[Assortment]]:
        seen.append((m, len(wins)))
        return [[Assortment(np.array(stock[m]), np.ones(2), m) for _ in kl] for kl in budgets]

    cfg = AssortConfig(guard_candidates=["hybrid"], guard_weeks=3, guard_orders=300, guard_max_weeks=7)
    verdicts = guarded.choose([win], [[2]], cfg, ["c"], runner)
    assert ("c", 1) in seen and all(m in stock for m, _ in seen)
    return verdicts


def test_an_unsure_leader_is_picked_only_when_earlier_weeks_it_never_saw_make_it_sure() -> None:
    sure, loses = _two_looks(80)[0][0], _two_looks(40)[0][0]
    assert sure.weeks == 3 and sure.confirm_weeks == 3  # 300 orders again, on the weeks before the first look's
    assert sure.choice == "c" and sure.fills["c"] > sure.fills["popularity"]
    assert loses.choice == "popularity" and loses.leader == "c" and loses.confirm_weeks == 3
