"""Conformal calibration of the 80 % interval (q10-q90) on the validation windows AutoGluon held out in its fit.

Each model's own validation forecasts (made by the very model that forecasts the test window, on data it did
not train on) give the nonconformity scores of conformalised quantile regression, scaled per point by the
forecast's own half-width plus one unit so that one offset serves slow and fast series:
    s_hi = (y - q90) / (q90 - q50 + 1),  s_lo = (q10 - y) / (q50 - q10 + 1)
and each tail's offset is the finite-sample (1 - 0.1)(1 + 1/n) quantile of its scores, so that on exchangeable
data at most 10 % of points fall above the new q90 and at most 10 % below the new q10. Offsets may be negative
(an interval too wide is narrowed). Only scored points (observed, uncensored sales) count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TAIL = 0.1  # each tail of the 80 % interval


def offsets(validation: pd.DataFrame) -> pd.DataFrame:
    """Per model, the scaled offsets `lo` and `hi` of q10 and q90 from its validation forecasts (model, q10, q50,
    q90, actual, scored); a model without scored validation points gets 0 (left as it is)."""
    rows = []
    for model, part in validation.groupby("model"):
        part = part[part["scored"].fillna(False).astype(bool)]
        y, q10, q50, q90 = (part[c].to_numpy(dtype=float) for c in ("actual", "q10", "q50", "q90"))
        hi = (y - q90) / (q90 - q50 + 1.0)
        lo = (q10 - y) / (q50 - q10 + 1.0)
        rows.append({"model": model, "lo": _conformal_quantile(lo), "hi": _conformal_quantile(hi), "points": len(y)})
    return pd.DataFrame(rows, columns=["model", "lo", "hi", "points"])


def apply(forecasts: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Forecasts with q10 and q90 moved by each model's offsets; quantiles stay ordered and non-negative."""
    out = forecasts.copy()
    shift = out[["model"]].merge(table, on="model", how="left").fillna({"lo": 0.0, "hi": 0.0})
    q10, q50, q90 = (out[c].to_numpy(dtype=float) for c in ("q10", "q50", "q90"))
    out["q10"] = np.clip(q10 - shift["lo"].to_numpy() * (q50 - q10 + 1.0), 0.0, q50)
    out["q90"] = np.maximum(q90 + shift["hi"].to_numpy() * (q90 - q50 + 1.0), q50)
    qcols = sorted((c for c in out.columns if c.startswith("q") and c[1:].isdigit()), key=lambda c: int(c[1:]))
    out[qcols] = np.maximum.accumulate(out[qcols].to_numpy(dtype=float), axis=1)  # other levels stay in order
    return out


def validation_forecasts(predictor: object, models: list[str], truth: pd.DataFrame) -> pd.DataFrame:
    """The validation windows' forecasts of each model (item_id, timestamp, model, q..), with `truth`'s actual and
    scored columns (item_id, timestamp, actual, scored)."""
    preds = predictor.backtest_predictions(model=models)  # type: ignore[attr-defined]
    frames = [pd.DataFrame(window).reset_index().assign(model=model)
              for model, windows in preds.items() for window in windows]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.rename(columns={str(q): f"q{round(q * 100):02d}" for q in predictor.quantile_levels})  # type: ignore[attr-defined]
    return frame.merge(truth, on=["item_id", "timestamp"], how="inner")


def _conformal_quantile(scores: np.ndarray) -> float:
    n = len(scores)
    if n == 0:
        return 0.0
    level = min(1.0, (1 - TAIL) * (1 + 1 / n))
    return float(np.quantile(scores, level, method="higher"))
