"""The weekly forecast job: ERP in, forecasts of every model written back to sales_forecast in one transaction.

Pull the training rows with the packaged SQL, build the profile's features through the horizon after
the last sales period (future prices carried forward, no unannounced promotions, holidays from the
calendar), choose the settings on the latest windows when `forecast.recipe` is auto
(skulab.forecast.recipe), fit the models on the whole history (one fit, or one per partition of
`forecast.partition_by` on the profile's runner: in this process each partition is read from the ERP on its own,
so memory holds one partition), predict, and write forecast_run and
sales_forecast (mean, q10, q50, q90 per SKU, store or region, date, model) with skulab.erp.write_run.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from tqdm import tqdm

from skulab import erp
from skulab.config import Config, ForecastConfig, override
from skulab.erp import write_run
from skulab.errors import DataError
from skulab.forecast import partitioned, recipe
from skulab.forecast.features import Panel, build_panel, evaluated_from, sample_items
from skulab.forecast.features.grid import item_ids
from skulab.periods import step


@dataclass
class JobResult:
    """What one run wrote and how it went."""

    run_id: str
    rows: int
    series: int
    models: list[str]
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    dropped: int
    fallbacks: dict[str, int]
    seconds: float
    rules: pd.DataFrame
    recipe: pd.DataFrame | None = None  # the automatic recipe's selection table (None: the settings as written)
    selection_seconds: float = 0.0  # of `seconds`, the automatic recipe's selection fits


def default_run_id(cfg: Config, history_end: pd.Timestamp) -> str:
    """'<profile>-<last sales period>': the same week's job replaces its own run."""
    return f"{cfg.profile}-{history_end:%Y%m%d}"


@dataclass(frozen=True)
class Forecasts:
    """sales_forecast rows (without run_id), how the fits went, and the last sales period they start after."""

    rows: pd.DataFrame
    dropped: int
    fallbacks: dict[str, int]
    history_end: pd.Timestamp
    rules: pd.DataFrame
    config: ForecastConfig  # what ran: the profile's settings, or those the automatic recipe chose
    recipe: pd.DataFrame | None  # the automatic recipe's selection table
    selection_seconds: float  # the automatic recipe's share of the wall time (0 with the settings as written)


def forecast_rows(cfg: Config, engine: sa.Engine, *, runner: Any = None) -> Forecasts:
    """Forecasts for the horizon after the ERP's last sales period: one fit of all series in this process, or one
    per partition of `forecast.partition_by` on `runner` (None: the profile's: partitioned.runner_for)."""
    fc = cfg.forecast
    runner = runner if runner is not None else partitioned.runner_for(cfg)
    if runner == "native" and fc.partition_by is not None and fc.level == "store":
        return _one_partition_at_a_time(cfg, engine)
    training = erp.read_training(engine, fc)
    history_end = pd.Timestamp(training.sales["date"].max())
    end = history_end + fc.horizon * step(fc.freq)
    panel = build_panel(**training.inputs(), cfg=fc, end=end)  # every input checked before any fit
    t0 = time.perf_counter()
    chosen = recipe.choose(training.inputs(), fc, latest=True, runner=runner) if fc.recipe == "auto" else None
    selection_seconds = time.perf_counter() - t0
    if chosen is not None:
        fc = chosen.config
        panel = build_panel(**training.inputs(), cfg=fc, end=end)
    bt = partitioned.backtest_on(panel, fc, runner, at=[history_end])
    dropped, fallbacks = int(bt.runs["dropped"].sum()), partitioned.fallbacks(bt.runs)
    return Forecasts(_sales_forecast_rows(bt.forecasts, panel), dropped, fallbacks, history_end, panel.rules, fc,
                     chosen.table if chosen is not None else None, selection_seconds)


def _sales_forecast_rows(forecasts: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    """A backtest's forecasts as sales_forecast rows (without run_id): the panel's SKU and store per series."""
    keys = panel.frame.drop_duplicates("item_id").set_index("item_id")[["store_id", "sku_id"]]
    rows = forecasts.join(keys, on="item_id").rename(columns={"timestamp": "forecast_date"})
    return rows[["sku_id", "store_id", "forecast_date", "model", "mean", "q10", "q50", "q90"]].reset_index(drop=True)


def _one_partition_at_a_time(cfg: Config, engine: sa.Engine) -> Forecasts:
    """The partitioned job in this process: each partition of `forecast.partition_by` read from the ERP, built and
    fitted on its own, so memory holds the largest partition, never the chain. The series are sampled
    (`max_series`) over the chain as a pooled run samples them; the automatic recipe chooses once, on the largest
    partition, and its choice fits every partition; features are built within a partition (a category price index
    by store partitions is the store's)."""
    fc = cfg.forecast
    span = erp.read_sales_span(engine)
    if span is None:
        raise DataError("the ERP returned no sales rows for forecasting (is fact_sales empty?)")
    history_end = span[1]
    end = history_end + fc.horizon * step(fc.freq)
    column = partitioned.partition_column(fc.partition_by)
    keys = erp.read_training_keys(engine, fc, ["store_id", "sku_id", column], evaluated_from(fc, history_end).date())
    keys = keys.assign(item_id=item_ids(keys["store_id"], keys["sku_id"]).to_numpy())
    chosen = sample_items(keys["item_id"].unique(), fc)
    parts = keys[keys["item_id"].isin(chosen)].groupby(column, dropna=False)["item_id"].nunique()
    parts = parts.sort_values(ascending=False, kind="stable")  # the largest first: the recipe chooses on it
    run_fc, table, selection_seconds = override(fc, max_series=None, partition_by=None), None, 0.0
    rows, runs, rules = [], [], []
    for key in tqdm(parts.index, desc=f"partitions by {fc.partition_by}", unit="partition", file=sys.stdout):
        training = erp.read_training(engine, fc, where=(column, None if pd.isna(key) else key))
        sales = training.sales
        inputs = {**training.inputs(), "sales": sales[item_ids(sales["store_id"], sales["sku_id"]).isin(chosen)]}
        if table is None and fc.recipe == "auto":
            t0 = time.perf_counter()
            made = recipe.choose(inputs, run_fc, latest=True)
            run_fc, table = override(made.config, max_series=None, partition_by=None), made.table
            selection_seconds = time.perf_counter() - t0
        panel = build_panel(**inputs, cfg=run_fc, end=end)
        bt = partitioned.backtest_on(panel, run_fc, None, at=[history_end])
        rows.append(_sales_forecast_rows(bt.forecasts, panel))
        runs.append(bt.runs.assign(partition=str(key)))
        rules.append(panel.rules.assign(partition=str(key)))
        del training, sales, inputs, panel, bt
    out, runs = pd.concat(rows, ignore_index=True), pd.concat(runs, ignore_index=True)
    ran = override(run_fc, max_series=fc.max_series, partition_by=fc.partition_by)
    rules_table = pd.concat(rules, ignore_index=True)[["partition", "rule", "points"]]
    return Forecasts(out, int(runs["dropped"].sum()), partitioned.fallbacks(runs), history_end, rules_table, ran,
                     table, selection_seconds)


def run(cfg: Config, engine: sa.Engine, *, runner: Any = None, run_id: str | None = None) -> JobResult:
    """Forecast and write run `run_id` to the ERP `engine` (default '<profile>-<last sales period>'); the same run id
    replaces the earlier run, so a re-run changes nothing. `runner`: where the partitions run (None: the profile's)."""
    t0 = time.perf_counter()
    made = forecast_rows(cfg, engine, runner=runner)
    rows, history_end = made.rows, made.history_end
    run_id = run_id or default_run_id(cfg, history_end)
    params = {**made.config.model_dump(), "history_end": f"{history_end:%Y-%m-%d}"}
    if made.recipe is not None:  # what the automatic recipe chose and why, beside the settings it chose
        params |= {"recipe": "auto", "selection": made.recipe.astype(object).where(made.recipe.notna(), None)
                   .to_dict("records")}
    write_run(engine, "forecast", run_id, rows, profile=cfg.profile, params=params)
    return JobResult(run_id=run_id, rows=len(rows), series=rows[["sku_id", "store_id"]].drop_duplicates().shape[0],
                     models=sorted(rows["model"].unique()), first_date=rows["forecast_date"].min(),
                     last_date=rows["forecast_date"].max(), dropped=made.dropped, fallbacks=made.fallbacks,
                     seconds=time.perf_counter() - t0, rules=made.rules,
                     recipe=made.recipe, selection_seconds=made.selection_seconds)
