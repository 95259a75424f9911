"""The weekly forecast job: ERP in, forecasts of every model written back to sales_forecast in one transaction.

Pull the training rows with the packaged SQL, build the profile's features through the horizon after
the last sales period (future prices carried forward, no unannounced promotions, holidays from the
calendar), fit the profile's models on the whole history, predict, and write forecast_run and
sales_forecast (mean, q10, q50, q90 per SKU, store or region, date, model) with skulab.erp.write_run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from skulab import erp
from skulab.config import Config
from skulab.erp import write_run
from skulab.forecast import fitting
from skulab.forecast.features import build_panel
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


def default_run_id(cfg: Config, history_end: pd.Timestamp) -> str:
    """'<profile>-<last sales period>': the same week's job replaces its own run."""
    return f"{cfg.profile}-{history_end:%Y%m%d}"


def forecast_rows(cfg: Config, engine: sa.Engine) -> tuple[pd.DataFrame, fitting.Fitted, pd.Timestamp, pd.DataFrame]:
    """sales_forecast rows (without run_id) for the horizon after the ERP's last sales period."""
    fc = cfg.forecast
    training = erp.read_training(engine, fc)
    history_end = pd.Timestamp(training.sales["date"].max())
    end = history_end + fc.horizon * step(fc.freq)
    panel = build_panel(training.sales, training.calendar, fc, end=end)
    fitted = fitting.fit(panel, fc, history_end)
    pred = fitting.predict(fitted, panel)
    fitting.discard(fitted)
    keys = panel.frame.drop_duplicates("item_id").set_index("item_id")[["store_id", "sku_id"]]
    rows = pred.join(keys, on="item_id").rename(columns={"timestamp": "forecast_date"})
    rows = rows[["sku_id", "store_id", "forecast_date", "model", "mean", "q10", "q50", "q90"]]
    return rows.reset_index(drop=True), fitted, history_end, panel.rules


def run(cfg: Config, engine: sa.Engine, run_id: str | None = None) -> JobResult:
    """Forecast and write one run; the same run id replaces the earlier run, so a re-run changes nothing."""
    t0 = time.perf_counter()
    rows, fitted, history_end, rules = forecast_rows(cfg, engine)
    run_id = run_id or default_run_id(cfg, history_end)
    params = {**cfg.forecast.model_dump(), "history_end": f"{history_end:%Y-%m-%d}"}
    write_run(engine, "forecast", run_id, rows, profile=cfg.profile, params=params)
    return JobResult(run_id=run_id, rows=len(rows), series=rows[["sku_id", "store_id"]].drop_duplicates().shape[0],
                     models=sorted(rows["model"].unique()), first_date=rows["forecast_date"].min(),
                     last_date=rows["forecast_date"].max(), dropped=fitted.dropped, fallbacks=fitted.fallbacks,
                     seconds=time.perf_counter() - t0, rules=rules)
