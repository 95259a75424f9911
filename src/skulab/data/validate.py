"""Check and coerce DataFrames to the canonical tables; every problem is named in one message.

Validation never drops rows: a source adapter that cleans (cancellations, returns, ...) does so
beforehand with `Cleaning.drop`, which counts what each documented rule removed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from skulab.data import scope
from skulab.data.schema import TABLES, Column, Table, text_width
from skulab.errors import DataError

_POSITIVE = {("order_line", "qty"), ("order_line", "price"), ("fact_sales", "price"),
             ("fact_sales", "base_price"), ("dim_sku", "list_price")}
_NON_NEGATIVE = {("fact_sales", "units"), ("truth_demand", "expected_units")}
_EXAMPLES = 3
_INT_RANGE = (-(2**31), 2**31 - 1)  # the databases' INTEGER
_EXACT_FLOAT = 2**53  # beyond it a float id may have lost digits
# YYYY-MM-DD, then optionally [T ]HH:MM[:SS[.fraction]] and a UTC offset (Z, +02, +0200, +02:00): group 4
_MOMENT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
                     r"(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?)?")
_NON_FINITE_TEXT = re.compile(r"\s*[+-]?(nan|inf|infinity)\s*", re.IGNORECASE)
_SALES_DATES = (("fact_sales", "date"), ("orders", "ts"), ("promotion", "start_date"), ("promotion", "end_date"))
_GAP_DAYS = 1826  # five years: sales dates split by a longer gap hold a mistyped year


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


@dataclass(frozen=True)
class _Bad:
    """Rows of one column whose values break one rule: `what` they are and how to `fix` them."""

    positions: np.ndarray
    what: str
    fix: str = ""


def _show(value: object) -> str:
    """A value as a message quotes it: text in quotes (escaped, long text cut), anything else as written."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "...")
    return str(value)


def _positions(codes: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Rows whose distinct value (`codes` index the distinct values, -1 is missing) is flagged."""
    flagged = np.flatnonzero(flags)
    return np.flatnonzero(np.isin(codes, flagged)) if len(flagged) else np.array([], dtype=int)


def _id_text(value: object) -> str | None:
    """An id as text: a whole float is its integer ("1001.0" would not match "1001"), another float None."""
    if isinstance(value, Decimal):  # NUMERIC ids from a SQL source
        return str(int(value)) if value.is_finite() and value == value.to_integral_value() else None
    if isinstance(value, (float, np.floating)):
        whole = math.isfinite(value) and float(value).is_integer() and abs(value) < _EXACT_FLOAT
        return str(int(value)) if whole else None
    return str(value)


def _texts(table: Table, col: Column, s: pd.Series) -> tuple[pd.Series, list[_Bad]]:
    """Ids and text: stripped (an empty id is missing), no NUL byte, no longer than the database column."""
    codes, uniques = pd.factorize(s)  # each rule is checked once per distinct value
    texts = [_id_text(v) for v in uniques] if col.kind == "id" else [str(v) for v in uniques]
    bads = [_Bad(_positions(codes, np.array([t is None for t in texts], dtype=bool)),
                 "non-integral or non-finite float id value(s)",
                 "ids stored as numbers must be whole (and below 2^53, where a float keeps every digit): "
                 "store ids as text")]
    texts = [t.strip() if t is not None else None for t in texts]
    if col.kind == "id":
        texts = [t or None for t in texts]
    bads.append(_Bad(_positions(codes, np.array([t is not None and "\x00" in t for t in texts], dtype=bool)),
                     "value(s) with a NUL byte (\\x00)", "PostgreSQL cannot store it: remove it"))
    width = text_width(table, col)
    if width is not None:
        long = np.array([t is not None and len(t) > width for t in texts], dtype=bool)
        bads.append(_Bad(_positions(codes, long), f"value(s) longer than {width} characters",
                         f"the databases store {col.name} as VARCHAR({width}): shorten them"))
    out = pd.array(np.array([*texts, None], dtype=object)[codes], dtype="string")
    return pd.Series(out, index=s.index), bads


def _moment_text(value: object) -> tuple[str, str]:
    """A date or timestamp value as ISO text, and what it was: "text", "number" or "other"."""
    if isinstance(value, str):
        return value.strip(), "text"
    if isinstance(value, (dt.datetime, np.datetime64)):
        return pd.Timestamp(value).isoformat(), "text"
    if isinstance(value, dt.date):
        return value.isoformat(), "text"
    if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
        return "", "number"
    return "", "other"


def _parse_moments(col: Column, uniques: pd.Index) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, str, str]]]:
    """Distinct values of a date or timestamp column -> UTC times (naive ones as given), aware flags, refusals."""
    pairs = [_moment_text(v) for v in uniques]
    text = pd.Series([t for t, _ in pairs], dtype=object)
    number = np.array([k == "number" for _, k in pairs], dtype=bool)
    parts = text.str.extract(f"^{_MOMENT.pattern}$")
    formed = parts[0].notna().to_numpy()
    stamps = pd.to_datetime(text.where(formed), format="ISO8601", utc=True, errors="coerce")
    years = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lost = formed & stamps.isna().to_numpy()
    unheld = lost & ((years < 1678) | (years > 2261))
    form = "YYYY-MM-DD" if col.kind == "date" else "YYYY-MM-DD HH:MM[:SS]"
    refused = [
        (number, f"numeric {col.kind} value(s)",
         f"a number is ambiguous (YYYYMMDD? days or seconds since 1970?): store them as a date type or as {form} text"),
        ((~formed & ~number) | (lost & ~unheld), f"unparsable {col.kind} value(s)", f"write them as {form}"),
        (unheld, f"{col.kind} value(s) outside 1677-09-22 .. 2262-04-11", "pandas cannot hold them: fix the year"),
    ]
    return stamps.dt.tz_localize(None).to_numpy(), parts[3].notna().to_numpy(), refused


def _moments(col: Column, s: pd.Series, timezone: str | None) -> tuple[pd.Series, list[_Bad]]:
    """Dates and timestamps: naive values as given, time-zone-aware ones moved to `timezone` (refused without)."""
    bads = []
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s):
        zoned = isinstance(s.dtype, pd.DatetimeTZDtype)
        utc = s.dt.tz_convert("UTC").dt.tz_localize(None) if zoned else s
        unheld = (utc.notna() & ((utc < pd.Timestamp.min) | (utc > pd.Timestamp.max))).to_numpy()
        bads.append(_Bad(np.flatnonzero(unheld), f"{col.kind} value(s) outside 1677-09-22 .. 2262-04-11",
                         "pandas cannot hold them: fix the year"))
        utc = utc.mask(unheld).astype("datetime64[ns]")
        aware = utc.notna().to_numpy() & zoned
    else:  # text, Python dates and anything else: checked once per distinct value
        codes, uniques = pd.factorize(s)
        per_value, zoned_values, refused = _parse_moments(col, pd.Index(uniques, dtype=object))
        bads += [_Bad(_positions(codes, flags), what, fix) for flags, what, fix in refused]
        utc = pd.Series(np.append(per_value, np.datetime64("NaT", "ns"))[codes], index=s.index)
        aware = np.append(zoned_values, False)[codes]
    naive = utc.notna().to_numpy() & ~aware
    zoned_rows = f"time-zone-aware {col.kind} value(s)"
    if aware.any() and naive.any():
        first = int(np.flatnonzero(naive)[0])
        bads.append(_Bad(np.flatnonzero(aware), zoned_rows,
                         f"other rows have no UTC offset (e.g. row {first + 1}: {_show(s.iloc[first])}), so the "
                         "column mixes zoned and local times: write every value with its offset, or none"))
        utc = utc.mask(aware)
    elif aware.any() and timezone is None:
        bads.append(_Bad(np.flatnonzero(aware), zoned_rows,
                         "set data.timezone in the profile to the zone the ERP counts days in (e.g. Europe/Berlin), "
                         "or write local times without a UTC offset"))
        utc = utc.mask(aware)
    elif aware.any():
        utc = utc.dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[ns]")
    if col.kind == "date":
        timed = (utc.notna() & (utc != utc.dt.normalize())).to_numpy()
        bads.append(_Bad(np.flatnonzero(timed), "date value(s) with a time of day",
                         "a date column holds whole days: write YYYY-MM-DD"))
    return utc.astype("datetime64[ns]"), bads


def _numbers(col: Column, s: pd.Series) -> tuple[pd.Series, list[_Bad]]:
    """Ints and floats: finite, and ints whole and within the databases' 32-bit INTEGER."""
    kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else getattr(s.dtype, "kind", "O")
    if kind in "bMm":  # flags, dates or durations: pandas would turn them into 0/1 or nanoseconds
        wrong = _Bad(np.flatnonzero(s.notna().to_numpy()), f"unparsable {col.kind} value(s)",
                     f"the column holds {s.dtype} values: store numbers")
        return pd.Series(np.nan, index=s.index, dtype="Int64" if col.kind == "int" else "float64"), [wrong]
    bads = []
    v = pd.Series(pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan), index=s.index)
    lost = v.isna().to_numpy() & s.notna().to_numpy()
    said = np.zeros(len(s), dtype=bool)
    overflow = np.zeros(len(s), dtype=bool)
    if lost.any():  # "nan" text, "1e400" (pandas gives NaN), or not a number at all
        at = np.flatnonzero(lost)
        text = [str(x).strip() for x in s.iloc[at]]
        said[at] = [bool(_NON_FINITE_TEXT.fullmatch(t)) for t in text]
        overflow[at] = [_overflows(t) for t in text]
        bads.append(_Bad(np.flatnonzero(lost & ~said & ~overflow), f"unparsable {col.kind} value(s)"))
    infinite = np.isinf(v.to_numpy())
    bads.append(_Bad(np.flatnonzero(said | infinite), "non-finite value(s)",
                     "write a finite number, or leave the cell empty when it is unknown"))
    v = v.mask(infinite)
    if col.kind == "int":
        broken = (v.notna() & (v != v.round())).to_numpy()
        bads.append(_Bad(np.flatnonzero(broken), "int value(s) not whole", "write whole numbers"))
        overflow |= ((v < _INT_RANGE[0]) | (v > _INT_RANGE[1])).to_numpy()
        v = v.mask(broken | overflow)
    bads.append(_Bad(np.flatnonzero(overflow), f"out-of-range {col.kind} value(s)",
                     f"an int column holds {_INT_RANGE[0]} .. {_INT_RANGE[1]} (the databases' INTEGER)"
                     if col.kind == "int" else "the number is beyond the largest float (about 1.8e308)"))
    return (v.round().astype("Int64") if col.kind == "int" else v), bads


def _overflows(text: str) -> bool:
    """Whether text is a number too large for a float ("1e400")."""
    try:
        return math.isinf(float(text)) and not _NON_FINITE_TEXT.fullmatch(text)
    except ValueError:
        return False


def _flags(s: pd.Series) -> tuple[pd.Series, list[_Bad]]:
    """Booleans from bools or from true/false, 1/0, yes/no, t/f text (any case)."""
    mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
               "t": True, "f": False, "1.0": True, "0.0": False}
    out = s.map(lambda v: v if isinstance(v, (bool, np.bool_)) else mapping.get(str(v).strip().lower()))
    out = out.astype("boolean")
    return out, [_Bad(np.flatnonzero(out.isna().to_numpy() & s.notna().to_numpy()), "unparsable bool value(s)")]


def _coerce(table: Table, col: Column, s: pd.Series, timezone: str | None = None) -> tuple[pd.Series, list[_Bad]]:
    """Return the column in its canonical dtype (refused values missing) and the rules its values break."""
    if col.kind in ("id", "str"):
        return _texts(table, col, s)
    if col.kind in ("date", "timestamp"):
        return _moments(col, s, timezone)
    if col.kind in ("int", "float"):
        return _numbers(col, s)
    return _flags(s)


def coerce_table(table: Table, df: pd.DataFrame, origin: dict[str, str] | None = None,
                 timezone: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Put `df` into the canonical column order and dtypes; return it with the problems found.

    Time-zone-aware times are converted to `timezone` and made naive; without a zone they are refused.
    """
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
        given = df[col.name] if col.name in df.columns else pd.Series(pd.NA, index=df.index, dtype="object")
        values, bads = _coerce(table, col, given, timezone)
        refused = False
        for bad in (b for b in bads if len(b.positions)):
            examples = ", ".join(_show(given.iloc[i]) for i in bad.positions[:_EXAMPLES])
            fix = f"; {bad.fix}" if bad.fix else ""
            problems.append(f"{where}: {len(bad.positions)} {bad.what} in {col.name} at {_rows(bad.positions)} "
                            f"(e.g. {examples}){fix}")
            refused = True
        nulls = np.flatnonzero(values.isna().to_numpy())
        if not col.nullable and len(nulls) and not refused:
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
    if table.name == "dim_calendar":
        problems += _calendar_problems(df, where)
    if table.name == "promotion":
        problems += _promotion_problems(df, where)
    if "discount" in df.columns:
        problems += _discount_problems(table, df, where)
    return problems


def _calendar_problems(df: pd.DataFrame, where: str) -> list[str]:
    """Each calendar column must say what its date says: the models and SQL roll-ups read them, not the date."""
    d = df["date"]
    expected = {"weekday": d.dt.weekday, "week_of_year": d.dt.isocalendar().week.astype("Int64"),
                "week_start": d - pd.to_timedelta(d.dt.weekday, unit="D"), "month": d.dt.month, "year": d.dt.year,
                "is_weekend": d.dt.weekday >= 5}
    problems = []
    for col, want in expected.items():
        pos = np.flatnonzero((df[col].notna() & (df[col] != want)).fillna(False).to_numpy(dtype=bool))
        if len(pos):
            i = pos[0]
            problems.append(f"{where}: {len(pos)} {col} value(s) that disagree with the date at {_rows(pos)} "
                            f"(e.g. {d.iloc[i]:%Y-%m-%d} has {_show(df[col].iloc[i])}, the date gives "
                            f"{_show(want.iloc[i])}); weekday counts 0 = Monday .. 6 = Sunday, week_of_year is the "
                            "ISO week: fix them, or leave dim_calendar out and skulab builds it")
    return problems


def _promotion_problems(df: pd.DataFrame, where: str) -> list[str]:
    """A promotion ends on or after the day it starts, and its scope is one skulab reads."""
    problems = []
    pos = np.flatnonzero((df["end_date"] < df["start_date"]).fillna(False).to_numpy(dtype=bool))
    if len(pos):
        first = df.iloc[pos[0]]
        problems.append(f"{where}: {len(pos)} promotion(s) ending before they start at {_rows(pos)} (e.g. promo_id "
                        f"{first['promo_id']}: {first['start_date']:%Y-%m-%d} .. {first['end_date']:%Y-%m-%d}); "
                        "swap or fix the dates")
    kind = scope.parse(df["scope"])["kind"]
    pos = np.flatnonzero((kind.isna() | ~kind.isin(scope.PROMOTION_KINDS)).to_numpy(dtype=bool))
    if len(pos):
        problems.append(f"{where}: {len(pos)} scope(s) skulab cannot read at {_rows(pos)} (e.g. "
                        f"{df['scope'].iloc[pos[0]]!r}); {scope.GRAMMAR}")
    return problems


def _discount_problems(table: Table, df: pd.DataFrame, where: str) -> list[str]:
    """A discount is the share taken off the price: below 1, and for a promotion not negative.

    fact_sales may hold a negative discount (a promoted price above the base price, as real data has)."""
    v = df["discount"].to_numpy(dtype="float64", na_value=np.nan)
    low = 0.0 if table.name == "promotion" else -np.inf
    pos = np.flatnonzero((v < low) | (v >= 1))
    if not len(pos):
        return []
    span = "[0, 1)" if table.name == "promotion" else "below 1"
    return [(f"{where}: {len(pos)} discount value(s) not {span} at {_rows(pos)} (e.g. {v[pos[0]]:g}); write the "
             "share taken off the price, e.g. 0.2 for 20% off")]


def _gap_problems(tables: dict[str, pd.DataFrame], origin: dict[str, str]) -> list[str]:
    """Sales dates split by a gap of over five years: the smaller side holds a mistyped year (1924 among 2024)."""
    parts = [(name, col, tables[name][col].dt.normalize()) for name, col in _SALES_DATES if name in tables]
    days = [s.dropna().to_numpy() for _, _, s in parts]
    uniq, counts = np.unique(np.concatenate(days), return_counts=True) if days else (np.array([]), np.array([]))
    cuts = np.flatnonzero(np.diff(uniq) > np.timedelta64(_GAP_DAYS, "D")) + 1 if len(uniq) > 1 else []
    if not len(cuts):
        return []
    main = max(np.split(np.arange(len(uniq)), cuts), key=lambda group: counts[group].sum())
    lo, hi = pd.Timestamp(uniq[main[0]]), pd.Timestamp(uniq[main[-1]])
    problems = []
    for name, col, s in parts:
        pos = np.flatnonzero((s.notna() & ((s < lo) | (s > hi))).to_numpy())
        if len(pos):
            shown = ", ".join(f"{v:%Y-%m-%d}" for v in s.iloc[pos[:_EXAMPLES]])
            problems.append(f"{_where(origin, name)}: {len(pos)} {col} value(s) more than 5 years away from the "
                            f"other sales dates at {_rows(pos)} (e.g. {shown}; the rest run {lo:%Y-%m-%d} .. "
                            f"{hi:%Y-%m-%d}); a mistyped year? The dates of fact_sales, orders and promotion may "
                            "have no gap of more than 5 years: fix them")
    return problems


def _fold(text: str) -> str:
    """An id as MariaDB's default collation compares it: case, accents and Unicode form ignored."""
    if text.isascii():
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _spelling_problems(tables: dict[str, pd.DataFrame], origin: dict[str, str]) -> list[str]:
    """Ids of one kind (one column name, in every table) spelt two ways that MariaDB takes as one id."""
    first: dict[str, dict[str, tuple[str, int]]] = {}  # kind -> spelling -> (table, row) where it first occurs
    for name, df in tables.items():
        for col in (c.name for c in TABLES[name].columns if c.kind == "id"):
            codes, uniques = pd.factorize(df[col])
            seen = first.setdefault(col, {})
            firsts = pd.Series(codes).drop_duplicates()  # codes count up in order of first appearance
            for code, row in zip(firsts.to_numpy(), firsts.index):
                if code >= 0:
                    seen.setdefault(uniques[code], (name, int(row)))
    problems = []
    for kind, seen in first.items():
        folded: dict[str, list[str]] = {}
        for text in seen:
            folded.setdefault(_fold(text), []).append(text)
        clashes = [spellings for spellings in folded.values() if len(spellings) > 1]
        if clashes:
            a, b = clashes[0][:2]
            (ta, ra), (tb, rb) = seen[a], seen[b]
            quote = ascii if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b) else repr
            there = "" if ta == tb else f"{_where(origin, tb)} "
            more = f" ({len(clashes)} ids are spelt so)" if len(clashes) > 1 else ""
            problems.append(f"{_where(origin, ta)}: {kind} {quote(a)} at row {ra + 1} and {quote(b)} at {there}row "
                            f"{rb + 1} differ only in case, accents or Unicode form{more}, which MariaDB takes as one "
                            "id and DuckDB and PostgreSQL as two: spell each id one way")
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


def validate(tables: dict[str, pd.DataFrame], origin: dict[str, str] | None = None,
             timezone: str | None = None) -> dict[str, pd.DataFrame]:
    """Coerce every known table and check values, keys and references; raise one DataError listing all problems.

    `origin` maps a table name to the file it came from, so messages say where to look.
    Unknown table names are an error too (a typo would otherwise be ignored). Time-zone-aware times are
    converted to `timezone` (an IANA name) and made naive; without one they are refused.
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
        coerced, found = coerce_table(TABLES[name], df, origin, timezone)
        problems += found
        if not found:
            out[name] = coerced
            problems += _value_problems(TABLES[name], coerced, _where(origin, name))
    for name in out:
        problems += _ref_problems(TABLES[name], out, _where(origin, name))
    problems += _gap_problems(out, origin) + _spelling_problems(out, origin)
    if "covariate" in out:
        from skulab.data import covariates  # its checks quote rows as this module does

        problems += covariates.problems(out, _where(origin, "covariate"))
    if problems:
        raise DataError("; ".join(problems))
    return out
