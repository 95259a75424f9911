"""Regional and category trends: forecasts at every level of the region / category hierarchy, reconciled, the method
per level chosen on a validation window, and the `skulab trends` job.

Entry points: `inputs` (the store x SKU panel and each series' region and category), `evaluate` (every level
forecast and reconciled at each window, the method chosen per level), `coherence_gap`, `next_horizon` and
`region_category_rows` (the next horizon by the chosen methods), `run` (the job: ERP in, region x category rows
out), `plot_regional_trends` (the chapter's figure, skulab.trends.plots.regional_trends). Modules: `hierarchy`
(nodes, summing matrix, aggregated panel), `reconcile` (base forecasts and reconcilers), `job`, `plots`.
"""

from __future__ import annotations

from skulab.trends.hierarchy import Hierarchy
from skulab.trends.job import (
    Inputs,
    JobResult,
    Trends,
    inputs,
    next_horizon,
    region_category_rows,
    run,
    select,
)
from skulab.trends.plots import regional_trends as plot_regional_trends
from skulab.trends.reconcile import Evaluation, Window, coherence_gap, evaluate

__all__ = ["Evaluation", "Hierarchy", "Inputs", "JobResult", "Trends", "Window", "coherence_gap", "evaluate",
           "inputs", "next_horizon", "plot_regional_trends", "region_category_rows", "run", "select"]

