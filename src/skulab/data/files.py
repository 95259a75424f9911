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
  timestamps as YYYY-MM-DD HH:MM[:SS] (with a UTC offset only when `timezone` is given: such times are
  converted to it), booleans as true/false/1/0/yes/no. A NUL byte is refused (pandas would cut the value).
- Parquet: column types are converted the same way (numbers are refused in date columns).
- Strict: nothing is cleaned or dropped. Every problem is collected into one DataError naming the file,
  the column, the problem and the first rows (rows count data rows from 1; the header is not a row):
  unreadable files, unknown files (with a did-you-mean, e.g. order_lines.csv -> order_line), unknown or
  duplicate columns, missing required columns and values, unparsable values, non-positive prices and
  quantities, negative units, duplicate keys, references to unknown ids, and the value rules of
  skulab.data.validate (non-finite numbers, ids the databases would store differently, ...).

`sales_freq` of fact_sales is inferred from its dates: weekly ("W-MON" .. "W-SUN", named after the
weekday every date falls on) when all dates share a weekday and are whole weeks apart, else daily ("D").
Pass `sales_freq` to state it; weekly dates then must fall on that weekday.

`write(tables, path)` writes canonical tables in this format (e.g. the demo data as a template).
"""

from __future__ import annotations

import csv
import mmap
from pathlib import Path

import pandas as pd

from skulab.data import SourceData
from skulab.data.canonical import assemble, check_options, table_name_problem
from skulab.data.schema import TABLES
from skulab.errors import DataError

FORMATS = (".csv", ".parquet")


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
        problem = table_name_problem(f, stem)
        if problem:
            problems.append(problem)
        else:
            found.setdefault(stem, []).append(f)
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
        if "\x00" in "".join(header):
            raise DataError(f"{f}: NUL bytes (\\x00) in the header, as in UTF-16 text; save it as UTF-8 CSV")
        dups = sorted({h for h in header if header.count(h) > 1})
        if dups:
            raise DataError(f"{f}: duplicate column(s) {', '.join(dups)} in the header")
        bad = [(reader.line_num, len(row)) for row in reader if row and len(row) != len(header)]
    if bad:
        shown = ", ".join(f"line {line} has {n}" for line, n in bad[:3])
        more = f" and {len(bad) - 3} more lines" if len(bad) > 3 else ""
        raise DataError(f"{f}: malformed CSV, the header has {len(header)} fields but {shown}{more}")
    _refuse_nul(f, header)
    return pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig",
                       index_col=False)


def _refuse_nul(f: Path, header: list[str]) -> None:
    """DataError naming the first row and column holding a NUL byte: pandas would cut the value there."""
    with f.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as raw:
        if raw.find(b"\x00") < 0:
            return
    with f.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [r for r in reader if r]  # pandas skips blank lines too
    found = [(n, row) for n, row in enumerate(rows, 1) if "\x00" in "".join(row)]
    n, row = found[0]
    column = header[next(i for i, v in enumerate(row) if "\x00" in v)]
    more = f" and {len(found) - 1} more rows" if len(found) > 1 else ""
    raise DataError(f"{f} ({f.stem}): NUL byte (\\x00) in column {column} at row {n}{more}; PostgreSQL cannot store it "
                    "(and pandas would cut the value there): remove it")


def _read(f: Path) -> pd.DataFrame:
    """Read one table file; DataError naming the file if it cannot be read."""
    try:
        if f.suffix.lower() == ".csv":
            return _read_csv(f)
        return pd.read_parquet(f)
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        utf16 = ", it is UTF-16" if exc.object[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise DataError(f"{f}: not UTF-8 text ({exc.reason} at byte {exc.start}{utf16}); save it as UTF-8 CSV") from exc
    except Exception as exc:
        detail = " ".join(str(exc).split())
        raise DataError(f"{f}: cannot read as {f.suffix.lower()[1:]} ({type(exc).__name__}: {detail})") from exc


def load(path: str | Path, locale: str = "us", sales_freq: str | None = None,
         timezone: str | None = None) -> SourceData:
    """Read and validate a directory of canonical table files; one DataError lists every problem.

    Time-zone-aware times are converted to `timezone` (an IANA name) and made naive; without one they are refused.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory (expected one <table>.csv or <table>.parquet per table)")
    check_options(locale, sales_freq)
    problems: list[str] = []
    files = _scan(directory, problems)
    raw: dict[str, pd.DataFrame] = {}
    for name, f in files.items():
        try:
            raw[name] = _read(f)
        except DataError as exc:
            problems.append(str(exc))
    origin = {name: str(f) for name, f in files.items()}
    return assemble(raw, origin, str(directory), lambda t: f"{t}.csv or {t}.parquet", problems,
                    locale=locale, sales_freq=sales_freq, timezone=timezone, fix="fix the files")


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
