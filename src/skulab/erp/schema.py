"""Portable DDL for the canonical tables (DuckDB, MySQL/MariaDB, PostgreSQL) and the 'latest run' views."""

from __future__ import annotations

import sqlalchemy as sa

from skulab.data.schema import TABLES, Column, Table

metadata = sa.MetaData()

_VIEWS = {
    "sales_forecast_latest": ("sales_forecast", "forecast_run"),
    "fdc_assortment_latest": ("fdc_assortment", "assortment_run"),
}


def _sql_type(col: Column, in_key: bool) -> sa.types.TypeEngine:
    if col.kind == "id" or (col.kind == "str" and in_key):
        return sa.String(64)
    return {
        "str": sa.String(255),
        "date": sa.Date(),
        "timestamp": sa.DateTime(),
        "int": sa.Integer(),
        "float": sa.Double(),
        "bool": sa.Boolean(),
    }[col.kind]


def _sa_table(table: Table) -> sa.Table:
    columns = [
        sa.Column(c.name, sa.Text() if c.name == "params" else _sql_type(c, c.name in table.key),
                  nullable=c.nullable and c.name not in table.key, comment=c.doc or None)
        for c in table.columns
    ]
    return sa.Table(table.name, metadata, *columns, sa.PrimaryKeyConstraint(*table.key), comment=table.doc or None)


SA_TABLES: dict[str, sa.Table] = {name: _sa_table(t) for name, t in TABLES.items()}


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
    metadata.create_all(engine)
    with engine.begin() as conn:
        for view in _VIEWS:
            conn.execute(sa.text(view_sql(view)))
