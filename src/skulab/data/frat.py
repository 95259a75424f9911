"""Adapter for dunnhumby "Breakfast at the Frat": weekly store x UPC sales with price and promotions.

`load(path)` reads the directory holding `transactions.parquet`, `products.csv` and `stores.csv` and
returns the canonical tables with `sales_freq` "W-THU". Column names are matched case-insensitively, and the
names of dunnhumby's own sheets (STORE_NUM, UPC) are read as store_id and upc_id.

Weeks. The source's `week_end_date` is always a Wednesday, so a sales week runs Thursday .. Wednesday.
The file's `week_start` column (added by the exporter) is the Monday of the ISO week that contains the
week end, which is not the first day of the sales week; it is ignored. fact_sales.date is the true first
day, `week_end_date - 6 days` (a Thursday), hence the pandas frequency "W-THU" (weekly, on Thursdays).

fact_sales: store_id, sku_id = upc_id (text), units, price, base_price as in the source; promo_type =
the active types among feature, display and tpr (source column tpr_only) joined with "+" in that order
("feature", "display", "feature+display", "tpr"; None without promotion); discount = 1 - price /
base_price on promoted rows where both prices are known (it can be negative: some promoted weeks are
priced above the base price; counted as a note), else None; stockout None (not observed). Rows absent
from the source (weeks not carried or not sold) stay absent.

Cleaning, each counted in `SourceData.cleaning`:

- rows with negative units are dropped, duplicate (week, store, UPC) rows are dropped (neither occurs in
  the published file: the rules report 0); rows with units == 0 (5 rows: baskets were recorded but net
  units are zero, probably a sale and a return) are kept as observed zero sales;
- price <= 0 (1 row: price and spend 0 for 3 units, a recording error) is set to missing;
- missing price (23 rows) and base_price (185 rows) stay missing: the feature code imputes them;
- all rows: the week date is moved to the first day of the sales week (see above).

dim_sku (products.csv, all 58 UPCs including the 3 without sales): name = description, category =
category, size = product_size (e.g. "15 OZ"), colour and season None, launch_date None (not in the
source), list_price = median base_price of the UPC over its rows. style_id groups the UPCs that are the
same product in different pack sizes (same manufacturer and description, e.g. GM CHEERIOS 12 OZ and
18 OZ): it is the smallest upc_id of the group. This follows the canonical meaning of a style ("all
colours and sizes of one design"); the coarser sub_category is not kept in dim_sku.

dim_store (stores.csv): name = store_name, region = state (address_state_prov_code), city =
address_city_name, segment = seg_value_name (VALUE, MAINSTREAM, UPSCALE; 2 stores MAINSTREAM_UPSCALE), area_sqm =
sales_area_size_num x 0.09290304: the source gives square feet (values 10,800 .. 86,500, median
48,500, fit US supermarkets in sq ft, not m^2). fdc_id = the store's metropolitan statistical area (msa_code): stores of
one metro area share a distribution point. dim_fdc: one row per MSA, name "MSA <code> (<its stores' cities,
most stores first>)", region = most common state of its stores.

dim_calendar: `build_calendar(first week's Thursday, last week's Wednesday, locale="us")`.
promotion: empty (the promotions are per row in fact_sales.promo_type). No orders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from skulab.data import SourceData
from skulab.data.calendar import build_calendar
from skulab.data.canonical import assemble_built
from skulab.data.schema import TABLES
from skulab.data.validate import Cleaning
from skulab.errors import DataError

SALES_FREQ = "W-THU"
SQFT_TO_SQM = 0.09290304
PROMO_COLUMNS = {"feature": "feature", "display": "display", "tpr_only": "tpr"}
FILES = {
    "transactions.parquet": ["week_end_date", "store_id", "upc_id", "units", "price", "base_price",
                             "feature", "display", "tpr_only"],
    "products.csv": ["upc_id", "description", "manufacturer", "category", "sub_category", "product_size"],
    "stores.csv": ["store_id", "store_name", "address_city_name", "address_state_prov_code", "msa_code",
                   "seg_value_name", "sales_area_size_num"],
}
# dunnhumby's own sheets name some keys differently (matched after lower-casing every column name)
RENAMED = {"transactions.parquet": {"store_num": "store_id", "upc": "upc_id"}, "products.csv": {"upc": "upc_id"}}


def read_raw(path: str | Path) -> dict[str, pd.DataFrame]:
    """Read the three source files from directory `path`; one DataError lists every missing file or column."""
    path = Path(path)
    raw: dict[str, pd.DataFrame] = {}
    problems = []
    for name, columns in FILES.items():
        f = path / name
        if not f.is_file():
            problems.append(f"{f}: file not found")
            continue
        try:
            df = pd.read_parquet(f) if name.endswith(".parquet") else pd.read_csv(f, dtype=str)
        except Exception as exc:  # noqa: BLE001 - any reader failure means the file is unusable
            problems.append(f"{f}: cannot read ({type(exc).__name__}: {' '.join(str(exc).split())})")
            continue
        df = df.rename(columns=lambda c: str(c).strip().lower())  # dunnhumby's own export is upper-case
        raw[name] = df.rename(columns={k: v for k, v in RENAMED.get(name, {}).items()
                                       if k in df.columns and v not in df.columns})
        missing = [c for c in columns if c not in raw[name].columns]
        if missing:
            problems.append(f"{f}: missing column(s) {', '.join(missing)} "
                            f"(has: {', '.join(map(str, raw[name].columns))})")
    if problems:
        raise DataError("; ".join(problems) + f" (the frat source reads dunnhumby's Breakfast at the Frat: "
                        f"{', '.join(FILES)} in one folder, see skulab.data.frat)")
    return raw


def _id_text(s: pd.Series) -> pd.Series:
    """Ids as text; numbers read as floats ("17140.0") lose the spurious decimal part."""
    return s.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)


def _mode(s: pd.Series) -> str | None:
    counts = s.dropna().value_counts()
    if counts.empty:
        return None
    return min(counts[counts == counts.max()].index)


def build_fact_sales(tx: pd.DataFrame, cleaning: Cleaning) -> pd.DataFrame:
    """fact_sales rows from transactions.parquet (see the module docstring for every rule)."""
    t = "fact_sales"
    week_end = pd.to_datetime(tx["week_end_date"], errors="coerce")
    units = pd.to_numeric(tx["units"], errors="coerce").astype("float64")
    price = pd.to_numeric(tx["price"], errors="coerce").astype("float64")
    base = pd.to_numeric(tx["base_price"], errors="coerce").astype("float64")
    flags = {label: pd.to_numeric(tx[col], errors="coerce").fillna(0).to_numpy() > 0
             for col, label in PROMO_COLUMNS.items()}
    promo = np.full(len(tx), "", dtype=object)
    for label, on in flags.items():
        promo = np.where(on, np.where(promo == "", label, promo + "+" + label), promo)
    df = pd.DataFrame({
        "date": (week_end - pd.Timedelta(days=6)).dt.normalize().astype("datetime64[ns]").to_numpy(),
        "store_id": _id_text(tx["store_id"]).to_numpy(), "sku_id": _id_text(tx["upc_id"]).to_numpy(),
        "units": units.to_numpy(), "price": price.to_numpy(), "base_price": base.to_numpy(),
        "promo_type": pd.Series(promo).replace("", None).to_numpy(),
    })
    df = cleaning.drop(t, df, df["date"].isna(), "unparsable week_end_date")
    cleaning.note(t, "date = first day of the sales week (week_end_date - 6 days, a Thursday)", len(df))
    df = cleaning.drop(t, df, df["units"].isna() | (df["units"] < 0), "units missing or negative")
    df = cleaning.drop(t, df, df.duplicated(["date", "store_id", "sku_id"]),
                       "duplicate (week, store_id, upc_id) rows")
    cleaning.note(t, "units == 0 kept as observed zero sales", int((df["units"] == 0).sum()))
    for col in ("price", "base_price"):
        bad = df[col] <= 0
        cleaning.note(t, f"{col} <= 0 set to missing", int(bad.sum()))
        df[col] = df[col].where(~bad)
    for col in ("price", "base_price"):
        cleaning.note(t, f"{col} missing (kept missing)", int(df[col].isna().sum()))
    known = df["promo_type"].notna() & df["price"].notna() & df["base_price"].notna()
    df["discount"] = (1 - df["price"] / df["base_price"]).where(known)
    cleaning.note(t, "promoted rows priced above base_price (negative discount, kept)",
                  int((df["discount"] < 0).sum()))
    df["stockout"] = None
    return df.sort_values(["store_id", "sku_id", "date"], ignore_index=True)


def build_dim_sku(products: pd.DataFrame, fact_sales: pd.DataFrame, cleaning: Cleaning) -> pd.DataFrame:
    p = products.copy()
    p["sku_id"] = _id_text(p["upc_id"])
    key = p["manufacturer"].fillna("").str.strip() + "|" + p["description"].fillna("").str.strip()
    # smallest UPC of each (manufacturer, description) group; compare as numbers where possible
    order = pd.to_numeric(p["sku_id"], errors="coerce")
    style = p.assign(_key=key, _order=order).sort_values(["_order", "sku_id"]).groupby("_key")["sku_id"].first()
    list_price = fact_sales.groupby("sku_id")["base_price"].median()
    unsold = ~p["sku_id"].isin(fact_sales["sku_id"])
    cleaning.note("dim_sku", "UPCs without any sales kept in dim_sku", int(unsold.sum()))
    return pd.DataFrame({
        "sku_id": p["sku_id"], "style_id": key.map(style), "name": p["description"],
        "category": p["category"], "color": None, "size": p["product_size"], "season": None,
        "launch_date": None, "list_price": p["sku_id"].map(list_price),
    })


def build_stores(stores: pd.DataFrame, cleaning: Cleaning) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = stores.copy()
    fdc = _id_text(s["msa_code"])
    area = pd.to_numeric(s["sales_area_size_num"], errors="coerce") * SQFT_TO_SQM
    cleaning.note("dim_store", "area_sqm = sales_area_size_num (sq ft) x 0.09290304", int(area.notna().sum()))
    dim_store = pd.DataFrame({
        "store_id": _id_text(s["store_id"]), "name": s["store_name"], "region": s["address_state_prov_code"],
        "city": s["address_city_name"], "fdc_id": fdc, "segment": s["seg_value_name"], "area_sqm": area,
    })
    rows = []
    for fdc_id, g in dim_store.dropna(subset=["fdc_id"]).groupby("fdc_id", sort=True):
        counts = g["city"].value_counts()
        cities = sorted(counts.index, key=lambda c: (-counts[c], c))
        shown = ", ".join(cities[:3]) + (f" +{len(cities) - 3}" if len(cities) > 3 else "")
        rows.append({"fdc_id": fdc_id, "name": f"MSA {fdc_id} ({shown})", "region": _mode(g["region"])})
    return dim_store, pd.DataFrame(rows, columns=["fdc_id", "name", "region"])


def load(path: str | Path) -> SourceData:
    """Load Breakfast at the Frat from its directory into validated canonical tables (weekly, "W-THU")."""
    raw = read_raw(path)
    cleaning = Cleaning()
    fact_sales = build_fact_sales(raw["transactions.parquet"], cleaning)
    dim_store, dim_fdc = build_stores(raw["stores.csv"], cleaning)
    first, last = fact_sales["date"].min(), fact_sales["date"].max() + pd.Timedelta(days=6)
    tables = {
        "dim_sku": build_dim_sku(raw["products.csv"], fact_sales, cleaning),
        "dim_fdc": dim_fdc,
        "dim_store": dim_store,
        "dim_calendar": build_calendar(first, last, locale="us"),
        "promotion": pd.DataFrame({c: [] for c in TABLES["promotion"].column_names}),
        "fact_sales": fact_sales,
    }
    where = str(path)  # the same checks as a user's files (skulab.data.canonical), then the cleaning record
    return assemble_built(tables, where, cleaning, where, "fix the source file", sales_freq=SALES_FREQ)
