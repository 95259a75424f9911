"""`skulab bench forecast --job`: the weekly job, its automatic recipe included, timed pooled and by partitions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import config
from skulab.bench import merged, write
from skulab.bench.forecast import job

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_job_benchmark_runs_the_recipe_and_the_job_pooled_and_by_partitions(tmp_path: Path) -> None:
    cfg = config.load(ROOT / "params" / "ci.yaml").model_copy(update={"root": tmp_path})
    cfg = config.override(cfg, "forecast", recipe_fits=2, recipe_series=4, models=["SeasonalNaive", "Naive"])
    table = job(cfg, [10], {"local": None, "local partitioned": "native"}, "category")
    assert table["engine"].tolist() == ["local", "local partitioned"]
    assert table["recipe_series"].tolist() == [4, 4]  # chosen on a sample, then fitted on all 10
    assert table["partitions"].tolist() == ["pooled", "by category"]
    assert (table["series"] == 10).all()
    assert (table["recipe_fits"] == 2).all()  # the budget, spent the same way on both routes
    assert (table["selection_s"] > 0).all() and (table["total_s"] > table["selection_s"]).all()
    erp = tmp_path / "data" / "bench" / "demo-scale1.duckdb"  # the chain was written once and holds both runs
    with sa.create_engine(f"duckdb:///{erp}").connect() as con:
        runs = con.execute(sa.text("SELECT run_id FROM forecast_run ORDER BY run_id")).scalars().all()
    assert runs == ["bench-10-local", "bench-10-local-by-category"]


def test_an_unknown_engine_is_one_line(skulab_cli: Callable) -> None:
    out = skulab_cli("bench", "forecast", "--params", "params/ci.yaml", "--job", "--engines", "local,sparc")
    assert out.returncode == 2 and "unknown engine(s) sparc; engines: local, partitioned, spark" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_job_table_keeps_the_sizes_another_run_measured_and_replaces_the_ones_measured_again(tmp_path: Path) -> None:
    write(pd.DataFrame({"size": [1000, 1000, 10000], "engine": ["local", "spark", "local"], "total_s": [1.0, 2.0, 3.0]}),
          "forecast_job", tmp_path)
    again = pd.DataFrame({"size": [1000, 30000], "engine": ["local", "local"], "total_s": [9.0, 8.0]})

    table = merged(again, "forecast_job", tmp_path, ["size", "engine"])

    assert table[["size", "engine", "total_s"]].values.tolist() == [
        [1000, "local", 9.0], [1000, "spark", 2.0], [10000, "local", 3.0], [30000, "local", 8.0]]
    assert merged(again, "nothing_yet", tmp_path, ["size", "engine"]).equals(again)


def test_a_table_written_before_a_key_column_existed_keeps_its_rows_with_the_value_they_were_measured_with(
        tmp_path: Path) -> None:
    write(pd.DataFrame({"size": [1000, 10000], "engine": ["local", "local"], "total_s": [1.0, 3.0]}), "forecast_job",
          tmp_path)
    sampled = pd.DataFrame({"size": [10000], "engine": ["local"], "recipe_series": [1000], "total_s": [2.0]})

    table = merged(sampled, "forecast_job", tmp_path, ["size", "engine", "recipe_series"],
                   older={"recipe_series": "all"})

    assert table.columns.tolist() == ["size", "engine", "recipe_series", "total_s"]
    assert table.values.tolist() == [[1000, "local", "all", 1.0], [10000, "local", 1000, 2.0],
                                     [10000, "local", "all", 3.0]]


def test_a_misspelt_setting_of_the_benchmark_is_one_line(skulab_cli: Callable) -> None:
    out = skulab_cli("bench", "forecast", "--params", "params/ci.yaml", "--job", "--set", "recipe_serie=1000")
    assert out.returncode == 2 and "recipe_serie" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
