"""A write-back killed with SIGKILL at any moment leaves no visible partial run; a rerun of its id completes it.

A child process writes a forecast run of many rows with `erp.write_run` (forked from a writer process that
imported skulab once, so each kill costs no start-up); the test kills it after a delay (while it creates the
schema, deletes, inserts) or while it waits just before COMMIT (a hook in the child holds the commit), then checks on a fresh connection that every run in forecast_run is 'done' with its full
row count, that the previous run was not lost, and that the latest view shows one complete run. Finally the
killed run id is written again and must hold exactly its rows. DuckDB, MariaDB and PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import erp

ROWS = {"duckdb": 200_000, "mysql": 40_000, "postgresql": 40_000}  # each write lasts about 0.5-1 s
PREVIOUS, KILLED = "r1-previous", "r2-killed"  # the view breaks finished_at ties by run_id: r2 wins
KILLS = [(KILLED, 0.0), (KILLED, 0.1), (KILLED, 0.4), (KILLED, "commit"),
         (PREVIOUS, 0.2), (PREVIOUS, "commit")]  # seconds after the write-back starts; the last two replace a run

ZYGOTE = textwrap.dedent("""
    import os, signal, sys, time
    import numpy as np
    import pandas as pd
    import sqlalchemy as sa
    from skulab import erp

    {rows_source}

    url, n = sys.argv[1], int(sys.argv[2])
    rows = _rows(n)
    print("ready", flush=True)
    for line in sys.stdin:  # "<run_id> <moment>": fork a writer (imports done once), report its end
        run_id, moment = line.split()
        pid = os.fork()
        if pid == 0:
            engine = erp.make_engine(url)
            if moment == "commit":  # hold the write-back's COMMIT (not the schema's) until the kill
                armed = []

                @sa.event.listens_for(engine, "before_cursor_execute")
                def arm(conn, cursor, statement, *args):
                    if statement.lstrip().upper().startswith("UPDATE FORECAST_RUN"):
                        armed.append(True)

                @sa.event.listens_for(engine, "commit")
                def hold(conn):
                    if armed:
                        print("committing", flush=True)
                        time.sleep(600)
            erp.write_run(engine, "forecast", run_id, rows, profile="faults", params={{"rows": n}})
            print("done", flush=True)
            os._exit(0)
        print(f"pid {{pid}}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exited {{status}}", flush=True)
""")


def _rows(n: int) -> pd.DataFrame:
    i = np.arange(n)
    return pd.DataFrame({"sku_id": [f"S{k}" for k in i // 1000], "store_id": [f"T{k}" for k in (i // 100) % 10],
                         "forecast_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(i % 100, "D"),
                         "model": "ETS", "mean": i * 0.5, "q10": i * 0.1, "q50": i * 0.5, "q90": i * 0.9})


def _writer(url: str, n: int) -> subprocess.Popen:
    """A process that has imported skulab and built the rows; each request forks a child that writes them."""
    script = ZYGOTE.format(rows_source=textwrap.dedent(inspect.getsource(_rows)))
    proc = subprocess.Popen([sys.executable, "-c", script, url, str(n)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _kill(writer: subprocess.Popen, run_id: str, moment: float | str) -> bool:
    """Fork a write-back of `run_id` and SIGKILL it at `moment`; True if the kill interrupted it."""
    writer.stdin.write(f"{run_id} {moment}\n")
    writer.stdin.flush()
    seen = []
    while not (pid := next((int(x.split()[1]) for x in seen if x.startswith("pid ")), None)):
        seen.append(writer.stdout.readline().strip())
    if moment == "commit":
        while "committing" not in seen:
            seen.append(writer.stdout.readline().strip())
    else:
        time.sleep(float(moment))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    while not any(x.startswith("exited ") for x in seen):
        seen.append(writer.stdout.readline().strip())
    return "done" not in seen


def _state(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    runs = erp.read_query(engine, "SELECT run_id, status, finished_at FROM forecast_run")
    rows = erp.read_query(engine, "SELECT run_id, COUNT(*) AS n, SUM(mean) AS s FROM sales_forecast GROUP BY run_id")
    latest = erp.read_query(engine, "SELECT run_id, COUNT(*) AS n FROM sales_forecast_latest GROUP BY run_id")
    return runs, rows.set_index("run_id"), latest


def _assert_no_partial_run(engine: sa.Engine, complete: dict[str, set[int]]) -> None:
    runs, rows, latest = _state(engine)
    assert runs["status"].eq("done").all() and runs["finished_at"].notna().all(), runs
    assert PREVIOUS in set(runs["run_id"]), "the previous complete run was lost"
    assert set(rows.index) == set(runs["run_id"]), "result rows without their done run, or a run without rows"
    for run_id, n in rows["n"].items():
        assert int(n) in complete[run_id], f"run {run_id} is partial: {n} rows"
    assert len(latest) == 1 and int(latest["n"].iloc[0]) in complete[latest["run_id"].iloc[0]]


@pytest.mark.slow
def test_killed_write_back_leaves_no_partial_run_and_a_rerun_completes_it(engine: sa.Engine, db_url: str) -> None:
    n = ROWS[engine.dialect.name if engine.dialect.name in ROWS else "mysql"]
    rows = _rows(n)
    previous = _rows(1_000)
    erp.write_run(engine, "forecast", PREVIOUS, previous, profile="faults", params={})
    complete = {PREVIOUS: {len(previous), n}, KILLED: {n}}

    writer = _writer(db_url, n)
    interrupted = 0
    try:
        for run_id, moment in KILLS:
            interrupted += _kill(writer, run_id, moment)
            _assert_no_partial_run(engine, complete)
    finally:
        writer.stdin.close()
        writer.kill()
        writer.wait(timeout=60)
    assert interrupted >= 3, "too few kills landed inside the write-back to prove anything"

    erp.write_run(engine, "forecast", KILLED, rows, profile="faults", params={"rows": n})
    _, after, latest = _state(engine)
    assert int(after.loc[KILLED, "n"]) == n and float(after.loc[KILLED, "s"]) == pytest.approx(rows["mean"].sum())
    assert latest["run_id"].tolist() == [KILLED] and int(latest["n"].iloc[0]) == n
    back = erp.read_query(engine, f"SELECT * FROM sales_forecast WHERE run_id = '{KILLED}'")
    back = back.sort_values(["sku_id", "store_id", "forecast_date"], ignore_index=True)
    expected = rows.sort_values(["sku_id", "store_id", "forecast_date"], ignore_index=True)
    pd.testing.assert_frame_equal(back[expected.columns], expected, check_dtype=False)
