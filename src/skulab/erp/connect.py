"""Which ERP database to use, and an engine for it: --db flag, then $SKULAB_DB_URL, then the profile."""

from __future__ import annotations

import os

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from skulab.config import Config
from skulab.errors import ConfigError

_DRIVERS = {"duckdb": "", "mysql": "pymysql", "mariadb": "pymysql", "postgresql": "psycopg"}


def database_url(cfg: Config, url: str | None = None) -> str:
    """The URL in force; the default is an embedded DuckDB file data/<profile>.duckdb under the project root."""
    url = url or os.environ.get("SKULAB_DB_URL") or cfg.erp.url
    if not url:
        return f"duckdb:///{cfg.root / 'data' / (cfg.profile + '.duckdb')}"
    if url.startswith("duckdb:///") and not url.startswith("duckdb:////") and url != "duckdb:///:memory:":
        return f"duckdb:///{cfg.root / url.removeprefix('duckdb:///')}"
    return url


def make_engine(url: str) -> sa.Engine:
    """An engine for `url`; DuckDB connections are not pooled so the file is not held locked between calls."""
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
    if backend == "duckdb":
        if parsed.database and parsed.database != ":memory:":
            os.makedirs(os.path.dirname(parsed.database) or ".", exist_ok=True)
        return sa.create_engine(parsed, poolclass=NullPool)
    if backend in ("mysql", "mariadb"):
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args={"local_infile": False})
    return sa.create_engine(parsed, pool_pre_ping=True)


def _hide(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url
