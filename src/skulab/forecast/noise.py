"""The noise floor on the demo: the generator's true expected demand, scored like a forecast.

Demo sales are negative-binomial draws (Poisson with gamma-distributed rate, shape `dispersion`) around
the expected demand in truth_demand. The truth "forecast" uses that mean and the negative-binomial
quantiles (for sums over stores or days: the negative binomial with the same mean and variance). No model
can beat it on average, so each model's distance to it is what is left to gain. It is a slight
overestimate of the floor on stock-out-prone series, since scored points exclude stock-out periods.
"""

from __future__ import annotations

import pandas as pd

from skulab.counts import from_moments
from skulab.forecast.backtest import TRUTH_LABEL as TRUTH
from skulab.forecast.backtest import Backtest, score_windows
from skulab.forecast.features import Panel
from skulab.forecast.features.grid import item_ids
from skulab.periods import period_start


def demo_dispersion() -> float:
    """The demo generator's gamma shape of demand (its Knobs default)."""
    from skulab.data.demo import Knobs

    return float(Knobs.__dataclass_fields__["dispersion"].default)


def truth_forecasts(truth: pd.DataFrame, panel: Panel, quantiles: list[float], dispersion: float) -> pd.DataFrame:
    """item_id, timestamp, mean and quantile columns from truth_demand rows (date, store_id, sku_id, expected)."""
    t = truth.assign(item_id=item_ids(truth["store_id"], truth["sku_id"]).to_numpy(),
                     timestamp=period_start(truth["date"], panel.freq).to_numpy())
    t = t.groupby(["item_id", "timestamp"], as_index=False)[["expected_units", "expected_sq"]].sum()
    mean = t["expected_units"].to_numpy(dtype=float)
    var = mean + t["expected_sq"].to_numpy(dtype=float) / dispersion
    demand = from_moments(mean, var)
    out = pd.DataFrame({"item_id": t["item_id"], "timestamp": t["timestamp"], "mean": mean})
    for q in quantiles:
        out[f"q{round(q * 100):02d}"] = demand.ppf(q)
    return out


def with_noise_floor(bt: Backtest, truth: pd.DataFrame, panel: Panel, quantiles: list[float],
                     dispersion: float) -> Backtest:
    """The backtest with the truth forecast added as a model on every window's points, scores recomputed."""
    if truth.empty:
        return bt
    tf = truth_forecasts(truth, panel, quantiles, dispersion)
    points = bt.forecasts.drop_duplicates(["window", "item_id", "timestamp"])
    keep = ["window", "cutoff", "item_id", "timestamp", "actual", "scored"]
    floor = points[keep].merge(tf, on=["item_id", "timestamp"], how="inner").assign(model=TRUTH)
    forecasts = pd.concat([bt.forecasts, floor], ignore_index=True)
    return Backtest(forecasts=forecasts, scores=score_windows(forecasts, panel), runs=bt.runs, calibration=bt.calibration)
