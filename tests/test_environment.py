"""The project's entry points: environment.yml mirrors pyproject.toml, `make test` runs everything, .ci/run runs it."""

import os
import shlex
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_lists_every_pyproject_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"]) \
        | set(project["optional-dependencies"]["lab"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {d for d in pip if not d.startswith(("torch==", "-e"))}
    assert listed == {d for d in wanted if not d.startswith("torch")}


def _pytest_args(target: str) -> list[str]:
    """The arguments `make <target>` would give pytest (a dry run: nothing is installed or executed)."""
    out = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    runs = [shlex.split(line) for line in out.splitlines() if " -m pytest " in line]
    assert len(runs) == 1, out
    return runs[0][runs[0].index("pytest") + 1:]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_runs_every_test_and_every_notebook() -> None:
    args = _pytest_args("test")
    assert {"tests", "notebooks", "--nbval-lax"} <= set(args)
    assert not {"-m", "-k", "-x", "--deselect"} & set(args)  # the slow tests and the pinned figures run too
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert not {"-m", "-k", "--deselect"} & set(shlex.split(addopts))


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_fast_leaves_out_the_slow_tests_and_the_notebooks() -> None:
    args = _pytest_args("test-fast")
    assert args[args.index("-m") + 1] == "not slow" and "tests" in args and "notebooks" not in args


_STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$CALLS"
if [ "$(basename "$0")" = make ]; then
  echo "SKULAB_TEST_MYSQL_URL=${SKULAB_TEST_MYSQL_URL:-} SKULAB_TEST_POSTGRES_URL=${SKULAB_TEST_POSTGRES_URL:-}" >> "$CALLS"
  exit "$MAKE_RC"
fi
[ "$(basename "$0")" = psql ] && [ "$SERVERS_RC" = 0 ] && echo 1
exit "$SERVERS_RC"
"""


@pytest.fixture
def ci_run(tmp_path: Path):
    """Run a copy of .ci/run whose database clients, daemons, sleep and make are stand-ins that log their calls."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("make", "mariadb", "psql", "start-stop-daemon", "pg_ctlcluster", "sleep"):
        (bin_dir / name).write_text(_STUB)
        (bin_dir / name).chmod(stat.S_IRWXU)
    calls = tmp_path / "calls.log"

    def run(servers_up: bool, make_rc: int = 0) -> tuple[subprocess.CompletedProcess, list[str]]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SKULAB_TEST_")}
        env.update(PATH=f"{bin_dir}:{env['PATH']}", CALLS=str(calls), SERVERS_RC="0" if servers_up else "1",
                   MAKE_RC=str(make_rc))
        out = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=60, check=False)
        return out, calls.read_text().splitlines() if calls.is_file() else []

    return run


@pytest.mark.parametrize("servers_up", [False, True], ids=["servers down", "servers up"])
def test_ci_run_points_the_database_tests_at_answering_servers_then_runs_make_test(ci_run, servers_up: bool) -> None:
    out, log = ci_run(servers_up)

    assert out.returncode == 0, out.stderr
    assert log[-2] == "make test"
    if servers_up:
        assert "SKULAB_TEST_MYSQL_URL=mysql+pymysql://" in log[-1]
        assert "SKULAB_TEST_POSTGRES_URL=postgresql+psycopg://" in log[-1]
        assert "skipped" not in out.stdout
    else:
        assert log[-1] == "SKULAB_TEST_MYSQL_URL= SKULAB_TEST_POSTGRES_URL="
        assert out.stdout.count("its tests will be skipped") == 2


def test_ci_run_fails_when_make_test_fails(ci_run) -> None:
    out, log = ci_run(servers_up=False, make_rc=3)

    assert out.returncode == 3 and log[-2] == "make test"
