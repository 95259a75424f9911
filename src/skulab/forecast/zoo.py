"""The offline model zoo: each skulab model name maps to an AutoGluon model with explicit, fixed settings.

No presets (they fetch pretrained weights from a hub) and no time limits: deep models train a fixed
number of epochs, so a run depends on the data and the seed, not on the machine's speed.
"""

from __future__ import annotations

from typing import Any

from skulab.registry import FORECAST_MODELS

MODELS = FORECAST_MODELS  # name -> (AutoGluon model key, family, fixed hyperparameters)
ENSEMBLE = "WeightedEnsemble"


def family(name: str) -> str:
    """'statistical', 'intermittent', 'tabular', 'deep' or 'ensemble' for a model name."""
    return "ensemble" if name == ENSEMBLE else MODELS[name][1]


def hyperparameters(models: list[str], epochs: int, batches: int,
                    tabular_rounds: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """AutoGluon `hyperparameters` for the named models, each named after its skulab name.

    `tabular_rounds` caps LightGBM's boosting rounds in the tabular models (early stopping after 20
    rounds without gain); None keeps AutoGluon's default (up to 10,000 rounds).
    """
    if "M5LightGBM" in models:
        import skulab.forecast.m5  # noqa: F401  (registers the M5LightGBM model with AutoGluon)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in models:
        key, kind, params = MODELS[name]
        params = dict(params)
        if kind == "deep":
            params |= {"max_epochs": epochs, "num_batches_per_epoch": batches}
        if kind == "tabular" and tabular_rounds is not None:
            params["model_hyperparameters"] = {**params.get("model_hyperparameters", {}),
                                               "num_boost_round": tabular_rounds, "ag.early_stop": 20}
        params["ag_args"] = {"name": name}
        out.setdefault(key, []).append(params)
    return out
