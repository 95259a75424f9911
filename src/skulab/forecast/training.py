"""Pull forecasting inputs from the ERP with the packaged SQL: training rows, calendar, demo truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd
import sqlalchemy as sa

from skulab.config import ForecastConfig
from skulab.erp import read_sql
from skulab.errors import DataError

EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
QUERIES = {"store": ("forecast_training", "forecast_truth"),
           "region": ("forecast_training_region", "forecast_truth_region")}


@dataclass
class Training:
    """What a forecast needs from the ERP: training rows at the profile's level and the calendar."""

    sales: pd.DataFrame
    calendar: pd.DataFrame


def read_training(engine: sa.Engine, cfg: ForecastConfig, start: date | None = None,
                  end: date | None = None) -> Training:
    """Training rows (query forecast_training[_region]) and dim_calendar (query forecast_calendar)."""
    sales = query(engine, QUERIES[cfg.level][0], start=start or EARLIEST, end=end or LATEST)
    calendar = query(engine, "forecast_calendar", start=EARLIEST, end=LATEST)
    return Training(sales=sales, calendar=calendar)


def read_truth(engine: sa.Engine, cfg: ForecastConfig, start: date | None = None,
               end: date | None = None) -> pd.DataFrame:
    """The demo generator's expected demand at the profile's level (empty for real data)."""
    if not sa.inspect(engine).has_table("truth_demand"):
        return pd.DataFrame(columns=["date", "store_id", "sku_id", "expected_units", "expected_sq"])
    return query(engine, QUERIES[cfg.level][1], start=start or EARLIEST, end=end or LATEST)


def query(engine: sa.Engine, name: str, **params: object) -> pd.DataFrame:
    """Run a packaged query; a database error (e.g. a missing column) becomes one line naming the query."""
    try:
        return read_sql(engine, name, **params)
    except (sa.exc.DBAPIError, duckdb.Error) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        where = engine.url.render_as_string(hide_password=True)
        raise DataError(f"packaged query {name}.sql failed on {where}: {reason} (the ERP tables must have the "
                        f"canonical columns, see docs/data_format.md)") from None
