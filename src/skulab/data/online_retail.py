"""Adapter for UCI Online Retail (real order lines of a UK online giftware shop, 2010-12-01 .. 2011-12-09).

`load(path)` reads `online_retail.parquet` (or the directory that holds it) and returns the canonical
tables. A .parquet or .csv export of Online Retail II (UCI id 502, 2009-12 .. 2011-12) is read the same way:
its columns Invoice, Price and Customer ID are the fields InvoiceNo, UnitPrice and CustomerID renamed.
Cleaning steps, in this order, each counted in `SourceData.cleaning` (nothing is dropped silently):

1. cancellations: InvoiceNo starting with "C" (their lines carry negative quantities);
2. Quantity <= 0 (stock adjustments such as "damaged", "lost");
3. UnitPrice <= 0 (free lines, and the three "A" invoices "Adjust bad debt" with negative prices);
   after steps 1-3 the data has 530,104 lines, 19,960 invoices and 3,922 stock codes (SOURCE.md);
4. unparsable InvoiceDate (none in the published file; the rule guards re-exports);
5. non-product StockCodes: the service / fee / accounting codes in `NON_PRODUCT_CODES` (postage,
   carriage, manual entries, samples, bank and marketplace fees, donations, discounts, padding) and
   gift vouchers (codes starting "GIFT_"). The rule is an explicit list, not a pattern: the "DCGS..."
   codes look odd but are real products with product names and ordinary prices, so they are kept;
6. StockCode upper-cased: 109 product codes occur in lower- and upper-case variants of the same product
   ("85123a" / "85123A", same description); they are merged (counted as a note);
7. duplicate (InvoiceNo, StockCode) lines are aggregated: quantities summed, price weighted by quantity
   (counted as a note: the number of lines merged away).

Tables produced:

- `dim_sku`: one row per remaining StockCode; name = its most frequent Description (ties broken
  alphabetically); style_id = sku_id (no style grouping in the source); category, colour, size, season
  and launch date unknown (None: the source has no honest basis for them); list_price = median unit price
  over the SKU's order lines (prices vary by customer and quantity, there is no price list).
- `dim_fdc`: a single fulfilment centre "UK" that ships every order (the shop dispatches from one UK
  site; about 92 % of lines go to UK customers, the rest to 37 other countries).
- `dim_store`: one online store "online", served by FDC "UK".
- `orders`: order_id = InvoiceNo, ts = earliest InvoiceDate of the invoice (42 invoices have lines one
  minute apart), customer_id = CustomerID as text (missing on guest orders), fdc_id = "UK".
- `order_line`: order_id, sku_id, qty, price (GBP per unit).
- `fact_sales`: daily sales of each SKU in the online store derived from the order lines: units = sum of
  qty, price = revenue / units, base_price = the SKU's list price; no promotions (promo_type and
  discount None) and no stock-out information (None). Days without a sale have no row.
- `dim_calendar`: `build_calendar(first day, last day, locale="uk")`.
- `promotion`: empty (the source has no promotions).

`sales_freq` is "D".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from skulab.data import SourceData
from skulab.data.calendar import build_calendar
from skulab.data.canonical import assemble_built, source_file
from skulab.data.schema import TABLES
from skulab.data.validate import Cleaning
from skulab.errors import DataError

FILE_NAME = "online_retail.parquet"
FDC_ID = "UK"
STORE_ID = "online"
NON_PRODUCT_CODES = frozenset({
    "POST",          # postage
    "DOT",           # dotcom postage
    "C2",            # carriage
    "M",             # manual entry (any price, any product)
    "D",             # discount
    "S",             # samples
    "B",             # adjust bad debt
    "BANK CHARGES",  # bank charges
    "AMAZONFEE",     # marketplace fee
    "CRUK",          # charity commission (Cancer Research UK)
    "PADS",          # "pads to match all cushions", sold at 0.001 GBP
})
NON_PRODUCT_PREFIXES = ("GIFT_",)  # gift vouchers: gift_0001_10 .. gift_0001_50
RAW_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
               "CustomerID", "Country"]
RENAMED = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}  # Online Retail II


def read_raw(path: str | Path) -> pd.DataFrame:
    """Read the source file (or `<dir>/online_retail.parquet`) with the UCI column names; DataError if unusable.

    A .parquet or .csv file with Online Retail II's names (Invoice, Price, Customer ID) is read too.
    """
    path = source_file(path, FILE_NAME, "the UCI Online Retail parquet file")
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise DataError(f"{path}: the online_retail source reads .parquet or .csv files; save the sheet as CSV "
                        "(e.g. online_retail_II.csv) and set data.path to it")
    try:
        raw = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - any reader failure means the file is unusable
        detail = " ".join(str(exc).split())
        raise DataError(f"{path}: cannot read as {suffix[1:]} ({type(exc).__name__}: {detail}); check that it is "
                        f"the Online Retail {suffix[1:]} file") from None
    has = ", ".join(map(str, raw.columns))
    raw = raw.rename(columns={new: old for new, old in RENAMED.items()
                              if new in raw.columns and old not in raw.columns})
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        named = [f"{c} (or {n})" if (n := next((k for k, v in RENAMED.items() if v == c), None)) else c
                 for c in missing]
        raise DataError(f"{path}: missing column(s) {', '.join(named)} (has: {has}); the online_retail source "
                        "reads UCI Online Retail or Online Retail II order lines")
    return raw


def is_non_product(codes: pd.Series) -> pd.Series:
    """True for StockCodes that are not merchandise (case-insensitive): see `NON_PRODUCT_CODES`."""
    up = codes.astype("string").str.strip().str.upper()
    return (up.isin(NON_PRODUCT_CODES) | up.str.startswith(NON_PRODUCT_PREFIXES)).fillna(False).astype(bool)


def drop_invalid(raw: pd.DataFrame, cleaning: Cleaning) -> pd.DataFrame:
    """Steps 1-3: cancellations, Quantity <= 0, UnitPrice <= 0 (SOURCE.md's 530,104 lines remain)."""
    t = "order_line"
    df = raw
    inv = df["InvoiceNo"].astype("string").str.strip().str.upper()
    df = cleaning.drop(t, df, inv.str.startswith("C").fillna(False).astype(bool),
                       "cancellation (InvoiceNo starts with 'C')")
    qty = pd.to_numeric(df["Quantity"], errors="coerce")
    df = cleaning.drop(t, df, ~(qty > 0), "Quantity <= 0 or missing")
    price = pd.to_numeric(df["UnitPrice"], errors="coerce")
    df = cleaning.drop(t, df, ~(price > 0), "UnitPrice <= 0 or missing (incl. 'A' bad-debt adjustments)")
    return df


def clean_lines(raw: pd.DataFrame, cleaning: Cleaning) -> pd.DataFrame:
    """All cleaning steps; returns order lines with columns order_id, sku_id, qty, price, ts, customer_id, name."""
    t = "order_line"
    df = drop_invalid(raw, cleaning)
    ts = pd.to_datetime(df["InvoiceDate"], errors="coerce").astype("datetime64[ns]")
    df = cleaning.drop(t, df.assign(InvoiceDate=ts), ts.isna(), "unparsable InvoiceDate")
    df = cleaning.drop(t, df, is_non_product(df["StockCode"]),
                       "non-product StockCode (postage, carriage, fees, manual, samples, vouchers ...)")
    code = df["StockCode"].astype("string").str.strip()
    sku = code.str.upper()
    cleaning.note(t, "StockCode upper-cased (lower-case variants merged into their product)",
                  int((sku != code).sum()))
    customer = pd.to_numeric(df["CustomerID"], errors="coerce")
    lines = pd.DataFrame({
        "order_id": df["InvoiceNo"].astype("string").str.strip().to_numpy(),
        "sku_id": sku.to_numpy(),
        "qty": pd.to_numeric(df["Quantity"]).astype("float64").to_numpy(),
        "price": pd.to_numeric(df["UnitPrice"]).astype("float64").to_numpy(),
        "ts": df["InvoiceDate"].to_numpy(),
        "customer_id": customer.round().astype("Int64").astype("string").to_numpy(),
        "name": df["Description"].astype("string").str.strip().to_numpy(),
    })
    return lines


def _most_frequent(keys: pd.Series, values: pd.Series) -> pd.Series:
    """Per key, the most frequent non-missing value (ties: alphabetically first)."""
    d = pd.DataFrame({"k": keys, "v": values}).dropna()
    counts = d.groupby(["k", "v"], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values(["k", "n", "v"], ascending=[True, False, True])
    return counts.drop_duplicates("k").set_index("k")["v"]


def build_tables(lines: pd.DataFrame, cleaning: Cleaning) -> dict[str, pd.DataFrame]:
    """Canonical tables from the cleaned lines of `clean_lines`."""
    names = _most_frequent(lines["sku_id"], lines["name"])
    orders = lines.groupby("order_id", sort=True).agg(ts=("ts", "min"), ts_max=("ts", "max"),
                                                      customer_id=("customer_id", "first"))
    cleaning.note("orders", "invoice lines at different times: ts = earliest",
                  int((orders["ts"] != orders["ts_max"]).sum()))
    orders = orders.drop(columns="ts_max").reset_index().assign(fdc_id=FDC_ID)

    lines = lines.assign(revenue=lines["qty"] * lines["price"])
    agg = lines.groupby(["order_id", "sku_id"], sort=True).agg(qty=("qty", "sum"), revenue=("revenue", "sum"))
    cleaning.note("order_line", "duplicate (InvoiceNo, StockCode) lines aggregated: qty summed, "
                  "price qty-weighted (lines merged away)", len(lines) - len(agg))
    order_line = agg.reset_index()
    order_line["price"] = order_line["revenue"] / order_line["qty"]
    order_line = order_line.drop(columns="revenue")

    list_price = order_line.groupby("sku_id")["price"].median()
    dim_sku = pd.DataFrame({"sku_id": list_price.index})
    dim_sku["style_id"] = dim_sku["sku_id"]
    dim_sku["name"] = dim_sku["sku_id"].map(names)
    for col in ("category", "color", "size", "season", "launch_date"):
        dim_sku[col] = None
    dim_sku["list_price"] = dim_sku["sku_id"].map(list_price)

    day = order_line["order_id"].map(orders.set_index("order_id")["ts"]).dt.normalize()
    daily = (order_line.assign(date=day, revenue=order_line["qty"] * order_line["price"])
             .groupby(["date", "sku_id"], sort=True).agg(units=("qty", "sum"), revenue=("revenue", "sum"))
             .reset_index())
    fact_sales = pd.DataFrame({
        "date": daily["date"], "store_id": STORE_ID, "sku_id": daily["sku_id"], "units": daily["units"],
        "price": daily["revenue"] / daily["units"], "base_price": daily["sku_id"].map(list_price),
        "promo_type": None, "discount": None, "stockout": None,
    })

    first, last = fact_sales["date"].min(), fact_sales["date"].max()
    return {
        "dim_sku": dim_sku,
        "dim_fdc": pd.DataFrame({"fdc_id": [FDC_ID], "name": ["UK online dispatch (all orders)"],
                                 "region": ["United Kingdom"]}),
        "dim_store": pd.DataFrame({"store_id": [STORE_ID], "name": ["online shop"], "region": [None],
                                   "city": [None], "fdc_id": [FDC_ID], "segment": ["online"],
                                   "area_sqm": [None]}),
        "dim_calendar": build_calendar(first, last, locale="uk"),
        "promotion": pd.DataFrame({c: [] for c in TABLES["promotion"].column_names}),
        "fact_sales": fact_sales,
        "orders": orders[["order_id", "ts", "customer_id", "fdc_id"]],
        "order_line": order_line[["order_id", "sku_id", "qty", "price"]],
    }


def load(path: str | Path) -> SourceData:
    """Load UCI Online Retail from `online_retail.parquet` (or its directory) into validated canonical tables."""
    cleaning = Cleaning()
    lines = clean_lines(read_raw(path), cleaning)
    tables = build_tables(lines, cleaning)
    where = str(path)  # the same checks as a user's files (skulab.data.canonical), then the cleaning record
    return assemble_built(tables, where, cleaning, where, "fix the source file", sales_freq="D")
