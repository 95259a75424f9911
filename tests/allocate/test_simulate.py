"""The simulation's accounting on small synthetic weeks: units are conserved and transfers move only leftovers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skulab.allocate.policy import critical_fractile, newsvendor, top_up
from skulab.allocate.simulate import TRUTH_ONE_PUSH, TRUTH_POLICY, Inputs, outcome, run, two_waves
from skulab.allocate.transfers import match
from skulab.config import AllocateConfig
from skulab.counts import Demand

CFG = AllocateConfig(weeks=3, draws=5, bootstrap=200)


def _inputs(truth: bool = True) -> Inputs:
    rng = np.random.default_rng(0)
    weeks = pd.date_range("2024-01-01", periods=3, freq="7D")
    rows = pd.DataFrame([(w, "DC", s, k) for w in weeks for k in ("A", "B") for s in ("S1", "S2", "S3")],
                        columns=["week", "dc_id", "store_id", "sku_id"])
    mu = rng.uniform(0.2, 3.0, len(rows))
    daily = rows.loc[rows.index.repeat(7), ["week", "store_id", "sku_id"]].reset_index(drop=True)
    daily["first"] = np.tile(np.arange(7) < 3, len(rows))
    daily["expected_units"] = np.repeat(mu, 7)
    rows["truth_mean"], rows["truth_var"] = 7 * mu, 7 * (mu + mu**2 / 1.5)
    rows["truth_mean1"] = 3 * mu
    rows["mean"] = rows["truth_mean"] * rng.uniform(0.7, 1.3, len(rows))
    rows["mean1"] = rows["mean"] * 3 / 7
    rows["var"] = rows["mean"] * 2.5
    rows["history"] = rng.poisson(4 * rows["truth_mean"])
    rows["realised"] = rng.poisson(rows["truth_mean"])
    rows["realised1"] = np.nan  # weekly data: the week's sales are split at random around the wave
    if not truth:
        return Inputs(weeks=rows.drop(columns=["truth_mean", "truth_var", "truth_mean1"]), daily=None,
                      dispersion=1.5)
    return Inputs(weeks=rows, daily=daily, dispersion=1.5)


@pytest.mark.parametrize("truth", [True, False])
def test_units_are_conserved(truth: bool) -> None:
    sim = run(_inputs(truth), CFG)
    c = sim.cases
    truths = {TRUTH_POLICY, TRUTH_ONE_PUSH} if truth else set()
    assert set(c["policy"]) == {"newsvendor", "replenish", "proportional", "equal"} | truths
    assert (c["stock"] == c["allocated"] + c["kept_back"]).all()
    assert (c["waved"] <= c["allocated"]).all()
    assert (c.loc[c["policy"].isin(["newsvendor", "proportional", "equal", TRUTH_ONE_PUSH]), "waved"] == 0).all()
    assert np.allclose(c["sold"] + c["lost"], c["demand"])
    assert (c["moved_from_stores"] <= c["left_at_stores"]).all() and (c["moved_from_dc"] <= c["kept_back"]).all()
    assert (c["lost"] >= 0).all() and (c["leftover"] >= 0).all() and (c["kept_after"] >= 0).all()
    assert np.allclose(c["stock"], c["sold"] + c["leftover"] + c["kept_after"])
    baselines = c[c["policy"].isin(["proportional", "equal"])]
    assert (baselines["kept_back"] == 0).all()
    assert len(sim.summary) == len(CFG.stock_levels) * c["policy"].nunique()
    assert ((sim.summary["lost_lo"] <= sim.summary["lost_pct"] + 1e-12)
            & (sim.summary["lost_pct"] <= sim.summary["lost_hi"] + 1e-12)).all()


def test_stock_follows_the_level() -> None:
    sim = run(_inputs(), CFG)
    stock = sim.cases.groupby(["level", "policy"])["stock"].sum().unstack()
    assert (stock.loc[1.1] > stock.loc[0.8]).all()


def test_transfers_never_move_more_than_the_leftovers() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        ns, nk = rng.integers(0, 6, size=2)
        sg, av = rng.integers(0, 3, ns), rng.integers(0, 5, ns)
        kg, ne = rng.integers(0, 3, nk), rng.integers(0, 5, nk)
        t = match(sg, av, kg, ne, margin=10, holding=2, fixed=0, per_unit=1)
        assert (np.bincount(t.source, weights=t.units, minlength=ns) <= av).all()
        assert (np.bincount(t.sink, weights=t.units, minlength=nk) <= ne).all()
        assert (sg[t.source] == kg[t.sink]).all()
        for g in range(3):  # every unit that can help moves (with no fixed cost)
            got = t.units[kg[t.sink] == g].sum()
            assert got == min(av[sg == g].sum(), ne[kg == g].sum())


def test_a_transfer_is_made_only_when_it_pays() -> None:
    t = match(np.array([0, 1]), np.array([1, 5]), np.array([0, 1]), np.array([1, 5]), margin=10, holding=2,
              fixed=20, per_unit=1)
    assert t.units.tolist() == [5]  # one unit earns 11 < 20; five earn 55


def test_the_replenishment_wave_conserves_units_and_ships_only_what_the_dc_kept() -> None:
    rng = np.random.default_rng(4)
    problem = np.repeat(np.arange(3), 4)
    week = Demand(rng.uniform(0.5, 8, 12), np.full(12, 2.0))
    stock = np.array([10, 30, 5])
    d1, d2 = rng.poisson(3, (6, 12)), rng.poisson(4, (6, 12))

    push, wave = two_waves(problem, week, week.mean * 3 / 7, stock, d1, CFG)
    per = outcome(problem, push, wave, stock, d1, d2, CFG)

    pushed = np.bincount(problem, weights=push, minlength=3)
    assert np.array_equal(push, newsvendor(problem, week, stock, CFG.margin, CFG.holding))  # the push is the newsvendor's
    shipped = np.stack([np.bincount(problem, weights=w, minlength=3) for w in wave])
    assert (shipped <= stock - pushed).all()  # the wave ships only what the push left at the DC
    assert np.allclose(per["stock"], per["sold"] + per["leftover"] + per["kept_after"])
    assert np.allclose(per["allocated"] + per["kept_back"], per["stock"])
    assert (per["wave_lines"] == (wave > 0).reshape(6, 3, 4).sum(axis=2).ravel()).all()
    assert per["waved"].sum() == wave.sum() > 0


def test_the_wave_tops_a_store_up_from_what_it_has_left_and_skips_a_line_worth_less_than_it_costs() -> None:
    demand = Demand(np.array([5.0, 5.0, 0.3]), np.array([np.inf, np.inf, np.inf]))
    target = int(demand.ppf(critical_fractile(10, 2))[0])

    units = top_up(np.zeros(3, int), demand, np.array([0, target, 0]), np.array([100]), 10, 2, line_cost=5)

    assert units[0] == target  # empty shelf: up to the newsvendor quantity
    assert units[1] == 0  # already there
    assert units[2] == 0  # a unit that sells with probability 0.26 earns less than the line's 5
    assert top_up(np.zeros(3, int), demand, np.zeros(3, int), np.array([100]), 10, 2, line_cost=0)[2] == 1
