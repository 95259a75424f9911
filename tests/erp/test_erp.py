"""The ERP layer round-trips canonical tables on DuckDB, MariaDB and PostgreSQL, atomically."""

import re
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import erp
from skulab.data.schema import TABLES
from skulab.erp.load import insert_frame
from skulab.errors import DataError


def _canonical(df: pd.DataFrame, name: str) -> pd.DataFrame:
    cols = TABLES[name].column_names
    return df[cols].sort_values(list(TABLES[name].key)).reset_index(drop=True)


def test_tables_round_trip_unchanged(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    for name, df in small_tables.items():
        back = erp.read_query(engine, f"SELECT * FROM {name}")
        pd.testing.assert_frame_equal(_canonical(back, name), _canonical(df, name), check_dtype=False,
                                      check_exact=False)


def test_replace_leaves_exactly_the_new_tables(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    fewer = {k: v for k, v in small_tables.items() if k not in ("orders", "order_line")}
    erp.replace_tables(engine, fewer, allow_empty=["orders", "order_line"])
    counts = erp.table_counts(engine).set_index("table")["rows"]
    assert counts["orders"] == 0 and counts["order_line"] == 0 and counts["fact_sales"] == 5


def test_emptying_a_populated_table_is_refused_unless_asked_for(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    before = erp.table_counts(engine)
    header_only = small_tables | {"fact_sales": small_tables["fact_sales"].iloc[:0]}
    without_orders = {k: v for k, v in small_tables.items() if k not in ("orders", "order_line")}
    for tables, named in [(header_only, "fact_sales (5 rows)"), (without_orders, "orders (")]:
        with pytest.raises(DataError, match=r"holds .*" + re.escape(named) + r".*nothing was changed.*--allow-empty"):
            erp.replace_tables(engine, tables)
        pd.testing.assert_frame_equal(erp.table_counts(engine), before)
    erp.replace_tables(engine, header_only, allow_empty=["all"])
    assert erp.table_counts(engine).set_index("table").loc["fact_sales", "rows"] == 0


def test_failed_load_leaves_the_database_as_it_was(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    before = erp.table_counts(engine)
    broken = dict(small_tables)
    broken["order_line"] = pd.concat([small_tables["order_line"]] * 2)  # duplicate keys, bypassing validation
    with pytest.raises(DataError, match="loading order_line into .* failed, so no table was changed"):
        erp.replace_tables(engine, broken | {"fact_sales": small_tables["fact_sales"].iloc[:1]})
    pd.testing.assert_frame_equal(erp.table_counts(engine), before)


def test_packaged_sales_query_joins_attributes_and_filters_dates(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    sales = erp.read_sales(engine, start=date(2024, 1, 2), end=date(2024, 1, 3))
    assert len(sales) == 3
    assert set(sales["category"]) == {"Tops", "Accessories"}
    assert sales["stockout"].dtype == "boolean" and sales["stockout"].sum() == 1
    assert pd.api.types.is_datetime64_any_dtype(sales["date"]) and sales["weekday"].notna().all()


def test_packaged_order_lines_query_has_end_exclusive(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    lines = erp.read_order_lines(engine, start=datetime(2024, 1, 1), end=datetime(2024, 1, 3))
    assert sorted(lines["order_id"].unique()) == ["o1", "o2"] and len(lines) == 3


def test_latest_view_returns_the_newest_finished_run(engine: sa.Engine) -> None:
    erp.create_schema(engine)
    runs = pd.DataFrame({"run_id": ["r1", "r2", "r3"], "status": ["done", "done", "failed"],
                         "created_at": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]),
                         "finished_at": pd.to_datetime(["2024-01-01 01:00", "2024-01-08 01:00", None]),
                         "profile": "ci", "params": "{}"})
    rows = pd.DataFrame({"run_id": ["r1", "r2", "r3"], "sku_id": "A", "store_id": "S1",
                         "forecast_date": pd.to_datetime("2024-02-01"), "model": "ETS", "mean": [1.0, 2.0, 3.0],
                         "q10": None, "q50": None, "q90": None})
    with engine.begin() as conn:
        insert_frame(conn, "forecast_run", runs)
        insert_frame(conn, "sales_forecast", rows)
    latest = erp.read_query(engine, "SELECT run_id, mean FROM sales_forecast_latest")
    assert latest["run_id"].tolist() == ["r2"] and latest["mean"].tolist() == [2.0]


def test_unknown_backend_is_a_clear_error() -> None:
    from skulab.errors import ConfigError

    with pytest.raises(ConfigError, match="backend 'oracle' is not supported"):
        erp.make_engine("oracle://scott@db/erp")


def _forecast_rows(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"sku_id": "A-S", "store_id": "S1", "model": "ETS", "mean": range(n),
                         "forecast_date": pd.date_range("2024-02-01", periods=n)})


def test_write_back_is_idempotent(engine: sa.Engine) -> None:
    erp.write_run(engine, "forecast", "run-1", _forecast_rows(), profile="ci", params={"horizon": 3})
    first = erp.read_query(engine, "SELECT * FROM sales_forecast ORDER BY forecast_date")
    erp.write_run(engine, "forecast", "run-1", _forecast_rows(), profile="ci", params={"horizon": 3})
    again = erp.read_query(engine, "SELECT * FROM sales_forecast ORDER BY forecast_date")
    pd.testing.assert_frame_equal(first, again)
    runs = erp.read_query(engine, "SELECT status, finished_at FROM forecast_run")
    assert runs["status"].tolist() == ["done"] and runs["finished_at"].notna().all()
    assert erp.read_query(engine, "SELECT COUNT(*) AS n FROM sales_forecast_latest")["n"].iloc[0] == 3


def test_failed_write_back_leaves_the_previous_run(engine: sa.Engine) -> None:
    erp.write_run(engine, "forecast", "run-1", _forecast_rows(), profile="ci", params={})
    duplicated = pd.concat([_forecast_rows(), _forecast_rows()])
    with pytest.raises(DataError, match="writing forecast run run-1 failed, so nothing was changed"):
        erp.write_run(engine, "forecast", "run-1", duplicated, profile="ci", params={})
    assert len(erp.read_query(engine, "SELECT * FROM sales_forecast_latest")) == 3


def test_write_back_names_missing_result_columns(engine: sa.Engine) -> None:
    with pytest.raises(DataError, match="fdc_assortment: result rows lack column.*sku_rank"):
        erp.write_run(engine, "assortment", "a1", pd.DataFrame({"fdc_id": ["F1"], "sku_id": ["A"], "method": ["pop"]}),
                      profile="ci", params={})
