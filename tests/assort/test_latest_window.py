"""The latest training window, shared by the batch job and notebooks 06 and 07."""

import pandas as pd
import pytest

from skulab.assort import job, methods, rolling, synthetic
from skulab.assort.windows import with_weeks
from skulab.config import AssortConfig, Config, override
from skulab.errors import DataError


@pytest.fixture
def lines() -> pd.DataFrame:
    """Five weeks of orders at a busy FDC F2 and a quieter F1, and a third FDC F3 that stopped after week one."""
    busy = synthetic.order_lines(30, 500, seed=1, weeks=5, fdc_id="F2")
    quiet = synthetic.order_lines(30, 200, seed=2, weeks=5, fdc_id="F1")
    gone = synthetic.order_lines(30, 50, seed=3, weeks=1, fdc_id="F3")
    return pd.concat([busy, quiet.assign(order_id="Q" + quiet["order_id"]),
                      gone.assign(order_id="G" + gone["order_id"])], ignore_index=True)


def test_the_window_ends_where_the_last_test_week_begins(lines: pd.DataFrame) -> None:
    cfg = AssortConfig(train_weeks=2, test_weeks=1)
    latest = rolling.latest_window(lines, cfg)
    weeks = with_weeks(lines)
    last = weeks["week"].max()
    assert latest.end == last and latest.start == last - pd.Timedelta(weeks=2)
    for fdc, win, test in zip(latest.fdcs, latest.windows, latest.tests):
        assert win.lines["week"].min() >= latest.start and win.lines["week"].max() < latest.end
        assert test.total == weeks[(weeks["fdc_id"] == fdc) & (weeks["week"] == last)]["order_id"].nunique()


def test_k_follows_the_rule_per_fdc_or_the_given_k(lines: pd.DataFrame) -> None:
    cfg = AssortConfig(train_weeks=2, rule_fill=0.6)
    latest = rolling.latest_window(lines, cfg)
    assert latest.ks == [rolling.resolve_k(w.types, ["rule60"], 0.6)[0] for w in latest.windows]
    assert rolling.latest_window(lines, cfg, k=7).ks == [7] * len(latest.fdcs)


def test_fdcs_come_by_id_or_largest_first_and_idle_ones_are_left_out(lines: pd.DataFrame) -> None:
    cfg = AssortConfig(train_weeks=2)
    assert rolling.latest_window(lines, cfg).fdcs == ["F1", "F2"]
    assert rolling.latest_window(lines, cfg, largest_first=True).fdcs == ["F2", "F1"]


def test_the_deployed_window_ends_with_the_data_and_has_no_test(lines: pd.DataFrame) -> None:
    cfg = AssortConfig(train_weeks=2, test_weeks=1)
    latest = rolling.latest_window(lines, cfg, test=False)
    last = with_weeks(lines)["week"].max()
    assert latest.end == last + pd.Timedelta(weeks=1) and latest.tests == []
    assert all(w.lines["week"].max() == last for w in latest.windows)


def test_the_batch_job_stocks_each_fdc_from_the_deployed_window(lines: pd.DataFrame, ci_config: Config) -> None:
    cfg = override(ci_config, "assort", deploy_method="popularity", deploy_k=5)
    rows = job.assortments(lines, cfg)
    latest = rolling.latest_window(lines, cfg.assort, test=False)
    assert sorted(rows["fdc_id"].unique()) == latest.fdcs
    assert (rows["window_start"] == latest.start).all() and (rows.groupby("fdc_id").size() == 5).all()


def test_a_history_shorter_than_window_and_test_is_a_clear_error(lines: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="train_weeks \\+ test_weeks = 9; shorten assort.train_weeks"):
        rolling.latest_window(lines, AssortConfig(train_weeks=8, test_weeks=1))


def test_every_method_on_the_latest_window_is_certified(lines: pd.DataFrame) -> None:
    cfg = AssortConfig(k=[5, "rule70"], train_weeks=2, methods=["popularity", "reverse_exclude"], mip_time_limit=5)
    table = rolling.evaluate_window(rolling.latest_window(lines, cfg), cfg)
    assert len(table) == 2 * 2 * 2  # FDCs x K x methods
    assert (table["train_bound"] >= table["train_fill"] - 1e-9).all()
    assert (table["certified_gap"] >= -1e-9).all() and (table["hindsight_fill"] >= table["test_fill"] - 1e-9).all()


def test_rankings_rank_every_sku_of_the_window_for_the_coverage_curves(lines: pd.DataFrame) -> None:
    cfg = AssortConfig(train_weeks=2, net_epochs=3)
    latest = rolling.latest_window(lines, cfg)
    win, k = latest.windows[0], latest.ks[0]
    ranked = rolling.rankings(win, k, 2 * k, cfg)
    assert list(ranked) == ["popularity", "reverse_exclude", "hybrid", f"net (trained at K = {k})"]
    assert len(ranked["popularity"]) == 2 * k and len(set(ranked["reverse_exclude"])) == 2 * k
    assert set(ranked[f"net (trained at K = {k})"]) >= set(win.types.sku_ids)


@pytest.mark.parametrize("method", ["popularity", "net"])
def test_the_job_in_partitions_gives_the_assortments_of_one_call_on_every_fdc(lines: pd.DataFrame, ci_config: Config,
                                                                               method: str) -> None:
    cfg = override(ci_config, "assort", deploy_method=method, deploy_k=5, net_epochs=3)
    rows = job.assortments(lines, cfg)
    latest = rolling.latest_window(lines, cfg.assort, k=5, test=False)
    direct = methods.run(method, latest.windows, [[k] for k in latest.ks], cfg.assort)
    assert len(latest.fdcs) > 1 and (method in methods.PER_FDC) == (method == "popularity")
    for fdc, res in zip(latest.fdcs, direct):
        mine = rows[rows["fdc_id"] == fdc]
        assert mine["sku_id"].tolist() == res[0].assortment.sku_ids.tolist()
        assert mine["score"].to_numpy() == pytest.approx(res[0].assortment.scores)
