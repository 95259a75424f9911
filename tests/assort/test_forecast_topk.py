"""forecast_topk (JD's ML-Top-K) and the forecast fed to the net and the hybrid: a planted trend ranked up, no line
of the test week used, assortments of size K, one fit per fold and inner week shared by the three methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skulab.assort import forecast_topk, heuristics, methods, net, synthetic
from skulab.assort.windows import Window, window, with_weeks
from skulab.config import AssortConfig, ForecastConfig
from skulab.forecast import Panel, fitting

FAST = AssortConfig(topk_models=["SeasonalNaive"], topk_inner_models=["SeasonalNaive"], net_epochs=10)
START = pd.Timestamp("2024-01-01")  # a Monday


def _chain(weeks: int, seed: int, up: list[int] | None = None) -> pd.DataFrame:
    """Two FDCs' daily orders over `weeks`: five steady SKUs (5 orders a day), SKU 'up' with up[w] orders a day in
    week w, a tail of rarer SKUs and a few pairs."""
    rng = np.random.default_rng(seed)
    up = up or [1, 2, 4, 8][:weeks]
    parts = []
    for fdc in ("F1", "F2"):
        for day in range(7 * weeks):
            baskets = [[f"flat{s}"] for s in range(5) for _ in range(5)]
            baskets += [["up"]] * up[day // 7]
            baskets += [[f"tail{t}"] for t in rng.integers(0, 20, size=6)]
            baskets += [["flat0", f"tail{rng.integers(20)}"] for _ in range(2)]
            stamp = START + pd.Timedelta(days=day, hours=10)
            parts.append(synthetic.baskets(str(stamp), baskets, f"{fdc}d{day:02d}o", fdc_id=fdc))
    return pd.concat(parts, ignore_index=True)


def _windows(lines: pd.DataFrame, weeks: int) -> list[Window]:
    lines = with_weeks(lines)
    return [window(lines, f, START, START + pd.Timedelta(weeks=weeks)) for f in ("F1", "F2")]


def _rank_of(sku_ids: np.ndarray, sku: str) -> int:
    return int(np.flatnonzero(sku_ids == sku)[0])


def test_forecast_topk_ranks_a_rising_sku_above_its_popularity_rank() -> None:
    wins = _windows(_chain(4, seed=1), 4)

    got = methods.run("forecast_topk", wins, [[6, 10]] * 2, FAST)

    for win, row in zip(wins, got):
        popular = heuristics.popularity(win.types, win.types.n_skus).sku_ids
        ranked = row[1].assortment
        assert _rank_of(popular, "up") == 5  # five steady SKUs hold more orders over the window
        assert _rank_of(ranked.sku_ids, "up") == 0  # but 'up' sells 8 a day in the last week, they 5
        assert [len(t.assortment) for t in row] == [6, 10] and ranked.method == "forecast_topk"
        assert ranked.info["horizon"] == 7 and ranked.info["series"] > 20


def test_the_default_models_rank_the_rising_sku_first() -> None:
    wins = _windows(_chain(4, seed=2), 4)

    got = forecast_topk.run(wins, [[10]] * 2, AssortConfig())

    assert all(_rank_of(row[0].sku_ids, "up") == 0 for row in got)
    assert got[0][0].info["model"] == fitting.ENSEMBLE


def test_forecast_uses_no_line_of_the_test_week_or_later() -> None:
    lines = _chain(5, seed=3, up=[1, 2, 4, 8, 0])
    changed = lines.copy()
    future = pd.to_datetime(changed["ts"]) >= START + pd.Timedelta(weeks=4)
    changed.loc[future, "sku_id"] = "tail0"  # the test week sells only a tail SKU

    before = forecast_topk.fit_forecast(with_weeks(lines), _windows(lines, 4)[0].weeks, ["SeasonalNaive"], FAST)
    after = forecast_topk.fit_forecast(with_weeks(changed), _windows(changed, 4)[0].weeks, ["SeasonalNaive"], FAST)
    ranked = [methods.run("forecast_topk", _windows(d, 4), [[10]] * 2, FAST)[0][0].assortment for d in (lines, changed)]

    pd.testing.assert_series_equal(before.demand, after.demand)
    assert list(ranked[0].sku_ids) == list(ranked[1].sku_ids)


def test_an_inner_week_is_forecast_from_the_weeks_before_it_only() -> None:
    lines = _chain(4, seed=4)
    changed = lines.copy()
    late = pd.to_datetime(changed["ts"]) >= START + pd.Timedelta(weeks=2)
    changed.loc[late, "sku_id"] = "tail0"
    inner = forecast_topk.demand_of(FAST, FAST.topk_inner_models)
    week = START + pd.Timedelta(weeks=2)

    got = [inner(_windows(d, 4)[0].before(week.to_datetime64())) for d in (lines, changed)]

    pd.testing.assert_series_equal(got[0], got[1])
    assert got[0]["up"] == pytest.approx(7 * 2, abs=1.0)  # SeasonalNaive: week 2's 2 a day again


def test_a_two_week_window_forecasts_a_shorter_horizon_and_says_so() -> None:
    wins = _windows(_chain(2, seed=5), 2)

    got = forecast_topk.run(wins, [[5]] * 2, FAST)[0][0]

    assert got.info["days"] == 14 and got.info["horizon"] == 6
    assert "fewer than the 15" in got.info["short_window"] and len(got) == 5


def test_net_and_hybrid_with_the_forecast_return_k_distinct_skus() -> None:
    wins = _windows(_chain(4, seed=6), 4)
    ks = [[5, 12]] * 2

    got = {m: methods.run(m, wins, ks, FAST) for m in ("net_forecast", "hybrid_forecast")}
    prepared = net.prepare(wins, FAST.net_max_pairs, forecast_topk.demand_of(FAST))

    for name, rows in got.items():
        for row in rows:
            assert [len(set(t.assortment.sku_ids)) for t in row] == [5, 12]
            assert all(t.assortment.method == name for t in row)
    assert "forecast" in prepared.used and "forecast" in prepared.pairs[0][1].numeric


def test_the_three_methods_share_one_fit_per_fold_and_inner_week(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[pd.Timestamp, tuple[str, ...]]] = []
    real = fitting.fit

    def counted(panel: Panel, cfg: ForecastConfig, cutoff: pd.Timestamp, *args: object, **kwargs: object
                ) -> fitting.Fitted:  # the real fit, counted
        calls.append((cutoff, tuple(cfg.models)))
        return real(panel, cfg, cutoff, *args, **kwargs)

    monkeypatch.setattr(fitting, "fit", counted)
    wins = _windows(_chain(4, seed=7), 4)

    for m in ("forecast_topk", "net_forecast", "hybrid_forecast", "forecast_topk"):
        methods.run(m, wins, [[5, 10]] * 2, FAST)

    cutoffs = sorted(c for c, _ in calls)
    assert len(calls) == len(set(calls)) == 4  # the window, and weeks 2, 3, 4 from the weeks before each
    assert [c.day for c in cutoffs] == [7, 14, 21, 28]


def test_skus_without_a_forecast_rank_by_popularity() -> None:
    win = _windows(_chain(2, seed=8), 2)[0]

    ranked, _ = forecast_topk.ranking(win, pd.Series(dtype=float))

    assert list(ranked) == list(heuristics.popularity(win.types, win.types.n_skus).sku_ids)


def test_an_unknown_topk_model_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        AssortConfig(topk_models=["DirectTabulr"])
