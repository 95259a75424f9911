"""The offline model zoo: each skulab model name maps to an AutoGluon model with explicit, fixed settings.

No presets (they fetch pretrained weights from a hub) and no time limits: deep models train a fixed
number of epochs, so a run depends on the data and the seed, not on the machine's speed.
"""

from __future__ import annotations

from typing import Any

# name -> (AutoGluon model key, family, fixed hyperparameters; deep models get epochs and batches added)
MODELS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "SeasonalNaive": ("SeasonalNaive", "statistical", {}),
    "Naive": ("Naive", "statistical", {}),
    "SeasonalAverage": ("SeasonalAverage", "statistical", {}),
    "ETS": ("ETS", "statistical", {}),
    "Theta": ("Theta", "statistical", {}),
    "AutoARIMA": ("AutoARIMA", "statistical", {}),
    "Croston": ("Croston", "intermittent", {}),
    "ADIDA": ("ADIDA", "intermittent", {}),
    "NPTS": ("NPTS", "intermittent", {}),
    "DirectTabular": ("DirectTabular", "tabular", {}),
    "RecursiveTabular": ("RecursiveTabular", "tabular", {}),
    # levels instead of AutoGluon's first differences, each series scaled by its mean absolute value
    "RecursiveTabularLevel": ("RecursiveTabular", "tabular", {"differences": [], "target_scaler": "mean_abs"}),
    # one LightGBM per horizon step, each with the lags that step can see
    "PerStepTabular": ("PerStepTabular", "tabular", {"model_name": "GBM"}),
    "DeepAR": ("DeepAR", "deep", {}),
    "TemporalFusionTransformer": ("TemporalFusionTransformer", "deep", {}),
    "PatchTST": ("PatchTST", "deep", {}),
    "TiDE": ("TiDE", "deep", {}),
    "DLinear": ("DLinear", "deep", {}),
}
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
