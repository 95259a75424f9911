"""Feature engineering for forecasting: ERP sales rows in, one regular panel with covariates out.

`build_panel(sales, calendar, cfg, end)` puts every store (or region) x SKU series on a regular grid,
classifies and imputes missing values (`missing`), and adds the switched-on feature groups: `calendar`,
`promo`, `price`, `covariates` (the user's own, `features.covariates`), or `raw` (price, base price and one
flag per promotion type, as they come). Static features (`static`) describe each series. Prices, promotions
and the calendar are known in advance: on periods after the last sales row the promotion calendar's planned
campaigns set them (`features.plan`). The user's covariates are known or past as their table says; the
`imputed` mask is a past covariate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.config import ForecastConfig
from skulab.errors import DataError
from skulab.forecast.features import calendar as calendar_features
from skulab.forecast.features import covariates as own_covariates
from skulab.forecast.features import missing, plan, price, promo, static
from skulab.forecast.features.grid import check_alignment, grid, item_ids
from skulab.periods import step

__all__ = ["REQUIRED_COLUMNS", "Panel", "build_panel"]

REQUIRED_COLUMNS = ("date", "store_id", "sku_id", "units", "price", "base_price", "promo_type", "discount",
                    "stockout", "category", "list_price")
DISCONTINUED_AFTER = 2  # horizons without a row after which a series counts as discontinued


@dataclass
class Panel:
    """Series on a regular grid: `frame` (item_id, timestamp, target, covariates, bookkeeping columns),
    the covariate names by kind, static features, and how many points each missing-value rule touched."""

    frame: pd.DataFrame
    known: list[str]
    past: list[str]
    static: pd.DataFrame | None
    rules: pd.DataFrame
    freq: str
    horizon: int
    history_end: pd.Timestamp


def build_panel(sales: pd.DataFrame, calendar: pd.DataFrame, cfg: ForecastConfig,
                end: pd.Timestamp | None = None, *, promotions: pd.DataFrame | None = None,
                covariates: pd.DataFrame | None = None) -> Panel:
    """The forecasting panel from the training rows (packaged SQL) and dim_calendar, through `end`.

    `end` defaults to the last sales period; pass last + horizon for the weekly job's future periods, whose
    promotions come from `promotions` (the promotion table). `covariates`: the ERP's covariate table.
    """
    missing_cols = [c for c in REQUIRED_COLUMNS if c not in sales.columns]
    if missing_cols:
        raise DataError(f"training rows lack column(s) {', '.join(missing_cols)}: the training query must return "
                        f"{', '.join(REQUIRED_COLUMNS)}")
    if sales.empty:
        raise DataError("the ERP returned no sales rows for forecasting (is fact_sales empty?)")
    check_alignment(sales["date"], cfg.freq)
    dt = step(cfg.freq)
    sales = sales.assign(item_id=item_ids(sales["store_id"], sales["sku_id"]).to_numpy())
    history_end = pd.Timestamp(sales["date"].max())
    end = pd.Timestamp(end) if end is not None else history_end
    sales = _select(sales, cfg, history_end)

    spans = sales.groupby("item_id")["date"].agg(["min", "max"])
    g = grid(spans["min"], end, cfg.freq)
    g = g[g["timestamp"] <= g["item_id"].map(spans["max"] + DISCONTINUED_AFTER * cfg.horizon * dt).to_numpy()]
    attrs = [c for c in sales.columns if c not in ("date", "units", "price", "base_price", "promo_type", "discount",
                                                   "stockout", "weekday", "week_start", "is_holiday", "holiday")]
    per_item = sales.groupby("item_id")[attrs].first().drop(columns="item_id", errors="ignore")
    rows = sales[["item_id", "date", "units", "price", "base_price", "promo_type", "discount", "stockout"]]
    panel = (g.merge(rows.rename(columns={"date": "timestamp"}), on=["item_id", "timestamp"], how="left")
             .merge(per_item, left_on="item_id", right_index=True, how="left")
             .sort_values(["item_id", "timestamp"], ignore_index=True))
    panel["last_row"] = panel["item_id"].map(spans["max"]).to_numpy()
    future = (panel["timestamp"] > history_end).to_numpy()
    if future.any():
        planned = plan.planned(panel.loc[future].reindex(columns=["timestamp", "sku_id", "style_id", "category",
                                                                "store_id", "region"]),
                               promotions, cfg.freq)
        panel["promo_type"] = panel["promo_type"].astype("string")
        panel.loc[future, ["promo_type", "discount"]] = planned

    store_periods = pd.MultiIndex.from_frame(sales[["store_id", "date"]].drop_duplicates())
    kind = missing.classify(panel, store_periods, history_end, cfg.no_row)
    unrecorded = (kind == "zero") & panel["units"].isna()  # no_row "zero": true zeros that had no row
    panel["units"] = panel["units"].mask(unrecorded, 0.0)
    use_missing = "missing" in cfg.features
    target, mask, rules = missing.impute(panel, kind, cfg.impute if use_missing else "nan",
                                         cfg.censored if use_missing else "keep", cfg.freq,
                                         int(unrecorded.sum()))
    frame = pd.DataFrame({"item_id": panel["item_id"], "timestamp": panel["timestamp"], "target": target,
                          "actual": panel["units"], "kind": kind,
                          "scored": kind.isin(["sale", "zero"]).to_numpy(),
                          "promoted": panel["promo_type"].notna().to_numpy()})
    known, past = [], []
    blocks = []
    prices = price.fill_prices(panel)
    if future.any():  # the base price, less the planned discount: a promotion price is not carried forward
        prices.loc[future, "price"] = prices.loc[future, "base_price"] * (1.0 - panel.loc[future, "discount"].fillna(0.0))
    kinds = promo.types(sales["promo_type"])
    if "raw" in cfg.features:
        blocks += [prices, promo.flags(panel, kinds)]
    if "promo" in cfg.features:
        blocks.append(promo.features(panel, kinds))
    if "price" in cfg.features:
        blocks.append(price.features(panel, prices))
    if "calendar" in cfg.features:
        cal = calendar_features.features(calendar_features.extend(calendar, end + dt), cfg.freq)
        blocks.append(cal.reindex(panel["timestamp"]).set_axis(panel.index).fillna(0.0))
    for block in blocks:
        new = [c for c in block.columns if c not in frame.columns]
        frame[new] = block[new].astype(float).to_numpy()
        known.extend(new)
    if "covariates" in cfg.features:
        keys = panel.reindex(columns=["item_id", "timestamp", "store_id", "sku_id", "region", "category"])
        own, own_known, own_past = own_covariates.features(keys, covariates, cfg.freq, cfg.level, history_end,
                                                           cfg.covariates)
        frame[list(own.columns)] = own.to_numpy(dtype=float)
        known += own_known
        past += own_past
    if use_missing:
        frame["imputed"] = mask.to_numpy()
        past.append("imputed")
    bookkeeping = panel[["store_id", "sku_id", "category", "last_row"]]
    frame = pd.concat([frame, bookkeeping], axis=1)
    return Panel(frame=frame, known=known, past=past,
                 static=static.features(panel[["item_id", *per_item.columns]]) if cfg.static else None,
                 rules=rules, freq=cfg.freq, horizon=cfg.horizon, history_end=history_end)


def _select(sales: pd.DataFrame, cfg: ForecastConfig, history_end: pd.Timestamp) -> pd.DataFrame:
    """With `max_series`, a seeded random sample of the series that sold in the evaluated span."""
    if cfg.max_series is None:
        return sales
    candidates = sales.loc[sales["date"] >= evaluated_from(cfg, history_end), "item_id"].unique()
    return sales[sales["item_id"].isin(sample_items(candidates, cfg))]


def evaluated_from(cfg: ForecastConfig, history_end: pd.Timestamp) -> pd.Timestamp:
    """The first period of the evaluated span (the windows before `history_end`): a series that sold since is
    one `max_series` samples from."""
    return history_end - (cfg.windows * cfg.horizon - 1) * step(cfg.freq)


def sample_items(candidates: np.ndarray, cfg: ForecastConfig) -> np.ndarray:
    """`max_series` of the candidate item ids, seeded (all of them, sorted, when there are no more)."""
    candidates = np.sort(candidates)
    if cfg.max_series is None or len(candidates) <= cfg.max_series:
        return candidates
    return np.random.default_rng(cfg.seed).choice(candidates, cfg.max_series, replace=False)
