"""Sales forecasting: the offline AutoGluon zoo, metrics, rolling-origin backtests, the weekly ERP job.

Heavy libraries (AutoGluon, torch) are imported inside the functions that fit models.
"""

from skulab.forecast.backtest import (
                                      ABLATION,
                                      ANCHOR_MODELS,
                                      Backtest,
                                      ablation,
                                      anchor,
                                      backtest,
                                      by_group,
                                      comparison,
                                      cutoffs,
                                      summary,
)
from skulab.forecast.fitting import Fitted, ModelSkippedError, fit, predict
from skulab.forecast.job import JobResult, run
from skulab.forecast.metrics import METRICS, score
from skulab.forecast.noise import TRUTH, demo_dispersion, with_noise_floor
from skulab.forecast.zoo import MODELS

__all__ = ["ABLATION", "ANCHOR_MODELS", "METRICS", "MODELS", "TRUTH", "Backtest", "Fitted",
           "JobResult", "ModelSkippedError", "ablation", "anchor", "backtest", "by_group", "comparison",
           "cutoffs",
           "demo_dispersion", "fit", "predict", "run", "score", "summary",
           "with_noise_floor"]
