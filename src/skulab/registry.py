"""The names a profile may use, in one place: assortment methods, forecasting models, feature groups, frequencies.

The config's choices derive from these tables, and the modules that run them check that they cover every name,
so a new method or model is added once. This module imports nothing, so validating a profile stays light.
"""

from __future__ import annotations

import re
from typing import Any

ASSORT_METHODS: dict[str, str] = {
    "popularity": "the most-ordered SKUs first (the baseline)",
    "order_greedy": "whole order types by weight per SKU they add",
    "reverse_exclude": "peel off the SKU whose removal loses the least weight",
    "swap_search": "swap SKUs in and out while the covered weight rises",
    "mip": "the exact max-coverage MIP (HiGHS), warm-started",
    "sku2vec": "popular seeds expanded by SKU2Vec neighbours",
    "net": "JD's end-to-end assortment net",
    "hybrid": "demand-weighted Reverse-Exclude, parameters chosen on the last training week",
    "local_search": "swaps from the hybrid's start, as many as the last training week supports",
    "guarded": "the learned method that surely beats popularity on the held-out weeks, else popularity",
    "learned": "a ranker trained to predict each past week's optimal assortment",
    "forecast_topk": "the SKUs with the highest forecast orders for the week ahead (JD's ML-Top-K)",
    "net_forecast": "the assortment net with the week-ahead forecast among its SKU features",
    "hybrid_forecast": "the hybrid with the week-ahead forecast as its demand estimate",
}

# name -> (AutoGluon model key, family, fixed hyperparameters; deep models get epochs and batches added)
FORECAST_MODELS: dict[str, tuple[str, str, dict[str, Any]]] = {
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
    # the M5 recipe (skulab.forecast.m5): global Tweedie LightGBM on mlforecast lags and rolling means, recursive
    "M5LightGBM": ("M5LightGBM", "tabular", {}),
    "DeepAR": ("DeepAR", "deep", {}),
    "TemporalFusionTransformer": ("TemporalFusionTransformer", "deep", {}),
    "PatchTST": ("PatchTST", "deep", {}),
    "TiDE": ("TiDE", "deep", {}),
    "DLinear": ("DLinear", "deep", {}),
}

FEATURE_GROUPS = ("raw", "calendar", "missing", "promo", "price", "covariates")

# The panel builder's periods: days, or weeks that start on a named weekday.
FREQ_PATTERN = re.compile(r"^(D|W-(MON|TUE|WED|THU|FRI|SAT|SUN))$")

# The regional hierarchy's levels, top to bottom (skulab.trends.hierarchy); store/sku is the panel's series.
HIERARCHY_LEVELS: dict[str, str] = {
    "total": "every series summed",
    "category": "the SKU's category over all regions",
    "region": "the store's region over all categories",
    "region/category": "one category in one region (written to region_category_forecast)",
    "region/sku": "one SKU over the stores of a region",
    "store/sku": "the forecast chapter's series (the bottom)",
}

# Reconciliation methods (skulab.trends.reconcile), each a hierarchicalforecast reconciler.
RECONCILE_METHODS: dict[str, str] = {
    "bottom_up": "the store x SKU forecasts summed (BottomUp)",
    "mint_shrink": "MinTrace with the shrunk covariance of the validation-window errors",
    "wls_struct": "MinTrace weighted by the number of series each node sums (structural scaling)",
}
