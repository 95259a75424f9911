"""The ERP database: schema, loading, packaged SQL extraction (DuckDB by default, MySQL/PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import sqlalchemy as sa

from skulab.config import Config
from skulab.data import SourceData
from skulab.data.schema import TABLES
from skulab.erp.connect import database_url, has_rows, is_own_embedded, make_engine, require_erp
from skulab.erp.extract import read_query, read_sql, sql_text
from skulab.erp.load import insert_frame, replace_tables
from skulab.erp.read import (
    Training,
    read_forecast,
    read_forecast_runs,
    read_forecast_series,
    read_latest_forecast,
    read_looks,
    read_order_lines,
    read_sales,
    read_sales_history,
    read_sales_span,
    read_sku_attributes,
    read_stores,
    read_training,
    read_training_keys,
    read_truth,
)
from skulab.erp.schema import create_schema
from skulab.erp.writeback import write_run

__all__ = [
    "Training",
    "build",
    "connect",
    "create_schema",
    "database_url",
    "insert_frame",
    "make_engine",
    "read_forecast",
    "read_forecast_runs",
    "read_forecast_series",
    "read_latest_forecast",
    "read_looks",
    "read_order_lines",
    "read_query",
    "read_sales",
    "read_sales_history",
    "read_sales_span",
    "read_sku_attributes",
    "read_sql",
    "read_stores",
    "read_training",
    "read_training_keys",
    "read_truth",
    "replace_tables",
    "sql_text",
    "table_counts",
    "write_run",
]


def build(cfg: Config, url: str | None = None, allow_empty: Collection[str] = ()) -> tuple[sa.Engine, SourceData]:
    """Create the ERP schema and fill it from the profile's source in one transaction; a populated table the
    source would leave empty is refused unless named in `allow_empty` (skulab.erp.load.replace_tables)."""
    from skulab.data.sources import load_source

    target = database_url(cfg, url)
    if cfg.data.source == "sql":
        from skulab.data.sql import refuse_source_as_erp

        refuse_source_as_erp(cfg, target)
    source = load_source(cfg)
    engine = make_engine(target)
    replace_tables(engine, source.tables, allow_empty)
    return engine, source


def connect(cfg: Config, url: str | None = None, build_if_empty: bool = True) -> sa.Engine:
    """An engine on the profile's ERP. The profile's own embedded DuckDB file is built on first use (a fresh
    clone); one named by --db, $SKULAB_DB_URL or a server erp.url must hold the ERP already (DatabaseError)."""
    if not (build_if_empty and is_own_embedded(cfg, url)):
        return require_erp(cfg, database_url(cfg, url))
    engine = make_engine(database_url(cfg, url))
    if not has_rows(engine, "dim_sku"):
        engine, _ = build(cfg, url)
    return engine


def table_counts(engine: sa.Engine) -> pd.DataFrame:
    """Row count of every canonical table present in the database."""
    present = set(sa.inspect(engine).get_table_names())
    rows = []
    with engine.connect() as conn:
        for name, table in TABLES.items():
            if name in present:
                n = conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
                rows.append((name, table.group, int(n)))
    return pd.DataFrame(rows, columns=["table", "group", "rows"])
