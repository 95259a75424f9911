"""Store allocation from quantile forecasts: demand distributions, the week's split among the stores
(skulab.allocate.shares: the forecast's DC total by the style's recent sales), the newsvendor policy (pushed once,
or in two waves with a mid-week top-up) and its baselines, after-the-fact transfers, the rolling simulation and the
`skulab allocate` job.

Entry points: `fit_quantiles` and `from_moments` (distributions), `newsvendor`, `proportional`, `equal` (policies),
`inputs` and `simulation` (the rolling weeks: skulab.allocate.simulate.run), `run` (the job), `plot_policies` (the
chapter's figure, skulab.allocate.plots.policies). The job and `inputs` import the forecasting chapter only when
they run.
"""

from __future__ import annotations

from skulab.allocate.distribution import fit_quantiles
from skulab.allocate.job import JobResult, run
from skulab.allocate.plots import policies as plot_policies
from skulab.allocate.policy import POLICIES, critical_fractile, equal, newsvendor, proportional
from skulab.allocate.simulate import TRUTH_POLICY, Inputs, Simulation, inputs
from skulab.allocate.simulate import run as simulation
from skulab.counts import Demand, from_moments

__all__ = ["POLICIES", "TRUTH_POLICY", "Demand", "Inputs", "JobResult", "Simulation", "critical_fractile", "equal",
           "fit_quantiles", "from_moments", "inputs", "newsvendor", "plot_policies", "proportional", "run",
           "simulation"]

