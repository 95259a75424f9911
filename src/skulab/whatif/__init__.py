"""Promotion what-if: re-forecast chosen SKUs, stores and days with a promotion switched on or off, and check the
forecast uplift against the demo generator's true uplift and an observed one.

Entry points: `promo_types` (what a fitted model can be asked about), `Scenario` and `whatif` (one question through
a fitted model of skulab.forecast), `validate_uplift` and `observed_uplift` (every type on a window of the
horizon), `plot_uplift` (the chapter's figure, skulab.whatif.plots.uplift_grid). The logic is in `scenario`.
"""

from __future__ import annotations

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

__all__ = ["Scenario", "observed_uplift", "plot_uplift", "promo_types", "scenario_panel", "typical_discount",
           "validate_uplift", "whatif"]

