"""Adapter for the Groceries dataset (real member baskets of a small grocery catalogue, 2014-01-01 .. 2015-12-30).

`load(path)` reads `groceries.csv` (or the directory that holds it): one line per item a member bought on a day,
columns Member_number, Date (YYYY-MM-DD, no time of day) and itemDescription; the columns year, month, day and
day_of_week are parts of Date (they agree with it on every line of the shared file) and are not read. The
source has no SKU code, no category, no quantity and no price.

The canonical tables are built as raw frames and pass through `skulab.data.canonical.assemble`, the validation
that the `files` and `sql` sources use, so the data meet the same checks as a user's own files.

Checks before anything is built, all problems in one DataError naming the file, the column and the rows (data
rows count from 1, the header is not a row): a missing column, a missing Member_number, Date or itemDescription,
a Date that is not a YYYY-MM-DD day. Nothing is dropped: the published file passes them all.

Cleaning, each counted in `SourceData.cleaning`:

1. itemDescription stripped of surrounding spaces: "cream cheese " and "roll products " carry a trailing
   space on all their 440 lines (no unpadded spelling exists, so no two items merge; 167 items remain);
2. duplicate (Member_number, Date, itemDescription) lines aggregated into one order line whose qty counts them
   (each source line is one item): 759 lines merged away, up to 4 lines of one item in a basket.

Tables produced:

- `orders`: a basket is one member on one date (14,963 on the shared file, 3,898 members): order_id =
  "<Member_number>-<YYYYMMDD>", ts = the date at midnight (the source has no time of day), customer_id =
  Member_number as text, fdc_id = "outlet".
- `order_line`: order_id, sku_id, qty = lines of the item in the basket, price None (the source has no prices;
  order_line.price is nullable, and no number is invented).
- `dim_sku`: one row per item: sku_id = name = the stripped itemDescription (the source has no code; the names
  are at most 25 characters and no two differ only in case); style_id = sku_id (no grouping in the source);
  category, colour, size, season, launch date and list price unknown (None).
- `dim_fdc`: one FDC "outlet", the grocery outlet's own stock, which serves every basket.
- `dim_store`: one store "outlet", served by FDC "outlet"; region, city, segment and area unknown.
- `fact_sales`: daily units of each item in the store: units = the item's lines that day (38,765 in all);
  price, base_price, promo_type, discount and stockout None (not in the source). Days without a sale have no
  row (2014-12-31 has no line at all).
- `dim_calendar`: built by `assemble` over the orders' days with UK holidays. The source names no country; item
  names such as zwieback and liver loaf suggest a German-speaking outlet, and of the calendars skulab has (us,
  uk, cn) the UK's shares most days with a continental European one (New Year, Good Friday, Easter Monday,
  Christmas and 26 December). On the shared file no weekday or holiday stands out (orders per weekday
  2,033 .. 2,224), so the choice hardly matters.
- `promotion`: empty (the source has no promotions). No `covariate` table.

`sales_freq` is "D".
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from skulab.data import SourceData
from skulab.data.canonical import assemble_built, source_file
from skulab.data.schema import TABLES
from skulab.data.validate import Cleaning, _rows
from skulab.errors import DataError

FILE_NAME = "groceries.csv"
RAW_COLUMNS = ["Member_number", "Date", "itemDescription"]
FDC_ID = "outlet"
STORE_ID = "outlet"
LOCALE = "uk"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_raw(path: str | Path) -> pd.DataFrame:
    """Read `groceries.csv` (or `<dir>/groceries.csv`) as text and check its lines; DataError listing every problem."""
    path = _file(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig",
                          index_col=False)
    except Exception as exc:  # noqa: BLE001 - any reader failure means the file is unusable
        detail = " ".join(str(exc).split())
        raise DataError(f"{path}: cannot read as csv ({type(exc).__name__}: {detail}); check that it is the "
                        "Groceries dataset's CSV file") from None
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} (has: {', '.join(map(str, raw.columns))}); "
                        f"the groceries source reads one line per item bought ({', '.join(RAW_COLUMNS)})")
    raw = raw[RAW_COLUMNS].astype("string")
    empty = {col: raw[col].str.strip().fillna("").eq("").to_numpy(dtype=bool) for col in RAW_COLUMNS}
    problems = [_problem(path, col, empty[col], raw[col], "missing value(s)", "fill them") for col in RAW_COLUMNS]
    date = raw["Date"].str.strip()
    day = pd.to_datetime(date.where(date.str.fullmatch(_DAY, na=False)), format="%Y-%m-%d", errors="coerce")
    problems.append(_problem(path, "Date", day.isna().to_numpy() & ~empty["Date"], raw["Date"],
                             "unparsable value(s)", "write them as YYYY-MM-DD (Kaggle's original file writes "
                             "DD-MM-YYYY: convert it)"))
    problems = [p for p in problems if p]
    if problems:
        raise DataError("; ".join(problems))
    return raw


def _file(path: str | Path) -> Path:
    """The CSV file `path` names, or `<path>/groceries.csv` for a folder; DataError when it is absent."""
    return source_file(path, FILE_NAME, "the Groceries dataset's")


def _problem(path: Path, col: str, bad: np.ndarray, values: pd.Series, what: str, fix: str) -> str | None:
    """One message for the rows of column `col` where `bad` holds, quoting the first values; None when none."""
    pos = np.flatnonzero(bad)
    if not len(pos):
        return None
    examples = ", ".join(repr("" if pd.isna(v) else str(v)) for v in values.iloc[pos[:3]])
    return f"{path}: {len(pos)} {what} in column {col} at {_rows(pos)} (e.g. {examples}); {fix}"


def raw_tables(raw: pd.DataFrame, cleaning: Cleaning) -> dict[str, pd.DataFrame]:
    """The canonical tables as raw frames from the checked lines of `read_raw` (cleaning steps 1-2 counted)."""
    item = raw["itemDescription"].str.strip()
    cleaning.note("order_line", "itemDescription stripped of surrounding spaces", int((item != raw["itemDescription"]).sum()))
    member = raw["Member_number"].str.strip()
    day = pd.to_datetime(raw["Date"].str.strip(), format="%Y-%m-%d")
    lines = pd.DataFrame({"order_id": member + "-" + day.dt.strftime("%Y%m%d"), "sku_id": item, "ts": day,
                          "customer_id": member})

    order_line = lines.groupby(["order_id", "sku_id"], sort=True).size().rename("qty").reset_index()
    cleaning.note("order_line", "duplicate (Member_number, Date, itemDescription) lines aggregated into qty "
                  "(lines merged away)", len(lines) - len(order_line))
    order_line = order_line.assign(qty=order_line["qty"].astype("float64"), price=None)
    orders = (lines.drop_duplicates("order_id").sort_values("order_id")[["order_id", "ts", "customer_id"]]
              .assign(fdc_id=FDC_ID))

    daily = lines.groupby([lines["ts"].rename("date"), "sku_id"], sort=True).size().rename("units").reset_index()
    fact_sales = daily.assign(store_id=STORE_ID, units=daily["units"].astype("float64"), price=None,
                              base_price=None, promo_type=None, discount=None, stockout=None)

    skus = pd.Series(sorted(item.unique()), dtype="string")
    dim_sku = pd.DataFrame({"sku_id": skus, "style_id": skus, "name": skus})
    for col in ("category", "color", "size", "season", "launch_date", "list_price"):
        dim_sku[col] = None
    return {
        "dim_sku": dim_sku,
        "dim_fdc": pd.DataFrame({"fdc_id": [FDC_ID], "name": ["grocery outlet (all baskets)"], "region": [None]}),
        "dim_store": pd.DataFrame({"store_id": [STORE_ID], "name": ["grocery outlet"], "region": [None],
                                   "city": [None], "fdc_id": [FDC_ID], "segment": [None], "area_sqm": [None]}),
        "promotion": pd.DataFrame({c: [] for c in TABLES["promotion"].column_names}),
        "fact_sales": fact_sales[TABLES["fact_sales"].column_names],
        "orders": orders,
        "order_line": order_line[TABLES["order_line"].column_names],
    }


def load(path: str | Path) -> SourceData:
    """Load the Groceries baskets from `groceries.csv` (or its directory) through the canonical validation."""
    f = _file(path)
    cleaning = Cleaning()
    tables = raw_tables(read_raw(f), cleaning)
    where = str(f)
    return assemble_built(tables, where, cleaning, FILE_NAME, f"fix {FILE_NAME}", sales_freq="D", locale=LOCALE)
