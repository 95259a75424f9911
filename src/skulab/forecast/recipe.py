"""The automatic recipe (`forecast.recipe: auto`): features, imputation, zoo, ensemble and calibration chosen on
selection windows before the test windows, within a budget of fits, never a time limit.

The selection windows are the `recipe_windows` horizons right before the first test window (in the weekly job, the
latest horizons of the history): the sales are cut at the first test window's cutoff before anything is built, so
no sale at or after a test window is read. Every candidate is a backtest on
them, and each window's fit counts one against `recipe_fits`; a candidate the budget cannot pay for is not run and
the table says so. In order:
1. `profile`: the profile's settings, every feature group the data can feed, calibration on: each model's score,
   the ensemble's, and the coverage before and after calibration.
2. `anchor`: AutoGluon alone with the raw columns. If it scores better than the profile's headline, it is the recipe
   (the recipe never keeps a configuration that loses to the reference it is judged against), and the search ends.
3. Each feature group left out, then the static features, then each other imputation, one at a time, on the best tabular model of step 1 (the
   probe: statistical models read no covariates), keeping a change when it lowers the probe's WQL by more than
   `recipe_tolerance`.
4. The zoo: the models within `recipe_tolerance` x 10 of the best model's WQL in step 1 (at least the best one),
   with the ensemble kept when it beat the best single model, else that model alone.
5. Calibration: kept when it brought the headline's coverage (randomised PIT) closer to 80 % in step 1.
The choice and every score behind it are the selection table (`Recipe.table`), which the report shows and the
weekly job stores in `forecast_run.params`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from skulab.config import ForecastConfig, override
from skulab.errors import ConfigError
from skulab.forecast.backtest import anchor, backtest, require_windows, summary
from skulab.forecast.features import Panel, build_panel
from skulab.forecast.zoo import ENSEMBLE
from skulab.periods import step

IMPUTE = ("seasonal", "ffill", "zero", "nan")


@dataclass(frozen=True)
class Recipe:
    """The configuration chosen (recipe: manual, ready to run) and the selection table that chose it."""

    config: ForecastConfig
    table: pd.DataFrame  # step, candidate, change, fits, WQL, coverage80_pit, decision


def choose(inputs: dict[str, pd.DataFrame | None], cfg: ForecastConfig, skip: int = 0,
           at: list[pd.Timestamp] | None = None, progress: bool = False) -> Recipe:
    """The recipe for backtest windows `cfg.windows` after `skip` (its selection windows come just before them), or,
    with `at` (the weekly job's cutoff), for a forecast from the last period: selection on the latest windows.

    `inputs` are build_panel's keyword arguments (skulab.erp.Training.inputs)."""
    if at is None:  # the selection sees the sales up to the first test window's cutoff, nothing later
        sales = inputs["sales"]
        last = pd.Timestamp(sales["date"].max())
        cut = last - (skip + cfg.windows) * cfg.horizon * step(cfg.freq)
        inputs = {**inputs, "sales": sales[sales["date"] <= cut]}
    search = _Search(inputs, cfg, progress)
    base = _base(cfg, inputs)
    dates = inputs["sales"]["date"]
    try:
        require_windows(pd.Timestamp(dates.min()), pd.Timestamp(dates.max()), base, cfg.recipe_windows)
    except ConfigError as exc:  # too short a history to choose on: the settings as written, and why
        search.rows.append({"step": "profile", "candidate": "no selection window fits before the test windows",
                            "fits": 0, "decision": f"the settings as written ({exc})"})
        return Recipe(override(cfg, recipe="manual"), search.table())
    prof = search.run("profile", "the profile's settings, every feature group the data feed, calibration on", base)
    if prof is None:
        return Recipe(override(cfg, recipe="manual"), search.table())
    board = summary(prof.scores)
    head = _headline(board)
    ref = search.run("anchor", "AutoGluon alone with the raw columns", override(anchor(cfg, covariates=True),
                                                                               conformal=base.conformal,
                                                                               val_windows=base.val_windows))
    if ref is not None:
        ref_board = summary(ref.scores)
        ref_head = _headline(ref_board)
        if _wql(ref_board, ref_head) < _wql(board, head):
            search.decide(f"the anchor's {ref_head} ({_wql(ref_board, ref_head):.4f}) beats the profile's {head} "
                          f"({_wql(board, head):.4f}): the anchor is the recipe")
            return Recipe(override(ref.config, recipe="manual"), search.table())
        search.decide(f"the profile's {head} ({_wql(board, head):.4f}) is at least as good as the anchor's "
                      f"{ref_head} ({_wql(ref_board, ref_head):.4f}): the profile is the base")
    chosen = _tune_features(search, base, board)
    chosen = _zoo(search, chosen, board)
    chosen = _calibration(search, chosen, board)
    return Recipe(override(chosen, recipe="manual"), search.table())


class _Search:
    """Runs candidates on the selection windows within the fit budget and keeps the selection table."""

    def __init__(self, inputs: dict[str, pd.DataFrame | None], cfg: ForecastConfig, progress: bool):
        self.inputs, self.cfg, self.progress = inputs, cfg, progress
        self.left = cfg.recipe_fits
        self.rows: list[dict] = []

    def run(self, step: str, change: str, config: ForecastConfig,
            models: list[str] | None = None) -> _Run | None:
        """The candidate's backtest on the selection windows, or None when the budget cannot pay for it."""
        fits = self.cfg.recipe_windows
        if fits > self.left:
            self.rows.append({"step": step, "candidate": change, "fits": 0, "decision": "not run: the budget of "
                              f"{self.cfg.recipe_fits} fits is spent"})
            return None
        self.left -= fits
        trial = override(config, windows=self.cfg.recipe_windows, recipe="manual")
        panel = build_panel(**self.inputs, cfg=trial)
        bt = backtest(panel, trial, models=models)
        board = summary(bt.scores)
        head = models[0] if models else _headline(board)
        row = board.set_index("model").loc[head]
        self.rows.append({"step": step, "candidate": change, "model": head, "fits": fits, "WQL": row["WQL"],
                          "coverage80_pit": row.get("coverage80_pit"),
                          "coverage80_pit_raw": row.get("coverage80_pit_raw"), "decision": ""})
        if self.progress:
            print(f"recipe {step}: {change}: {head} WQL {row['WQL']:.4f} ({self.left} fits left)", flush=True)
        return _Run(config, bt.scores, panel)

    def decide(self, why: str) -> None:
        self.rows[-1]["decision"] = why

    def table(self) -> pd.DataFrame:
        cols = ["step", "candidate", "model", "fits", "WQL", "coverage80_pit", "coverage80_pit_raw", "decision"]
        return pd.DataFrame(self.rows).reindex(columns=cols)


@dataclass(frozen=True)
class _Run:
    config: ForecastConfig
    scores: pd.DataFrame
    panel: Panel


def _base(cfg: ForecastConfig, inputs: dict[str, pd.DataFrame | None]) -> ForecastConfig:
    """The profile's settings with every feature group the data can feed and calibration on."""
    sales, covariates = inputs["sales"], inputs.get("covariates")
    feeds = {"calendar": True, "missing": True,
             "promo": sales is not None and sales.get("promo_type", pd.Series(dtype=object)).notna().any(),
             "price": sales is not None and sales.get("price", pd.Series(dtype=float)).notna().any(),
             "covariates": covariates is not None and len(covariates) > 0}
    groups = [g for g in ("raw", "calendar", "missing", "promo", "price", "covariates")
              if g in cfg.features or feeds.get(g, False)]
    return override(cfg, features=groups, conformal=True, val_windows=max(cfg.val_windows, 2))


def _tune_features(search: _Search, base: ForecastConfig, board: pd.DataFrame) -> ForecastConfig:
    """Leave each feature group out, then try each other imputation, on the probe; keep what helps."""
    tabular = board[board["family"] == "tabular"]
    if tabular.empty:
        return base
    probe = str(tabular.iloc[0]["model"])
    best, chosen = float(tabular.iloc[0]["WQL"]), base
    tol = base.recipe_tolerance
    trials: list[tuple[str, Callable[[ForecastConfig], ForecastConfig | None]]] = [
        (f"without {g}", lambda c, g=g: override(c, features=[f for f in c.features if f != g]))
        for g in base.features]
    if base.static:
        trials.append(("without static features", lambda c: override(c, static=False)))
    trials += [(f"impute {i}", lambda c, i=i: override(c, impute=i) if "missing" in c.features else None)
               for i in IMPUTE if i != base.impute]
    for label, make in trials:
        trial = make(chosen)
        if trial is None:
            continue
        run = search.run("features", f"{label} ({probe})", trial, models=[probe])
        if run is None:
            break
        wql = _wql(summary(run.scores), probe)
        if wql < best * (1 - tol):
            search.decide(f"kept: {probe} WQL {best:.4f} -> {wql:.4f}")
            best, chosen = wql, trial
        else:
            search.decide(f"not kept: {probe} WQL {best:.4f} -> {wql:.4f} (needs {tol:.1%} lower)")
    return chosen


def _zoo(search: _Search, chosen: ForecastConfig, board: pd.DataFrame) -> ForecastConfig:
    """The models near the best one, with the ensemble when it beat the best single model on the selection windows."""
    singles = board[(board["model"] != ENSEMBLE) & board["model"].isin(chosen.models)]
    best = singles.iloc[0]
    near = singles[singles["WQL"] <= best["WQL"] * (1 + 10 * chosen.recipe_tolerance)]["model"].tolist()
    ens = board.loc[board["model"] == ENSEMBLE, "WQL"]
    use_ensemble = len(near) > 1 and len(ens) and float(ens.iloc[0]) < float(best["WQL"])
    models = near if use_ensemble else [best["model"]]
    why = (f"ensemble of {', '.join(models)} (WeightedEnsemble {float(ens.iloc[0]):.4f} < best single "
           f"{best['model']} {best['WQL']:.4f})" if use_ensemble else
           f"{best['model']} alone ({best['WQL']:.4f}; the ensemble "
           + (f"{float(ens.iloc[0]):.4f} is not better" if len(ens) else "did not run") + ")")
    search.rows.append({"step": "zoo", "candidate": f"models within {10 * chosen.recipe_tolerance:.0%} of the best",
                        "fits": 0, "decision": why})
    return override(chosen, models=models, ensemble=use_ensemble)


def _calibration(search: _Search, chosen: ForecastConfig, board: pd.DataFrame) -> ForecastConfig:
    """Calibration on when it moved the headline's randomised coverage closer to 80 % on the selection windows."""
    head = _headline(board)
    row = board.set_index("model").loc[head]
    raw, cal = row.get("coverage80_pit_raw"), row.get("coverage80_pit")
    keep = pd.notna(raw) and pd.notna(cal) and abs(cal - 0.8) < abs(raw - 0.8)
    search.rows.append({"step": "calibration", "candidate": f"{head}'s q10-q90", "model": head, "fits": 0,
                        "coverage80_pit": cal, "coverage80_pit_raw": raw,
                        "decision": (f"on: coverage {raw:.1%} -> {cal:.1%}" if keep else
                                     f"off: coverage as fitted {raw:.1%}, calibrated {cal:.1%}")})
    return override(chosen, conformal=bool(keep), val_windows=chosen.val_windows if keep else search.cfg.val_windows)


def _headline(board: pd.DataFrame) -> str:
    """The run's headline model: the ensemble when it ran, else the best model."""
    models = set(board["model"])
    return ENSEMBLE if ENSEMBLE in models else board.iloc[0]["model"]


def _wql(board: pd.DataFrame, model: str) -> float:
    return float(board.set_index("model").loc[model, "WQL"])

