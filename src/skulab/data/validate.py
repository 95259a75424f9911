"""Check and coerce DataFrames to the canonical tables; every problem is named in one message.

Validation never drops rows: a source adapter that cleans (cancellations, returns, ...) does so
beforehand with `Cleaning.drop`, which counts what each documented rule removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skulab.data.schema import TABLES, Column, Table
from skulab.errors import DataError

_POSITIVE = {("order_line", "qty"), ("order_line", "price"), ("fact_sales", "price"),
             ("fact_sales", "base_price"), ("dim_sku", "list_price")}
_NON_NEGATIVE = {("fact_sales", "units"), ("truth_demand", "expected_units")}
_EXAMPLES = 3


@dataclass
class Cleaning:
    """Counts of rows each documented cleaning rule removed or changed, per table."""

    steps: list[tuple[str, str, int]] = field(default_factory=list)

    def drop(self, table: str, df: pd.DataFrame, mask: pd.Series, rule: str) -> pd.DataFrame:
        """Drop the rows where `mask` holds, recording how many under `rule`."""
        n = int(mask.sum())
        self.steps.append((table, rule, n))
        return df.loc[~mask]

    def note(self, table: str, rule: str, n: int) -> None:
        """Record a rule that changed (rather than dropped) `n` rows."""
        self.steps.append((table, rule, int(n)))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.steps, columns=["table", "rule", "rows"])


def _where(origin: dict[str, str], table: str) -> str:
    return f"{origin[table]} ({table})" if table in origin else table


def _rows(positions: np.ndarray) -> str:
    shown = ", ".join(str(int(p) + 1) for p in positions[:_EXAMPLES])
    more = f" and {len(positions) - _EXAMPLES} more" if len(positions) > _EXAMPLES else ""
    return f"row {shown}{more}" if len(positions) == 1 else f"rows {shown}{more}"


def _coerce(col: Column, s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Return the column in its canonical dtype and the positions of values that did not parse."""
    was_null = s.isna().to_numpy()
    if col.kind in ("id", "str"):
        out = s.astype("string").str.strip()
        out = out.mask(out == "", pd.NA) if col.kind == "id" else out
        return out, np.array([], dtype=int)
    if col.kind in ("date", "timestamp"):
        text = s.dtype == object or pd.api.types.is_string_dtype(s)
        out = pd.to_datetime(s, errors="coerce", format="ISO8601" if text else None).astype("datetime64[ns]")
        out = out.dt.normalize() if col.kind == "date" else out
    elif col.kind in ("int", "float"):
        out = pd.to_numeric(s, errors="coerce")
        out = out.astype("Int64") if col.kind == "int" and not out.isna().all() else out.astype("float64")
    else:  # bool
        mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
                   "t": True, "f": False, "1.0": True, "0.0": False}
        out = s.map(lambda v: v if isinstance(v, (bool, np.bool_)) else mapping.get(str(v).strip().lower()))
        out = out.astype("boolean")
    bad = np.flatnonzero(out.isna().to_numpy() & ~was_null)
    return out, bad


def coerce_table(table: Table, df: pd.DataFrame, origin: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Put `df` into the canonical column order and dtypes; return it with the problems found."""
    origin = origin or {}
    where = _where(origin, table.name)
    problems: list[str] = []
    missing = [c.name for c in table.columns if not c.nullable and c.name not in df.columns]
    if missing:
        problems.append(f"{where}: missing column(s) {', '.join(missing)} (has: {', '.join(map(str, df.columns))})")
        return df, problems
    df = df.reset_index(drop=True)
    out = {}
    for col in table.columns:
        if col.name not in df.columns:
            out[col.name] = pd.Series(pd.NA, index=df.index, dtype="object")
            out[col.name], _ = _coerce(col, out[col.name])
            continue
        values, bad = _coerce(col, df[col.name])
        if len(bad):
            examples = ", ".join(repr(df[col.name].iloc[i]) for i in bad[:_EXAMPLES])
            problems.append(f"{where}: {len(bad)} unparsable {col.kind} value(s) in {col.name} at {_rows(bad)} "
                            f"(e.g. {examples})")
        nulls = np.flatnonzero(values.isna().to_numpy())
        if not col.nullable and len(nulls) and not len(bad):
            problems.append(f"{where}: {len(nulls)} missing value(s) in required column {col.name} at {_rows(nulls)}")
        out[col.name] = values
    return pd.DataFrame(out), problems


def _value_problems(table: Table, df: pd.DataFrame, where: str) -> list[str]:
    problems = []
    for col in table.column_names:
        if (table.name, col) in _POSITIVE or (table.name, col) in _NON_NEGATIVE:
            v = df[col].to_numpy(dtype="float64", na_value=np.nan)
            bad = np.flatnonzero(v <= 0) if (table.name, col) in _POSITIVE else np.flatnonzero(v < 0)
            if len(bad):
                rule = "positive" if (table.name, col) in _POSITIVE else "non-negative"
                problems.append(f"{where}: {len(bad)} {col} value(s) not {rule} at {_rows(bad)} "
                                f"(e.g. {v[bad[0]]:g})")
    dup = df.duplicated(list(table.key), keep="first").to_numpy()
    if dup.any():
        pos = np.flatnonzero(dup)
        key = ", ".join(f"{k}={df[k].iloc[pos[0]]}" for k in table.key)
        problems.append(f"{where}: {len(pos)} duplicate key(s) on ({', '.join(table.key)}) at {_rows(pos)} (e.g. {key})")
    return problems


def _ref_problems(table: Table, tables: dict[str, pd.DataFrame], where: str) -> list[str]:
    problems = []
    df = tables[table.name]
    for col, ref in table.refs.items():
        if ref not in tables:
            continue
        ref_key = TABLES[ref].key[0]
        values = df[col]
        known = values.isin(tables[ref][ref_key]) | values.isna()
        pos = np.flatnonzero(~known.to_numpy())
        if len(pos):
            unknown = pd.unique(values.iloc[pos])
            examples = ", ".join(repr(str(u)) for u in unknown[:_EXAMPLES])
            problems.append(f"{where}: {len(pos)} row(s) with {col} not in {ref} ({len(unknown)} distinct, "
                            f"e.g. {examples}) at {_rows(pos)}")
    return problems


def validate(tables: dict[str, pd.DataFrame], origin: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Coerce every known table and check values, keys and references; raise one DataError listing all problems.

    `origin` maps a table name to the file it came from, so messages say where to look.
    Unknown table names are an error too (a typo would otherwise be ignored).
    """
    origin = origin or {}
    problems: list[str] = []
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        problems.append(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLES)}")
    out: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        if name not in TABLES:
            continue
        coerced, found = coerce_table(TABLES[name], df, origin)
        problems += found
        if not found:
            out[name] = coerced
            problems += _value_problems(TABLES[name], coerced, _where(origin, name))
    for name in out:
        problems += _ref_problems(TABLES[name], out, _where(origin, name))
    if problems:
        raise DataError("; ".join(problems))
    return out
