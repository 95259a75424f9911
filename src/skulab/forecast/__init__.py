"""Sales forecasting: features, the offline AutoGluon zoo, rolling-origin backtests, the weekly ERP job.

Entry points by chapter: the automatic recipe (`choose_recipe`: settings chosen on selection windows); features
(`build_panel`, and what the groups see: `kind_shares`, `promo_uplift`, `price_response`, `holiday_lift`); the
backtest (`backtest`, `with_noise_floor`, `summary`, `by_group`, `comparison` against the `anchor`, `headline`,
`gain_vs_best_statistical`, `coverage_by_step` (the intervals' promise per step), `ablation` with
`ablation_by_window`, `ablation_gains` and `paired_wql`, the worth of a variant over series); one fit at a cutoff
(`fit`, `predict`, `discard`: what skulab.whatif asks its questions through); the weekly job (`run`). Heavy
libraries (AutoGluon, torch) are imported inside the functions that fit models.
"""

from skulab.forecast.backtest import (
    ANCHOR_MODELS,
    Backtest,
    ablation,
    ablation_by_window,
    ablation_gains,
    anchor,
    backtest,
    by_group,
    comparison,
    coverage_by_step,
    cutoffs,
    gain_vs_best_statistical,
    headline,
    paired_wql,
    summary,
)
from skulab.forecast.features import Panel, build_panel
from skulab.forecast.features.summary import holiday_lift, kind_shares, price_response, promo_uplift
from skulab.forecast.fitting import Fitted, discard, fit, predict
from skulab.forecast.job import JobResult, run
from skulab.forecast.noise import TRUTH, demo_dispersion, with_noise_floor
from skulab.forecast.recipe import Recipe
from skulab.forecast.recipe import choose as choose_recipe

__all__ = [
    "ANCHOR_MODELS",
    "TRUTH",
    "Backtest",
    "Fitted",
    "JobResult",
    "Panel",
    "Recipe",
    "ablation",
    "ablation_by_window",
    "ablation_gains",
    "anchor",
    "backtest",
    "build_panel",
    "by_group",
    "choose_recipe",
    "comparison",
    "coverage_by_step",
    "cutoffs",
    "demo_dispersion",
    "discard",
    "fit",
    "gain_vs_best_statistical",
    "headline",
    "holiday_lift",
    "kind_shares",
    "paired_wql",
    "predict",
    "price_response",
    "promo_uplift",
    "run",
    "summary",
    "with_noise_floor",
]
