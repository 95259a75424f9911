"""Promotion what-if: re-forecast chosen SKUs, stores and days with a promotion switched on or off.

The scenario changes the panel's inputs, not its features: each row's promotion label, discount and price are
read back from the known covariates (flags, `promo_depth`; the price path from `price_change` and the base price
from `price_ratio`, all scale-free per series), edited on the scenario's rows in the horizon after the fitted
cutoff, and the covariates are rebuilt by the same builders `build_panel` uses (`promo.features`, `promo.flags`,
`price.features`), so promo_age / promo_since and the category price index follow the edit. Both the baseline and
the scenario go through the same fitted predictor. `validate_uplift` switches each type on for every forecast
series on a window of the horizon and compares the forecast uplift with the demo generator's own uplift and
price elasticity, and with an observed estimate (promoted against neighbouring unpromoted periods).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.data import demo
from skulab.errors import DataError
from skulab.forecast import fitting
from skulab.forecast.features import Panel, price, promo
from skulab.periods import step

_NOT_FLAGS = ("promo_depth", "promo_age", "promo_since")
_KEYS = ["item_id", "timestamp", "model"]


@dataclass(frozen=True)
class Scenario:
    """A promotion type switched on at `discount` (None: the type's median depth in the history), replacing any
    promotion the row had, or every promotion switched off (`promo_type` None, full price), on the given SKUs,
    stores and dates (None: all) of the horizon after the cutoff."""

    promo_type: str | None
    discount: float | None = None
    skus: Sequence[str] | None = None
    stores: Sequence[str] | None = None
    dates: Sequence[pd.Timestamp | str] | None = None


def promo_types(panel: Panel) -> list[str]:
    """The promotion types the panel's known covariates hold a flag for (what a model can be asked about)."""
    return [c.removeprefix("promo_") for c in panel.known if c.startswith("promo_") and c not in _NOT_FLAGS]


def scenario_panel(panel: Panel, scenario: Scenario, cutoff: pd.Timestamp) -> tuple[Panel, pd.Series]:
    """The panel with the scenario's known covariates, and the mask of the rows the scenario changed."""
    kinds = promo_types(panel)
    if scenario.promo_type is not None and promo._slug(scenario.promo_type) not in kinds:
        raise DataError(f"promotion type '{scenario.promo_type}' is not one the model saw; known: "
                        + (", ".join(kinds) or "none (the profile's features hold no promotion flags)"))
    if scenario.discount is not None and not 0.0 <= scenario.discount < 1.0:
        raise DataError(f"what-if discount {scenario.discount} is outside [0, 1): give the share off the base price")
    f = panel.frame
    end = cutoff + panel.horizon * step(panel.freq)
    mask = (f["timestamp"] > cutoff) & (f["timestamp"] <= end)
    for col, values in (("sku_id", scenario.skus), ("store_id", scenario.stores)):
        if values is not None:
            mask &= f[col].astype(str).isin([str(v) for v in values])
    if scenario.dates is not None:
        mask &= f["timestamp"].isin(pd.to_datetime(list(scenario.dates)))
    if not mask.any():
        raise DataError(f"the what-if selects no series x period in the horizon after {cutoff:%Y-%m-%d} "
                        f"(through {end:%Y-%m-%d}): check its SKUs, stores and dates")
    raw = inputs(panel, kinds)
    if scenario.promo_type is None:
        promoted = mask & raw["promo_type"].notna()
        raw.loc[promoted, "price"] = raw.loc[promoted, "base_price"]
        raw.loc[mask, ["promo_type", "discount"]] = [None, np.nan]
    else:
        kind = promo._slug(scenario.promo_type)
        depth = scenario.discount if scenario.discount is not None else typical_discount(panel, kind, cutoff)
        raw.loc[mask, ["promo_type", "discount"]] = [kind, depth]
        raw.loc[mask, "price"] = raw.loc[mask, "base_price"] * (1.0 - depth)
    return dataclasses.replace(panel, frame=rebuild(panel, raw, kinds)), mask


def whatif(fitted: fitting.Fitted, panel: Panel, scenario: Scenario) -> pd.DataFrame:
    """Baseline and scenario forecasts of the scenario's series over the horizon, with the uplift, per model.

    Columns: item_id, store_id, sku_id, category, timestamp, model, in_scenario (the row was changed),
    was_promoted (promoted in the baseline), baseline_/scenario_ mean, q10, q50, q90, uplift_ratio, uplift_units.
    """
    changed, mask = scenario_panel(panel, scenario, fitted.cutoff)
    items = pd.Index(panel.frame.loc[mask, "item_id"].unique())
    items = items.intersection(fitting.forecast_items(panel, fitted.cutoff))
    baseline = fitting.predict(fitted, panel, items)
    return _compare(panel, baseline, fitting.predict(fitted, changed, items), mask)


def validate_uplift(fitted: fitting.Fitted, panel: Panel, generator: bool, weeks: int = 4, n_boot: int = 500,
                    seed: int = 7) -> pd.DataFrame:
    """Forecast against true (demo generator) and observed uplift per promotion type x category ('all' = type).

    Every forecast series gets each type in turn on a seeded window of the horizon as long as the type's median
    run in the history, at the type's median depth; only rows unpromoted in the baseline count. `estimated` is
    sum(scenario mean) / sum(baseline mean) with a 95 % bootstrap interval over series; `true` the generator's
    uplift x (1 - discount) ^ -elasticity weighted by the baseline (NaN unless `generator`); `observed` promoted
    periods over the same series' unpromoted periods within `weeks` weeks (history only); `error` the relative
    error of the uplift (ratio - 1) against `true`, else against `observed`. Columns per model.
    """
    rng = np.random.default_rng(seed)
    cutoff, horizon = fitted.cutoff, panel.horizon
    items = fitting.forecast_items(panel, cutoff)
    baseline = fitting.predict(fitted, panel, items)
    horizon_days = pd.date_range(cutoff + step(panel.freq), periods=horizon, freq=step(panel.freq))
    seen = observed_uplift(panel, cutoff, weeks)
    rows = []
    for kind in promo_types(panel):
        length = int(np.clip(_median_run(panel, kind, cutoff), 1, horizon))
        start = int(rng.integers(0, horizon - length + 1))
        depth = typical_discount(panel, kind, cutoff)
        scenario = Scenario(kind, depth, dates=list(horizon_days[start:start + length]))
        changed, mask = scenario_panel(panel, scenario, cutoff)
        out = _compare(panel, baseline, fitting.predict(fitted, changed, items), mask)
        out = out[out["in_scenario"] & ~out["was_promoted"]]
        if generator:
            out = out.assign(true_ratio=demo.true_uplift(kind, out["category"], depth))
        series = _promoted_series(panel, kind, cutoff)
        for (model, category), g in [*((k, g) for k, g in out.groupby(["model", "category"])),
                                     *(((m, "all"), g) for m, g in out.groupby("model"))]:
            rows.append(_row(g, model, kind, category, depth, series, seen, rng, n_boot))
    table = pd.DataFrame(rows)
    reference = table["true"].where(table["true"].notna(), table["observed"])
    table["error"] = (table["estimated"] - 1) / (reference - 1) - 1
    table["error_lo"] = (table["lo"] - 1) / (reference - 1) - 1
    table["error_hi"] = (table["hi"] - 1) / (reference - 1) - 1
    return table


def observed_uplift(panel: Panel, cutoff: pd.Timestamp, weeks: int = 4) -> pd.DataFrame:
    """Per type x category ('all' = type): units of scored promoted periods up to `cutoff` over the mean of the same
    series' scored unpromoted periods within `weeks` weeks either side (a simple observed uplift)."""
    f = panel.frame[(panel.frame["timestamp"] <= cutoff) & panel.frame["scored"]]
    codes = pd.factorize(f["item_id"])[0].astype(np.int64)
    t = ((f["timestamp"] - f["timestamp"].min()) // pd.Timedelta(days=1)).to_numpy(np.int64)
    reach = 7 * weeks
    key = codes * (int(t.max()) + 2 * reach + 2) + t  # series far apart: a window never reaches the next one
    plain = ~f["promoted"].to_numpy()
    order = np.argsort(key[plain], kind="stable")
    plain_key, plain_units = key[plain][order], f["actual"].to_numpy(float)[plain][order]
    cum = np.r_[0.0, np.cumsum(plain_units)]
    lo, hi = np.searchsorted(plain_key, key - reach, "left"), np.searchsorted(plain_key, key + reach, "right")
    count = hi - lo
    base = pd.Series(np.where(count > 0, (cum[hi] - cum[lo]) / np.maximum(count, 1), np.nan), index=f.index)
    rows = []
    for kind in promo_types(panel):
        on = (f[f"promo_{kind}"] > 0) & base.notna()
        for category, g in [*f[on].groupby("category"), ("all", f[on])]:
            rows.append({"promotion": kind, "category": category, "periods": len(g),
                         "observed": float(g["actual"].sum() / base[g.index].sum()) if len(g) else np.nan})
    return pd.DataFrame(rows, columns=["promotion", "category", "periods", "observed"])


def typical_discount(panel: Panel, kind: str, cutoff: pd.Timestamp) -> float:
    """The median depth of `kind` in the history (periods with that type alone, else any with it; 0 if unknown)."""
    kinds = promo_types(panel)
    raw = inputs(panel, kinds)
    f = panel.frame
    history = (f["timestamp"] <= cutoff).to_numpy()
    on = history & (f[f"promo_{kind}"] > 0).to_numpy()
    alone = on & (f[[f"promo_{k}" for k in kinds]].sum(axis=1) == 1).to_numpy()
    depth = raw.loc[alone if alone.any() else on, "discount"].dropna()
    return float(depth.median()) if len(depth) else 0.0


def rebuild(panel: Panel, raw: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """The panel frame with its promotion and price covariates rebuilt from `raw` by the feature builders."""
    blocks = [promo.flags(raw, kinds), promo.features(raw, kinds), raw[["price", "base_price"]],
              price.features(raw, raw[["price", "base_price"]])]
    frame = panel.frame.copy()
    for block in blocks:
        cols = [c for c in block.columns if c in panel.known]
        frame[cols] = block[cols].astype(float).to_numpy()
    return frame


def inputs(panel: Panel, kinds: list[str]) -> pd.DataFrame:
    """The builders' inputs read back from the covariates: promo_type, discount, price and base price per row."""
    f = panel.frame
    flags = f[[f"promo_{k}" for k in kinds]].to_numpy() > 0 if kinds else np.zeros((len(f), 0), bool)
    label = pd.Series(["+".join(k for k, on in zip(kinds, row) if on) for row in flags], index=f.index, dtype=object)
    if "price" in f and "base_price" in f:
        prices = f[["price", "base_price"]]
    elif "price_ratio" in f:
        level = np.exp(f["price_change"].groupby(f["item_id"]).cumsum())  # the price path up to a per-series scale
        prices = pd.DataFrame({"price": level, "base_price": level / f["price_ratio"]})
    else:
        prices = pd.DataFrame({"price": 1.0, "base_price": 1.0}, index=f.index)
    label = label.where(label != "", None)
    depth = f["promo_depth"] if "promo_depth" in f else (1.0 - prices["price"] / prices["base_price"]).clip(lower=0)
    return pd.DataFrame({"item_id": f["item_id"], "timestamp": f["timestamp"], "category": f["category"],
                         "promo_type": label, "discount": depth.where(label.notna()),
                         "price": prices["price"], "base_price": prices["base_price"]}, index=f.index)


def _compare(panel: Panel, baseline: pd.DataFrame, scenario: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """Baseline and scenario forecasts side by side with the series' keys and the uplift."""
    f = panel.frame
    rows = f[["item_id", "timestamp", "store_id", "sku_id", "category"]].assign(
        in_scenario=mask.to_numpy(), was_promoted=f["promoted"].to_numpy())
    values = ["mean", "q10", "q50", "q90"]
    out = (baseline[[*_KEYS, *values]].rename(columns={v: f"baseline_{v}" for v in values})
           .merge(scenario[[*_KEYS, *values]].rename(columns={v: f"scenario_{v}" for v in values}), on=_KEYS)
           .merge(rows, on=["item_id", "timestamp"], how="left"))
    out["uplift_ratio"] = out["scenario_mean"] / out["baseline_mean"]
    out["uplift_units"] = out["scenario_mean"] - out["baseline_mean"]
    first = ["item_id", "store_id", "sku_id", "category", "timestamp", "model", "in_scenario", "was_promoted"]
    return out[[*first, *[c for c in out.columns if c not in first]]]


def _row(g: pd.DataFrame, model: str, kind: str, category: str, depth: float, series: pd.Series,
         seen: pd.DataFrame, rng: np.random.Generator, n_boot: int) -> dict:
    """One line of the validation table."""
    base = g["baseline_mean"].sum()
    lo, hi = ratio_interval(g, n_boot, rng)
    obs = seen[(seen["promotion"] == kind) & (seen["category"] == category)]["observed"]
    truth = float((g["baseline_mean"] * g["true_ratio"]).sum() / base) if "true_ratio" in g and base > 0 else np.nan
    return {"model": model, "promotion": kind, "category": category,
            "promoted_series": int(series.get(category, 0) if category != "all" else series.sum()),
            "series": g["item_id"].nunique(), "periods": len(g), "discount": depth,
            "estimated": float(g["scenario_mean"].sum() / base) if base > 0 else np.nan, "lo": lo, "hi": hi,
            "true": truth, "observed": float(obs.iloc[0]) if len(obs) else np.nan}


def ratio_interval(g: pd.DataFrame, n_boot: int, rng: np.random.Generator) -> tuple[float, float]:
    """95 % bootstrap interval of sum(scenario) / sum(baseline), resampling series (draws with no baseline left out)."""
    per = g.groupby("item_id")[["scenario_mean", "baseline_mean"]].sum().to_numpy(float)
    pick = rng.integers(0, len(per), size=(n_boot, len(per)))
    num, den = per[pick, 0].sum(axis=1), per[pick, 1].sum(axis=1)
    ratios = num[den > 0] / den[den > 0]
    return (float(np.quantile(ratios, 0.025)), float(np.quantile(ratios, 0.975))) if len(ratios) else (np.nan, np.nan)


def _promoted_series(panel: Panel, kind: str, cutoff: pd.Timestamp) -> pd.Series:
    """Per category, the series with at least one period of `kind` in the history (what the model learned from)."""
    f = panel.frame
    on = f[(f["timestamp"] <= cutoff) & (f[f"promo_{kind}"] > 0)]
    return on.groupby("category")["item_id"].nunique()


def _median_run(panel: Panel, kind: str, cutoff: pd.Timestamp) -> float:
    """The median length, in periods, of the history's runs of `kind` within a series (1 if none)."""
    f = panel.frame[panel.frame["timestamp"] <= cutoff]
    on = (f[f"promo_{kind}"] > 0).to_numpy()
    item = f["item_id"].to_numpy()
    starts = on & np.r_[True, (item[1:] != item[:-1]) | ~on[:-1]]
    runs = np.cumsum(starts)[on]
    return float(np.median(np.bincount(runs)[1:])) if on.any() else 1.0
