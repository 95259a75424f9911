"""The regional trends job: reconciled forecasts of the next horizon, the region x category rows into the ERP.

Pull the store-level training rows, place every series by its store's region and its SKU's category (a store
without a region stops the job before anything is fitted), choose the method per level on the last horizon of the
history (skulab.trends.reconcile, selection window only), fit every level at the history end, forecast the next
horizon, reconcile with the chosen methods and write reconciliation_run and region_category_forecast (run,
region, category, date, mean, q10, q50, q90, method) with skulab.erp.write_run: one transaction, idempotent per
run id, the run marked done last. With forecast.max_series the hierarchy sums the sampled series only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from skulab import erp
from skulab.config import Config, ForecastConfig, ReconcileConfig
from skulab.forecast import job as forecast_job
from skulab.forecast.features import Panel, build_panel
from skulab.periods import step
from skulab.trends import reconcile
from skulab.trends.hierarchy import attributes

ROW_COLUMNS = ["region", "category", "date", "mean", "q10", "q50", "q90", "method"]


@dataclass
class Inputs:
    """What the chapter fits on: the panel through the next horizon, each series' place, the fit settings."""

    panel: Panel
    attrs: pd.DataFrame
    fc: ForecastConfig
    rc: ReconcileConfig


@dataclass
class Trends:
    """The next horizon's forecast of every node by its level's chosen method, and the nodes' actual history."""

    forecasts: pd.DataFrame  # node, level, region, category, timestamp, method, mean, q..
    history: pd.DataFrame  # node, level, region, category, timestamp, actual (the upper levels)
    chosen: pd.Series
    history_end: pd.Timestamp
    window: reconcile.Window  # every method's forecast of every node, and the hierarchy


@dataclass
class JobResult:
    """What one run wrote and how it went."""

    run_id: str
    rows: pd.DataFrame
    chosen: pd.Series
    selection: pd.DataFrame
    seconds: float


def inputs(cfg: Config, engine: sa.Engine) -> Inputs:
    """The store x SKU panel through the horizon after the last sales period and the series' regions and categories."""
    fc = reconcile.forecast_config(cfg)
    training = erp.read_training(engine, fc)
    attrs = attributes(training.sales)
    end = pd.Timestamp(training.sales["date"].max()) + fc.horizon * step(fc.freq)
    return Inputs(panel=build_panel(**training.inputs(), cfg=fc, end=end), attrs=attrs, fc=fc,
                  rc=cfg.reconcile)


def select(data: Inputs) -> tuple[pd.Series, pd.DataFrame]:
    """The method per level chosen on the last horizon of the history, and that window's scores."""
    p = data.panel
    window = reconcile.forecast_window(p, data.attrs, data.fc, data.rc, p.history_end - p.horizon * step(p.freq))
    scores = reconcile.score_window(window, p)
    return reconcile.choose(scores, data.rc.methods), scores


def next_horizon(data: Inputs, chosen: pd.Series) -> Trends:
    """Every level fitted at the history end, the next horizon reconciled, each level by its `chosen` method."""
    p = data.panel
    window = reconcile.forecast_window(p, data.attrs, data.fc, data.rc, p.history_end)
    fc = window.forecasts
    fc = fc[fc["method"].to_numpy() == fc["level"].map(chosen).to_numpy()]
    nodes = window.hierarchy.nodes[["node", "region", "category"]]
    upper = window.upper.frame
    history = upper.loc[upper["timestamp"] <= p.history_end, ["item_id", "timestamp", "actual"]]
    history = history.rename(columns={"item_id": "node"}).merge(window.hierarchy.nodes[["node", "level", "region",
                                                                                         "category"]], on="node")
    return Trends(forecasts=fc.merge(nodes, on="node").reset_index(drop=True), history=history, chosen=chosen,
                  history_end=p.history_end, window=window)


def region_category_rows(trends: Trends) -> pd.DataFrame:
    """region_category_forecast rows (without run id): the region x category level's forecast."""
    fc = trends.forecasts[trends.forecasts["level"] == "region/category"]
    rows = fc.rename(columns={"timestamp": "date"}).assign(date=lambda f: pd.to_datetime(f["date"]).dt.date)
    return rows[ROW_COLUMNS].sort_values(["region", "category", "date"], ignore_index=True)


def default_run_id(cfg: Config, history_end: pd.Timestamp) -> str:
    """'trends-<profile>-<last sales period>': the same week's job replaces its own run."""
    return f"trends-{forecast_job.default_run_id(cfg, history_end)}"


def run(cfg: Config, engine: sa.Engine, *, run_id: str | None = None) -> JobResult:
    """Choose, forecast, reconcile and write run `run_id` to the ERP `engine` (default
    'trends-<profile>-<last sales period>'); the same run id replaces the earlier run."""
    t0 = time.perf_counter()
    data = inputs(cfg, engine)
    chosen, selection = select(data)
    trends = next_horizon(data, chosen)
    rows = region_category_rows(trends)
    run_id = run_id or default_run_id(cfg, trends.history_end)
    params = {**cfg.reconcile.model_dump(), "chosen": chosen.to_dict(), "history_end": f"{trends.history_end:%Y-%m-%d}"}
    erp.write_run(engine, "reconciliation", run_id, rows, cfg.profile, params)
    return JobResult(run_id=run_id, rows=rows, chosen=chosen, selection=selection, seconds=time.perf_counter() - t0)
