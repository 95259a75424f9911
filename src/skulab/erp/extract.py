"""Run the SQL files shipped in skulab/erp/sql/ and return DataFrames in canonical dtypes.

The files use portable SQL (DuckDB, MySQL/MariaDB, PostgreSQL) with `:name` parameters, so an ERP
operator can read, copy and run them by hand.
"""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import duckdb
import pandas as pd
import sqlalchemy as sa

from skulab.data.schema import TABLES
from skulab.errors import DataError, SkulabError

_KINDS = {c.name: c.kind for t in TABLES.values() for c in t.columns}


def sql_text(name: str) -> str:
    """The text of a packaged query, e.g. sql_text("sales")."""
    path = resources.files("skulab.erp") / "sql" / f"{name}.sql"
    if not path.is_file():
        known = sorted(p.name.removesuffix(".sql") for p in (resources.files("skulab.erp") / "sql").iterdir())
        raise SkulabError(f"no packaged query '{name}' (known: {', '.join(known)})")
    return path.read_text()


def read_sql(engine: sa.Engine, name: str, *, columns: list[str] | None = None,
             where: tuple[str, object] | None = None, **params: object) -> pd.DataFrame:
    """Run packaged query `name` with `params` bound; a database error (e.g. a missing column) becomes one line.

    `columns`: only the distinct values of these columns of its result; `where` (column, value): only its rows with
    that value (None: without one; one partition of a job), both filtered by the database, not in memory."""
    sql = sql_text(name)
    if columns is not None or where is not None:
        names = [*(columns or []), *([where[0]] if where else [])]
        if bad := [c for c in names if not c.isidentifier()]:
            raise SkulabError(f"packaged query {name}: {', '.join(bad)} is not a column name")
        picked = f"DISTINCT {', '.join(f'q.{c}' for c in columns)}" if columns is not None else "*"
        sql = f"SELECT {picked} FROM (\n{sql.rstrip().rstrip(';')}\n) q"
        if where is not None and where[1] is None:
            sql += f" WHERE q.{where[0]} IS NULL"
        elif where is not None:
            sql += f" WHERE q.{where[0]} = :where_value"
            params["where_value"] = where[1]
    try:
        return read_query(engine, sql, **params)
    except (sa.exc.DBAPIError, duckdb.Error) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        where = engine.url.render_as_string(hide_password=True)
        raise DataError(f"packaged query {name}.sql failed on {where}: {reason} (the ERP tables must have the "
                        f"canonical columns, see docs/data_format.md)") from None


def read_query(engine: sa.Engine, sql: str, **params: object) -> pd.DataFrame:
    """Run any SQL with `:name` parameters; DuckDB takes a fast columnar path."""
    with engine.connect() as conn:
        if conn.dialect.name == "duckdb":
            duck_sql = re.sub(r"(?<![:\w]):(\w+)", r"$\1", sql)
            used = {k: v for k, v in params.items() if f"${k}" in duck_sql}
            df = conn.connection.driver_connection.execute(duck_sql, used).df()
        else:
            df = pd.read_sql(sa.text(sql), conn, params=params)
    return _normalise(df)


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Give known columns their canonical dtypes whatever the driver returned (dates, Decimals, 0/1 booleans)."""
    for col in df.columns:
        kind = _KINDS.get(col)
        s = df[col]
        if kind in ("date", "timestamp") or (s.dtype == object and _first(s, (pd.Timestamp,)) is not None):
            df[col] = pd.to_datetime(s)
        elif kind == "bool":
            df[col] = s.astype("boolean")
        elif kind == "float" or (s.dtype == object and _first(s, (Decimal,)) is not None):
            df[col] = pd.to_numeric(s).astype("float64")
        elif kind in ("id", "str"):
            df[col] = s.astype("string")
    return df


def _first(s: pd.Series, types: tuple[type, ...]) -> object | None:
    value = s.dropna().iloc[0] if s.notna().any() else None
    return value if isinstance(value, types) else None
