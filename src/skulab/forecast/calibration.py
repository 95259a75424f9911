"""Calibration of the 80 % interval (q10-q90) on several validation windows, kept only where it helps.

AutoGluon holds out `val_windows` windows at the end of each fit's history; each model's forecasts of them (made by
that model, on data it did not train on) are the calibration set. Per model and per horizon step, q10 and q90 move
by an offset in units of each series' scale (its mean absolute change from one period to the next), so one offset
serves slow and fast series:
    q90' = max(q50, q90 + hi[step] x scale),  q10' = clip(q10 - lo[step] x scale, 0, q50)
and each offset makes its tail hold 10 % of the validation sales, counted by the randomised PIT (`tail_shares`),
so that a count on the edge of the interval counts in part rather than wholly inside.

A calibration that does not help is not applied: the offsets are first fitted on every validation window but the
latest, and only if they bring that held-out window's coverage closer to 80 % without raising the quantile loss of
q10 and q90 there are they refitted on all windows and applied; otherwise the model keeps its own quantiles. On
whole-number sales a moved q10 or q90 is rounded to a whole number (the quantile of a count is one). With a single
validation window nothing can be checked, and every model keeps its own quantiles (`val_windows` of 2 or more
calibrates).

The randomised PIT is skulab.forecast.metrics.tail_shares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.forecast.metrics import TAIL, horizon_steps, pit_coverage, tail_shares

AIM = 1 - 2 * TAIL
SCALE_FLOOR = 0.1  # units: a series that never changes still gets a scale


@dataclass(frozen=True)
class Calibration:
    """What calibration did for one fit: per model the offsets by step, the held-out check, and the series scales."""

    offsets: pd.DataFrame  # model, step, lo, hi (0 for a model that keeps its own quantiles)
    checks: pd.DataFrame  # model, held_out_raw, held_out_calibrated, loss_change, calibrated, points
    scales: pd.Series  # item_id -> scale
    counts: bool = False  # whole-number sales: calibrated q10 / q90 are whole numbers too


def series_scale(history: pd.DataFrame) -> pd.Series:
    """Per item, the mean absolute change of the observed target from one period to the next (at least 0.1)."""
    ordered = history.sort_values(["item_id", "timestamp"])
    change = ordered.groupby("item_id")["target"].diff().abs()
    return change.groupby(ordered["item_id"]).mean().fillna(0.0).clip(lower=SCALE_FLOOR)


def fit(validation: pd.DataFrame, scales: pd.Series) -> Calibration:
    """The calibration of each model from its validation forecasts (model, window, item_id, timestamp, q10, q50,
    q90, actual, scored): offsets fitted on all windows but the latest and checked there (see the docstring)."""
    points = validation.assign(step=horizon_steps(validation, ["model", "window", "item_id"]))  # as `apply` counts
    points = points[points["scored"].fillna(False).astype(bool)].copy()
    points["scale"] = points["item_id"].map(scales).fillna(SCALE_FLOOR).to_numpy(dtype=float)
    y = points["actual"].to_numpy(dtype=float)
    counts = bool(len(y)) and bool(np.isclose(y, np.round(y)).all())
    offsets, checks = [], []
    for model, part in points.groupby("model", sort=False):
        latest = part["window"].max()
        early, held = part[part["window"] < latest], part[part["window"] == latest]
        row = {"model": model, "held_out_raw": pit_coverage(held), "held_out_calibrated": np.nan,
               "loss_change": np.nan, "calibrated": False, "points": len(part)}
        fitted = None
        if len(early) and len(held):
            trial = shift(held, _offsets(early, counts), counts)
            row["held_out_calibrated"] = pit_coverage(trial)
            row["loss_change"] = _interval_loss(trial) / max(_interval_loss(held), 1e-12) - 1
            closer = abs(row["held_out_calibrated"] - AIM) < abs(row["held_out_raw"] - AIM)
            if closer and row["loss_change"] <= 0:
                fitted, row["calibrated"] = _offsets(part, counts), True
        checks.append(row)
        steps = np.arange(1, int(part["step"].max()) + 1)
        fitted = fitted if fitted is not None else pd.DataFrame({"step": steps, "lo": 0.0, "hi": 0.0})
        offsets.append(fitted.assign(model=model))
    cols = ["model", "step", "lo", "hi"]
    return Calibration(offsets=pd.concat(offsets, ignore_index=True)[cols] if offsets else pd.DataFrame(columns=cols),
                       checks=pd.DataFrame(checks, columns=["model", "held_out_raw", "held_out_calibrated",
                                                            "loss_change", "calibrated", "points"]),
                       scales=scales, counts=counts)


def apply(forecasts: pd.DataFrame, cal: Calibration) -> pd.DataFrame:
    """Forecasts (model, item_id, timestamp, q..) with q10 and q90 moved by their model's offsets at their step; the
    quantiles as fitted stay in q10_raw and q90_raw, and every level stays ordered and non-negative."""
    out = forecasts.copy()
    out["q10_raw"], out["q90_raw"] = out["q10"], out["q90"]
    out["step"] = horizon_steps(out, ["model", "item_id"])
    out["scale"] = out["item_id"].map(cal.scales).fillna(SCALE_FLOOR).to_numpy(dtype=float)
    out = shift(out, cal.offsets, cal.counts)
    qcols = sorted((c for c in out.columns if c.startswith("q") and c[1:].isdigit()), key=lambda c: int(c[1:]))
    out[qcols] = np.maximum.accumulate(out[qcols].to_numpy(dtype=float), axis=1)  # other levels stay in order
    return out.drop(columns=["step", "scale"])


def shift(points: pd.DataFrame, offsets: pd.DataFrame, counts: bool = False) -> pd.DataFrame:
    """Points (model, step, scale, q10, q50, q90) with q10 and q90 moved by the offsets of their model and step
    (offsets with no model column serve every point; a step without an offset is left as it is). On `counts` a
    moved quantile is rounded to a whole number: the quantile of a count is one, and a fractional q10 over a zero
    sale costs quantile loss that no coverage repays."""
    keys = ["model", "step"] if "model" in offsets else ["step"]
    d = points[keys].merge(offsets, on=keys, how="left").fillna({"lo": 0.0, "hi": 0.0})
    lo, hi = d["lo"].to_numpy(), d["hi"].to_numpy()
    out = points.copy()
    q10, q50, q90, s = (out[c].to_numpy(dtype=float) for c in ("q10", "q50", "q90", "scale"))
    new10, new90 = q10 - lo * s, q90 + hi * s
    if counts:
        new10, new90 = np.where(lo != 0, np.round(new10), q10), np.where(hi != 0, np.round(new90), q90)
    out["q10"] = np.clip(new10, 0.0, q50)
    out["q90"] = np.maximum(new90, q50)
    return out


def validation_forecasts(predictor: object, models: list[str], truth: pd.DataFrame) -> pd.DataFrame:
    """The validation windows' forecasts of each model (item_id, timestamp, model, window, q..), oldest window 1,
    with `truth`'s columns (item_id, timestamp, actual, scored, ...).

    They are clipped at zero as skulab.forecast.fitting.predict serves forecasts: AutoGluon's Gaussian quantiles
    (Naive, SeasonalNaive, ETS) go below zero on low sales, and offsets fitted to a q10 of -13 pull a served q10
    of 0 far up (frat's Naive: 92 % coverage calibrated to 62 % before this)."""
    preds = predictor.backtest_predictions(model=models)  # type: ignore[attr-defined]
    frames = [pd.DataFrame(window).clip(lower=0.0).reset_index().assign(model=model, window=w)
              for model, windows in preds.items() for w, window in enumerate(windows, 1)]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.rename(columns={str(q): f"q{round(q * 100):02d}" for q in predictor.quantile_levels})  # type: ignore[attr-defined]
    return frame.merge(truth, on=["item_id", "timestamp"], how="inner")


def _offsets(points: pd.DataFrame, counts: bool) -> pd.DataFrame:
    """Per step, the offsets (in series scales) that make each tail hold TAIL of the points' randomised PIT."""
    rows = []
    for step, g in points.groupby("step"):
        q10, q50, q90, y, s = (g[c].to_numpy(dtype=float) for c in ("q10", "q50", "q90", "actual", "scale"))
        whole = np.round if counts else (lambda a: a)

        def above(d: float, q10=q10, q50=q50, q90=q90, y=y, s=s, whole=whole) -> float:
            return float(tail_shares(q10, q50, np.maximum(whole(q90 + d * s), q50), y)[2].mean())

        def below(d: float, q10=q10, q50=q50, q90=q90, y=y, s=s, whole=whole) -> float:
            return float(tail_shares(np.clip(whole(q10 - d * s), 0.0, q50), q50, q90, y)[0].mean())

        hi = _solve(above, -float(np.max((q90 - q50) / s)) - 1.0, float(np.max((y + 1 - q90) / s)) + 1.0)
        lo = _solve(below, -float(np.max((q50 - q10) / s)) - 1.0, float(np.max((q10 - y + 1) / s)) + 1.0)
        rows.append({"step": int(step), "lo": lo, "hi": hi})
    return pd.DataFrame(rows, columns=["step", "lo", "hi"])


def _interval_loss(points: pd.DataFrame) -> float:
    """The pinball loss of q10 and q90 summed over the points: what calibration may not raise."""
    y = points["actual"].to_numpy(dtype=float)
    d10, d90 = y - points["q10"].to_numpy(dtype=float), y - points["q90"].to_numpy(dtype=float)
    return float(np.maximum(0.1 * d10, -0.9 * d10).sum() + np.maximum(0.9 * d90, -0.1 * d90).sum())


def _solve(share: Callable[[float], float], low: float, high: float, iterations: int = 40) -> float:
    """The smallest offset in [low, high] whose tail share (non-increasing in the offset) is at most TAIL."""
    if share(low) <= TAIL:
        return low
    for _ in range(iterations):
        mid = (low + high) / 2
        low, high = (low, mid) if share(mid) <= TAIL else (mid, high)
    return high
