"""Raw frames named after canonical tables -> validated SourceData: the checks every user source shares.

The files source and the SQL source read their tables differently (one file or one query per table) and
then meet here: unknown columns, required and referenced tables, values (skulab.data.validate), the sales
frequency, and a calendar that covers the data (built for `locale` when absent).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from skulab.data import SourceData
from skulab.data.calendar import build_calendar
from skulab.data.schema import INPUT_TABLES, TABLES
from skulab.data.validate import Cleaning, validate
from skulab.errors import DataError
from skulab.periods import WEEKDAYS, infer_freq

LOCALES = ("us", "uk", "cn")


def did_you_mean(name: str, choices: list[str]) -> str:
    """'; did you mean x?' for the closest of `choices`, or nothing."""
    match = difflib.get_close_matches(name.lower(), choices, n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else ""


def source_file(path: str | Path, name: str, what: str) -> Path:
    """The file `path` names, or `<path>/<name>` for a folder; a DataError naming `what` when it is absent."""
    path = Path(path)
    if path.is_dir():
        path = path / name
    if not path.is_file():
        raise DataError(f"{path}: file not found (expected {what} {name}; set data.path to the file or its folder)")
    return path


def check_options(locale: str, sales_freq: str | None) -> None:
    """DataError for a locale or sales frequency skulab does not know."""
    if locale not in LOCALES:
        raise DataError(f"locale {locale!r} unknown; use one of {', '.join(LOCALES)}")
    if sales_freq is not None and sales_freq != "D" and sales_freq not in {f"W-{d}" for d in WEEKDAYS}:
        raise DataError(f"sales_freq {sales_freq!r} unknown; use 'D' or 'W-MON' .. 'W-SUN'")


def table_name_problem(f: Path, stem: str) -> str | None:
    """Why source file `f`, named after `stem`, gives no input table (an output table, or no table at all);
    None when it does."""
    if stem in INPUT_TABLES:
        return None
    if stem in TABLES:
        return f"{f}: {stem} is an output table written by skulab runs, not an input; remove the file"
    return f"{f}: unknown table {stem!r}{did_you_mean(stem, INPUT_TABLES)} (known: {', '.join(INPUT_TABLES)})"


def column_problems(name: str, df: pd.DataFrame, where: str) -> list[str]:
    """One problem per column of `df` that table `name` does not have."""
    known = TABLES[name].column_names
    return [f"{where}: unknown column {c!r} in {name}{did_you_mean(str(c), known)} (columns: {', '.join(known)})"
            for c in df.columns if c not in known]


def _table_problems(raw: dict[str, pd.DataFrame], origin: dict[str, str], where: str,
                    spell: Callable[[str], str]) -> list[str]:
    """Required tables, and tables that others refer to, missing from the source."""
    present = set(origin)
    problems = []
    if "dim_sku" not in present:
        problems.append(f"{where}: {spell('dim_sku')} is required")
    has_orders = "orders" in present and "order_line" in present
    if "fact_sales" not in present and not has_orders:
        problems.append(f"{where}: fact_sales, or orders together with order_line, is required")
    for name in sorted(present):
        for col, ref in TABLES[name].refs.items():
            if ref in present or name not in raw or col not in raw[name].columns:
                continue
            if raw[name][col].notna().any():
                problems.append(f"{origin[name]}: column {col} refers to {ref}, but {where} has no {spell(ref)}")
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


def assemble(raw: dict[str, pd.DataFrame], origin: dict[str, str], where: str, spell: Callable[[str], str],
             problems: list[str], *, locale: str = "us", sales_freq: str | None = None,
             timezone: str | None = None, fix: str = "fix the source", cleaning: Cleaning | None = None) -> SourceData:
    """Validate the raw tables read from `where` (table -> where each came from in `origin`); one DataError
    lists `problems` found while reading and every problem found here. `spell(table)` names how the source
    gives a table ("fact_sales.csv or fact_sales.parquet", "fact_sales.sql"); `cleaning` is an adapter's record of
    its own cleaning steps, kept on the result."""
    problems = list(problems)
    for name, df in raw.items():
        problems += column_problems(name, df, origin[name])
    problems += _table_problems(raw, origin, where, spell)
    try:
        tables = validate(raw, origin, timezone)
    except DataError as exc:
        problems.append(str(exc))
    if problems:
        raise DataError("; ".join(problems) + f" ({fix}: docs/data_format.md describes every table and column)")

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
    return SourceData(tables=tables, cleaning=cleaning if cleaning is not None else Cleaning(), sales_freq=freq)


def assemble_built(tables: dict[str, pd.DataFrame], where: str, cleaning: Cleaning, built_from: str, fix: str, *,
                   sales_freq: str, locale: str = "us") -> SourceData:
    """Tables an adapter built from the source file `where` (named `built_from` in messages), through the same
    checks as a user's files (`assemble`), with the adapter's own cleaning record."""
    return assemble(tables, {name: where for name in tables}, where, lambda t: f"{t} (built from {built_from})", [],
                    locale=locale, sales_freq=sales_freq, fix=fix, cleaning=cleaning)
