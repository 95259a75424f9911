"""Every reader of the ERP: one packaged query each, one set of date defaults, one error translation.

The readers are the only place where chapters' inputs leave the database; the modules in the middle take the
DataFrames they return. Called without dates a reader returns the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from skulab.config import ForecastConfig
from skulab.constants import EARLIEST, EARLIEST_DATE, LATEST, LATEST_DATE
from skulab.erp.connect import has_rows
from skulab.erp.extract import read_sql

_FORECAST_QUERIES = {"store": ("forecast_training", "forecast_truth"),
                     "region": ("forecast_training_region", "forecast_truth_region")}


@dataclass
class Training:
    """What a forecast needs from the ERP: training rows at the profile's level, the calendar, the promotion
    calendar (for the future periods) and the user's own covariates."""

    sales: pd.DataFrame
    calendar: pd.DataFrame
    promotions: pd.DataFrame
    covariates: pd.DataFrame | None

    def inputs(self) -> dict[str, pd.DataFrame | None]:
        """The keyword arguments of skulab.forecast.build_panel."""
        return {"sales": self.sales, "calendar": self.calendar, "promotions": self.promotions,
                "covariates": self.covariates}


def read_sales(engine: sa.Engine, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Sales with SKU, store and calendar attributes (query `sales`), `start` and `end` inclusive."""
    return read_sql(engine, "sales", start=start or EARLIEST_DATE, end=end or LATEST_DATE)


def read_order_lines(engine: sa.Engine, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
    """Order lines with FDC, time and customer (query `order_lines`, positive quantities), `end` exclusive."""
    return read_sql(engine, "order_lines", start=start or EARLIEST, end=end or LATEST)


def read_sku_attributes(engine: sa.Engine) -> pd.DataFrame:
    """Every SKU with its style, name, category, colour, size, season, launch and list price (query `sku_attributes`)."""
    return read_sql(engine, "sku_attributes")


def read_looks(engine: sa.Engine) -> pd.DataFrame | None:
    """The demo's planted shopping intent of each SKU (query `truth_looks`); None for real data."""
    if not has_rows(engine, "truth_sku"):
        return None
    return read_sql(engine, "truth_looks")


def read_training(engine: sa.Engine, cfg: ForecastConfig, start: date | None = None,
                  end: date | None = None, *, where: tuple[str, object] | None = None) -> Training:
    """Training rows at the profile's level (query forecast_training[_region]) and the calendar; `where` (column,
    value) reads one partition's rows only."""
    sales = read_sql(engine, _FORECAST_QUERIES[cfg.level][0], where=where, start=start or EARLIEST_DATE,
                     end=end or LATEST_DATE)
    calendar = read_sql(engine, "forecast_calendar", start=EARLIEST_DATE, end=LATEST_DATE)
    first = start or EARLIEST_DATE
    promotions = read_sql(engine, "forecast_promotions", start=first)
    covariates = (read_sql(engine, "forecast_covariates", start=first, end=LATEST_DATE)
                  if sa.inspect(engine).has_table("covariate") else None)  # an ERP built before the table existed
    return Training(sales=sales, calendar=calendar, promotions=promotions, covariates=covariates)


def read_training_keys(engine: sa.Engine, cfg: ForecastConfig, columns: list[str], start: date) -> pd.DataFrame:
    """The distinct `columns` (e.g. store_id, sku_id, category) of the training rows on or after `start`: the series a
    partitioned job samples and splits before it reads any partition whole."""
    return read_sql(engine, _FORECAST_QUERIES[cfg.level][0], columns=columns, start=start, end=LATEST_DATE)


def read_truth(engine: sa.Engine, cfg: ForecastConfig, start: date | None = None,
               end: date | None = None) -> pd.DataFrame:
    """The demo generator's expected demand at the profile's level (empty for real data)."""
    if not sa.inspect(engine).has_table("truth_demand"):
        return pd.DataFrame(columns=["date", "store_id", "sku_id", "expected_units", "expected_sq"])
    return read_sql(engine, _FORECAST_QUERIES[cfg.level][1], start=start or EARLIEST_DATE, end=end or LATEST_DATE)


def read_sales_span(engine: sa.Engine) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last date of fact_sales (query `sales_span`), None when it holds no rows: a cheap look at the
    history before a job reads it whole."""
    span = read_sql(engine, "sales_span").iloc[0]
    if pd.isna(span["first_date"]):
        return None
    return pd.Timestamp(span["first_date"]), pd.Timestamp(span["last_date"])


def read_sales_history(engine: sa.Engine, sku_id: str, store_id: str) -> pd.DataFrame:
    """One store x SKU series' sales as the ERP holds them: date, units, stockout (query `sales_history`)."""
    return read_sql(engine, "sales_history", sku_id=sku_id, store_id=store_id)


def read_forecast_runs(engine: sa.Engine) -> pd.DataFrame:
    """Every forecast run with its status, times and the rows it holds in sales_forecast (query `forecast_runs`)."""
    return read_sql(engine, "forecast_runs")


def read_forecast_series(engine: sa.Engine) -> pd.DataFrame:
    """The series of the newest finished forecast run with their first day and units, largest first
    (query `forecast_series`)."""
    return read_sql(engine, "forecast_series")


def read_forecast(engine: sa.Engine, sku_id: str, store_id: str, model: str) -> pd.DataFrame:
    """One series' forecast by one model from the newest finished run, day by day (query `forecast_path`)."""
    return read_sql(engine, "forecast_path", sku_id=sku_id, store_id=store_id, model=model)


def read_latest_forecast(engine: sa.Engine) -> pd.DataFrame:
    """Every row of the newest finished forecast run, all models (query `allocation_forecast`)."""
    return read_sql(engine, "allocation_forecast")


def read_stores(engine: sa.Engine) -> pd.DataFrame:
    """Every store with its region and serving FDC (query `allocation_stores`)."""
    return read_sql(engine, "allocation_stores")
