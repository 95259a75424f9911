"""The guard keeps popularity unless a candidate beats it on the held-out week, and then deploys that candidate."""

import pandas as pd

from skulab.assort import heuristics, methods, synthetic
from skulab.assort.metrics import fill_rate, stocked_mask
from skulab.config import AssortConfig

# candidates that need no torch keep these tests fast; the guard treats every candidate alike
CFG = AssortConfig(guard_candidates=["hybrid", "local_search"])




def test_the_guard_keeps_popularity_when_no_candidate_beats_it_on_the_held_out_week() -> None:
    # two weeks of synthetic orders, then a held-out week of single-SKU orders of popularity's own top K:
    # popularity fills all of it, so no candidate can do better there
    train = synthetic.order_lines(40, 600, seed=2, weeks=2)
    k = 6
    top = heuristics.popularity(synthetic.whole_window(train).types, k).top(k)
    held_out = synthetic.baskets("2024-01-15", [[s] for s in top] * 3, "h")
    win = synthetic.whole_window(pd.concat([train, held_out], ignore_index=True))

    got = methods.run("guarded", [win], [[k]], CFG)[0][0].assortment

    assert got.method == "guarded" and got.info["choice"] == "popularity"
    assert got.info["valid_fills"]["popularity"] == 1.0
    assert set(got.info["valid_fills"]) == {"popularity", "hybrid", "local_search"}
    assert list(got.top(k)) == list(heuristics.popularity(win.types, k).top(k))


def test_the_guard_picks_a_candidate_that_beats_popularity_on_the_held_out_week() -> None:
    # every week: five pairs sell together, ten more popular SKUs each beside a rare one; popularity stocks the
    # loners and completes nothing, peeling-based candidates keep the pairs
    weeks = ["2024-01-01", "2024-01-08", "2024-01-15"]
    baskets = [[f"a{p}", f"b{p}"] for p in range(5)] * 6 + [[f"c{c}", f"t{c}{n}"] for c in range(10) for n in range(8)]
    win = synthetic.whole_window(pd.concat([synthetic.baskets(w, baskets, f"w{n}") for n, w in enumerate(weeks)], ignore_index=True))
    k = 10

    got = methods.run("guarded", [win], [[k]], CFG)[0][0].assortment

    fills = got.info["valid_fills"]
    assert got.info["choice"] != "popularity" and fills[got.info["choice"]] > fills["popularity"]
    assert fills[got.info["choice"]] == max(fills.values())
    alone = methods.run(got.info["choice"], [win], [[k]], CFG)[0][0].assortment
    assert list(got.top(k)) == list(alone.top(k))  # the guard deploys exactly the method it picked
    test = win.types
    assert fill_rate(test, stocked_mask(test, got.top(k))) > fill_rate(
        test, stocked_mask(test, heuristics.popularity(test, k).top(k)))


def test_a_margin_larger_than_any_gain_keeps_popularity() -> None:
    weeks = ["2024-01-01", "2024-01-08", "2024-01-15"]
    baskets = [[f"a{p}", f"b{p}"] for p in range(5)] * 6 + [[f"c{c}", f"t{c}{n}"] for c in range(10) for n in range(8)]
    win = synthetic.whole_window(pd.concat([synthetic.baskets(w, baskets, f"w{n}") for n, w in enumerate(weeks)], ignore_index=True))
    cfg = AssortConfig(guard_candidates=["hybrid"], guard_margin=0.99)

    got = methods.run("guarded", [win], [[10]], cfg)[0][0].assortment

    fills = got.info["valid_fills"]
    assert got.info["choice"] == "popularity" and fills["hybrid"] > fills["popularity"]


def test_the_guard_reuses_its_pick_from_methods_already_run_and_is_charged_their_time() -> None:
    weeks = ["2024-01-01", "2024-01-08", "2024-01-15"]
    baskets = [[f"a{p}", f"b{p}"] for p in range(5)] * 6 + [[f"c{c}", f"t{c}{n}"] for c in range(10) for n in range(8)]
    wins = [synthetic.whole_window(pd.concat([synthetic.baskets(w, baskets, f"w{n}") for n, w in enumerate(weeks)],
                                             ignore_index=True))]
    ks = [[10]]
    fresh = methods.run("guarded", wins, ks, CFG)[0][0]
    pick = fresh.assortment.info["choice"]
    ran = methods.run(pick, wins, ks, CFG)
    planted = [[methods.Timed(ran[0][0].assortment, 1000.0)]]  # a pick that took 1,000 s where it ran

    reused = methods.run("guarded", wins, ks, CFG, done={pick: planted})[0][0]

    assert list(reused.assortment.top(10)) == list(fresh.assortment.top(10))
    assert reused.seconds >= 1000.0 > fresh.seconds
