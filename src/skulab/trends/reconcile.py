"""Forecasts at every level of the regional hierarchy, reconciled with hierarchicalforecast, the method per level
chosen on a validation window.

Base forecasts: every level is fitted on its own (fitting.fit / predict) with `reconcile.models`, the store x SKU
level on the forecast chapter's panel, the upper levels on the aggregated panel (skulab.trends.hierarchy); each
level's forecast is its predictor's best model on AutoGluon's validation window (the weighted ensemble when it
wins). One fit per level, not one pooled fit: WQL weights a series by its volume, so a pooled fit would tune its
ensemble for the total. MinT-shrink's error covariance comes from the validation-window forecasts of those same
models (out of sample, never in-sample fits).

Reconciliation: hierarchicalforecast's BottomUp or MinTrace computes the mean of every node; negative store x SKU
means are set to zero and every node is then summed from the bottom (S @ bottom), so the reconciled means are
coherent (a parent equals the sum of its children) and non-negative. Quantiles do not add (the sum of the
children's q90 is the q90 of the sum only for perfectly correlated children), so q10 / q50 / q90 keep each node's
own base spread, moved by the reconciled mean's change: q = max(0, q_base + mean_reconciled - mean_base).

Windows: the oldest of `cutoffs(panel, windows + 1)` is the selection window that picks, per level, the base
forecast or a reconciler by WQL; the later `windows` are the test windows reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.config import Config, ForecastConfig, ReconcileConfig, override
from skulab.forecast import calibration, fitting
from skulab.forecast.backtest import cutoffs, window_truth
from skulab.forecast.features import Panel
from skulab.forecast.metrics import quantile_columns, score
from skulab.trends.hierarchy import BOTTOM, LEVELS, Hierarchy, aggregate, hierarchy, level_panel

BASE = "base"
SELECTION = "selection"
_KEYS = ["node", "timestamp"]


@dataclass
class Window:
    """One forecast origin: every node's forecast by every method, the hierarchy, the aggregated panel, the fits."""

    cutoff: pd.Timestamp
    forecasts: pd.DataFrame  # node, level, timestamp, method, mean, q..
    hierarchy: Hierarchy
    upper: Panel  # the upper levels' series (aggregated target, actual, scored)
    runs: pd.DataFrame  # level, series, model, left_out, fit_s


@dataclass
class Evaluation:
    """WQL per level, method and window; the method chosen per level; before (base) and after (chosen) per level."""

    scores: pd.DataFrame  # window, role, cutoff, level, method, WQL, WAPE, bias, coverage80, points
    chosen: pd.Series  # level -> method
    summary: pd.DataFrame  # level, chosen, base_WQL, chosen_WQL, gain, not_worse (test windows' mean)
    runs: pd.DataFrame  # window, cutoff, level, series, model, left_out, fit_s
    forecasts: pd.DataFrame  # window, node, level, timestamp, method, mean, q.., actual, scored


def forecast_config(cfg: Config) -> ForecastConfig:
    """The forecast section as this chapter fits it: store level, the reconcile section's models and ensemble."""
    r = cfg.reconcile
    return override(cfg.forecast, level="store", models=r.models, ensemble=r.ensemble)


def forecast_window(panel: Panel, attrs: pd.DataFrame, fc: ForecastConfig, rc: ReconcileConfig,
                    cutoff: pd.Timestamp) -> Window:
    """Base forecasts of every level for the horizon after `cutoff`, and each of `rc.methods`' reconciliation.

    The hierarchy holds the store x SKU series the bottom predictor forecast and validated (active at the cutoff);
    the others (new or discontinued series) are counted in `runs.left_out`.
    """
    bottom, bottom_val, run = _fit_level(panel, fc, cutoff, BOTTOM)
    items = np.intersect1d(np.intersect1d(bottom["item_id"].unique(), bottom_val["item_id"].unique()), attrs.index)
    run["left_out"] = bottom["item_id"].nunique() - len(items)
    h = hierarchy(attrs.loc[items], rc.levels)
    upper = aggregate(panel, h)
    preds, vals, runs = [bottom[bottom["item_id"].isin(items)]], [bottom_val[bottom_val["item_id"].isin(items)]], [run]
    for level in h.levels[:-1]:
        pred, val, run = _fit_level(level_panel(upper, h, level), fc, cutoff, level)
        preds.append(pred)
        vals.append(val)
        runs.append(run)
    level_of = h.nodes.set_index("node")["level"]
    base = pd.concat(preds, ignore_index=True).rename(columns={"item_id": "node"})
    base = base.drop(columns="model").assign(level=lambda b: b["node"].map(level_of).to_numpy())
    errors = pd.concat(vals, ignore_index=True).rename(columns={"item_id": "node"})
    out = [base.assign(method=BASE)] + [reconcile(base, errors, h, m).assign(level=base["level"].to_numpy())
                                        for m in rc.methods]
    return Window(cutoff=cutoff, forecasts=pd.concat(out, ignore_index=True), hierarchy=h, upper=upper,
                  runs=pd.DataFrame(runs))


def reconcile(base: pd.DataFrame, errors: pd.DataFrame, h: Hierarchy, method: str) -> pd.DataFrame:
    """The base forecasts (node, timestamp, mean, q..) reconciled by `method` (see the module docstring).

    `errors` holds the validation-window forecasts (node, timestamp, target, mean) that MinTrace's covariance needs;
    the result has `base`'s rows in its order, with the method's name.
    """
    from hierarchicalforecast.methods import BottomUp, MinTrace

    reconcilers = {"bottom_up": BottomUp, "mint_shrink": lambda: MinTrace(method="mint_shrink"),
                   "wls_struct": lambda: MinTrace(method="wls_struct")}
    nodes = h.S["unique_id"].to_numpy()
    S = h.S.drop(columns="unique_id").to_numpy(dtype=float)
    bottom = np.arange(len(nodes))[-S.shape[1]:]
    mean = base.pivot(index="node", columns="timestamp", values="mean").reindex(nodes)
    if mean.isna().to_numpy().any():
        missing = mean.index[mean.isna().any(axis=1)]
        raise ValueError(f"base forecasts lack {len(missing)} node(s) such as {missing[0]!r}")
    reconciler = reconcilers[method]()
    insample = {}
    if reconciler.insample:
        stamps = np.sort(errors["timestamp"].unique())
        insample = {"y_insample": _matrix(errors, "target", nodes, stamps),
                    "y_hat_insample": _matrix(errors, "mean", nodes, stamps)}
    fitted = reconciler.fit_predict(S=S, y_hat=mean.to_numpy(dtype=float), idx_bottom=bottom, **insample)["mean"]
    coherent = pd.DataFrame(S @ np.maximum(fitted[bottom], 0.0), index=mean.index, columns=mean.columns)
    out = base[_KEYS].copy()
    out["mean"] = coherent.stack().reindex(pd.MultiIndex.from_frame(base[_KEYS])).to_numpy()
    delta = out["mean"].to_numpy() - base["mean"].to_numpy(dtype=float)
    for col in quantile_columns(base):
        out[col] = np.maximum(base[col].to_numpy(dtype=float) + delta, 0.0)
    return out.assign(method=method)


def score_window(window: Window, panel: Panel) -> pd.DataFrame:
    """WQL, WAPE, bias, coverage and points per level and method on the window's scored points."""
    truth = pd.concat([window_truth(panel, window.cutoff), window_truth(window.upper, window.cutoff)])
    fc = window.forecasts.merge(truth.rename(columns={"item_id": "node"}), on=_KEYS, how="left")
    fc = fc[fc["scored"].fillna(False).astype(bool)]
    rows = [{"level": level, "method": method, **score(part)} for (level, method), part
            in fc.groupby(["level", "method"], sort=False)]
    return pd.DataFrame(rows)


def evaluate(panel: Panel, attrs: pd.DataFrame, fc: ForecastConfig, rc: ReconcileConfig,
             progress: bool = False) -> Evaluation:
    """Forecast and reconcile at every cutoff, choose per level on the selection window, report the test windows."""
    scores, runs, forecasts = [], [], []
    for w, cutoff in enumerate(cutoffs(panel, rc.windows + 1)):
        t0 = time.perf_counter()
        win = forecast_window(panel, attrs, fc, rc, cutoff)
        role = SELECTION if w == 0 else "test"
        scores.append(score_window(win, panel).assign(window=w, role=role, cutoff=cutoff))
        runs.append(win.runs.assign(window=w, cutoff=cutoff))
        forecasts.append(win.forecasts.assign(window=w))
        if progress:
            print(f"window {w} ({role}, cutoff {cutoff:%Y-%m-%d}): {len(win.hierarchy.bottom):,} store x SKU series, "
                  f"{len(win.hierarchy.nodes):,} nodes, {time.perf_counter() - t0:.0f} s", flush=True)
    table = pd.concat(scores, ignore_index=True)
    table = table[["window", "role", "cutoff", *[c for c in table.columns if c not in ("window", "role", "cutoff")]]]
    chosen = choose(table[table["role"] == SELECTION], rc.methods)
    return Evaluation(scores=table, chosen=chosen, summary=before_after(table, chosen),
                      runs=pd.concat(runs, ignore_index=True), forecasts=pd.concat(forecasts, ignore_index=True))


def choose(selection: pd.DataFrame, methods: list[str]) -> pd.Series:
    """Per level, the method with the lowest WQL on the selection window; ties go to the first of `methods`, and the
    base forecast is kept only when it is strictly best (a reconciled forecast is coherent, the base is not)."""
    order = [*methods, BASE]
    wql = selection.pivot_table(index="level", columns="method", values="WQL").reindex(columns=order)
    levels = [lv for lv in LEVELS if lv in set(selection["level"])]
    return wql.loc[levels].idxmin(axis=1).rename("method")


def coherence_gap(forecasts: pd.DataFrame, h: Hierarchy, column: str = "mean") -> pd.Series:
    """Per method, the largest |node - sum of its store x SKU series| of `column` over nodes and periods (0: coherent)."""
    gaps = {}
    S = h.S.set_index("unique_id")
    for method, part in forecasts.groupby("method", sort=False):
        values = part.pivot(index="node", columns="timestamp", values=column).reindex(S.index).to_numpy(dtype=float)
        summed = S.to_numpy(dtype=float) @ values[-S.shape[1]:]
        gaps[method] = float(np.nanmax(np.abs(values - summed)))
    return pd.Series(gaps, name=f"coherence gap ({column})")


def before_after(scores: pd.DataFrame, chosen: pd.Series) -> pd.DataFrame:
    """Per level, mean WQL over the test windows of the base forecast and of the chosen method, and the gain."""
    test = scores[scores["role"] != SELECTION].pivot_table(index="level", columns="method", values="WQL")
    rows = []
    for level, method in chosen.items():
        before, after = test.loc[level, BASE], test.loc[level, method]
        rows.append({"level": level, "chosen": method, "base_WQL": before, "chosen_WQL": after,
                     "gain": 1 - after / before, "not_worse": bool(after <= before + 1e-12)})
    return pd.DataFrame(rows)


def _fit_level(panel: Panel, fc: ForecastConfig, cutoff: pd.Timestamp,
               level: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """One level's forecast by its best model, that model's validation-window forecasts, and what the fit did."""
    fitted = fitting.fit(panel, fc, cutoff)
    best = fitted.predictor.model_best
    pred = fitting.predict(fitted, panel)
    pred = pred[pred["model"] == best].reset_index(drop=True)
    truth = fitting.train_frame(panel, cutoff)[["item_id", "timestamp", "target"]]
    val = calibration.validation_forecasts(fitted.predictor, [best], truth)[["item_id", "timestamp", "target", "mean"]]
    fitting.discard(fitted)
    run = {"level": level, "series": pred["item_id"].nunique(), "model": best, "left_out": 0,
           "dropped": fitted.dropped, "fallbacks": sum(fitted.fallbacks.values()),
           "fit_s": round(fitted.fit_seconds, 1)}
    return pred, val, run


def _matrix(frame: pd.DataFrame, col: str, nodes: np.ndarray, stamps: np.ndarray) -> np.ndarray:
    return frame.pivot(index="node", columns="timestamp", values=col).reindex(index=nodes, columns=stamps).to_numpy(
        dtype=float)
