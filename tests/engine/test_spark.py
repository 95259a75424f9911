"""The rolling assortment evaluation gives the same fold table in this process and on Spark local[2]."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from skulab import config, erp
from skulab.assort import rolling
from skulab.engine import make_engine

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e .[spark] (make install does)")
pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TIMINGS = ["seconds", "bound_seconds", "hindsight_seconds"]


@pytest.fixture(scope="module")
def ci(tmp_path_factory: pytest.TempPathFactory) -> tuple[config.Config, pd.DataFrame, pd.DataFrame]:
    """The ci profile (two methods, the MIP among them, two windows, one test week) and its ERP's orders."""
    cfg = config.load(ROOT / "params" / "ci.yaml")
    cfg = config.override(cfg, "assort", methods=["popularity", "mip"], windows=[2, 4], max_folds=1)
    db, _ = erp.build(cfg, f"duckdb:///{tmp_path_factory.mktemp('erp')}/ci.duckdb")
    return cfg, erp.read_order_lines(db), erp.read_sku_attributes(db)


@pytest.fixture(scope="module")
def spark(ci: tuple[config.Config, pd.DataFrame, pd.DataFrame]) -> Iterator[object]:
    session = make_engine(config.override(ci[0], "engine", name="spark", master="local[2]").engine)
    yield session
    session.stop()


def test_spark_local2_gives_the_fold_table_of_this_process(ci: tuple[config.Config, pd.DataFrame, pd.DataFrame],
                                                           spark: object) -> None:
    cfg, lines, skus = ci
    local = rolling.evaluate(lines, cfg.assort, skus, engine=make_engine(cfg.engine))
    on_spark = rolling.evaluate(lines, cfg.assort, skus, engine=spark)
    assert len(local.folds) == 2 * 2 * 2 * 2  # windows x FDCs x K x methods
    assert local.folds["mip_status"].notna().sum() == len(local.folds) // 2
    pd.testing.assert_frame_equal(local.folds.drop(columns=TIMINGS), on_spark.folds.drop(columns=TIMINGS),
                                  check_exact=True)
    pd.testing.assert_frame_equal(local.summary.drop(columns="seconds"), on_spark.summary.drop(columns="seconds"),
                                  check_exact=True)
