"""Shared tools of the `skulab bench ...` commands: time and peak memory of a call, and where figures go."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import psutil

if TYPE_CHECKING:
    from skulab.config import Config


def measure(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """Run fn(*args, **kwargs); return (result, wall seconds, peak resident memory growth in MB).

    Memory is sampled every 20 ms from the process RSS, so allocations by C/C++ code (torch, gensim,
    HiGHS) count too; child processes are included.
    """
    proc = psutil.Process(os.getpid())

    def rss() -> int:
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    base, peak, done = rss(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    finally:
        seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
    return result, seconds, max(peak[0], rss()) / 1e6 - base / 1e6


def merged(frame: pd.DataFrame, name: str, root: Path, key: list[str],
           older: dict[str, object] | None = None) -> pd.DataFrame:
    """`frame` with the rows of the written table reports/benchmarks/<name>.csv whose `key` it does not hold: sizes
    that take hours each are measured in separate runs and kept together. `older` gives the value of a key column
    that a table written before the column existed lacks (what its rows were measured with)."""
    path = root / "reports" / "benchmarks" / f"{name}.csv"
    if not path.exists():
        return frame
    old = pd.read_csv(path)
    old = old.assign(**{k: v for k, v in (older or {}).items() if k not in old.columns})
    if not set(key) <= set(old.columns):
        return frame
    new = pd.MultiIndex.from_frame(frame[key].astype(str))
    kept = old[~pd.MultiIndex.from_frame(old[key].astype(str)).isin(new)]
    columns = list(frame.columns) + [c for c in old.columns if c not in frame.columns]
    return pd.concat([kept, frame], ignore_index=True)[columns].sort_values(
        key, kind="stable", ignore_index=True, key=lambda c: c.astype(str) if c.dtype == object else c)


def write(frame: pd.DataFrame, name: str, root: Path) -> Path:
    """Write a benchmark table to reports/benchmarks/<name>.csv and .md (with the machine it ran on)."""
    out = root / "reports" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / f"{name}.csv", index=False)
    cores = len(os.sched_getaffinity(0))  # the cores this process may use (taskset may pin it to fewer)
    machine = (f"{cores} of {os.cpu_count()} cores" if cores < os.cpu_count() else f"{cores} cores") + \
        f", {psutil.virtual_memory().total / 2**30:.0f} GiB"
    (out / f"{name}.md").write_text(f"# {name}\n\nMeasured on {machine}, {time.strftime('%Y-%m-%d')}.\n\n"
                                    + frame.to_markdown(index=False) + "\n")
    return out / f"{name}.csv"


def spark_runner(cfg: Config, master: str) -> Any:
    """The SparkSession the benchmarks time their Spark rows on: the profile's engine settings on `master`, with
    8 GB for the driver unless the profile sets it."""
    from skulab.config import override
    from skulab.runner import make_runner

    return make_runner(override(cfg, "engine", name="spark", master=master,
                                conf={"spark.driver.memory": "8g", **cfg.engine.conf}).engine)
