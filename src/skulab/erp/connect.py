"""Which ERP database to use, and an engine for it: --db flag, then $SKULAB_DB_URL, then the profile.

Every engine answers a failed connection with one DatabaseError line (server unreachable or silent, login
refused, unknown database, DuckDB file locked by another process or not a DuckDB file); MySQL and PostgreSQL
give up after `CONNECT_TIMEOUT` seconds unless the URL sets `connect_timeout`. Errors of SQL statements are
left to the callers, which know what was being read or written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from skulab.config import Config
from skulab.errors import ConfigError, DatabaseError

CONNECT_TIMEOUT = 5  # seconds a MySQL/PostgreSQL server has to answer a new connection
_DRIVERS = {"duckdb": "", "mysql": "pymysql", "mariadb": "pymysql", "postgresql": "psycopg"}
_FIX_URL = "fix the URL given by --db, $SKULAB_DB_URL or erp.url"


def database_url(cfg: Config, url: str | None = None) -> str:
    """The URL in force; the default is an embedded DuckDB file data/<profile>.duckdb under the project root."""
    url = url or os.environ.get("SKULAB_DB_URL") or cfg.erp.url
    if not url:
        return f"duckdb:///{cfg.root / 'data' / (cfg.profile + '.duckdb')}"
    _require_database(url, cfg.profile)
    return under_root(url, cfg.root)


def under_root(url: str, root: Path) -> str:
    """A relative DuckDB file URL (duckdb:///data/x.duckdb) anchored at the project root; any other URL as given."""
    if url.startswith("duckdb:///") and not url.startswith("duckdb:////") and url != "duckdb:///:memory:":
        return f"duckdb:///{root / url.removeprefix('duckdb:///')}"
    return url


def _require_database(url: str, profile: str) -> None:
    """Refuse a URL whose jobs would write nowhere lasting: an in-memory DuckDB, or a server without a database."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return  # make_engine says what a URL looks like
    if parsed.database and parsed.database != ":memory:":
        return
    shown = _hide(url) if parsed.password else url
    if parsed.get_backend_name() == "duckdb":
        raise ConfigError(f"database URL {shown!r} is an in-memory database, so nothing would persist: give a "
                          f"file such as duckdb:///data/{profile}.duckdb ({_FIX_URL})")
    raise ConfigError(f"database URL {shown!r} names no database: add it at the end, e.g. "
                      f"{shown.rstrip('/')}/skulab ({_FIX_URL})")


def is_own_embedded(cfg: Config, url: str | None = None) -> bool:
    """Whether the ERP in force is the profile's own embedded DuckDB file (built on first use, unlike a --db URL)."""
    if url or os.environ.get("SKULAB_DB_URL"):
        return False
    return not cfg.erp.url or cfg.erp.url.startswith("duckdb:")


def make_engine(url: str, read_only: bool = False) -> sa.Engine:
    """An engine for `url`; DuckDB connections are not pooled so the file is not held locked between calls, and
    `read_only` opens a DuckDB file read only (server databases are made read only per transaction)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError(f"database URL {_hide(url)!r} is not a SQLAlchemy URL (e.g. duckdb:///data/demo.duckdb, "
                          "mysql+pymysql://user@host/db, postgresql://user@host/db)") from None
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise ConfigError(f"database URL {_hide(url)!r}: backend '{backend}' is not supported "
                          f"(use one of {', '.join(_DRIVERS)})")
    if "+" not in parsed.drivername and backend != "duckdb":  # the drivers skulab installs
        parsed = parsed.set(drivername=f"{backend}+{_DRIVERS[backend]}")
    timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}
    try:
        if backend == "duckdb":
            engine = sa.create_engine(parsed, poolclass=NullPool, connect_args={"read_only": True} if read_only else {})
            sa.event.listen(engine, "do_connect", _make_parent_folder)
        elif backend in ("mysql", "mariadb"):
            # PyMySQL's connect_timeout covers the TCP connect only; a read timeout bounds the handshake too
            # and is lifted once connected, so long queries are not cut off.
            handshake = {} if "read_timeout" in parsed.query else {"read_timeout": CONNECT_TIMEOUT}
            engine = sa.create_engine(parsed, pool_pre_ping=True,
                                      connect_args={"local_infile": False, **timeout, **handshake})
            if handshake:
                sa.event.listen(engine, "connect", _lift_read_timeout)
        else:
            engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args=timeout)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"database URL {_hide(url)!r}: driver '{parsed.drivername}' is not installed "
                          f"({exc}); use {backend}+{_DRIVERS[backend] or 'duckdb'}:// or leave the driver out"
                          .replace("duckdb+duckdb", "duckdb")) from None
    sa.event.listen(engine, "handle_error", _connection_error)
    return engine


def require_erp(cfg: Config, url: str) -> sa.Engine:
    """An engine on `url` that holds the ERP; DatabaseError naming the build command if it was never built.

    A DuckDB file that does not exist is not created.
    """
    fix = f"run skulab erp build --params {_shown(cfg.source_file)} --db {_hide(url)}"
    if _duckdb_file(url) and not Path(_duckdb_file(url)).is_file():
        raise DatabaseError(f"no ERP tables in {_hide(url)} (the file does not exist): {fix}")
    engine = make_engine(url)
    if not sa.inspect(engine).has_table("dim_sku"):
        raise DatabaseError(f"no ERP tables in {_hide(url)}: {fix}")
    if not has_rows(engine, "dim_sku"):
        raise DatabaseError(f"the ERP in {_hide(url)} holds no SKUs (dim_sku is empty): {fix}")
    return engine


def has_rows(engine: sa.Engine, table: str) -> bool:
    """Whether `table` exists and holds at least one row."""
    if not sa.inspect(engine).has_table(table):
        return False
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() > 0


def _connection_error(ctx: sa.engine.ExceptionContext) -> None:
    """Replace an error raised while connecting with one DatabaseError line; other errors pass unchanged."""
    if ctx.connection is not None or ctx.is_pre_ping:  # a failed pre-ping reconnects by itself
        return
    url = ctx.engine.url if ctx.engine is not None else None
    where = url.render_as_string(hide_password=True) if url is not None else "the database"
    raise DatabaseError(explain_connection_error(ctx.original_exception, where)) from None


def explain_connection_error(exc: BaseException, where: str) -> str:
    """What a failed connection means and how to fix it, in one line."""
    reason = " ".join(str(exc).split())
    reason = reason.removeprefix("connection failed: ")
    if m := re.fullmatch(r"""\((\d+), ["'](.*)["']\)""", reason):  # PyMySQL: (code, "message")
        reason = f"{m.group(2)}, MySQL error {m.group(1)}"
    if m := re.search(r'Could not set lock on file "([^"]+)": Conflicting lock is held in (.+?) \(PID (\d+)\)',
                      reason):
        file, program, pid = m.groups()
        return (f"{file} is in use by another process (PID {pid}: {_command_line(int(pid), program)}): "
                f"close it (a notebook kernel, another skulab command) or wait for it to finish, then retry")
    if "Could not set lock" in reason:
        return f"{where} is in use by another process ({reason}): close it or wait for it to finish, then retry"
    if "not a valid DuckDB database file" in reason:
        return (f"{where} is not a DuckDB database file: point --db at a .duckdb file, or at a new path for "
                f"skulab erp build to create")
    if re.search(r"Cannot open (database|file)|Permission denied|Read-only file system", reason):
        return f"cannot open {where} ({reason}): check the path and its permissions"
    if re.search(r"timeout expired|timed out", reason, re.IGNORECASE):
        return (f"no answer from the database server of {where} within {CONNECT_TIMEOUT} s: check host, port "
                f"and firewall, or add ?connect_timeout=<seconds> to the URL")
    if m := re.search(r'database "([^"]+)" does not exist|Unknown database \'([^\']+)\'', reason):
        name = m.group(1) or m.group(2)
        return (f"database '{name}' does not exist on the server of {where}: create it (CREATE DATABASE "
                f"{name}) or {_FIX_URL}")
    if re.search(r"password authentication failed|role \"[^\"]+\" does not exist|Access denied|"
                 r"no password supplied|authentication", reason, re.IGNORECASE):
        return (f"the server of {where} refused the login ({reason}): check user and password in "
                f"$SKULAB_DB_URL (credentials never go in a params file)")
    if re.search(r"Connection refused|Can't connect|could not connect|resolve host|Name or service not known|"
                 r"No route to host|Network is unreachable|nodename nor servname", reason, re.IGNORECASE):
        return f"cannot reach the database server of {where} ({reason}): start the server or {_FIX_URL}"
    return f"cannot connect to {where} ({reason}): {_FIX_URL}"


def _command_line(pid: int, program: str) -> str:
    """The other process's command line (Linux /proc), shortened; its program name elsewhere."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        text = " ".join(a.decode(errors="replace") for a in argv if a)
    except OSError:
        text = ""
    text = text or program
    return text if len(text) <= 80 else text[:77] + "..."


def _make_parent_folder(dialect: sa.Dialect, conn_rec: object, cargs: tuple, cparams: dict) -> None:
    """DuckDB creates a missing file but not its folder; create the folder only when connecting."""
    database = cargs[0] if cargs else cparams.get("database")
    if isinstance(database, str) and database not in ("", ":memory:") and not database.startswith("md:"):
        os.makedirs(os.path.dirname(database) or ".", exist_ok=True)


def _lift_read_timeout(dbapi_connection: object, connection_record: object) -> None:
    if hasattr(dbapi_connection, "_read_timeout"):
        dbapi_connection._read_timeout = None  # PyMySQL resets the socket timeout from this on the next read


def _duckdb_file(url: str) -> str | None:
    """The file of a DuckDB URL (None for other backends, in-memory and MotherDuck databases)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "duckdb" or parsed.database in (None, "", ":memory:"):
        return None
    return None if parsed.database.startswith("md:") else parsed.database


def _hide(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
