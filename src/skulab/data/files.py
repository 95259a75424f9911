"""Bring your own files: a directory with one file per canonical table, checked strictly.

Layout: `<dir>/<table>.csv` or `<dir>/<table>.parquet` for each canonical input table you have
(`skulab.data.schema.INPUT_TABLES`; docs/data_format.md describes every table and column).

- Required: `dim_sku`, and `fact_sales` or both `orders` and `order_line`. A table whose columns refer
  to another table (fact_sales.store_id -> dim_store, orders.fdc_id -> dim_fdc, ...) needs that table too.
- `dim_calendar` is optional: when absent it is built with `build_calendar(first, last, locale)` over the
  dates of fact_sales, orders and promotion (`locale` "us" by default; "uk" or "cn" for those holidays).
  When present it must cover those dates.
- CSV: UTF-8 (a byte-order mark is accepted), comma-separated, a header row, every value read as text
  (no type guessing) and converted by the canonical column kind; only an empty cell is missing ("NA",
  "null" are values, and are rejected where a number or date is expected). Dates as YYYY-MM-DD,
  timestamps as YYYY-MM-DD HH:MM[:SS], booleans as true/false/1/0/yes/no.
- Parquet: column types are converted the same way.
- Strict: nothing is cleaned or dropped. Every problem is collected into one DataError naming the file,
  the column, the problem and the first rows (rows count data rows from 1; the header is not a row):
  unreadable files, unknown files (with a did-you-mean, e.g. order_lines.csv -> order_line), unknown or
  duplicate columns, missing required columns and values, unparsable values, non-positive prices and
  quantities, negative units, duplicate keys and references to unknown ids.

`sales_freq` of fact_sales is inferred from its dates: weekly ("W-MON" .. "W-SUN", named after the
weekday every date falls on) when all dates share a weekday and are whole weeks apart, else daily ("D").
Pass `sales_freq` to state it; weekly dates then must fall on that weekday.

`write(tables, path)` writes canonical tables in this format (e.g. the demo data as a template).
"""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

import pandas as pd

from skulab.data import SourceData
from skulab.data.calendar import build_calendar
from skulab.data.schema import INPUT_TABLES, TABLES
from skulab.data.validate import Cleaning, validate
from skulab.errors import DataError
from skulab.periods import WEEKDAYS, infer_freq

FORMATS = (".csv", ".parquet")
LOCALES = ("us", "uk", "cn")


def _did_you_mean(name: str, choices: list[str]) -> str:
    match = difflib.get_close_matches(name.lower(), choices, n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else ""


def _scan(directory: Path, problems: list[str]) -> dict[str, Path]:
    """Map table name -> file; report unknown, ambiguous and unsupported table files."""
    found: dict[str, list[Path]] = {}
    for f in sorted(directory.iterdir()):
        if f.name.startswith("."):
            continue
        suffix = f.suffix.lower()
        stem = f.name[: -len(f.suffix)] if f.suffix else f.name
        if not f.is_file():
            if suffix in FORMATS and stem in TABLES:  # skipping it would load the table as empty
                what = "a folder" if f.is_dir() else "a link to nothing" if f.is_symlink() else "not a regular file"
                problems.append(f"{f}: is {what}, not a table file; give {stem} as a regular {suffix[1:]} file "
                                "or remove the entry")
            continue
        if suffix not in FORMATS:
            base = f.name.split(".")[0]
            if base in TABLES:
                problems.append(f"{f}: unsupported file type for table {base}; use {base}.csv or {base}.parquet")
            continue
        if stem in INPUT_TABLES:
            found.setdefault(stem, []).append(f)
        elif stem in TABLES:
            problems.append(f"{f}: {stem} is an output table written by skulab runs, not an input; remove the file")
        else:
            problems.append(f"{f}: unknown table {stem!r}{_did_you_mean(stem, INPUT_TABLES)} "
                            f"(known: {', '.join(INPUT_TABLES)})")
    for name, paths in found.items():
        if len(paths) > 1:
            problems.append(f"{directory}: table {name} is given twice ({', '.join(p.name for p in paths)}); keep one")
    return {name: paths[0] for name, paths in found.items()}


def _read_csv(f: Path) -> pd.DataFrame:
    """Read a CSV as text; every row must have as many fields as the header (pandas would shift or pad)."""
    with f.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise DataError(f"{f}: empty file (expected a header row with the column names)")
        dups = sorted({h for h in header if header.count(h) > 1})
        if dups:
            raise DataError(f"{f}: duplicate column(s) {', '.join(dups)} in the header")
        bad = [(reader.line_num, len(row)) for row in reader if row and len(row) != len(header)]
    if bad:
        shown = ", ".join(f"line {line} has {n}" for line, n in bad[:3])
        more = f" and {len(bad) - 3} more lines" if len(bad) > 3 else ""
        raise DataError(f"{f}: malformed CSV, the header has {len(header)} fields but {shown}{more}")
    return pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig",
                       index_col=False)


def _read(f: Path) -> pd.DataFrame:
    """Read one table file; DataError naming the file if it cannot be read."""
    try:
        if f.suffix.lower() == ".csv":
            return _read_csv(f)
        return pd.read_parquet(f)
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        raise DataError(f"{f}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV") from exc
    except Exception as exc:
        detail = " ".join(str(exc).split())
        raise DataError(f"{f}: cannot read as {f.suffix.lower()[1:]} ({type(exc).__name__}: {detail})") from exc


def _column_problems(name: str, df: pd.DataFrame, f: Path) -> list[str]:
    known = TABLES[name].column_names
    return [f"{f}: unknown column {c!r} in {name}{_did_you_mean(str(c), known)} (columns: {', '.join(known)})"
            for c in df.columns if c not in known]


def _table_problems(present: set[str], raw: dict[str, pd.DataFrame], files: dict[str, Path], directory: Path) -> list[str]:
    problems = []
    if "dim_sku" not in present:
        problems.append(f"{directory}: dim_sku.csv or dim_sku.parquet is required")
    has_orders = "orders" in present and "order_line" in present
    if "fact_sales" not in present and not has_orders:
        problems.append(f"{directory}: fact_sales, or orders together with order_line, is required")
    for name in sorted(present):
        for col, ref in TABLES[name].refs.items():
            if ref in present or name not in raw or col not in raw[name].columns:
                continue
            if raw[name][col].notna().any():
                problems.append(f"{files[name]}: column {col} refers to {ref}, but {directory} has no "
                                f"{ref}.csv or {ref}.parquet")
    return problems


def _date_span(tables: dict[str, pd.DataFrame], weekly: bool) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    parts = []
    if "fact_sales" in tables:
        d = tables["fact_sales"]["date"]
        parts += [d, d + pd.Timedelta(days=6)] if weekly else [d]
    if "orders" in tables:
        parts.append(tables["orders"]["ts"].dt.normalize())
    if "promotion" in tables:
        parts += [tables["promotion"]["start_date"], tables["promotion"]["end_date"]]
    dates = pd.concat(parts) if parts else pd.Series(dtype="datetime64[ns]")
    dates = dates.dropna()
    return (dates.min(), dates.max()) if len(dates) else None


def load(path: str | Path, locale: str = "us", sales_freq: str | None = None) -> SourceData:
    """Read and validate a directory of canonical table files; one DataError lists every problem."""
    directory = Path(path)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory (expected one <table>.csv or <table>.parquet per table)")
    if locale not in LOCALES:
        raise DataError(f"locale {locale!r} unknown; use one of {', '.join(LOCALES)}")
    if sales_freq is not None and sales_freq != "D" and sales_freq not in {f"W-{d}" for d in WEEKDAYS}:
        raise DataError(f"sales_freq {sales_freq!r} unknown; use 'D' or 'W-MON' .. 'W-SUN'")

    problems: list[str] = []
    files = _scan(directory, problems)
    raw: dict[str, pd.DataFrame] = {}
    for name, f in files.items():
        try:
            raw[name] = _read(f)
        except DataError as exc:
            problems.append(str(exc))
            continue
        problems += _column_problems(name, raw[name], f)
    problems += _table_problems(set(files), raw, files, directory)
    origin = {name: str(f) for name, f in files.items()}
    try:
        tables = validate(raw, origin)
    except DataError as exc:
        problems.append(str(exc))
    if problems:
        raise DataError("; ".join(problems) + " (fix the files: docs/data_format.md describes every table "
                        "and column)")

    freq = "D"
    if "fact_sales" in tables:
        dates = tables["fact_sales"]["date"]
        freq = sales_freq or infer_freq(dates)
        if freq.startswith("W-"):  # same weekday everywhere also means whole weeks apart
            bad = (dates.dt.weekday != WEEKDAYS.index(freq[2:])).to_numpy().nonzero()[0]
            if len(bad):
                raise DataError(f"{origin['fact_sales']} (fact_sales): sales_freq {freq} needs every date on a "
                                f"{freq[2:].title()}; {len(bad)} date(s) are not, e.g. row {bad[0] + 1} "
                                f"({dates.iloc[bad[0]]:%Y-%m-%d})")
    span = _date_span(tables, freq.startswith("W-"))
    if "dim_calendar" in tables:
        if span is not None:
            needed = pd.date_range(*span, freq="D")
            missing = needed.difference(pd.DatetimeIndex(tables["dim_calendar"]["date"]))
            if len(missing):
                shown = ", ".join(f"{d:%Y-%m-%d}" for d in missing[:3])
                more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
                raise DataError(f"{origin['dim_calendar']} (dim_calendar): {len(missing)} date(s) between "
                                f"{span[0]:%Y-%m-%d} and {span[1]:%Y-%m-%d} used by the data are missing: "
                                f"{shown}{more}; add them, or leave dim_calendar out and skulab builds it")
    elif span is not None:
        tables["dim_calendar"] = validate({"dim_calendar": build_calendar(*span, locale=locale)})["dim_calendar"]
    return SourceData(tables=tables, cleaning=Cleaning(), sales_freq=freq)


def write(tables: dict[str, pd.DataFrame] | SourceData, path: str | Path, fmt: str = "csv") -> list[Path]:
    """Write canonical tables to `path` as `<table>.csv` (or .parquet), the format `load` reads back."""
    if isinstance(tables, SourceData):
        tables = tables.tables
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        f = directory / f"{name}.{fmt}"
        if fmt == "csv":
            out = df.copy()
            for col in TABLES[name].columns:
                if col.name in out.columns and col.kind == "date":
                    out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
                elif col.name in out.columns and col.kind == "timestamp":
                    out[col.name] = out[col.name].dt.strftime("%Y-%m-%d %H:%M:%S")
            out.to_csv(f, index=False)
        else:
            df.to_parquet(f, index=False)
        written.append(f)
    return written
