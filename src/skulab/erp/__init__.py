"""The ERP database: schema, loading, packaged SQL extraction (DuckDB by default, MySQL/PostgreSQL by URL)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from skulab.config import Config
from skulab.data import SourceData
from skulab.data.schema import TABLES
from skulab.erp.connect import database_url, make_engine
from skulab.erp.extract import read_query, read_sql, sql_text
from skulab.erp.load import insert_frame, replace_tables
from skulab.erp.schema import create_schema
from skulab.erp.writeback import write_run

_EARLIEST, _LATEST = datetime(1900, 1, 1), datetime(2999, 12, 31)

__all__ = [
    "build",
    "connect",
    "create_schema",
    "database_url",
    "insert_frame",
    "make_engine",
    "read_order_lines",
    "read_query",
    "read_sales",
    "read_sql",
    "replace_tables",
    "sql_text",
    "table_counts",
    "write_run",
]


def build(cfg: Config, url: str | None = None) -> tuple[sa.Engine, SourceData]:
    """Create the ERP schema and fill it from the profile's source in one transaction."""
    from skulab.data.sources import load_source

    source = load_source(cfg)
    engine = make_engine(database_url(cfg, url))
    replace_tables(engine, source.tables)
    return engine, source


def connect(cfg: Config, url: str | None = None, build_if_empty: bool = True) -> sa.Engine:
    """An engine on the profile's ERP; builds it first when it has no SKUs yet (e.g. a fresh clone)."""
    engine = make_engine(database_url(cfg, url))
    if build_if_empty and not _has_rows(engine, "dim_sku"):
        engine, _ = build(cfg, url)
    return engine


def read_sales(engine: sa.Engine, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Sales with SKU, store and calendar attributes (packaged query `sales`), optionally between two dates."""
    return read_sql(engine, "sales", start=start or _EARLIEST.date(), end=end or _LATEST.date())


def read_order_lines(engine: sa.Engine, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
    """Order lines with order time, customer and FDC (packaged query `order_lines`), `end` exclusive."""
    return read_sql(engine, "order_lines", start=start or _EARLIEST, end=end or _LATEST)


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


def _has_rows(engine: sa.Engine, table: str) -> bool:
    if not sa.inspect(engine).has_table(table):
        return False
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() > 0
