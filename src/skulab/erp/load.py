"""Load canonical tables into the ERP in one transaction: all tables are replaced, or none is touched."""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import numpy as np
import pandas as pd
import sqlalchemy as sa

from skulab.data.schema import INPUT_TABLES, TABLES
from skulab.erp.schema import SA_TABLES, create_schema
from skulab.errors import DataError

_CHUNK = 20_000
_KINDS = {c.name: c.kind for t in TABLES.values() for c in t.columns}


def replace_tables(engine: sa.Engine, tables: dict[str, pd.DataFrame], allow_empty: Collection[str] = ()) -> None:
    """Make the ERP's input tables hold exactly `tables` (absent ones end empty), atomically.

    A table that holds rows and would end empty (its file missing, header-only or unreadable upstream) is refused
    unless named in `allow_empty` ("all" names every table): replacing rows with none must be asked for.
    That check only reads; then DDL runs (MySQL commits DDL implicitly), and the deletes and inserts share one
    transaction, so a refusal or a failure part-way leaves every table as it was.
    """
    with engine.connect() as conn:  # before any DDL: a refused build must not touch the database at all
        _refuse_emptying(conn, tables, allow_empty)
    create_schema(engine)
    name = ""
    try:
        with engine.begin() as conn:
            for name in reversed(INPUT_TABLES):
                conn.execute(SA_TABLES[name].delete())
            for name in INPUT_TABLES:
                if name in tables and len(tables[name]):
                    insert_frame(conn, name, tables[name])
    except (sa.exc.DBAPIError, duckdb.Error) as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DataError(f"loading {name} into {engine.url.render_as_string(hide_password=True)} failed, "
                        f"so no table was changed: {reason}") from None


def _refuse_emptying(conn: sa.Connection, tables: dict[str, pd.DataFrame], allow_empty: Collection[str]) -> None:
    """DataError naming every populated table the new source leaves empty, unless allowed."""
    allowed = set(INPUT_TABLES) if "all" in allow_empty else set(allow_empty)
    present = set(sa.inspect(conn).get_table_names())
    emptied = []
    for name in INPUT_TABLES:
        if name in allowed or name not in present or (name in tables and len(tables[name])):
            continue
        held = conn.execute(sa.select(sa.func.count()).select_from(SA_TABLES[name])).scalar_one()
        if held:
            emptied.append((name, int(held)))
    if emptied:
        names = ",".join(n for n, _ in emptied)
        shown = ", ".join(f"{n} ({rows:,} rows)" for n, rows in emptied)
        raise DataError(f"{conn.engine.url.render_as_string(hide_password=True)} holds {shown} but the source gives "
                        f"no rows for {'it' if len(emptied) == 1 else 'them'} (a missing, header-only or "
                        f"unreadable file?); nothing was changed: fix the source, or pass --allow-empty {names} "
                        "to empty them on purpose")


def insert_frame(conn: sa.Connection, name: str, df: pd.DataFrame) -> None:
    """Append a canonical DataFrame to table `name` inside the caller's transaction."""
    df = df[TABLES[name].column_names]
    if conn.dialect.name == "duckdb":
        raw = conn.connection.driver_connection
        raw.register("_skulab_frame", df)
        try:
            raw.execute(f"INSERT INTO {name} SELECT * FROM _skulab_frame")
        finally:
            raw.unregister("_skulab_frame")
        return
    table = SA_TABLES[name]
    for start in range(0, len(df), _CHUNK):
        conn.execute(table.insert(), _records(df.iloc[start:start + _CHUNK]))


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (None for missing) that every DB-API driver accepts."""
    cols = {}
    for name in df.columns:
        s = df[name]
        if pd.api.types.is_datetime64_any_dtype(s):
            values = s.dt.date if _KINDS.get(name) == "date" else s.to_numpy("datetime64[us]").astype(object)
            cols[name] = np.where(s.isna(), None, np.asarray(values, dtype=object))
        else:
            cols[name] = np.where(s.isna(), None, s.astype(object))
    return [dict(zip(cols, row)) for row in zip(*cols.values())]
