"""Portable DDL for the canonical tables (DuckDB, MySQL/MariaDB, PostgreSQL) and the 'latest run' views."""

from __future__ import annotations

import duckdb
import sqlalchemy as sa

from skulab.data.schema import TABLES, Column, Table, text_width
from skulab.errors import DatabaseError

metadata = sa.MetaData()
duckdb_metadata = sa.MetaData()
# DuckDB keeps a primary key as an in-memory ART index that is several times the size of these daily fact
# tables; their keys are already checked unique by validation before any load.
UNKEYED_ON_DUCKDB = frozenset({"fact_sales", "truth_demand"})

_VIEWS = {
    "sales_forecast_latest": ("sales_forecast", "forecast_run"),
    "fdc_assortment_latest": ("fdc_assortment", "assortment_run"),
    "store_allocation_latest": ("store_allocation", "allocation_run"),
    "region_category_forecast_latest": ("region_category_forecast", "reconciliation_run"),
}


def _sql_type(table: Table, col: Column) -> sa.types.TypeEngine:
    width = text_width(table, col)
    if col.kind in ("id", "str"):
        return sa.String(width) if width else sa.Text()
    return {
        "date": sa.Date(),
        "timestamp": sa.DateTime(),
        "int": sa.Integer(),
        "float": sa.Double(),
        "bool": sa.Boolean(),
    }[col.kind]


def _sa_table(table: Table, meta: sa.MetaData, keyed: bool = True) -> sa.Table:
    columns = [
        sa.Column(c.name, _sql_type(table, c),
                  nullable=c.nullable and c.name not in table.key, comment=c.doc or None)
        for c in table.columns
    ]
    key = [sa.PrimaryKeyConstraint(*table.key)] if keyed else []
    return sa.Table(table.name, meta, *columns, *key, comment=table.doc or None)


SA_TABLES: dict[str, sa.Table] = {name: _sa_table(t, metadata) for name, t in TABLES.items()}
for _name, _table in TABLES.items():
    _sa_table(_table, duckdb_metadata, keyed=_name not in UNKEYED_ON_DUCKDB)


def view_sql(view: str) -> str:
    """CREATE OR REPLACE VIEW returning the rows of the most recently finished run with status 'done'."""
    rows, runs = _VIEWS[view]
    return (
        f"CREATE OR REPLACE VIEW {view} AS SELECT t.* FROM {rows} t "
        f"WHERE t.run_id = (SELECT r.run_id FROM {runs} r WHERE r.status = 'done' "
        f"ORDER BY r.finished_at DESC, r.run_id DESC LIMIT 1)"
    )


def create_schema(engine: sa.Engine) -> None:
    """Create every missing table and (re)create the views; existing tables and rows are kept."""
    try:
        (duckdb_metadata if engine.dialect.name == "duckdb" else metadata).create_all(engine)
        with engine.begin() as conn:
            for view in _VIEWS:
                conn.execute(sa.text(view_sql(view)))
    except (sa.exc.DBAPIError, duckdb.Error) as exc:
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        raise DatabaseError(f"cannot create the ERP tables in {engine.url.render_as_string(hide_password=True)} "
                            f"({reason}): use a database where this user may create tables and views, and that "
                            f"is not opened read-only") from None
