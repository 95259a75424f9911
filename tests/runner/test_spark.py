"""The rolling assortment evaluation, the assortment job, the partitioned backtest and the order-type SQL give the
same tables in this process (DuckDB for the SQL) and on Spark local[2]."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from skulab import config, erp
from skulab.assort import job, order_types_sql, rolling
from skulab.assort.order_types import week_start
from skulab.erp.export import export
from skulab.forecast import partitioned
from skulab.forecast.features import build_panel
from skulab.runner import make_runner

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e .[spark] (make install does)")
pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TIMINGS = ["seconds", "bound_seconds", "hindsight_seconds"]


@pytest.fixture(scope="module")
def ci_erp(tmp_path_factory: pytest.TempPathFactory) -> tuple[config.Config, object]:
    """The ci profile (two assortment methods, the MIP among them, two windows, one test week) and its ERP."""
    cfg = config.load(ROOT / "params" / "ci.yaml")
    cfg = config.override(cfg, "assort", methods=["popularity", "mip"], windows=[2, 4], max_folds=1)
    db, _ = erp.build(cfg, f"duckdb:///{tmp_path_factory.mktemp('erp')}/ci.duckdb")
    return cfg, db


@pytest.fixture(scope="module")
def ci(ci_erp: tuple[config.Config, object]) -> tuple[config.Config, pd.DataFrame, pd.DataFrame]:
    """The ci profile and its ERP's orders and SKUs."""
    cfg, db = ci_erp
    return cfg, erp.read_order_lines(db), erp.read_sku_attributes(db)


@pytest.fixture(scope="module")
def spark(ci: tuple[config.Config, pd.DataFrame, pd.DataFrame]) -> Iterator[object]:
    session = make_runner(config.override(ci[0], "engine", name="spark", master="local[2]").engine)
    yield session
    session.stop()


def test_spark_local2_gives_the_fold_table_of_this_process(ci: tuple[config.Config, pd.DataFrame, pd.DataFrame],
                                                           spark: object) -> None:
    cfg, lines, skus = ci
    local = rolling.evaluate(lines, cfg.assort, skus, runner=make_runner(cfg.engine))
    on_spark = rolling.evaluate(lines, cfg.assort, skus, runner=spark)
    assert len(local.folds) == 2 * 2 * 2 * 2  # windows x FDCs x K x methods
    assert local.folds["mip_status"].notna().sum() == len(local.folds) // 2
    pd.testing.assert_frame_equal(local.folds.drop(columns=TIMINGS), on_spark.folds.drop(columns=TIMINGS),
                                  check_exact=True)
    pd.testing.assert_frame_equal(local.summary.drop(columns="seconds"), on_spark.summary.drop(columns="seconds"),
                                  check_exact=True)


def test_spark_local2_gives_the_partitioned_backtest_of_this_process(ci_erp: tuple[config.Config, object],
                                                                     spark: object) -> None:
    cfg, db = ci_erp
    fc = config.override(cfg, "forecast", windows=1, partition_by="category").forecast
    training = erp.read_training(db, fc)
    panel = build_panel(**training.inputs(), cfg=fc)

    local = partitioned.run(panel, fc, make_runner(cfg.engine))
    on_spark = partitioned.run(panel, fc, spark)

    assert local.runs["partition"].nunique() > 1 and set(local.runs["partition"]) == set(on_spark.runs["partition"])
    pd.testing.assert_frame_equal(local.forecasts, on_spark.forecasts, rtol=1e-6)
    pd.testing.assert_frame_equal(local.scores, on_spark.scores, rtol=1e-6)


def test_spark_sql_on_the_exported_parquet_gives_the_duckdb_order_types(ci_erp: tuple[config.Config, object],
                                                                        spark: object,
                                                                        tmp_path: Path) -> None:
    _, db = ci_erp
    export(db, tmp_path)
    lines = erp.read_order_lines(db)
    start = week_start(lines["ts"]).min() + pd.Timedelta(weeks=1)
    end = start + pd.Timedelta(weeks=8)

    local = order_types_sql.order_type_counts(tmp_path, start, end)
    on_spark = order_types_sql.order_type_counts(tmp_path, start, end, spark)

    assert local["week"].nunique() == 8 and local["orders"].sum() == lines[(lines["ts"] >= start) & (lines["ts"] < end)]["order_id"].nunique()
    pd.testing.assert_frame_equal(local, on_spark, check_exact=True)
    pd.testing.assert_frame_equal(order_types_sql.window_lines(tmp_path, start, end),
                                  order_types_sql.window_lines(tmp_path, start, end, spark), check_exact=True)


@pytest.mark.parametrize("method", ["mip", "net"])
def test_spark_local2_gives_the_assortment_job_of_this_process(ci: tuple[config.Config, pd.DataFrame, pd.DataFrame],
                                                               spark: object, method: str) -> None:
    cfg, lines, skus = ci
    cfg = config.override(cfg, "assort", deploy_method=method, deploy_k=20, net_epochs=5)
    local = job.assortments(lines, cfg, skus)
    on_spark = job.assortments(lines, cfg, skus, spark)
    assert local["fdc_id"].nunique() == 2 and (local.groupby("fdc_id").size() == 20).all()
    pd.testing.assert_frame_equal(local, on_spark, check_exact=True)


QUIET = """
from skulab.config import EngineConfig
from skulab.runner import make_runner
spark = make_runner(EngineConfig(name="spark", master="local[1]", conf={"spark.driver.extraJavaOptions": "-Dmine=1"}))
print(spark.range(3).count(), spark.sparkContext.getConf().get("spark.driver.extraJavaOptions"))
spark.stop()
"""


def test_spark_starts_without_chatter_and_keeps_the_users_java_options() -> None:
    # a report shows what a job wrote, not Spark's start-up warnings (the JVM's note on its incubator module aside)
    out = subprocess.run([sys.executable, "-c", QUIET], capture_output=True, text=True, timeout=180, check=True)
    assert out.stdout.startswith("3 ") and "-Dmine=1" in out.stdout and "spark-log4j2.properties" in out.stdout
    chatter = [line for line in out.stderr.splitlines() if "incubator modules" not in line]
    assert chatter == []
