"""Shared fixtures (profiles, one engine per database server, the shared real data, the CLI) and the session
bookkeeping of the pinned figures: which notebooks nbval ran, and the pinned tests ordered after them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from skulab import config
from skulab.erp import make_engine

ROOT = Path(__file__).resolve().parents[1]

_NOTEBOOK_RUNS: dict[str, bool] = {}  # notebook name -> every cell passed, for the notebooks nbval ran
_STARTED = time.time()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-pinned", action="store_true",
                     help="rewrite tests/expected/ci/ from this run's figures (review the diff, then commit it)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the pinned-figure tests last, after nbval has executed the notebooks whose figures they read."""
    items.sort(key=lambda item: bool(getattr(getattr(item, "module", None), "RUN_AFTER_NOTEBOOKS", False)))


class _NotebookRuns:
    """Records the outcome of nbval's cells (a plugin, not a conftest hook: those only see items under tests/)."""

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        path = report.nodeid.split("::", 1)[0]
        if path.startswith("notebooks/") and path.endswith(".ipynb"):
            name = path.removeprefix("notebooks/")
            _NOTEBOOK_RUNS[name] = _NOTEBOOK_RUNS.get(name, True) and not report.failed


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_NotebookRuns(), "skulab-notebook-runs")


@pytest.fixture(scope="session")
def notebook_runs() -> dict[str, bool]:
    """The notebooks nbval executed in this session so far, each with whether all its cells passed."""
    return _NOTEBOOK_RUNS


@pytest.fixture(scope="session")
def session_started() -> float:
    """When this test session started (epoch seconds): files older than this were not written by it."""
    return _STARTED


_SERVERS = {
    "mysql": ("SKULAB_TEST_MYSQL_URL", "MariaDB/MySQL"),
    "postgres": ("SKULAB_TEST_POSTGRES_URL", "PostgreSQL"),
}


@pytest.fixture
def ci_config() -> config.Config:
    """The CI-sized demo profile."""
    return config.load(ROOT / "params" / "ci.yaml")


@pytest.fixture(params=["duckdb", "mysql", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL per backend: a fresh DuckDB file always, the local servers when their env var is set."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'erp.duckdb'}"
    var, label = _SERVERS[request.param]
    url = os.environ.get(var)
    if not url:
        pytest.skip(f"{label} test skipped: set {var} (e.g. .ci/run sets it when the local server answers)")
    return url


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    """An engine on an empty ERP: server databases are wiped of skulab tables before and after the test."""
    eng = make_engine(db_url)
    _drop_all(eng)
    yield eng
    _drop_all(eng)
    eng.dispose()


def _drop_all(eng: sa.Engine) -> None:
    from skulab.erp.schema import _VIEWS, metadata

    with eng.begin() as conn:
        for view in _VIEWS:
            conn.execute(sa.text(f"DROP VIEW IF EXISTS {view}"))
    metadata.drop_all(eng)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real data folder ($SKULAB_SHARED_DATA or ../shared/data); skips when absent."""
    path = config.shared_data_dir(ROOT)
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set SKULAB_SHARED_DATA)")
    return path


@pytest.fixture
def skulab_cli() -> Callable[..., subprocess.CompletedProcess]:
    """Run `skulab ARGS` in a fresh interpreter (cwd the project root unless given), capturing its output."""

    def run(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "skulab.cli", *args], check=False, capture_output=True,
                              text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=600)

    return run


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
def small_tables() -> dict:
    """A tiny, valid canonical ERP: 3 SKUs, 2 stores, 1 FDC, 4 days of sales, 3 orders."""
    import pandas as pd

    from skulab.data.calendar import build_calendar
    from skulab.data.validate import validate

    return validate({
        "dim_fdc": pd.DataFrame({"fdc_id": ["F1"], "name": ["East FDC"], "region": ["East"]}),
        "dim_sku": pd.DataFrame({"sku_id": ["A-S", "A-M", "B"], "style_id": ["A", "A", "B"],
                                 "name": ["Shirt S", "Shirt M", "Cap"], "category": ["Tops", "Tops", "Accessories"],
                                 "list_price": [99.0, 99.0, 29.9], "launch_date": ["2024-01-01"] * 3}),
        "dim_store": pd.DataFrame({"store_id": ["S1", "S2"], "region": ["East", "East"], "fdc_id": ["F1", "F1"]}),
        "dim_calendar": build_calendar("2024-01-01", "2024-01-07", "cn"),
        "fact_sales": pd.DataFrame({
            "date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-01", "2024-01-02"],
            "store_id": ["S1", "S1", "S1", "S2", "S2"], "sku_id": ["A-S", "A-S", "A-S", "B", "B"],
            "units": [3, 0, 1, 5, 2], "price": [99, 99, 79.2, 29.9, 29.9], "base_price": [99, 99, 99, 29.9, 29.9],
            "promo_type": [None, None, "pct_off", None, None], "discount": [None, None, 0.2, None, None],
            "stockout": [False, False, True, False, False]}),
        "orders": pd.DataFrame({"order_id": ["o1", "o2", "o3"], "customer_id": ["c1", "c2", "c1"], "fdc_id": ["F1"] * 3,
                                "ts": ["2024-01-01 09:30", "2024-01-02 20:05", "2024-01-03 12:00"]}),
        "order_line": pd.DataFrame({"order_id": ["o1", "o1", "o2", "o3"], "sku_id": ["A-S", "B", "A-M", "B"],
                                    "qty": [1, 2, 1, 1], "price": [99, 29.9, 99, 29.9]}),
    })


@pytest.fixture(scope="session")
def scratch_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root holding copies of params/ and notebooks/: runs here never touch data/ or reports/."""
    root = tmp_path_factory.mktemp("scratch")
    shutil.copytree(ROOT / "params", root / "params")
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


@pytest.fixture(scope="session")
def render_ci() -> Callable[..., Path]:
    """Render chapters (all, or those of `only`) on the ci profile under a project root as `skulab report` does;
    returns the report folder."""
    from skulab import report
    from skulab.report.render import environ

    def run(root: Path, only: list[str] | None = None) -> Path:
        with environ({"SKULAB_ROOT": str(root), "SKULAB_SHARED_DATA": str(config.shared_data_dir(ROOT)),
                      "SKULAB_DB_URL": None}):
            cfg = config.load(root / "params" / "ci.yaml")
            report.render(cfg, only)
        return cfg.reports_dir

    return run
