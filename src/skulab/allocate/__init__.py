"""Store allocation from quantile forecasts: demand distributions, the newsvendor policy and its baselines,
after-the-fact transfers, the rolling simulation and the `skulab allocate` job.

Entry points: `fit_quantiles` and `from_moments` (distributions), `newsvendor`, `proportional`, `equal`
(policies), `inputs` and `simulate.run` (the rolling weeks), `run` (the job). The job and `inputs` import the
forecasting chapter only when they run.
"""

from skulab.allocate.distribution import fit_quantiles
from skulab.allocate.policy import POLICIES, critical_fractile, equal, newsvendor, proportional
from skulab.allocate.simulate import TRUTH_POLICY, Inputs, Simulation, inputs
from skulab.counts import Demand, from_moments

__all__ = ["POLICIES", "TRUTH_POLICY", "Demand", "Inputs", "Simulation", "critical_fractile", "equal",
           "fit_quantiles", "from_moments", "inputs", "newsvendor", "proportional"]
