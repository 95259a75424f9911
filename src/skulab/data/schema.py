"""The canonical ERP tables: names, columns, types and keys that every data source fills.

One definition serves the DataFrame validators (`skulab.data.validate`), the database DDL
(`skulab.erp.schema`) and the documentation of the bring-your-own-files format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "str", "date", "timestamp", "int", "float", "bool"]


@dataclass(frozen=True)
class Column:
    """One column of a canonical table; `nullable=False` columns must be filled on every row."""

    name: str
    kind: Kind
    nullable: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, primary key and the foreign keys validation checks."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    refs: dict[str, str] = field(default_factory=dict)  # column -> referenced table (on its key)
    doc: str = ""
    group: Literal["erp", "truth", "output"] = "erp"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def text_width(table: Table, col: Column) -> int | None:
    """Characters the databases' column holds: 64 for ids and text keys, 255 for other text, None for no limit
    (numbers, dates, and the run logs' `params` JSON); the DDL (skulab.erp.schema) and validation both use it."""
    if col.kind == "id" or (col.kind == "str" and col.name in table.key):
        return 64
    return 255 if col.kind == "str" and col.name != "params" else None


def _c(name: str, kind: Kind, nullable: bool = False, doc: str = "") -> Column:
    return Column(name, kind, nullable, doc)


DIM_SKU = Table(
    "dim_sku",
    (
        _c("sku_id", "id", doc="stock-keeping unit"),
        _c("style_id", "id", doc="style (all colours and sizes of one design)"),
        _c("name", "str", True, "product name shown in neighbour tables"),
        _c("category", "str", True),
        _c("color", "str", True),
        _c("size", "str", True),
        _c("season", "str", True, "SS, AW or ALL"),
        _c("launch_date", "date", True),
        _c("list_price", "float", True, "regular (base) price"),
    ),
    key=("sku_id",),
    doc="one row per SKU",
)

DIM_FDC = Table(
    "dim_fdc",
    (_c("fdc_id", "id"), _c("name", "str", True), _c("region", "str", True)),
    key=("fdc_id",),
    doc="forward distribution centres (small warehouses near customers)",
)

DIM_STORE = Table(
    "dim_store",
    (
        _c("store_id", "id"),
        _c("name", "str", True),
        _c("region", "str", True),
        _c("city", "str", True),
        _c("fdc_id", "id", True, "FDC serving the store's region"),
        _c("segment", "str", True, "store format or price segment"),
        _c("area_sqm", "float", True, "sales area"),
    ),
    key=("store_id",),
    refs={"fdc_id": "dim_fdc"},
)

DIM_CALENDAR = Table(
    "dim_calendar",
    (
        _c("date", "date"),
        _c("weekday", "int", doc="0 = Monday"),
        _c("week_of_year", "int", doc="ISO week"),
        _c("week_start", "date", True, "Monday of the ISO week, for weekly roll-ups in portable SQL"),
        _c("month", "int"),
        _c("year", "int"),
        _c("is_weekend", "bool"),
        _c("holiday", "str", True, "name of the holiday or shopping festival, empty on ordinary days"),
        _c("is_holiday", "bool"),
    ),
    key=("date",),
)

PROMOTION = Table(
    "promotion",
    (
        _c("promo_id", "id"),
        _c("promo_type", "str", doc="e.g. pct_off, spend_save, bundle, clearance, member_day; feature, display, tpr"),
        _c("start_date", "date"),
        _c("end_date", "date"),
        _c("discount", "float", True, "price reduction as a fraction of list price"),
        _c("scope", "str", True, "what it covers: all, region:<name>, store:<id>, category:<name>, style:<id>, "
                                        "sku:<id>, or a place's item (region:<name>/category:<name>)"),
    ),
    key=("promo_id",),
)

COVARIATE = Table(
    "covariate",
    (
        _c("name", "id", doc="the covariate, e.g. temperature, local_event, fuel_price (letters, digits, _)"),
        _c("date", "date", doc="the day it holds for (weekly data: each day of the week, averaged)"),
        _c("scope", "id", doc="whom it describes: all, region:<name>, category:<name>, store:<id>, sku:<id> or "
                              "store:<id>/sku:<id>; one kind of scope per covariate"),
        _c("value", "float"),
        _c("known_in_advance", "bool",
           doc="true for planned things (a campaign, a holiday, a weather forecast): the forecast needs its "
               "values through the horizon; false for things seen only afterwards (a past covariate)"),
    ),
    key=("name", "date", "scope"),
    doc="your own drivers of demand, one value per name x day x scope; nothing is assumed where a row is missing",
)

FACT_SALES = Table(
    "fact_sales",
    (
        _c("date", "date", doc="day, or the first day of the week for weekly data"),
        _c("store_id", "id"),
        _c("sku_id", "id"),
        _c("units", "float", doc="units sold (censored on stock-out days)"),
        _c("price", "float", True, "actual selling price per unit"),
        _c("base_price", "float", True, "regular price per unit"),
        _c("promo_type", "str", True, "active promotion types joined by '+', empty when none"),
        _c("discount", "float", True, "1 - price / base_price when on promotion"),
        _c("stockout", "bool", True, "True when the SKU ran out that day: units are a lower bound"),
    ),
    key=("date", "store_id", "sku_id"),
    refs={"store_id": "dim_store", "sku_id": "dim_sku"},
    doc="one row per day (or week) x store x SKU; missing rows are not-carried days or ETL gaps",
)

ORDERS = Table(
    "orders",
    (
        _c("order_id", "id"),
        _c("ts", "timestamp"),
        _c("customer_id", "id", True),
        _c("fdc_id", "id", doc="FDC that serves the order's delivery address"),
    ),
    key=("order_id",),
    refs={"fdc_id": "dim_fdc"},
)

ORDER_LINE = Table(
    "order_line",
    (_c("order_id", "id"), _c("sku_id", "id"), _c("qty", "float"), _c("price", "float", True)),
    key=("order_id", "sku_id"),
    refs={"order_id": "orders", "sku_id": "dim_sku"},
)

TRUTH_DEMAND = Table(
    "truth_demand",
    (_c("date", "date"), _c("store_id", "id"), _c("sku_id", "id"), _c("expected_units", "float")),
    key=("date", "store_id", "sku_id"),
    group="truth",
    doc="demo only: the generator's expected (uncensored) demand, the forecasting noise floor",
)

TRUTH_SKU = Table(
    "truth_sku",
    (_c("sku_id", "id"), _c("look_id", "id", doc="planted shopping intent the SKU belongs to")),
    key=("sku_id",),
    group="truth",
    doc="demo only: the planted co-purchase structure",
)

TRUTH_ORDER = Table(
    "truth_order",
    (
        _c("order_id", "id"),
        _c("intent", "str", doc="outfit, size_run, add_on, haul (two looks) or single"),
        _c("look_id", "id", True),
    ),
    key=("order_id",),
    group="truth",
    doc="demo only: the latent intent each order was drawn from",
)

def _run_log(name: str) -> Table:
    """A batch job's run log: one row per run id, marked done last so half-written runs never show."""
    return Table(
        name,
        (
            _c("run_id", "id"),
            _c("created_at", "timestamp"),
            _c("finished_at", "timestamp", True),
            _c("status", "str", doc="running, done or failed"),
            _c("profile", "str", True),
            _c("params", "str", True, "the profile's section for the job, as JSON"),
        ),
        key=("run_id",),
        group="output",
    )


FORECAST_RUN = _run_log("forecast_run")

SALES_FORECAST = Table(
    "sales_forecast",
    (
        _c("run_id", "id"),
        _c("sku_id", "id"),
        _c("store_id", "id"),
        _c("forecast_date", "date"),
        _c("model", "str"),
        _c("mean", "float"),
        _c("q10", "float", True),
        _c("q50", "float", True),
        _c("q90", "float", True),
    ),
    key=("run_id", "sku_id", "store_id", "forecast_date", "model"),
    group="output",
)

ASSORTMENT_RUN = _run_log("assortment_run")

FDC_ASSORTMENT = Table(
    "fdc_assortment",
    (
        _c("run_id", "id"),
        _c("fdc_id", "id"),
        _c("sku_id", "id"),
        _c("method", "str"),
        _c("sku_rank", "int", doc="1 = first SKU to stock"),
        _c("score", "float", True),
    ),
    key=("run_id", "fdc_id", "sku_id"),
    group="output",
)

ALLOCATION_RUN = _run_log("allocation_run")

STORE_ALLOCATION = Table(
    "store_allocation",
    (
        _c("run_id", "id"),
        _c("dc_id", "id", doc="the DC (or FDC) whose stock is allocated: 'DC' for a central DC"),
        _c("store_id", "id"),
        _c("sku_id", "id"),
        _c("period", "date", doc="first day of the period the units are for"),
        _c("units", "int", doc="units sent to the store"),
        _c("policy", "str", doc="newsvendor, proportional or equal"),
    ),
    key=("run_id", "dc_id", "store_id", "sku_id", "period"),
    group="output",
)

RECONCILIATION_RUN = _run_log("reconciliation_run")

REGION_CATEGORY_FORECAST = Table(
    "region_category_forecast",
    (
        _c("run_id", "id"),
        _c("region", "id"),
        _c("category", "id"),
        _c("date", "date", doc="the forecast period (first day of the week for weekly data)"),
        _c("mean", "float", doc="expected units, coherent: the regions' rows of a category sum to its total"),
        _c("q10", "float", True),
        _c("q50", "float", True),
        _c("q90", "float", True),
        _c("method", "str", doc="base, bottom_up, mint_shrink or wls_struct: chosen for the level on validation"),
    ),
    key=("run_id", "region", "category", "date"),
    group="output",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DIM_SKU, DIM_FDC, DIM_STORE, DIM_CALENDAR, PROMOTION, COVARIATE, FACT_SALES, ORDERS, ORDER_LINE,
        TRUTH_DEMAND, TRUTH_SKU, TRUTH_ORDER,
        FORECAST_RUN, SALES_FORECAST, ASSORTMENT_RUN, FDC_ASSORTMENT, ALLOCATION_RUN, STORE_ALLOCATION,
        RECONCILIATION_RUN, REGION_CATEGORY_FORECAST,
    )
}
INPUT_TABLES = [name for name, t in TABLES.items() if t.group in ("erp", "truth")]
