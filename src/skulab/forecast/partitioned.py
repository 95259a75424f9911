"""The backtest partitioned by store, region, store segment or category, on this process or on Spark.

Each partition (`forecast.partition_by`; none pools every series into one partition) is one pure call of
`backtest_partition`: its series' panel rows in, its forecasts and fit records out, its own AutoGluon zoo fitted on
its own series with the profile's seed. `fugue.transform` runs the partitions on the configured runner
(skulab.runner), and the driver scores the collected forecasts exactly as the pooled backtest does, so a
partitioned run and a pooled one compare on the same points.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pandas as pd

from skulab.config import Config, ForecastConfig, override
from skulab.errors import DataError
from skulab.forecast.backtest import Backtest, backtest, score_windows
from skulab.forecast.features import Panel
from skulab.runner import collected, make_runner, schema

PART = "partition"
RECORD = "record"  # 'forecast' rows carry forecasts, 'run' rows one window's fit record
RUN_COLUMNS = {"window": "long", "cutoff": "datetime", "series": "long", "forecast": "long", "dropped": "long",
               "fallbacks": "long", "fallback_models": "str", "fit_s": "double", "predict_s": "double",
               "cold_start_points": "long"}


def partition_keys(panel: Panel, by: str | None) -> pd.Series:
    """The partition of every series (item_id -> key): a panel column (store_id, category) or a static feature
    (region, segment); every series in one partition 'all' when `by` is None."""
    items = pd.Index(panel.frame["item_id"].unique(), name="item_id")
    if by is None:
        return pd.Series("all", index=items, name=PART)
    column = partition_column(by)
    if column in panel.frame.columns:
        return panel.frame.groupby("item_id")[column].first().astype(str).reindex(items).rename(PART)
    if panel.static is not None and column in panel.static.columns:
        return panel.static[column].astype(str).reindex(items).rename(PART)
    raise DataError(f"forecast.partition_by: {by} is not an attribute of the series (it needs static features "
                    "with more than one value: set forecast.static: true, or partition by store or category)")


def partition_column(by: str) -> str:
    """The column of the training rows that names `forecast.partition_by`'s partition (store is store_id)."""
    return {"store": "store_id"}.get(by, by)


def runner_for(cfg: Config) -> Any | None:
    """None when the forecast runs pooled in this process (no partition_by: one zoo has nothing to spread, whatever
    the engine), else the runner the partitions run on (skulab.runner.make_runner: a master that does not answer
    fails here, fast)."""
    if cfg.forecast.partition_by is None:
        return None
    return make_runner(cfg.engine)


def backtest_on(panel: Panel, cfg: ForecastConfig, runner: Any = None, *, models: list[str] | None = None,
                skip: int = 0, progress: bool = False, at: list[pd.Timestamp] | None = None) -> Backtest:
    """The backtest of `panel` pooled in this process (`runner` None: skulab.forecast.backtest) or one zoo per
    partition of `cfg.partition_by` on `runner` (`run`): the one place that picks between them. `models` narrows
    the zoo; `at` gives the cutoffs (the weekly job forecasts from the last period)."""
    if runner is None:
        return backtest(panel, cfg, models=models, skip=skip, progress=progress, at=at)
    return run(panel, override(cfg, models=models) if models else cfg, runner, skip=skip, progress=progress, at=at)


def run(panel: Panel, cfg: ForecastConfig, runner: Any = None, windows: int | None = None, skip: int = 0,
        progress: bool = False, at: list[pd.Timestamp] | None = None) -> Backtest:
    """The backtest of `panel`, one AutoGluon zoo per partition of `cfg.partition_by`, on `runner` (what
    skulab.runner.make_runner returns; None runs in this process); `runs` gains the partition of each fit.
    `at` (explicit cutoffs) serves the weekly job, which forecasts from the last period."""
    import fugue  # only here: importing the chapter stays light

    keys = partition_keys(panel, cfg.partition_by)
    frame = panel.frame.assign(**{PART: panel.frame["item_id"].map(keys).to_numpy()})
    dtypes = frame.dtypes.to_dict()  # categories travel as text and come back with all their categories
    frame = frame.astype({c: object for c, t in dtypes.items() if isinstance(t, pd.CategoricalDtype)})
    meta = {"known": panel.known, "past": panel.past, "static": panel.static, "freq": panel.freq,
            "horizon": panel.horizon, "history_end": panel.history_end}
    t0 = time.perf_counter()
    out = fugue.transform(frame, backtest_partition, schema=schema(_columns(cfg)), partition={"by": [PART]},
                          engine=runner if runner is not None else "native", as_local=True,
                          params={"cfg": cfg, "meta": meta, "windows": windows, "skip": skip, "at": at,
                                  "dtypes": dtypes})
    forecasts, runs = _collected(out, cfg)
    forecasts = (forecasts.sort_values(["window", PART, "model", "item_id", "timestamp"], kind="stable")
                 .drop(columns=PART).reset_index(drop=True))
    runs = runs.sort_values(["window", PART], kind="stable").reset_index(drop=True)
    if progress:
        print(f"{keys.nunique()} partition(s) by {cfg.partition_by or 'none (pooled)'}: "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
    return Backtest(forecasts=forecasts, scores=score_windows(forecasts, panel), runs=runs)


def fallbacks(runs: pd.DataFrame) -> dict[str, int]:
    """The SeasonalNaive fallbacks of every partition's fits, summed per model (from the runs' 'model: n, ...')."""
    total: dict[str, int] = {}
    for text in runs["fallback_models"].dropna():
        for item in filter(None, str(text).split(", ")):
            name, _, count = item.rpartition(": ")
            total[name] = total.get(name, 0) + int(count)
    return total


def backtest_partition(part: pd.DataFrame, cfg: ForecastConfig, meta: Mapping[str, Any], windows: int | None,
                       skip: int, at: list[pd.Timestamp] | None, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """One partition's backtest (its series refitted at every cutoff): forecast rows and one run row per window."""
    key = str(part[PART].iloc[0])
    frame = part.astype(dtypes).sort_values(["item_id", "timestamp"], kind="stable").reset_index(drop=True)
    items = frame["item_id"].unique()
    static = meta["static"].loc[meta["static"].index.isin(items)] if meta["static"] is not None else None
    panel = Panel(frame=frame.drop(columns=PART), known=meta["known"], past=meta["past"], static=static,
                  rules=pd.DataFrame(), freq=meta["freq"], horizon=meta["horizon"], history_end=meta["history_end"])
    bt = backtest(panel, cfg, windows=windows, skip=skip, at=at)
    forecasts = bt.forecasts.assign(**{RECORD: "forecast", PART: key})
    runs = bt.runs.assign(**{RECORD: "run", PART: key})
    return pd.concat([forecasts, runs], ignore_index=True).reindex(columns=list(_columns(cfg)))


def _forecast_columns(cfg: ForecastConfig) -> list[str]:
    quantiles = [f"q{round(q * 100):02d}" for q in cfg.quantiles]
    raw = ["q10_raw", "q90_raw"] if cfg.conformal else []  # the quantiles as fitted, beside the calibrated ones
    return ["item_id", "timestamp", "mean", *quantiles, *raw, "model", "actual", "scored", "window", "cutoff", PART]


def _columns(cfg: ForecastConfig) -> dict[str, str]:
    """The partition function's output, with Fugue types: forecast columns, then the run record's."""
    forecast = {c: "double" for c in _forecast_columns(cfg)} | {
        "item_id": "str", "timestamp": "datetime", "model": "str", "scored": "bool", "window": "long",
        "cutoff": "datetime", PART: "str"}
    return {RECORD: "str"} | forecast | RUN_COLUMNS


def _collected(df: pd.DataFrame, cfg: ForecastConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The collected forecast rows and run rows, each with the dtypes of the pooled backtest."""
    types = _columns(cfg)
    forecast = {c: types[c] for c in _forecast_columns(cfg)}
    runs = {PART: "str"} | RUN_COLUMNS
    return (collected(df[df[RECORD] == "forecast"][list(forecast)], forecast),
            collected(df[df[RECORD] == "run"][list(runs)], runs))
