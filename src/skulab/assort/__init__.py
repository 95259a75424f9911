"""Forward-warehouse assortment: order types, fill/split metrics, heuristics, exact MIP, bounds, net, rolling evaluation.

Entry points: `latest_window` (each FDC's latest training window, its test week and K) and `evaluate_window`
(every method on it), `evaluate` (the rolling evaluation), `rankings`, `k_grid` and `coverage_curves` (fill
against K), `vector_fitter` (SKU2Vec vectors for the sku2vec method), `run` (the `skulab assort` job), `verdicts`
(the guard's aims and the methods that lose to popularity). The net
(PyTorch) is the subpackage `assort.net`, imported on first access, so `import skulab.assort` stays light.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from skulab.assort import verdicts
from skulab.assort.job import JobResult, run
from skulab.assort.methods import vector_fitter
from skulab.assort.metrics import coverage_curves, k_grid
from skulab.assort.order_types import Assortment, OrderTypes
from skulab.assort.rolling import Evaluation, LatestWindow, evaluate, evaluate_window, latest_window, rankings
from skulab.assort.windows import Window

__all__ = ["Assortment", "Evaluation", "JobResult", "LatestWindow", "OrderTypes", "Window", "coverage_curves",
           "evaluate", "evaluate_window", "k_grid", "latest_window", "net", "rankings", "run", "vector_fitter", "verdicts"]


def __getattr__(name: str) -> ModuleType:
    """`assort.net`: the PyTorch net, imported when first used."""
    if name == "net":
        return importlib.import_module("skulab.assort.net")
    raise AttributeError(f"module 'skulab.assort' has no attribute {name!r}")
