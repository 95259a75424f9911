"""Your own ERP as the source: one SELECT per canonical table, written against your schema, run read only.

`data: {source: sql, url: ..., queries: <folder>}`: the folder holds `<table>.sql` for each canonical input
table you have (the same tables and column names as the files source, docs/data_format.md); each file is one
SELECT (or WITH ... SELECT) whose result columns are named like the canonical columns. skulab runs each one in
a read-only transaction on the source (DuckDB: a read-only connection), so the source is never written, and
checks the results exactly as it checks files: one DataError naming the query file, the column and the rows.
skulab's own tables go to the ERP in force (`erp.url`, `--db`, $SKULAB_DB_URL), which must be another database
than the source. The source URL is `data.url`, or $SKULAB_SOURCE_URL when it holds credentials.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa

from skulab.config import Config
from skulab.data import SourceData
from skulab.data.canonical import assemble, check_options, table_name_problem
from skulab.erp.connect import make_engine, under_root
from skulab.errors import ConfigError, DatabaseError, DataError

SOURCE_URL_VAR = "SKULAB_SOURCE_URL"
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_READ_ONLY = {"postgresql": "SET TRANSACTION READ ONLY", "mysql": "START TRANSACTION READ ONLY",
              "mariadb": "START TRANSACTION READ ONLY"}


def load(cfg: Config) -> SourceData:
    """Run the profile's queries on the source ERP, read only, and validate the results as canonical tables."""
    url = source_url(cfg)
    folder = queries_folder(cfg)
    check_options(cfg.data.locale, None)
    problems: list[str] = []
    queries = _scan(folder, problems)
    statements = {}
    for name, f in queries.items():
        try:
            statements[name] = statement(f)
        except DataError as exc:
            problems.append(str(exc))
    raw = _run(url, statements, queries, problems) if statements else {}
    origin = {name: str(f) for name, f in queries.items()}
    return assemble(raw, origin, str(folder), lambda t: f"{t}.sql", problems, locale=cfg.data.locale,
                    timezone=cfg.data.timezone, fix="fix the queries")


def source_url(cfg: Config) -> str:
    """The source ERP's URL: $SKULAB_SOURCE_URL, else data.url (a DuckDB path relative to the project root)."""
    url = os.environ.get(SOURCE_URL_VAR) or cfg.data.url
    if not url:
        raise ConfigError(f"{cfg.source_file}: data.url is required for source 'sql' (or set ${SOURCE_URL_VAR} "
                          "when the URL holds a password)")
    return under_root(url, cfg.root)


def queries_folder(cfg: Config) -> Path:
    """The folder of `<table>.sql` files (data.queries, relative to the project root)."""
    if cfg.data.queries is None:
        raise ConfigError(f"{cfg.source_file}: data.queries is required for source 'sql' (a folder with one "
                          "<table>.sql per table; examples/sql_source/queries is an example)")
    folder = cfg.data.queries if cfg.data.queries.is_absolute() else cfg.root / cfg.data.queries
    if not folder.is_dir():
        raise DataError(f"{folder}: data.queries is not a folder (expected one <table>.sql per table)")
    return folder


def same_database(a: str, b: str) -> bool:
    """Whether two URLs name the same database (same file, or same server, port, database and options)."""
    ua, ub = sa.engine.make_url(a), sa.engine.make_url(b)
    if ua.get_backend_name() != ub.get_backend_name():
        return False
    if ua.get_backend_name() == "duckdb":
        return bool(ua.database) and Path(ua.database).resolve() == Path(ub.database or "").resolve()
    local = {"localhost", "127.0.0.1", "::1"}
    host_a, host_b = ("local" if h in local else h for h in (ua.host, ub.host))
    return (host_a, ua.port, ua.database, dict(ua.query)) == (host_b, ub.port, ub.database, dict(ub.query))


def refuse_source_as_erp(cfg: Config, erp_url: str) -> None:
    """DatabaseError when skulab's own tables would be written into the source ERP itself."""
    url = source_url(cfg)
    if same_database(url, erp_url):
        shown = sa.engine.make_url(erp_url).render_as_string(hide_password=True)
        raise DatabaseError(f"{shown} is both the source ERP (data.url) and skulab's ERP: skulab never writes into "
                            "the source; point --db, $SKULAB_DB_URL or erp.url at another database or schema")


def statement(f: Path) -> str:
    """The one SELECT in query file `f`, without comments and trailing semicolon; DataError otherwise."""
    try:
        text = f.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{f}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise DataError(f"{f}: cannot read the query ({exc.strerror})") from None
    code = _COMMENTS.sub(" ", text).strip().rstrip(";").strip()
    if not code:
        raise DataError(f"{f}: holds no query; write one SELECT whose columns are named like {f.stem}'s")
    if "\x00" in code:
        raise DataError(f"{f}: holds a NUL byte; save the query as plain UTF-8 text")
    if ";" in code:
        raise DataError(f"{f}: holds more than one statement (a ';' before the end); keep one SELECT per file")
    first = code.split(None, 1)[0].upper()
    if first not in ("SELECT", "WITH", "("):
        raise DataError(f"{f}: starts with {first}, not SELECT: the sql source only reads; write one SELECT "
                        f"whose columns are named like {f.stem}'s")
    return code


def _scan(folder: Path, problems: list[str]) -> dict[str, Path]:
    """Map table name -> query file; report unknown tables, output tables and entries that are not files."""
    found = {}
    for f in sorted(folder.iterdir()):
        if f.name.startswith(".") or f.suffix.lower() != ".sql":
            continue
        name = f.stem
        problem = (f"{f}: is not a regular file; give the {name} query as a .sql file or remove the entry"
                   if not f.is_file() else table_name_problem(f, name))
        if problem:
            problems.append(problem)
        else:
            found[name] = f
    return found


def _run(url: str, statements: dict[str, str], queries: dict[str, Path], problems: list[str]) -> dict[str, pd.DataFrame]:
    """Each statement's rows as a DataFrame, run in a read-only transaction of its own."""
    engine = _read_only_engine(url)
    shown = engine.url.render_as_string(hide_password=True)
    raw = {}
    try:
        for name, code in statements.items():
            with engine.connect() as conn:
                try:
                    if conn.dialect.name in _READ_ONLY:
                        conn.exec_driver_sql(_READ_ONLY[conn.dialect.name])
                    result = conn.execution_options(no_parameters=True).exec_driver_sql(code)
                    columns = list(map(str, result.keys()))
                    rows = result.fetchall()
                except (sa.exc.DBAPIError, duckdb.Error) as exc:
                    reason = " ".join(str(getattr(exc, "orig", exc)).split())[:300]
                    problems.append(f"{queries[name]}: the query failed on {shown} ({reason}); fix the query "
                                    "(it runs read only)")
                    continue
                finally:
                    conn.rollback()
            dups = sorted({c for c in columns if columns.count(c) > 1})
            if dups:
                problems.append(f"{queries[name]}: the result has duplicate column(s) {', '.join(dups)}; give each "
                                "column one alias")
                continue
            raw[name] = pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)
    finally:
        engine.dispose()
    return raw


def _read_only_engine(url: str) -> sa.Engine:
    """An engine on the source; a DuckDB source is opened read only, and must exist (it is never created)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "duckdb":
        return make_engine(url)
    if not parsed.database or parsed.database == ":memory:" or not Path(parsed.database).is_file():
        raise DataError(f"{url}: the source DuckDB file does not exist; fix data.url or ${SOURCE_URL_VAR}")
    return make_engine(url, read_only=True)
