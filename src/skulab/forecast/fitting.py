"""Fit an AutoGluon TimeSeriesPredictor on a panel up to a cutoff, predict the next horizon, and check the run.

A run fails loudly when a requested model is missing after fit. It counts the series AutoGluon left out
of training (shorter than its minimum length) and, per model, the series on which a statistical model
failed and AutoGluon silently used SeasonalNaive instead.
"""

from __future__ import annotations

import logging
import os
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from skulab import scratch
from skulab.config import ForecastConfig
from skulab.errors import SkulabError
from skulab.forecast import calibration
from skulab.forecast.features import Panel
from skulab.forecast.zoo import ENSEMBLE, hyperparameters
from skulab.periods import step

_FALLBACK = re.compile(r"(\S+) failed for (\d+) time series")


class ModelSkippedError(SkulabError):
    """AutoGluon did not train a model the profile asked for."""


@dataclass
class Fitted:
    """A trained predictor with what the run did: models, series left out, SeasonalNaive fallbacks, time."""

    predictor: Any
    cutoff: pd.Timestamp
    models: list[str]
    dropped: int
    fallbacks: dict[str, int] = field(default_factory=dict)
    fit_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    calibration: calibration.Calibration | None = None  # q10 / q90 offsets per model and step (None: as fitted)


def train_frame(panel: Panel, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The panel's rows up to `cutoff` (the history a forecast made at `cutoff` may use)."""
    f = panel.frame
    return f[f["timestamp"] <= cutoff]


def forecast_items(panel: Panel, cutoff: pd.Timestamp) -> pd.Index:
    """Series whose grid runs through the whole horizon after `cutoff` (active at the cutoff)."""
    f = panel.frame
    last = f.groupby("item_id")["timestamp"].agg(["min", "max"])
    horizon_end = cutoff + panel.horizon * step(panel.freq)
    return last.index[(last["min"] <= cutoff) & (last["max"] >= horizon_end)]


def to_tsdf(frame: pd.DataFrame, panel: Panel, with_target: bool = True) -> Any:
    """An AutoGluon TimeSeriesDataFrame of the panel's target and covariates (plus static features)."""
    from autogluon.timeseries import TimeSeriesDataFrame

    cols = ["item_id", "timestamp", *(["target", *panel.past] if with_target else []), *panel.known]
    tsdf = TimeSeriesDataFrame.from_data_frame(frame[cols])
    if with_target and panel.static is not None and len(panel.static.columns):
        tsdf.static_features = panel.static.reindex(tsdf.item_ids)
    return tsdf


def min_train_length(horizon: int, val_windows: int) -> int:
    """AutoGluon 1.6's minimum series length for training (shorter series are left out of training)."""
    return max(horizon + 1, 5) + horizon + (val_windows - 1) * horizon


def fit(panel: Panel, cfg: ForecastConfig, cutoff: pd.Timestamp, models: list[str] | None = None,
        path: Path | None = None) -> Fitted:
    """Train the named models (default: the profile's) plus the weighted ensemble on the history up to `cutoff`."""
    from autogluon.timeseries import TimeSeriesPredictor

    models = list(models or cfg.models)
    train = train_frame(panel, cutoff)
    lengths = train.groupby("item_id")["target"].agg(["size", "count"])
    dropped = int(((lengths["size"] < min_train_length(cfg.horizon, cfg.val_windows)) | (lengths["count"] == 0)).sum())
    path = path or scratch.make(prefix="skulab-ag-") / "predictor"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # the prediction cache is deprecated, still works in 1.6
        predictor = TimeSeriesPredictor(prediction_length=cfg.horizon, freq=cfg.freq, eval_metric="WQL",
                                        quantile_levels=cfg.quantiles, known_covariates_names=panel.known or None,
                                        cache_predictions=True, path=str(path), verbosity=1)
    with _captured_log() as log:
        t0 = time.perf_counter()
        predictor.fit(to_tsdf(train, panel), hyperparameters=hyperparameters(models, cfg.epochs, cfg.batches, cfg.tabular_rounds),
                      num_val_windows=cfg.val_windows, enable_ensemble=cfg.ensemble and len(models) > 1,
                      random_seed=cfg.seed)
        seconds = time.perf_counter() - t0
    trained = predictor.model_names()
    skipped = [m for m in models if m not in trained]
    if skipped:
        reasons = [w for w in log if any(m in w for m in skipped)] or log[-3:]
        raise ModelSkippedError(f"AutoGluon did not train {', '.join(skipped)} (cutoff {cutoff:%Y-%m-%d}): "
                                + (" | ".join(reasons) or "no reason logged; see the fit log in " + str(path)))
    kept = [m for m in trained if m in models or m == ENSEMBLE]
    cal = None
    if cfg.conformal:
        truth = train[["item_id", "timestamp", "actual", "scored"]]
        cal = calibration.fit(calibration.validation_forecasts(predictor, kept, truth), calibration.series_scale(train))
    return Fitted(predictor=predictor, cutoff=cutoff, models=kept, dropped=dropped, fit_seconds=seconds,
                  warnings=log, fallbacks=_fallbacks(log), calibration=cal)


def predict(fitted: Fitted, panel: Panel, items: pd.Index | None = None) -> pd.DataFrame:
    """Forecasts of every trained model for the horizon after the cutoff: item_id, timestamp, model, mean, q..."""
    cutoff, dt = fitted.cutoff, step(panel.freq)
    items = forecast_items(panel, cutoff) if items is None else items
    f = panel.frame[panel.frame["item_id"].isin(items)]
    history = to_tsdf(f[f["timestamp"] <= cutoff], panel)
    horizon_end = cutoff + panel.horizon * dt
    future = f[(f["timestamp"] > cutoff) & (f["timestamp"] <= horizon_end)]
    known = to_tsdf(future, panel, with_target=False) if panel.known else None
    out = []
    with _captured_log() as log:
        for model in reversed(fitted.models):  # the ensemble first: its members' forecasts are then cached
            pred = fitted.predictor.predict(history, known_covariates=known, model=model)
            frame = pd.DataFrame(pred).clip(lower=0.0).reset_index()
            out.append(frame.assign(model=model))
    fitted.fallbacks = {**fitted.fallbacks, **{f"{k} (predict)": v for k, v in _fallbacks(log).items()}}
    fitted.warnings += log
    result = pd.concat(out, ignore_index=True)
    result = result.rename(columns={str(q): f"q{round(q * 100):02d}" for q in fitted.predictor.quantile_levels})
    return result if fitted.calibration is None else calibration.apply(result, fitted.calibration)


def discard(fitted: Fitted) -> None:
    """Delete the predictor's files (a temporary folder unless `fit` was given a path)."""
    path = Path(fitted.predictor.path)
    scratch.remove(path.parent if path.parent.name.startswith("skulab-ag-") else path)


def _fallbacks(log: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in log:
        m = _FALLBACK.search(line)
        if m:
            name = m.group(1).split("/")[0]  # "ETS/W0": the model inside AutoGluon's validation window
            counts[name] = counts.get(name, 0) + int(m.group(2))
    return counts


@contextmanager
def _captured_log() -> Iterator[list[str]]:
    """Collect AutoGluon's warnings (fallbacks, failed models) instead of printing them (predictor verbosity 1)."""
    logger = logging.getLogger("autogluon")
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage().strip())

    handlers, propagate = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [Collect(level=logging.WARNING)], False
    env = os.environ.get("PYTHONWARNINGS")
    # the worker processes AutoGluon's local models predict in (joblib) start with this environment and are reused
    # later, so they ignore the same warnings as this process does
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [env, "ignore::RuntimeWarning"]))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # empty-slice means on all-missing windows
            yield lines
    finally:
        logger.handlers, logger.propagate = handlers, propagate
        if env is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = env
