"""What-if for the user's own covariates: how much a driver moves the forecast, read through a fitted model.

A covariate known in advance is moved on every series and period of the horizon after the cutoff: an on/off one
(0 and 1 in the history) is switched from 0 to 1, any other raised by one unit over its planned values. The
estimate is sum(scenario mean) / sum(baseline mean) with a 95 % bootstrap interval over series; on the demo it
is checked against the generator's planted effect (skulab.data.demo.true_covariate_effect).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from skulab.data import demo
from skulab.errors import DataError
from skulab.forecast import fitting
from skulab.forecast.features import Panel
from skulab.forecast.features.covariates import PREFIX
from skulab.periods import step
from skulab.whatif.scenario import ratio_interval


def own_covariates(panel: Panel) -> list[str]:
    """The user's covariates known in advance that the panel holds (what a fitted model can be asked about)."""
    return [c.removeprefix(PREFIX) for c in panel.known if c.startswith(PREFIX)]


def covariate_panel(panel: Panel, name: str, cutoff: pd.Timestamp, *, shift: float | None = None,
                    value: float | None = None) -> Panel:
    """The panel with covariate `name` moved by `shift` or set to `value` on the horizon after `cutoff`."""
    if name not in own_covariates(panel):
        raise DataError(f"covariate {name!r} is not one the model saw as known in advance; known: "
                        + (", ".join(own_covariates(panel)) or "none (the ERP's covariate table is empty, or the "
                           "profile's features lack `covariates`)"))
    if (shift is None) == (value is None):
        raise DataError("a covariate what-if moves it by `shift` or sets it to `value`: give exactly one")
    f = panel.frame.copy()
    horizon = (f["timestamp"] > cutoff) & (f["timestamp"] <= cutoff + panel.horizon * step(panel.freq))
    col = PREFIX + name
    f.loc[horizon, col] = f.loc[horizon, col] + shift if shift is not None else value
    return dataclasses.replace(panel, frame=f)


def covariate_effect(fitted: fitting.Fitted, panel: Panel, generator: bool = False, n_boot: int = 500,
                     seed: int = 7) -> pd.DataFrame:
    """Per model and known covariate: the forecast demand ratio of the covariate switched on against off (0/1
    covariates) or raised by one unit against as planned, with a 95 % bootstrap interval over series; `true`
    the demo generator's planted ratio (NaN unless `generator` and the covariate is planted), `error` the
    relative error of the effect (ratio - 1)."""
    rng = np.random.default_rng(seed)
    cutoff = fitted.cutoff
    items = fitting.forecast_items(panel, cutoff)
    history = panel.frame[panel.frame["timestamp"] <= cutoff]
    rows = []
    for name in own_covariates(panel):
        on_off = set(np.unique(history[PREFIX + name])) <= {0.0, 1.0}
        if on_off:
            low = fitting.predict(fitted, covariate_panel(panel, name, cutoff, value=0.0), items)
            high = fitting.predict(fitted, covariate_panel(panel, name, cutoff, value=1.0), items)
        else:
            low = fitting.predict(fitted, panel, items)
            high = fitting.predict(fitted, covariate_panel(panel, name, cutoff, shift=1.0), items)
        pair = low.rename(columns={"mean": "baseline_mean"}).merge(
            high.rename(columns={"mean": "scenario_mean"}), on=["item_id", "timestamp", "model"])
        true = _planted(name) if generator else np.nan
        for model, g in pair.groupby("model"):
            base = g["baseline_mean"].sum()
            lo, hi = ratio_interval(g, n_boot, rng)
            rows.append({"model": model, "covariate": name, "change": "0 -> 1" if on_off else "+1 unit",
                         "series": g["item_id"].nunique(),
                         "estimated": g["scenario_mean"].sum() / base if base > 0 else np.nan, "lo": lo, "hi": hi,
                         "true": true})
    table = pd.DataFrame(rows)
    if len(table):
        table["error"] = (table["estimated"] - 1) / (table["true"] - 1) - 1
    return table


def _planted(name: str) -> float:
    try:
        return demo.true_covariate_effect(name)
    except KeyError:
        return np.nan
