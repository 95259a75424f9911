"""The allocation job on DuckDB, MariaDB and PostgreSQL: one run per id, a latest view, bad stock refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import config, erp
from skulab.allocate import job
from skulab.errors import DataError


def _forecast(stores: tuple[str, ...] = ("S1", "S2")) -> pd.DataFrame:
    days = pd.date_range("2024-01-08", periods=7)
    rows = [(sku, s, d, m, q) for sku, m, q in (("A-S", 2.0, (0.0, 2.0, 5.0)), ("B", 1.0, (0.0, 1.0, 3.0)))
            for s in stores for d in days]
    return pd.DataFrame({"sku_id": [r[0] for r in rows], "store_id": [r[1] for r in rows],
                         "forecast_date": [r[2] for r in rows], "model": "WeightedEnsemble",
                         "mean": [r[3] for r in rows], "q10": [r[4][0] for r in rows],
                         "q50": [r[4][1] for r in rows], "q90": [r[4][2] for r in rows]})


@pytest.fixture
def erp_with_forecast(engine: sa.Engine, small_tables: dict) -> sa.Engine:
    erp.replace_tables(engine, small_tables)
    erp.write_run(engine, "forecast", "f1", _forecast(), profile="ci", params={})
    return engine


def test_allocation_run_is_written_once_per_id(erp_with_forecast: sa.Engine, ci_config: config.Config) -> None:
    first = job.run(ci_config, erp_with_forecast, run_id="a1")
    again = job.run(ci_config, erp_with_forecast, run_id="a1")
    stored = erp.read_query(erp_with_forecast, "SELECT * FROM store_allocation ORDER BY sku_id, store_id")
    assert len(stored) == len(first.rows) == len(again.rows) == 4
    assert set(stored["run_id"]) == {"a1"} and set(stored["policy"]) == {"newsvendor"}
    per_sku = stored.groupby("sku_id")["units"].sum()
    held = first.stock.set_index("sku_id")["units"]
    assert (per_sku <= held).all() and held.tolist() == [28, 14]  # stock 1.0 x 7 days x the daily mean x 2 stores
    runs = erp.read_query(erp_with_forecast, "SELECT run_id, status FROM allocation_run")
    assert runs.values.tolist() == [["a1", "done"]]


def test_latest_view_shows_the_newest_run(erp_with_forecast: sa.Engine, ci_config: config.Config) -> None:
    job.run(ci_config, erp_with_forecast, run_id="a1")
    job.run(config.override(ci_config, "allocate", policy="equal"), erp_with_forecast, run_id="a2")
    latest = erp.read_query(erp_with_forecast, "SELECT DISTINCT run_id, policy FROM store_allocation_latest")
    assert latest.values.tolist() == [["a2", "equal"]]
    lookup = erp.read_sql(erp_with_forecast, "allocation_lookup", sku_id="B", store_id="S1",
                          period=pd.Timestamp("2024-01-08").date())
    assert lookup["units"].tolist() == [7]  # 14 units in equal shares


@pytest.mark.parametrize(("text", "words"), [
    ("sku_id,units\nA-S,5\nZZ,3\n", "row 2 (sku_id 'ZZ', units '3'): sku_id is not a SKU of dim_sku"),
    ("sku_id,units\nA-S,-5\n", "units is negative"),
    ("sku_id,units\nA-M,5\n", "no forecast at the stores of that DC"),
    ("sku,units\nA-S,5\n", "missing column(s) sku_id"),
])
def test_bad_stock_file_writes_nothing(erp_with_forecast: sa.Engine, ci_config: config.Config, tmp_path: Path,
                                       text: str, words: str) -> None:
    f = tmp_path / "stock.csv"
    f.write_text(text)
    with pytest.raises(DataError, match=None) as err:
        job.run(ci_config, erp_with_forecast, run_id="a1", stock_file=f)
    assert words in str(err.value)
    assert not sa.inspect(erp_with_forecast).has_table("store_allocation") or erp.read_query(
        erp_with_forecast, "SELECT COUNT(*) AS n FROM store_allocation")["n"].iloc[0] == 0


def test_stock_file_is_allocated(erp_with_forecast: sa.Engine, ci_config: config.Config, tmp_path: Path) -> None:
    f = tmp_path / "stock.csv"
    f.write_text("sku_id,units\nA-S,3\n")
    result = job.run(ci_config, erp_with_forecast, run_id="a1", stock_file=f)
    units = result.rows.set_index(["sku_id", "store_id"])["units"]
    assert units.loc["A-S"].sum() == 3 and units.loc["B"].sum() == 0


def test_region_level_forecast_is_refused(engine: sa.Engine, small_tables: dict, ci_config: config.Config) -> None:
    erp.replace_tables(engine, small_tables)
    erp.write_run(engine, "forecast", "f1", _forecast(("East",)), profile="ci", params={})
    with pytest.raises(DataError, match="forecasts store_id 'East', which dim_store lacks"):
        job.run(ci_config, engine, run_id="a1")


def test_style_shares_split_the_forecasts_total_by_the_stores_sales_of_the_style(
        erp_with_forecast: sa.Engine, ci_config: config.Config) -> None:
    """The forecast splits each SKU 50:50; the week before, S1 sold only style A and S2 only B: with shares `style`
    each SKU's stock goes where its style sells, the whole of it (push_all)."""
    cfg = config.override(ci_config, "allocate", shares="style", push_all=True)
    units = job.run(cfg, erp_with_forecast, run_id="a1").rows.set_index(["sku_id", "store_id"])["units"]
    assert units.to_dict() == {("A-S", "S1"): 28, ("A-S", "S2"): 0, ("B", "S1"): 0, ("B", "S2"): 14}
    even = job.run(config.override(ci_config, "allocate", shares="forecast"), erp_with_forecast, run_id="a2").rows
    assert even.groupby("sku_id")["units"].sum().tolist() == [28, 14]  # the forecast's own split pushes it all too
    assert set(even.groupby("sku_id")["units"].nunique()) == {1}  # evenly
