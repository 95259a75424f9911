"""Promotion what-if: re-forecast chosen SKUs, stores and days with a promotion switched on or off, and check the
forecast uplift against the demo generator's true uplift and an observed one.

Entry points: `promo_types` (what a fitted model can be asked about), `Scenario` and `whatif` (one question through
a fitted model of skulab.forecast), `validate_uplift` and `observed_uplift` (every type on a window of the
horizon), `plot_uplift` (the chapter's figure, skulab.whatif.plots.uplift_grid); `uplift_from_history` reads each
type's uplift from the history instead, with fixed effects for everything else (skulab.whatif.causal), and
`plot_history_uplift` draws it. The what-if's logic is in `scenario`; the user's own covariates have theirs in
`covariates` (`own_covariates`, `covariate_panel`, `covariate_effect`).
"""

from __future__ import annotations

from skulab.whatif.causal import uplift_from_history
from skulab.whatif.covariates import covariate_effect, covariate_panel, own_covariates
from skulab.whatif.plots import history_uplift as plot_history_uplift
from skulab.whatif.plots import uplift_grid as plot_uplift
from skulab.whatif.scenario import (
    Scenario,
    observed_uplift,
    promo_types,
    scenario_panel,
    typical_discount,
    validate_uplift,
    whatif,
)

__all__ = ["Scenario", "covariate_effect", "covariate_panel", "observed_uplift", "own_covariates",
           "plot_history_uplift", "plot_uplift", "promo_types", "scenario_panel", "typical_discount",
           "uplift_from_history", "validate_uplift", "whatif"]

