"""The MIP keeps its wall-time limit even where HiGHS does not check it (root cut separation on large baskets)."""

import time

import pytest

from skulab.assort import exact, heuristics, order_types, synthetic
from skulab.assort.metrics import k_for_fill


@pytest.mark.slow
def test_a_mip_on_a_hard_instance_returns_within_its_limit_with_at_least_its_warm_start() -> None:
    lines = synthetic.order_lines(20_000, 200_000, seed=7, p_more=0.05, intent_size=60)
    types = order_types.from_lines(lines)
    k = k_for_fill(types, heuristics.popularity(types, types.n_skus).sku_ids, 0.7)
    start = heuristics.warm_start(types, k)

    t0 = time.perf_counter()
    a = exact.mip(types, k, time_limit=3.0, start=start)
    seconds = time.perf_counter() - t0

    assert seconds < 3.0 + exact.GRACE_SECONDS + 3.0, a.info
    assert a.info["status"].startswith("Time limit reached")
    assert len(a.top(k)) == k
    assert a.info["objective"] >= heuristics.covered_weight(types, start.top(k))


def test_the_solver_process_comes_back_after_it_was_stopped() -> None:
    types = order_types.from_lines(synthetic.order_lines(30, 200, seed=1))
    exact._SOLVER.stop()
    first = exact.mip(types, 5, time_limit=5.0)
    exact._SOLVER.stop()  # as after a deadline: the next solve starts a new process
    again = exact.mip(types, 5, time_limit=5.0)
    assert first.info["status"] == again.info["status"] == "Optimal"
    assert first.info["objective"] == again.info["objective"]


@pytest.mark.slow
def test_a_5_second_mip_on_the_largest_online_retail_window_returns_within_10_seconds(shared_data, tmp_path) -> None:
    from skulab import config, erp
    from skulab.assort import rolling
    from skulab.data import online_retail

    path = shared_data / "online_retail"
    if not (path / online_retail.FILE_NAME).is_file():
        pytest.skip(f"{path / online_retail.FILE_NAME} not found")
    cfg = config.load("params/online_retail.yaml")
    engine = erp.make_engine(f"duckdb:///{tmp_path / 'retail.duckdb'}")
    erp.replace_tables(engine, online_retail.load(path).tables)
    a = config.override(cfg.assort, train_weeks=max(cfg.assort.windows))
    latest = rolling.latest_window(erp.read_order_lines(engine), a)
    types, k = latest.windows[0].types, latest.ks[0]
    start = heuristics.warm_start(types, k)

    t0 = time.perf_counter()
    result = exact.mip(types, k, time_limit=5.0, start=start)
    seconds = time.perf_counter() - t0

    assert seconds < 10.0, (seconds, result.info["status"])
    assert len(result.top(k)) == k
    assert result.info["objective"] >= heuristics.covered_weight(types, start.top(k))
