"""The regional trends write-back on DuckDB, MariaDB and PostgreSQL: one run per id, a latest view, a store in no
region refused before anything is written."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import config, erp
from skulab.errors import DataError
from skulab.trends import job as trends


def _trends(scale: float = 1.0) -> trends.Trends:
    """Next-horizon forecasts of two region x category nodes and their region, two days."""
    days = pd.date_range("2024-01-08", periods=2)
    nodes = [("region/category:East/Tops", "region/category", "East", "Tops", 3.0),
             ("region/category:East/Shoes", "region/category", "East", "Shoes", 1.0),
             ("region:East", "region", "East", None, 4.0)]
    fc = pd.DataFrame([{"node": n, "level": lv, "region": r, "category": c, "timestamp": d, "method": "mint_shrink",
                        "mean": m * scale, "q10": 0.5 * m, "q50": m, "q90": 2 * m}
                       for n, lv, r, c, m in nodes for d in days])
    return trends.Trends(forecasts=fc, history=pd.DataFrame(), chosen=pd.Series(dtype=str),
                         history_end=days[0] - pd.Timedelta(days=1), window=None)  # type: ignore[arg-type]


def test_region_category_rows_are_the_region_category_level() -> None:
    rows = trends.region_category_rows(_trends())
    assert list(rows.columns) == trends.ROW_COLUMNS
    assert len(rows) == 4 and set(rows["category"]) == {"Tops", "Shoes"}
    assert rows.groupby("date")["mean"].sum().tolist() == [4.0, 4.0]  # the two categories sum to the region


def test_write_back_is_idempotent_and_the_latest_view_shows_the_newest_run(engine: sa.Engine,
                                                                         small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    rows = trends.region_category_rows(_trends())
    erp.write_run(engine, "reconciliation", "t1", rows, "ci", {"windows": 2})
    erp.write_run(engine, "reconciliation", "t1", rows, "ci", {"windows": 2})
    stored = erp.read_query(engine, "SELECT * FROM region_category_forecast ORDER BY category, date")
    assert len(stored) == 4 and set(stored["run_id"]) == {"t1"}
    assert erp.read_query(engine, "SELECT run_id, status FROM reconciliation_run").values.tolist() == [["t1", "done"]]
    erp.write_run(engine, "reconciliation", "t2", trends.region_category_rows(_trends(scale=2.0)), "ci", {})
    latest = erp.read_query(engine, "SELECT DISTINCT run_id FROM region_category_forecast_latest")
    assert latest["run_id"].tolist() == ["t2"]
    lookup = erp.read_sql(engine, "region_category_lookup", region="East", category="Tops")
    assert lookup["mean"].tolist() == [6.0, 6.0] and set(lookup["method"]) == {"mint_shrink"}
    assert erp.read_query(engine, "SELECT COUNT(*) AS n FROM region_category_forecast")["n"].iloc[0] == 8


def test_store_in_no_region_stops_the_job_before_anything_is_written(engine: sa.Engine, small_tables: dict,
                                                                     ci_config: config.Config) -> None:
    tables = {**small_tables, "dim_store": small_tables["dim_store"].assign(region=["East", None])}
    erp.replace_tables(engine, tables)
    with pytest.raises(DataError, match="dim_store gives no region for store_id S2"):
        trends.run(ci_config, engine, run_id="t1")
    assert not sa.inspect(engine).has_table("region_category_forecast") or erp.read_query(
        engine, "SELECT COUNT(*) AS n FROM region_category_forecast")["n"].iloc[0] == 0
