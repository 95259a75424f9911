"""`skulab bench forecast`: fit + predict wall time and peak memory per model family for growing series counts.

Series are store x SKU daily series of the demo generator (built in memory at the scale that yields
enough series), each with its last 365 days, the profile's features and horizon; one model per run, no
ensemble, so each row times one family alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from skulab.bench import measure
from skulab.config import Config, override
from skulab.errors import ConfigError
from skulab.forecast import fitting
from skulab.forecast.features import build_panel
from skulab.forecast.zoo import MODELS, family

HISTORY_DAYS = 365
SERIES_PER_SCALE = 2000  # store x SKU series alive in the last year of a scale-1 demo chain, roughly


def demo_sales(cfg: Config, n_series: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows (as the packaged query returns them) and the calendar of a demo chain with >= n series."""
    from skulab.data import demo

    if cfg.data.source != "demo":
        raise ConfigError(f"{cfg.source_file}: the forecast benchmark needs a demo profile (data.source: demo)")
    scale = max(cfg.data.scale, math.ceil(n_series / SERIES_PER_SCALE))
    t = demo.generate(seed=cfg.data.seed, scale=scale, start=str(cfg.data.start), days=cfg.data.days).tables
    sales = t["fact_sales"]
    sales = sales[sales["date"] > sales["date"].max() - pd.Timedelta(days=HISTORY_DAYS)]
    sales = (sales.merge(t["dim_sku"].drop(columns=["name", "launch_date"]), on="sku_id")
             .merge(t["dim_store"][["store_id", "region", "segment", "area_sqm"]], on="store_id"))
    return sales, t["dim_calendar"]


def run(cfg: Config, sizes: list[int], models: list[str],
        on_row: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """One row per (series count, model): fit and predict seconds, peak memory, the series used.

    `on_row` receives the table so far after every measurement (e.g. to write partial results).
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ConfigError(f"bench forecast: unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
    sales, calendar = demo_sales(cfg, max(sizes))
    ids = sales["store_id"].astype(str) + "|" + sales["sku_id"].astype(str)
    rich = ids[sales["date"] > sales["date"].max() - pd.Timedelta(days=2 * cfg.forecast.horizon)].unique()
    rng = np.random.default_rng(cfg.forecast.seed)
    rows = []
    _warm_up(sales[ids.isin(rich[:5]).to_numpy()], calendar, cfg, models)
    for n in sizes:
        chosen = set(rng.choice(np.sort(rich), min(n, len(rich)), replace=False))
        fc = override(cfg.forecast, max_series=None, ensemble=False)
        panel = build_panel(sales[ids.isin(chosen).to_numpy()], calendar, fc)
        cutoff = panel.history_end - fc.horizon * pd.Timedelta(days=1)
        for model in models:
            fitted, fit_s, fit_mb = measure(fitting.fit, panel, fc, cutoff, [model])
            _, pred_s, pred_mb = measure(fitting.predict, fitted, panel)
            rows.append({"series": len(chosen), "rows": len(panel.frame), "model": model, "family": family(model),
                         "fit_s": round(fit_s, 1), "predict_s": round(pred_s, 1),
                         "peak_mb": round(max(fit_mb, pred_mb)), "dropped": fitted.dropped,
                         "fallbacks": sum(fitted.fallbacks.values())})
            if on_row is not None:
                on_row(pd.DataFrame(rows))
            fitting.discard(fitted)
    return pd.DataFrame(rows)


def _warm_up(sales: pd.DataFrame, calendar: pd.DataFrame, cfg: Config, models: list[str]) -> None:
    """Fit each model once on a few series, so imports and first-call set-up are not timed."""
    fc = override(cfg.forecast, max_series=None, ensemble=False, epochs=1, batches=1)
    panel = build_panel(sales, calendar, fc)
    fitted = fitting.fit(panel, fc, panel.history_end - fc.horizon * pd.Timedelta(days=1), models)
    fitting.predict(fitted, panel)
    fitting.discard(fitted)


def job(cfg: Config, sizes: list[int], runners: dict[str, Any], partition_by: str,
        on_row: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """The weekly job (skulab.forecast.job.run with the profile's forecast section, its automatic recipe included) on
    `sizes` series of demo chains scaled to hold them, each written once to data/bench/; one row per size and runner:
    seconds in the recipe's selection and in the final fit, predict and write-back, series per minute, peak memory;
    `recipe_series` says whether the recipe chose on all the series or on a sample of that many (forecast.recipe_series).

    `runners` maps 'local' to None (one pooled fit in this process) and any other name to a runner ('native': the
    partitions one after another in this process; a SparkSession), on which every fit runs by the partitions of
    `partition_by`."""
    from skulab.erp import build
    from skulab.erp.connect import has_rows, make_engine
    from skulab.forecast import job as weekly

    if cfg.data.source != "demo":
        raise ConfigError(f"{cfg.source_file}: the job benchmark needs a demo profile (data.source: demo)")
    rows = []
    for n in sizes:
        scale = max(cfg.data.scale, math.ceil(n / SERIES_PER_SCALE))
        chain = override(cfg, "data", scale=float(scale))
        url = f"duckdb:///{cfg.root / 'data' / 'bench' / f'demo-scale{scale:g}.duckdb'}"
        (cfg.root / "data" / "bench").mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        if not has_rows(engine, "dim_sku"):  # built once, then reused
            engine, _ = build(chain, url)
        for name, runner in runners.items():
            run_cfg = override(chain, "forecast", max_series=n, partition_by=partition_by if runner else None)
            run_id = f"bench-{n}-{name.split()[0]}" + (f"-by-{partition_by}" if runner else "")
            result, seconds, peak = measure(weekly.run, run_cfg, engine, runner=runner, run_id=run_id)
            table = result.recipe if result.recipe is not None else pd.DataFrame({"fits": []})
            sample = run_cfg.forecast.recipe_series
            rows.append({"size": n, "series": result.series, "engine": name,
                         "recipe_series": sample if table.size and sample and sample < result.series else "all",
                         "partitions": f"by {partition_by}" if runner else "pooled",
                         "recipe_fits": int(table["fits"].sum()), "models": ", ".join(result.models),
                         "selection_s": round(result.selection_seconds, 1),
                         "final_s": round(seconds - result.selection_seconds, 1), "total_s": round(seconds, 1),
                         "series_per_min": round(result.series / seconds * 60), "peak_mb": round(peak),
                         "measured": time.strftime("%Y-%m-%d")})
            if on_row is not None:
                on_row(pd.DataFrame(rows))
    return pd.DataFrame(rows)

