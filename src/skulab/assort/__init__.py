"""Forward-warehouse assortment: order types, fill/split metrics, heuristics, exact MIP, bounds, net, rolling evaluation.

The net (PyTorch) lives in skulab.assort.net and is imported on use, so `import skulab.assort` stays light.
"""

from skulab.assort.bound import Bound, lagrangian_bound
from skulab.assort.exact import lp_relaxation, mip
from skulab.assort.heuristics import covered_weight, order_greedy, popularity, reverse_exclude, swap_search
from skulab.assort.metrics import (
           Coverage,
           coverage,
           fill_curve,
           fill_rate,
           k_for_fill,
           split_rate,
           stocked_mask,
           units_served,
)
from skulab.assort.order_types import Assortment, OrderTypes, from_lines
from skulab.assort.rolling import Evaluation, evaluate, resolve_k
from skulab.assort.windows import Window, window, with_weeks

__all__ = ["Assortment", "Bound", "Coverage", "Evaluation", "OrderTypes", "Window", "coverage", "covered_weight",
           "evaluate", "fill_curve", "fill_rate", "from_lines", "k_for_fill", "lagrangian_bound", "lp_relaxation",
           "mip", "order_greedy", "popularity", "resolve_k", "reverse_exclude", "split_rate",
           "stocked_mask", "swap_search", "units_served", "window", "with_weeks"]
