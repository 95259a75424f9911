"""The automatic recipe (`forecast.recipe: auto`): features, imputation, zoo, ensemble and calibration chosen on
selection windows before the test windows, within a budget of fits, never a time limit.

The selection windows are the `recipe_windows` horizons right before the first test window (in the weekly job, the
latest horizons of the history): the sales are cut at the first test window's cutoff before anything is built, so
no sale at or after a test window is read. Every candidate is a backtest on them, and each window's fit counts one
against `recipe_fits`; a candidate the budget cannot pay for is not run and the table says so. In order:
1. `profile`: the profile's settings, every feature group the data can feed, calibration on: each model's score,
   the ensemble's, and the coverage before and after calibration.
2. `anchor`: AutoGluon alone with the raw columns. If it is surely better than the profile's headline (the 95 %
   paired bootstrap interval over series of the WQL change lies below zero), it is the recipe and the search ends.
3. Each feature group left out, then the static features, then each other imputation, one at a time, on the best
   tabular model of step 1 (the probe: statistical models read no covariates); a change is kept only when it
   surely lowers the probe's WQL (the same paired interval), so noise on a short selection span changes nothing.
4. The zoo: the models of step 1 no worse than its best statistical model (a member a baseline beats adds
   nothing), in the ensemble, unless the best single model is surely better than the ensemble.
5. Calibration: kept when it brought the headline's coverage (randomised PIT) closer to 80 % in step 1.
With `recipe_series`, every candidate scores the same seeded sample of series, and the settings chosen on it fit
every series: at a chain's size the selection costs what it costs on the sample.
The choice and every score behind it are the selection table (`Recipe.table`), which the report shows and the
weekly job stores in `forecast_run.params`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from skulab.config import ForecastConfig, override
from skulab.errors import ConfigError
from skulab.forecast import partitioned
from skulab.forecast.backtest import anchor, paired_change, require_windows, summary
from skulab.forecast.calibration import AIM
from skulab.forecast.features import build_panel
from skulab.forecast.zoo import ENSEMBLE
from skulab.periods import step

IMPUTE = ("seasonal", "ffill", "zero", "nan")


@dataclass(frozen=True)
class Recipe:
    """The configuration chosen (recipe: manual, ready to run) and the selection table that chose it."""

    config: ForecastConfig
    table: pd.DataFrame  # step, candidate, model, fits, WQL, coverage80_pit, coverage80_pit_raw, decision


def choose(inputs: dict[str, pd.DataFrame | None], cfg: ForecastConfig, skip: int = 0, latest: bool = False,
           progress: bool = False, runner: Any = None) -> Recipe:
    """The recipe for backtest windows `cfg.windows` after `skip` (its selection windows come just before them), or,
    with `latest` (the weekly job), for a forecast from the last period: selection on the latest windows.

    `inputs` are build_panel's keyword arguments (skulab.erp.Training.inputs); `runner` runs each candidate's fits
    by the partitions of `cfg.partition_by` (skulab.forecast.partitioned; None: pooled in this process)."""
    if not latest:  # the selection sees the sales up to the first test window's cutoff, nothing later
        sales = inputs["sales"]
        last = pd.Timestamp(sales["date"].max())
        cut = last - (skip + cfg.windows) * cfg.horizon * step(cfg.freq)
        inputs = {**inputs, "sales": sales[sales["date"] <= cut]}
    search = _Search(inputs, cfg, progress, runner)
    base = _base(cfg, inputs)
    dates = inputs["sales"]["date"]
    try:
        require_windows(pd.Timestamp(dates.min()), pd.Timestamp(dates.max()), base, cfg.recipe_windows)
    except ConfigError as exc:  # too short a history to choose on: the settings as written, and why
        search.rows.append({"step": "profile", "candidate": "no selection window fits before the test windows",
                            "fits": 0, "decision": f"the settings as written ({exc})"})
        return Recipe(override(cfg, recipe="manual"), search.table())
    sample = f" (chosen on at most {cfg.recipe_series:,} series)" if search.series != cfg.max_series else ""
    prof = search.run("profile", f"the profile's settings, every feature group the data feed, calibration on{sample}",
                      base)
    if prof is None:
        return Recipe(override(cfg, recipe="manual"), search.table())
    board = summary(prof.scores)
    head = _headline(board)
    ref = search.run("anchor", "AutoGluon alone with the raw columns", override(anchor(cfg, covariates=True),
                                                                               conformal=base.conformal,
                                                                               val_windows=base.val_windows))
    if ref is not None:
        ref_head = _headline(summary(ref.scores))
        vs = paired_change(prof.forecasts_of(head), ref.forecasts_of(ref_head))
        if vs["change_hi"] < 0:
            search.decide(f"the anchor's {ref_head} is surely better than the profile's {head}: WQL "
                          f"{_interval(vs)}; the anchor is the recipe")
            return Recipe(override(ref.config, recipe="manual"), search.table())
        search.decide(f"the anchor's {ref_head} against the profile's {head}: WQL {_interval(vs)}, not surely "
                      "better; the profile is the base")
    chosen = _tune_features(search, base, prof, board)
    chosen = _zoo(search, chosen, prof, board)
    chosen = _calibration(search, chosen, board)
    return Recipe(override(chosen, recipe="manual"), search.table())


class _Search:
    """Runs candidates on the selection windows within the fit budget and keeps the selection table."""

    def __init__(self, inputs: dict[str, pd.DataFrame | None], cfg: ForecastConfig, progress: bool,
                 runner: Any = None):
        self.inputs, self.cfg, self.progress, self.runner = inputs, cfg, progress, runner
        self.left = cfg.recipe_fits
        self.rows: list[dict] = []
        sizes = [n for n in (cfg.max_series, cfg.recipe_series) if n is not None]
        self.series = min(sizes) if sizes else None  # every candidate scores the same sample of series

    def run(self, step: str, change: str, config: ForecastConfig,
            models: list[str] | None = None) -> _Run | None:
        """The candidate's backtest on the selection windows, or None when the budget cannot pay for it."""
        fits = self.cfg.recipe_windows
        if fits > self.left:
            self.rows.append({"step": step, "candidate": change, "fits": 0, "decision": "not run: the budget of "
                              f"{self.cfg.recipe_fits} fits is spent"})
            return None
        self.left -= fits
        trial = override(config, windows=self.cfg.recipe_windows, recipe="manual", max_series=self.series)
        panel = build_panel(**self.inputs, cfg=trial)
        bt = partitioned.backtest_on(panel, trial, self.runner, models=models)
        board = summary(bt.scores)
        head = models[0] if models else _headline(board)
        row = board.set_index("model").loc[head]
        self.rows.append({"step": step, "candidate": change, "model": head, "fits": fits, "WQL": row["WQL"],
                          "coverage80_pit": row.get("coverage80_pit"),
                          "coverage80_pit_raw": row.get("coverage80_pit_raw"), "decision": ""})
        if self.progress:
            print(f"recipe {step}: {change}: {head} WQL {row['WQL']:.4f} ({self.left} fits left)", flush=True)
        return _Run(config, bt.scores, bt.forecasts)

    def decide(self, why: str) -> None:
        self.rows[-1]["decision"] = why

    def table(self) -> pd.DataFrame:
        cols = ["step", "candidate", "model", "fits", "WQL", "coverage80_pit", "coverage80_pit_raw", "decision"]
        return pd.DataFrame(self.rows).reindex(columns=cols)


@dataclass(frozen=True)
class _Run:
    config: ForecastConfig
    scores: pd.DataFrame
    forecasts: pd.DataFrame

    def forecasts_of(self, model: str) -> pd.DataFrame:
        return self.forecasts[self.forecasts["model"] == model]


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


def _tune_features(search: _Search, base: ForecastConfig, prof: _Run, board: pd.DataFrame) -> ForecastConfig:
    """Leave each feature group out, then the static features, then try each other imputation, on the probe; keep
    a change only when it surely lowers the probe's WQL."""
    tabular = board[board["family"] == "tabular"]
    if tabular.empty:
        return base
    probe = str(tabular.iloc[0]["model"])
    best, chosen = prof.forecasts_of(probe), base
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
        vs = paired_change(best, run.forecasts_of(probe))
        if vs["change_hi"] < 0:
            search.decide(f"kept: {probe} WQL {_interval(vs)}")
            best, chosen = run.forecasts_of(probe), trial
        else:
            search.decide(f"not kept: {probe} WQL {_interval(vs)}, not surely lower")
    return chosen


def _zoo(search: _Search, chosen: ForecastConfig, prof: _Run, board: pd.DataFrame) -> ForecastConfig:
    """The models no worse than the best statistical one, in the ensemble unless the best single model is surely
    better than the ensemble on the selection windows."""
    singles = board[(board["model"] != ENSEMBLE) & board["model"].isin(chosen.models)]
    best = str(singles.iloc[0]["model"])
    stats = singles[singles["family"].isin(["statistical", "intermittent"])]
    bar = float(stats["WQL"].min()) if len(stats) else float("inf")
    members = singles[singles["WQL"] <= bar]["model"].tolist()
    members = members if len(members) > 1 else singles["model"].head(2).tolist()
    if ENSEMBLE in set(board["model"]) and len(members) > 1:
        vs = paired_change(prof.forecasts_of(ENSEMBLE), prof.forecasts_of(best))
        if vs["change_hi"] >= 0:
            why = (f"the ensemble of {', '.join(members)} (the models no worse than the best statistical one); "
                   f"{best} alone against the ensemble: WQL {_interval(vs)}, not surely better")
            search.rows.append({"step": "zoo", "candidate": "members and ensemble", "fits": 0, "decision": why})
            return override(chosen, models=members, ensemble=True)
        why = f"{best} alone: against the ensemble WQL {_interval(vs)}, surely better"
    else:
        why = f"{best} alone: the profile runs no ensemble"
    search.rows.append({"step": "zoo", "candidate": "members and ensemble", "fits": 0, "decision": why})
    return override(chosen, models=[best], ensemble=False)


def _calibration(search: _Search, chosen: ForecastConfig, board: pd.DataFrame) -> ForecastConfig:
    """Calibration on when it moved the headline's randomised coverage closer to 80 % on the selection windows."""
    head = _headline(board)
    row = board.set_index("model").loc[head]
    raw, cal = row.get("coverage80_pit_raw"), row.get("coverage80_pit")
    keep = pd.notna(raw) and pd.notna(cal) and abs(cal - AIM) < abs(raw - AIM)
    search.rows.append({"step": "calibration", "candidate": f"{head}'s q10-q90", "model": head, "fits": 0,
                        "coverage80_pit": cal, "coverage80_pit_raw": raw,
                        "decision": _calibration_decision(keep, raw, cal)})
    return override(chosen, conformal=bool(keep), val_windows=chosen.val_windows if keep else search.cfg.val_windows)


def _calibration_decision(keep: bool, raw: float, cal: float) -> str:
    """Why calibration is on or off, in the selection table's words."""
    if keep:
        return f"on: coverage {raw:.1%} -> {cal:.1%}"
    if raw == cal:  # the held-out validation window kept the model's own quantiles at every step
        return f"off: the held-out check kept the model's own quantiles (coverage {raw:.1%})"
    return f"off: coverage as fitted {raw:.1%}, calibrated {cal:.1%}"


def _interval(vs: dict) -> str:
    """'+1.2 % [-0.3, +2.8]': a paired change of WQL with its 95 % interval."""
    return f"{vs['change']:+.1%} [{vs['change_lo'] * 100:+.1f}, {vs['change_hi'] * 100:+.1f}]"


def _headline(board: pd.DataFrame) -> str:
    """The run's headline model: the ensemble when it ran, else the best model."""
    models = set(board["model"])
    return ENSEMBLE if ENSEMBLE in models else board.iloc[0]["model"]
