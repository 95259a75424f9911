"""JD's ML-Top-K: forecast each SKU's orders at each FDC for the week after the window, stock the K highest.

The target is the daily count of orders holding a SKU at an FDC, over the window's days (zeros where none). All
FDCs of the window pool into one global model, one series per '<fdc>|<sku>' (as the net pools), fitted once per
window with AutoGluon through skulab.forecast.fitting (the profile's `assort.topk_models`, weighted ensemble when
several) on a panel with the weekday as a known covariate (the week of year and the month barely move inside
a window of a few weeks, and trees cannot extrapolate them). The forecast of the week is the sum of its daily
means. A window of fewer than 15 days is shorter than AutoGluon needs for a 7-day horizon plus its 7-day
validation window, so the horizon shrinks to the longest that fits (6 days for a 2-week window, 2 for one week)
and the week's forecast is that sum scaled to 7 days; `info["horizon"]` and `info["short_window"]` say so.

Forecasts are memoised by the window's weeks, its chain's lines and the models, so forecast_topk, net_forecast and
hybrid_forecast on one fold share one fit (and the net's inner weeks share theirs with the hybrid's choice).
Inside `reused()`, each distinct forecast served from the cache reports its fit's seconds, so a method that
reuses a fold's forecast is charged the fit as if it had made it (methods.run adds them to its wall time).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from skulab.assort.order_types import Assortment, popularity_order
from skulab.assort.windows import Window
from skulab.config import AssortConfig, ForecastConfig
from skulab.errors import DataError
from skulab.forecast import fitting
from skulab.forecast.features import Panel

WEEK = 7
CACHE_SIZE = 16  # forecasts kept: a fold needs its window's and its inner weeks' (at most max_pairs + 1)


@dataclass(frozen=True)
class WeekForecast:
    """Forecast orders holding each SKU at each FDC in the week after `weeks`, and how it was made."""

    demand: pd.Series  # index (fdc_id, sku_id)
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def of(self, fdc_id: Any) -> pd.Series:
        """The forecast of one FDC's SKUs (sku_id -> orders in the week; empty when the FDC has no series)."""
        if fdc_id not in self.demand.index.get_level_values(0):
            return pd.Series(dtype=float)
        return self.demand.xs(fdc_id, level=0)


_CACHE: dict[tuple, WeekForecast] = {}
_REUSED: dict[tuple, float] | None = None  # inside `reused()`: forecast key -> fit seconds not paid in this block


def run(windows: list[Window], ks: list[list[int]], cfg: AssortConfig) -> list[list[Assortment]]:
    """Per window (FDC) and budget, the FDC's SKUs ranked by the window's forecast (ties: popularity), cut at K."""
    forecast = week_forecast(windows, cfg.topk_models, cfg)
    out = []
    for window, budgets in zip(windows, ks):
        ranked, scores = ranking(window, forecast.of(_fdc(window)))
        out.append([Assortment(ranked[:k], scores[:k], "forecast_topk", dict(forecast.info)) for k in budgets])
    return out


def ranking(window: Window, demand: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The FDC's SKUs by forecast demand, highest first; ties and SKUs without a forecast by popularity."""
    types = window.types
    by_popularity = popularity_order(types)
    position = np.empty(types.n_skus, dtype=np.int64)
    position[by_popularity] = np.arange(types.n_skus)
    values = demand.reindex(types.sku_ids).fillna(0.0).to_numpy(dtype=float)
    order = np.lexsort((position, -values))
    order = order[(values[order] > 0) | (types.popularity[order] > 0)]
    return types.sku_ids[order], values[order]


def demand_of(cfg: AssortConfig, models: list[str] | None = None) -> Callable[[Window], pd.Series]:
    """Window -> its FDC's forecast for the week after it (sku_id -> orders), from the memoised pooled fit."""
    chosen = models or cfg.topk_models

    def demand(window: Window) -> pd.Series:
        return week_forecast([window], chosen, cfg).of(_fdc(window))

    return demand


def week_forecast(windows: list[Window], models: list[str], cfg: AssortConfig) -> WeekForecast:
    """The pooled forecast of the week after the windows' weeks (windows of one fold share weeks and chain)."""
    window = windows[0]
    key = _key(window, models, cfg)
    if key in _CACHE:
        hit = _CACHE[key]
        if _REUSED is not None:
            _REUSED.setdefault(key, hit.seconds)
        return hit
    result = fit_forecast(window.chain, window.weeks, models, cfg)
    if _REUSED is not None:
        _REUSED[key] = 0.0  # paid in this block's wall time
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result


@contextmanager
def reused() -> Iterator[dict[tuple, float]]:
    """Inside the block, the fit seconds of each distinct forecast the cache served that the block did not fit."""
    global _REUSED
    outer, _REUSED = _REUSED, {}
    try:
        yield _REUSED
    finally:
        _REUSED = outer


def fit_forecast(lines: pd.DataFrame, weeks: np.ndarray, models: list[str], cfg: AssortConfig) -> WeekForecast:
    """One AutoGluon fit on the daily order counts of `lines` over `weeks`, forecasting the 7 days after them."""
    t0 = time.perf_counter()
    start = pd.Timestamp(weeks[0])
    days = WEEK * len(weeks)
    counts = daily_counts(lines, start, days)
    if counts.empty:
        return WeekForecast(pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["fdc_id", "sku_id"])),
                            {"models": models, "series": 0, "reason": "no order lines in the window"})
    horizon = horizon_for(days)
    panel = _panel(counts, start, days, horizon)
    fcfg = ForecastConfig(freq="D", horizon=horizon, models=models, ensemble=len(models) > 1, features=["calendar"],
                          static=False, tabular_rounds=cfg.topk_rounds, epochs=2, batches=10, seed=cfg.seed)
    cutoff = start + pd.Timedelta(days=days - 1)
    fitted = fitting.fit(panel, fcfg, cutoff)
    try:
        pred = fitting.predict(fitted, panel)
    finally:
        fitting.discard(fitted)
    model = fitting.ENSEMBLE if fitting.ENSEMBLE in fitted.models else models[0]
    mean = pred[pred["model"] == model].groupby("item_id")["mean"].sum() * WEEK / horizon
    fdc_sku = counts.drop_duplicates("item_id").set_index("item_id")[["fdc_id", "sku_id"]]
    index = pd.MultiIndex.from_frame(fdc_sku.loc[mean.index])
    info = {"models": models, "model": model, "series": int(counts["item_id"].nunique()), "days": days,
            "horizon": horizon, "fit_seconds": round(fitted.fit_seconds, 2)}
    if fitted.fallbacks:  # series on which a statistical model failed and AutoGluon used SeasonalNaive instead
        info["fallbacks"] = dict(fitted.fallbacks)
    if horizon < WEEK:
        info["short_window"] = (f"{days} days are fewer than the {fitting.min_train_length(WEEK, 1)} AutoGluon needs "
                                f"for 7 + a 7-day validation window: forecast {horizon} days, scaled to 7")
    return WeekForecast(pd.Series(mean.to_numpy(), index=index, name="forecast"), info, time.perf_counter() - t0)


def daily_counts(lines: pd.DataFrame, start: pd.Timestamp, days: int) -> pd.DataFrame:
    """Orders holding each SKU at each FDC per day over [start, start + days): item_id, fdc_id, sku_id, timestamp,
    target, every day of every (FDC, SKU) with a line (zeros on days without)."""
    day = pd.to_datetime(lines["ts"]).dt.normalize()
    inside = (day >= start) & (day < start + pd.Timedelta(days=days))
    got = (lines[inside].assign(timestamp=day[inside])
           .groupby(["fdc_id", "sku_id", "timestamp"], observed=True)["order_id"].nunique().rename("target"))
    pairs = got.reset_index()[["fdc_id", "sku_id"]].drop_duplicates()
    stamps = pd.date_range(start, periods=days, freq="D")
    grid = pairs.loc[pairs.index.repeat(days)].assign(timestamp=np.tile(stamps.to_numpy(), len(pairs)))
    frame = grid.merge(got.reset_index(), on=["fdc_id", "sku_id", "timestamp"], how="left")
    frame["target"] = frame["target"].fillna(0.0).astype(float)
    frame.insert(0, "item_id", frame["fdc_id"].astype(str) + "|" + frame["sku_id"].astype(str))
    return frame.reset_index(drop=True)


def horizon_for(days: int) -> int:
    """The longest horizon up to 7 days for which AutoGluon trains on `days` days with one validation window."""
    fits = [h for h in range(1, WEEK + 1) if fitting.min_train_length(h, 1) <= days]
    if not fits:
        raise DataError(f"a window of {days} day(s) is too short to forecast (AutoGluon needs at least "
                        f"{fitting.min_train_length(1, 1)})")
    return max(fits)


def _panel(counts: pd.DataFrame, start: pd.Timestamp, days: int, horizon: int) -> Panel:
    """The forecasting panel of the counts plus `horizon` future days, weekday as the known covariate."""
    items = counts["item_id"].unique()
    future = pd.DataFrame({"item_id": np.repeat(items, horizon),
                           "timestamp": np.tile(pd.date_range(start + pd.Timedelta(days=days), periods=horizon,
                                                              freq="D").to_numpy(), len(items))})
    frame = pd.concat([counts[["item_id", "timestamp", "target"]], future.assign(target=np.nan)], ignore_index=True)
    frame = frame.sort_values(["item_id", "timestamp"], ignore_index=True)
    frame["weekday"] = frame["timestamp"].dt.weekday.astype(float)
    return Panel(frame=frame, known=["weekday"], past=[], static=None, rules=pd.DataFrame(), freq="D",
                 horizon=horizon, history_end=start + pd.Timedelta(days=days - 1))


def _key(window: Window, models: list[str], cfg: AssortConfig) -> tuple:
    """What a forecast depends on: the weeks, the chain's lines (hashed), the models and their settings."""
    chain = window.chain
    digest = int(pd.util.hash_pandas_object(chain[["fdc_id", "order_id", "sku_id", "ts"]], index=False).sum())
    return (tuple(pd.DatetimeIndex(window.weeks).strftime("%Y-%m-%d")), len(chain), digest, tuple(models),
            cfg.topk_rounds, cfg.seed)


def _fdc(window: Window) -> Any:
    return window.lines["fdc_id"].iloc[0] if len(window.lines) else None
