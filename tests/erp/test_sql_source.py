"""The sql source end to end: a foreign ERP schema (examples/sql_source) read by the shipped queries, built into
skulab's ERP, backtested and forecast, then the README's lookup through the database's own command-line client.

On DuckDB always; on MariaDB and PostgreSQL when .ci/run has set their URLs. The source is the database
`skulab_src` on the same server, skulab's ERP the test database: the source must come out untouched.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
import yaml

from skulab import cli
from skulab.erp import make_engine

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "sql_source"
SERVERS = {"mysql": "SKULAB_TEST_MYSQL_URL", "postgres": "SKULAB_TEST_POSTGRES_URL"}
FOREIGN = ["articles", "campaigns", "daily_sales", "depots", "promo_codes", "shop_events", "shops", "weather_daily",
           "web_order_lines", "web_orders"]


def _make_source():
    spec = importlib.util.spec_from_file_location("make_source", EXAMPLE / "make_source.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_source = _make_source()


def _server_database(url: str, name: str) -> str:
    """`url` on database `name` of the same server, created when missing."""
    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if parsed.get_backend_name() == "postgresql":
            if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.execute(sa.text(f"CREATE DATABASE {name}"))
        else:
            conn.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS {name}"))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _drop_skulab_tables(url: str) -> None:
    from skulab.erp.schema import _VIEWS, metadata

    engine = make_engine(url)
    with engine.begin() as conn:
        for view in _VIEWS:
            conn.execute(sa.text(f"DROP VIEW IF EXISTS {view}"))
    metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=["duckdb", "mysql", "postgres"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(source URL holding the foreign ERP, skulab's ERP URL) on one backend."""
    if request.param == "duckdb":
        source, erp = f"duckdb:///{tmp_path / 'shop_erp.duckdb'}", f"duckdb:///{tmp_path / 'skulab.duckdb'}"
    else:
        erp = os.environ.get(SERVERS[request.param])
        if not erp:
            pytest.skip(f"{request.param} skipped: set {SERVERS[request.param]} (.ci/run sets it)")
        source = _server_database(erp, "skulab_src")
        _drop_skulab_tables(erp)
        request.addfinalizer(lambda: _drop_skulab_tables(erp))
    make_source.write(source, str(ROOT / "params" / "ci.yaml"))
    return source, erp


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    monkeypatch.setenv("SKULAB_ROOT", str(root))
    monkeypatch.delenv("SKULAB_DB_URL", raising=False)
    monkeypatch.chdir(root)
    return root


def _profile(root: Path, source: str | None, queries: Path = EXAMPLE / "queries") -> None:
    raw = {"profile": "own_sql", "data": {"source": "sql", "queries": str(queries)},
           "forecast": {"freq": "D", "horizon": 7, "windows": 1, "max_series": 6, "models": ["SeasonalNaive", "ETS"]}}
    if source:
        raw["data"]["url"] = source
    (root / "params" / "own_sql.yaml").write_text(yaml.safe_dump(raw))


def _snapshot(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        counts = {n: conn.execute(sa.text(f"SELECT COUNT(*) FROM {n}")).scalar_one() for n in names}
    engine.dispose()
    return counts


def _client_lookup(erp: str, sku: str, store: str, day: str, model: str) -> str:
    """The README's lookup through the backend's own client (DuckDB: its Python package, read only)."""
    url = sa.engine.make_url(erp)
    backend = url.get_backend_name()
    if backend == "duckdb":
        sql = (f"SELECT f.mean FROM sales_forecast_latest f WHERE f.sku_id = '{sku}' AND f.store_id = '{store}' "
               f"AND f.forecast_date = DATE '{day}' AND f.model = '{model}'")
        return str(duckdb.connect(url.database, read_only=True).sql(sql).fetchone()[0])
    if backend == "mysql":
        client = shutil.which("mariadb") or shutil.which("mysql")
        if not client:
            pytest.skip("the mariadb client is not installed")
        sql = (f"SELECT f.mean FROM sales_forecast_latest f WHERE f.sku_id = '{sku}' AND f.store_id = '{store}' "
               f"AND f.forecast_date = DATE '{day}' AND f.model = '{model}';")
        argv = [client, "-h", url.host, "-P", str(url.port or 3306), "-u", url.username, "--batch",
                "--skip-column-names", url.database]
        return subprocess.run(argv, input=sql, capture_output=True, text=True, check=True).stdout.strip()
    if not shutil.which("psql"):
        pytest.skip("the psql client is not installed")
    argv = ["psql", url.set(drivername="postgresql").render_as_string(hide_password=False), "-tA",
            "-v", f"sku_id='{sku}'", "-v", f"store_id='{store}'", "-v", f"forecast_date='{day}'",
            "-v", f"model='{model}'", "-f", str(ROOT / "src" / "skulab" / "erp" / "sql" / "forecast_lookup.sql")]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    return out.split("|")[5]


def test_sql_source_builds_backtests_forecasts_and_the_client_reads_the_forecast(
        databases: tuple[str, str], project: Path, capsys: pytest.CaptureFixture) -> None:
    source, erp = databases
    _profile(project, source)
    before = _snapshot(source)
    args = ["--params", "params/own_sql.yaml", "--db", erp]
    assert cli.main(["erp", "build", *args]) == 0, capsys.readouterr().err
    assert cli.main(["backtest", *args]) == 0, capsys.readouterr().err
    assert cli.main(["forecast", *args]) == 0, capsys.readouterr().err
    capsys.readouterr()

    engine = make_engine(erp)
    with engine.connect() as conn:
        sales = conn.execute(sa.text("SELECT COUNT(*), SUM(units) FROM fact_sales")).one()
        covariates = conn.execute(sa.text("SELECT COUNT(*) FROM covariate")).scalar_one()
        row = conn.execute(sa.text("SELECT sku_id, store_id, forecast_date, model, mean FROM sales_forecast_latest "
                                   "ORDER BY sku_id, store_id, forecast_date, model")).first()
    engine.dispose()
    foreign = make_source.foreign_tables(_demo_tables())
    daily = foreign[make_source.DAILY_SALES]
    assert sales[0] == len(daily) and float(sales[1]) == pytest.approx(float(daily["qty"].sum()))
    weather = foreign[make_source.WEATHER_DAILY]
    assert covariates == len(weather) + len(foreign[make_source.SHOP_EVENTS]) + weather["obs_date"].nunique()
    assert row is not None, "the forecast wrote no rows"
    sku, store, day, model, mean = row
    shown = _client_lookup(erp, sku, store, f"{day:%Y-%m-%d}", model)
    assert float(shown) == pytest.approx(mean, rel=1e-9)
    assert sku.isdigit() and store.isdigit(), "ids are the foreign ERP's article and shop numbers"
    assert _snapshot(source) == before and sorted(before) == FOREIGN, "the source ERP was written to"


def _demo_tables() -> dict:
    from skulab import config
    from skulab.data import demo

    d = config.load(ROOT / "params" / "ci.yaml").data
    return demo.generate(seed=d.seed, scale=d.scale, start=str(d.start), days=d.days, orders_scale=d.orders_scale).tables


def test_a_query_that_writes_is_refused_and_the_source_keeps_its_rows(
        databases: tuple[str, str], project: Path, capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    """Both guards: a statement that is not a SELECT is refused unread, and on PostgreSQL a data-modifying
    WITH (a SELECT on its face) fails in the read-only transaction."""
    source, erp = databases
    queries = tmp_path / "queries"
    shutil.copytree(EXAMPLE / "queries", queries)
    backend = sa.engine.make_url(source).get_backend_name()
    sneaky = ("WITH gone AS (DELETE FROM daily_sales RETURNING *) SELECT sale_date AS date, shop_no AS store_id, "
              "article_no AS sku_id, qty AS units FROM gone")
    (queries / "fact_sales.sql").write_text(sneaky if backend == "postgresql" else "DELETE FROM daily_sales")
    _profile(project, source, queries)
    before = _snapshot(source)
    assert cli.main(["erp", "build", "--params", "params/own_sql.yaml", "--db", erp]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fact_sales.sql" in err
    assert ("read-only transaction" in err) if backend == "postgresql" else ("not SELECT" in err)
    assert _snapshot(source) == before
