"""The allocation batch job: the latest forecast run's first week, each DC's stock, units per store into the ERP.

The forecast is the newest finished run's `allocate.model` (sales_forecast_latest), its first 7 days (or first
weekly period) turned into a weekly negative binomial per store x SKU (skulab.allocate.distribution). The DC
stock is `allocate.stock` x the forecast's expected demand per DC x SKU, or a CSV file of `sku_id,units` (plus
`dc_id` when several DCs serve the stores). With `allocate.shares: style` the forecast's DC total is split by the
stores' recent sales of each SKU's style (skulab.allocate.shares; `auto`, which needs the simulation's backtest to
choose, takes the forecast's own split here), and with `allocate.push_all` the newsvendor sends the whole stock.
Rows go to `store_allocation` (run, DC, store, SKU, period, units, policy) through skulab.erp.write_run: one
transaction, idempotent per run id, the run marked done last. Every input is checked before anything is written.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from skulab import counts, erp
from skulab.allocate import distribution, policy, shares
from skulab.allocate.simulate import WEEK
from skulab.config import Config
from skulab.errors import DataError

MAX_UNITS = 10**9  # more stock than any DC holds of one SKU: a unit mix-up, and a risk of integer overflow
STOCK_COLUMNS = ("sku_id", "units", "dc_id")


@dataclass
class JobResult:
    """What one run wrote: its id, the rows, the stock per DC x SKU, the forecast run it allocated."""

    run_id: str
    rows: pd.DataFrame
    stock: pd.DataFrame
    forecast_run: str
    period: pd.Timestamp


def allocation(cfg: Config, engine: sa.Engine, stock_file: Path | None = None) -> JobResult:
    """The allocation rows (without run id) of the latest forecast run's first week; nothing is written."""
    a = cfg.allocate
    fc = erp.read_latest_forecast(engine)
    if fc.empty:
        raise DataError(f"the ERP holds no finished forecast run: run skulab forecast --params {cfg.source_file} "
                        "first")
    if a.model not in set(fc["model"]):
        raise DataError(f"allocate.model {a.model!r} is not in forecast run {fc['run_id'].iloc[0]} (models: "
                        f"{', '.join(sorted(fc['model'].unique()))}): set allocate.model to one of them")
    fc = fc[fc["model"] == a.model].assign(forecast_date=lambda f: pd.to_datetime(f["forecast_date"]))
    stores = erp.read_stores(engine)
    unknown = sorted(set(fc["store_id"]) - set(stores["store_id"]))
    if unknown:
        raise DataError(f"forecast run {fc['run_id'].iloc[0]} forecasts store_id {unknown[0]!r}"
                        f"{f' and {len(unknown) - 1} more' if len(unknown) > 1 else ''}, which dim_store lacks: "
                        "allocation needs a store-level forecast (forecast.level: store), then skulab forecast")
    period = fc["forecast_date"].min()
    week = fc[fc["forecast_date"] < period + WEEK]
    demand = distribution.fit_quantiles(week[["q10", "q50", "q90"]].fillna(0.0).to_numpy())
    per_store = distribution.weekly(week, ["store_id", "sku_id"], demand)
    per_store["dc_id"] = _dc(per_store["store_id"], stores, a.dc)
    per_store = per_store.sort_values(["dc_id", "sku_id", "store_id"], ignore_index=True)
    attributes = erp.read_sku_attributes(engine)
    if stock_file is None:
        expected = week.assign(dc_id=_dc(week["store_id"], stores, a.dc))  # the forecaster's own mean
        stock = expected.groupby(["dc_id", "sku_id"], as_index=False)["mean"].sum()
        stock["units"] = np.round(a.stock * stock.pop("mean")).astype(np.int64)
    else:
        stock = read_stock(stock_file, per_store, attributes["sku_id"])
    problem = per_store.groupby(["dc_id", "sku_id"], sort=False).ngroup().to_numpy()
    keys = per_store.drop_duplicates(["dc_id", "sku_id"])[["dc_id", "sku_id"]]
    held = keys.merge(stock, on=["dc_id", "sku_id"], how="left")["units"].fillna(0).to_numpy(np.int64)
    if a.shares == "style":  # the forecast's DC total split by the stores' sales of each SKU's style
        before = period - pd.Timedelta(days=1)
        sales = erp.read_sales(engine, start=(period - a.share_weeks * WEEK).date(), end=before.date())
        per_store["mean"], per_store["var"] = shares.top_down(
            problem, per_store["mean"].to_numpy(), per_store["var"].to_numpy(),
            shares.pooled_units(sales, per_store, pd.Series(before, index=per_store.index), a.share_weeks,
                                attributes.set_index("sku_id").get("style_id")))
    if a.policy == "newsvendor":
        demand = counts.from_moments(per_store["mean"].to_numpy(), per_store["var"].to_numpy())
        units = policy.newsvendor(problem, demand, held, a.margin, a.holding, a.push_all)
    elif a.policy == "proportional":
        sales = erp.read_sales(engine, start=(period - a.history_weeks * WEEK).date(),
                               end=(period - pd.Timedelta(days=1)).date())
        recent = sales.groupby(["store_id", "sku_id"])["units"].sum()
        weights = recent.reindex(pd.MultiIndex.from_frame(per_store[["store_id", "sku_id"]])).fillna(0.0)
        units = policy.proportional(problem, weights.to_numpy(), held)
    else:
        units = policy.equal(problem, held)
    rows = per_store.assign(period=period.date(), units=units, policy=a.policy)
    rows = rows[["dc_id", "store_id", "sku_id", "period", "units", "policy"]]
    return JobResult(run_id="", rows=rows, stock=keys.assign(units=held), forecast_run=str(fc["run_id"].iloc[0]),
                     period=period)


def run(cfg: Config, engine: sa.Engine, *, run_id: str | None = None, stock_file: Path | None = None) -> JobResult:
    """Allocate and write run `run_id` to the ERP `engine` (a new id when None); the same id replaces that run.
    `stock_file`: the DC stock as CSV (None: `allocate.stock` x the forecast's expected demand)."""
    result = allocation(cfg, engine, stock_file)
    result.run_id = run_id or f"allocate-{pd.Timestamp.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    params = {**cfg.allocate.model_dump(), "forecast_run": result.forecast_run,
              "stock_file": str(stock_file) if stock_file else None}
    erp.write_run(engine, "allocation", result.run_id, result.rows, cfg.profile, params)
    return result


def read_stock(path: Path, per_store: pd.DataFrame, skus: pd.Series) -> pd.DataFrame:
    """The DC stock file: sku_id, units (and dc_id with several DCs); one DataError naming the first bad row."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: stock file not found (a CSV with columns sku_id,units)") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a stock file: give a CSV with columns sku_id,units") from None
    if b"\0" in data:  # pandas would cut the field at the NUL and read on silently
        line = data[:data.index(b"\0")].count(b"\n") + 1
        raise DataError(f"{path}: line {line} holds a NUL byte (a binary or UTF-16 file?): save it as a UTF-8 CSV "
                        "with columns sku_id,units")
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable CSV ({' '.join(str(exc).split())}): write columns sku_id,units") \
            from None
    dcs = sorted(per_store["dc_id"].unique())
    need = ["sku_id", "units"] + (["dc_id"] if len(dcs) > 1 else [])
    lacking = [c for c in need if c not in raw.columns]
    if lacking:
        raise DataError(f"{path}: missing column(s) {', '.join(lacking)} (has: {', '.join(raw.columns)})"
                        + ("; several DCs serve the stores, so name each row's dc_id" if "dc_id" in lacking else ""))
    unknown = [c for c in raw.columns if c not in STOCK_COLUMNS]
    if unknown:
        raise DataError(f"{path}: unknown column(s) {', '.join(unknown)}: the file gives each DC's stock by sku_id, "
                        "units (and dc_id), not a store's; remove the column(s)")
    if "dc_id" not in raw.columns:
        raw["dc_id"] = dcs[0]
    units = pd.to_numeric(raw["units"], errors="coerce")
    checks = [
        (~np.isfinite(units), "units is not a number (inf, nan and numbers too large for a float are refused)"),
        (units != np.round(units), "units is not a whole number"),
        (units < 0, "units is negative: stock cannot be below zero"),
        (units > MAX_UNITS, f"units is above {MAX_UNITS:,}, more than a DC holds: check the column"),
        (~raw["sku_id"].isin(set(skus)), "sku_id is not a SKU of dim_sku"),
        (~raw["dc_id"].isin(dcs), f"dc_id is not a DC serving the stores ({', '.join(dcs)})"),
        (~raw.set_index(["dc_id", "sku_id"]).index.isin(pd.MultiIndex.from_frame(per_store[["dc_id", "sku_id"]])),
         "sku_id has no forecast at the stores of that DC in the latest run"),
        (raw.duplicated(["dc_id", "sku_id"]).to_numpy(), "repeats a dc_id, sku_id of an earlier row"),
    ]
    for bad, what in checks:
        bad = np.asarray(bad)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{path}: row {i + 1} (sku_id {raw['sku_id'].iloc[i]!r}, units {raw['units'].iloc[i]!r}): "
                            f"{what}; {int(bad.sum())} row(s) like it; fix the file")
    return raw.assign(units=units.astype(np.int64))[["dc_id", "sku_id", "units"]]


def _dc(store_id: pd.Series, stores: pd.DataFrame, dc: str) -> np.ndarray:
    if dc == "central":
        return np.full(len(store_id), "DC", dtype=object)
    return store_id.map(stores.set_index("store_id")["fdc_id"]).fillna("DC").to_numpy(dtype=object)
