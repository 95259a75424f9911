"""Rolling-origin backtest: refit at each cutoff, forecast the next horizon, score every model window by window.

The last `windows` horizons of the history are the test windows (non-overlapping, oldest first);
`skip` moves them back by that many horizons, so configurations can be chosen on earlier windows and
reported on the test windows they never saw. Every model of a window is scored on the same points: the
periods with an observed, uncensored sale of the series active at the cutoff.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.config import ForecastConfig, override
from skulab.errors import ConfigError
from skulab.forecast import fitting
from skulab.forecast.features import Panel, build_panel
from skulab.forecast.metrics import (
    as_fitted,
    coverage,
    horizon_steps,
    mase_scale,
    pit_coverage,
    quantile_loss,
    score,
)
from skulab.forecast.zoo import ENSEMBLE, family
from skulab.periods import step
from skulab.stats import paired_interval

TRUTH_LABEL = "truth (noise floor)"
ANCHOR_MODELS = ["SeasonalNaive", "Naive", "ETS", "DirectTabular", "RecursiveTabular"]
REFERENCE_MODELS = {"M5LightGBM": "M5 recipe alone"}  # members shown on their own row of the comparison
ABLATION = {"no covariates": [], "+calendar": ["calendar"], "+promo": ["promo"], "+price": ["price"],
            "all covariates": ["calendar", "promo", "price"], "+own covariates": ["calendar", "promo", "price", "covariates"]}


@dataclass
class Backtest:
    """Forecasts and scores of a rolling-origin backtest, and what each window's fit did."""

    forecasts: pd.DataFrame  # window, cutoff, item_id, timestamp, model, mean, q.., actual, scored
    scores: pd.DataFrame  # window, cutoff, model, family, WQL, MASE, WAPE, bias, points
    runs: pd.DataFrame  # window, cutoff, series, forecast, dropped, fallbacks, fit_s, predict_s, cold_start_points
    calibration: pd.DataFrame | None = None  # window, cutoff, model, held_out_raw, held_out_calibrated, calibrated


def cutoffs(panel: Panel, windows: int, skip: int = 0) -> list[pd.Timestamp]:
    """The forecast origins: the last period before each test window, oldest first."""
    dt = step(panel.freq)
    last = panel.history_end - skip * panel.horizon * dt
    return [last - (windows - w) * panel.horizon * dt for w in range(windows)]


def require_windows(first: pd.Timestamp, last: pd.Timestamp, cfg: ForecastConfig, windows: int | None = None,
                    skip: int = 0) -> None:
    """Refuse, before any fit, more test windows (plus `skip` horizons) than the sales history first..last holds
    after the periods the first fit needs (AutoGluon leaves out shorter series, so no model would train)."""
    windows = windows or cfg.windows
    periods = (last - first) // step(cfg.freq) + 1
    need = fitting.min_train_length(cfg.horizon, cfg.val_windows)
    fit = max(0, (periods - need) // cfg.horizon)
    if windows + skip > fit:
        raise ConfigError(f"forecast.windows {windows} with skip {skip} need {(windows + skip) * cfg.horizon + need} "
                          f"periods ({cfg.freq}) of sales, but the ERP holds {periods} ({first:%Y-%m-%d} .. "
                          f"{last:%Y-%m-%d}): at most {fit} windows of {cfg.horizon} fit after the {need} the first "
                          f"fit trains on; make windows + skip {fit} or fewer (--set windows=N, --skip N)")


def backtest(panel: Panel, cfg: ForecastConfig, models: list[str] | None = None, windows: int | None = None,
             skip: int = 0, progress: bool = False, at: list[pd.Timestamp] | None = None) -> Backtest:
    """Refit the models at every cutoff and score them (see the module docstring); `progress` prints each window.

    `at` gives the cutoffs instead: the weekly job forecasts from the last sales period, past the actuals."""
    if at is None:
        require_windows(panel.frame["timestamp"].min(), panel.history_end, cfg, windows, skip)
    forecasts, runs, checks = [], [], []
    for w, cutoff in enumerate(at or cutoffs(panel, windows or cfg.windows, skip), 1):
        fitted = fitting.fit(panel, cfg, cutoff, models)
        t0 = time.perf_counter()
        pred = fitting.predict(fitted, panel)
        predict_s = time.perf_counter() - t0
        truth = window_truth(panel, cutoff)
        pred = pred.merge(truth, on=["item_id", "timestamp"], how="left")
        cold = int(truth.loc[~truth["item_id"].isin(pred["item_id"]), "scored"].sum())
        forecasts.append(pred.assign(window=w, cutoff=cutoff))
        if fitted.calibration is not None:
            checks.append(fitted.calibration.checks.assign(window=w, cutoff=cutoff))
        runs.append({"window": w, "cutoff": cutoff, "series": panel.frame.loc[panel.frame["timestamp"] <= cutoff,
                                                                          "item_id"].nunique(),
                     "forecast": pred["item_id"].nunique(), "dropped": fitted.dropped,
                     "fallbacks": sum(fitted.fallbacks.values()),
                     "fallback_models": ", ".join(f"{k}: {v}" for k, v in fitted.fallbacks.items()),
                     "fit_s": round(fitted.fit_seconds, 1), "predict_s": round(predict_s, 1),
                     "cold_start_points": cold})
        if progress:
            print(f"window {w} (cutoff {cutoff:%Y-%m-%d}): {runs[-1]['forecast']:,} series, fit {fitted.fit_seconds:.0f} s, "
                  f"predict {predict_s:.0f} s", flush=True)
        fitting.discard(fitted)
    fc = pd.concat(forecasts, ignore_index=True)
    return Backtest(forecasts=fc, scores=score_windows(fc, panel), runs=pd.DataFrame(runs),
                    calibration=pd.concat(checks, ignore_index=True) if checks else None)


def window_truth(panel: Panel, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Actual units and the scored flag for the horizon after `cutoff`."""
    f = panel.frame
    end = cutoff + panel.horizon * step(panel.freq)
    rows = f[(f["timestamp"] > cutoff) & (f["timestamp"] <= end)]
    return rows[["item_id", "timestamp", "actual", "scored"]].reset_index(drop=True)


def score_windows(forecasts: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    """Scores per window and model, each window on the points every model forecast."""
    rows = []
    for (w, cutoff), fc in forecasts.groupby(["window", "cutoff"]):
        points = fc[fc["scored"].fillna(False).astype(bool)]
        if points.empty:  # the weekly job's horizon, past the actuals: nothing to score, no scale to compute
            continue
        scale = mase_scale(fitting.train_frame(panel, cutoff), panel.freq)
        common = points.groupby(["item_id", "timestamp"])["model"].transform("size") == points["model"].nunique()
        for model, part in points[common].groupby("model"):
            rows.append({"window": w, "cutoff": cutoff, "model": model, "family": _family(model),
                         **score(part, scale)})
    return pd.DataFrame(rows)


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of each metric over the windows per model, best WQL first."""
    metrics = [c for c in ("WQL", "MASE", "WAPE", "bias", "coverage80", "coverage80_pit", "coverage80_pit_raw")
               if c in scores]
    out = scores.groupby(["model", "family"])[metrics].mean()
    out["windows"] = scores.groupby(["model", "family"])["window"].nunique()
    return out.sort_values("WQL").reset_index()


def coverage_by_step(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Per model and horizon step, the q10-q90 coverage of the scored test points: the plain share, the randomised
    PIT's, and the randomised PIT's of the model's own quantiles when they were calibrated (`raw`)."""
    fc = forecasts.assign(step=horizon_steps(forecasts, ["window", "model", "item_id"]))  # before unscored go
    fc = fc[fc["scored"].fillna(False).astype(bool)]
    rows = []
    for (model, h), g in fc.groupby(["model", "step"]):
        row = {"model": model, "step": h, "coverage80": coverage(g), "coverage80_pit": pit_coverage(g),
               "points": len(g)}
        if "q10_raw" in g:
            row["coverage80_pit_raw"] = pit_coverage(as_fitted(g))
        rows.append(row)
    return pd.DataFrame(rows)


def by_group(bt: Backtest, panel: Panel, by: str) -> pd.DataFrame:
    """WQL and WAPE per model and group: by='category' or by='promoted' (promotion vs regular periods)."""
    keys = panel.frame[["item_id", "timestamp", "category", "promoted"]]
    fc = bt.forecasts[bt.forecasts["scored"].fillna(False).astype(bool)].merge(keys, on=["item_id", "timestamp"])
    if by == "promoted":
        fc[by] = fc[by].map({True: "promotion", False: "regular"})
    fc[by] = fc[by].astype(object).where(fc[by].notna(), "(none)")  # a source without categories is one group
    rows = [{"model": m, by: g, **score(part)} for (m, g), part in fc.groupby(["model", by])]
    return pd.DataFrame(rows, columns=["model", by, "WQL"]).pivot(index=by, columns="model", values="WQL")


def anchor(cfg: ForecastConfig, covariates: bool) -> ForecastConfig:
    """The reference "AutoGluon alone with the raw columns": raw price, base price and promotion flags as
    known covariates (or the units alone), gaps left to AutoGluon, no static features, the anchor zoo."""
    return override(cfg, features=["raw"] if covariates else [], impute="nan", censored="keep", static=False,
                   models=ANCHOR_MODELS, ensemble=True)


def ablation(sales: pd.DataFrame, calendar: pd.DataFrame, cfg: ForecastConfig, windows: int | None = None,
             skip: int = 0, promotions: pd.DataFrame | None = None,
             covariates: pd.DataFrame | None = None) -> Backtest:
    """The ablation models' backtest for each variant in `cfg.ablation` (a `variant` column on forecasts, scores
    and runs): no covariates, one feature group alone, all covariates, all plus the user's own `covariates`, all
    plus static features (missing-value handling as in the profile)."""
    base = [g for g in cfg.features if g == "missing"]
    runs = []
    for name in cfg.ablation:
        groups = ABLATION[name] if name in ABLATION else ABLATION["all covariates"]
        v = override(cfg, features=base + groups, static=name == "all + static", models=cfg.ablation_models,
                     ensemble=len(cfg.ablation_models) > 1)
        panel = build_panel(sales, calendar, v, promotions=promotions, covariates=covariates)
        runs.append((name, backtest(panel, v, windows=windows, skip=skip)))
    return Backtest(*(pd.concat([getattr(bt, part).assign(variant=name) for name, bt in runs], ignore_index=True)
                      for part in ("forecasts", "scores", "runs")))


def paired_wql(abl: Backtest, reference: str, other: str, models: list[str], n_boot: int = 2000,
               seed: int = 7) -> pd.Series:
    """WQL of an ablation's headline (the ensemble of several `models`, else the one model) in variant `other`
    against `reference` on the points both scored: each WQL, the relative change (negative: `other` is better)
    and its 95 % paired bootstrap interval over series."""
    model = ENSEMBLE if len(models) > 1 else models[0]
    rows = abl.forecasts[abl.forecasts["model"] == model]
    out = paired_change(rows[rows["variant"] == reference], rows[rows["variant"] == other], n_boot, seed)
    return pd.Series({"model": model, "reference": reference, "variant": other, **out})


def paired_change(reference: pd.DataFrame, other: pd.DataFrame, n_boot: int = 2000, seed: int = 7) -> dict:
    """Two forecasts (one model each: window, item_id, timestamp, actual, scored, q..) on the points both scored:
    WQL_reference, WQL_variant, the relative `change` of `other` (negative: better) and its 95 % paired bootstrap
    interval over series (`change_lo`, `change_hi`), `series` and `points`."""
    keys = ["window", "item_id", "timestamp"]
    a = reference[reference["scored"].fillna(False).astype(bool)].set_index(keys)
    b = other[other["scored"].fillna(False).astype(bool)].set_index(keys)
    common = a.index.intersection(b.index)
    a, b = a.loc[common], b.loc[common]
    loss_a, loss_b = quantile_loss(a), quantile_loss(b)
    actual = a["actual"].abs().to_numpy(dtype=float)
    wql_a, wql_b = loss_a.sum() / actual.sum(), loss_b.sum() / actual.sum()
    series = common.get_level_values("item_id")
    lo, hi = paired_interval(loss_b - loss_a, n_boot, np.random.default_rng(seed), blocks=series.to_numpy(),
                             weights=actual)
    return {"WQL_reference": wql_a, "WQL_variant": wql_b, "change": wql_b / wql_a - 1, "change_lo": lo / wql_a,
            "change_hi": hi / wql_a, "series": series.nunique(), "points": len(common)}


def ablation_by_window(scores: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """WQL of the ablation's headline (the ensemble of several `models`, else the one model): windows x variants."""
    head = scores[scores["model"] == (ENSEMBLE if len(models) > 1 else models[0])]
    return head.pivot_table(index="window", columns="variant", values="WQL")[list(dict.fromkeys(head["variant"]))]


def ablation_gains(by_window: pd.DataFrame, reference: str = "no covariates") -> pd.DataFrame:
    """Per variant: WQL by window, the mean, and the relative WQL reduction against the `reference` variant."""
    table = pd.concat([by_window.T, by_window.mean().rename("mean")], axis=1)
    ref = table.loc[reference, "mean"] if reference in table.index else float("nan")
    table[f"gain_vs_{reference.replace(' ', '_')}"] = 1 - table["mean"] / ref
    return table


def gain_vs_best_statistical(board: pd.DataFrame, wql: float, table: pd.DataFrame | None = None) -> float:
    """Relative WQL reduction of `wql` against the best statistical or intermittent model of a leaderboard; when
    the leaderboard has none (the automatic recipe may keep no statistical model), against the `comparison` table's
    best statistical row (picked over every run on the same windows); NaN without either."""
    stats = board.loc[board["family"].isin(["statistical", "intermittent"]), "WQL"]
    if len(stats):
        return 1 - wql / stats.min()
    row = best_statistical_row(table) if table is not None else None
    return 1 - wql / table.loc[row, "mean"] if row is not None else float("nan")


def best_statistical_row(table: pd.DataFrame) -> str | None:
    """The 'best statistical: <model>' row of a `comparison` table, or None when no run had a statistical model."""
    return next((i for i in table.index if str(i).startswith("best statistical: ")), None)


def headline(table: pd.DataFrame, run: str = "skulab") -> str:
    """The row of `run`'s headline forecast in a `comparison` table, e.g. 'skulab: WeightedEnsemble'."""
    return next(i for i in table.index if i.startswith(f"{run}: "))


def _family(model: str) -> str:
    try:
        return family(model)
    except KeyError:
        return "reference"


def comparison(runs: dict[str, pd.DataFrame], reference: str) -> pd.DataFrame:
    """WQL by window of each run's ensemble, the best statistical model and SeasonalNaive, vs the reference run.

    `runs` maps a label to a backtest's scores; a run's headline is its WeightedEnsemble (whose weights
    AutoGluon chose on its internal validation window), or its only model. The best statistical model is
    picked on the same windows, which flatters the baseline, not skulab; the M5-recipe LightGBM, when a run has it,
    gets a row of its own (the second anchor). `gain_vs_<reference>` is the
    relative WQL reduction against the reference run's headline.
    """
    rows = []
    for label, scores in runs.items():
        models = scores["model"].unique()
        head = ENSEMBLE if ENSEMBLE in models else models[0]
        rows.append(_wql_row(scores, head, f"{label}: {head}"))
    allscores = pd.concat([s.assign(run=k) for k, s in runs.items()])
    stats = allscores[allscores["family"].isin(["statistical", "intermittent"])]
    if len(stats):
        best = stats.groupby(["run", "model"])["WQL"].mean().idxmin()
        rows.append(_wql_row(runs[best[0]], best[1], f"best statistical: {best[1]}"))
        if "SeasonalNaive" in set(stats["model"]):
            run = stats.loc[stats["model"] == "SeasonalNaive", "run"].iloc[0]
            rows.append(_wql_row(runs[run], "SeasonalNaive", "SeasonalNaive"))
    for model, label in REFERENCE_MODELS.items():
        if model in set(allscores["model"]):
            run = allscores.loc[allscores["model"] == model, "run"].iloc[0]
            rows.append(_wql_row(runs[run], model, f"{label}: {model}"))
    if TRUTH_LABEL in set(allscores["model"]):
        run = allscores.loc[allscores["model"] == TRUTH_LABEL, "run"].iloc[0]
        rows.append(_wql_row(runs[run], TRUTH_LABEL, TRUTH_LABEL))
    table = pd.DataFrame(rows).set_index("forecast")
    ref = table.loc[next(i for i in table.index if i.startswith(f"{reference}: ")), "mean"]
    table[f"gain_vs_{reference}"] = 1 - table["mean"] / ref
    return table


def _wql_row(scores: pd.DataFrame, model: str, label: str) -> dict:
    per_window = scores[scores["model"] == model].set_index("window")["WQL"]
    return {"forecast": label, **{f"window {w}": v for w, v in per_window.items()}, "mean": per_window.mean()}
