"""Mutated bring-your-own files through the real `skulab erp build`: loaded as given, or one line and exit 2.

Each example writes the small valid tables as files, mutates them (a column's type, the encoding, an empty
or missing file, duplicated rows, non-finite numbers, time zones, NUL bytes, long or case-variant ids,
header-only files, arbitrary text), sometimes over an ERP an earlier build filled, and checks the outcome:
exit 0 with every table holding as many rows as its file, or exit 2 with exactly one stderr line `error: ...`
and the ERP as it was. Anything else (a traceback, another exit status, a table emptied) is a bug.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skulab import cli
from skulab.data import files
from skulab.data.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
CI = yaml.safe_load((ROOT / "params" / "ci.yaml").read_text())
NAMES = ["dim_fdc", "dim_sku", "dim_store", "dim_calendar", "fact_sales", "orders", "order_line"]
_RUNS = itertools.count()

Mutation = Callable[[Path], None]


def _frame(folder: Path, table: str) -> pd.DataFrame:
    """The table's CSV rows as text; no rows when an earlier mutation removed or garbled the file."""
    try:
        return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, ValueError):  # missing, not UTF-8, empty
        return pd.DataFrame()


def _save(folder: Path, table: str, df: pd.DataFrame) -> None:
    df.to_csv(folder / f"{table}.csv", index=False)


def _set_cell(table: str, row: int, column: str, value: str) -> Mutation:
    def run(folder: Path) -> None:
        df = _frame(folder, table)
        if len(df) and column in df.columns:
            df.loc[row % len(df), column] = value
            _save(folder, table, df)
    return run


def _retype(table: str, column: str, how: str) -> Mutation:
    """The table as parquet with one column converted: to floats, ints, (zoned) datetimes or a category, or text."""
    def run(folder: Path) -> None:
        src = folder / f"{table}.csv"
        df = _frame(folder, table)
        if df.empty and df.columns.empty:
            return
        s = df[column] if column in df.columns else pd.Series(dtype=object)
        if how == "float":
            s = pd.to_numeric(s, errors="coerce")
        elif how == "int" and pd.to_numeric(s, errors="coerce").notna().all():
            s = pd.to_numeric(s).round().astype("int64")
        elif how in ("datetime", "zoned"):
            s = pd.to_datetime(s, errors="coerce", format="ISO8601")
            s = s.dt.tz_localize("Asia/Tokyo") if how == "zoned" else s
        elif how == "category":
            s = s.astype("category")
        if column in df.columns:
            df[column] = s
        src.unlink()
        df.to_parquet(folder / f"{table}.parquet", index=False)
    return run


def _encode(table: str, encoding: str) -> Mutation:
    def run(folder: Path) -> None:
        f = folder / f"{table}.csv"
        if not _frame(folder, table).columns.empty:
            text = f.read_text(encoding="utf-8-sig").replace("Shirt", "Sh\u00efrt").replace("East", "\u00c9ast")
            f.write_bytes(text.encode(encoding))
    return run


def _empty(table: str, how: str) -> Mutation:
    def run(folder: Path) -> None:
        f = folder / f"{table}.csv"
        df = _frame(folder, table)
        if df.empty and df.columns.empty:
            return
        if how == "missing":
            f.unlink()
        elif how == "zero-bytes":
            f.write_bytes(b"")
        else:
            _save(folder, table, df.iloc[:0])
    return run


def _duplicate(table: str, row: int) -> Mutation:
    def run(folder: Path) -> None:
        df = _frame(folder, table)
        if len(df):
            _save(folder, table, pd.concat([df, df.iloc[[row % len(df)]]]))
    return run


def _zone(table: str, column: str, suffix: str, every: bool) -> Mutation:
    def run(folder: Path) -> None:
        df = _frame(folder, table)
        if len(df) and column in df.columns and isinstance(df[column].iloc[0], str):
            zoned = df[column].str.replace(" ", "T") + ("T00:00:00" if len(df[column].iloc[0]) == 10 else "") + suffix
            df[column] = zoned if every else df[column].where(df.index > 0, zoned)
            _save(folder, table, df)
    return run


def _case_variant(table: str, column: str, row: int) -> Mutation:
    def run(folder: Path) -> None:
        df = _frame(folder, table)
        if len(df) and column in df.columns:
            i = row % len(df)
            value = df[column].iloc[i]
            if isinstance(value, str):
                df.loc[i, column] = value.swapcase()
                _save(folder, table, df)
    return run


def _cells() -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from([(t, c.name) for t in NAMES for c in TABLES[t].columns])


def _columns(kinds: tuple[str, ...]) -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from([(t, c.name) for t in NAMES for c in TABLES[t].columns if c.kind in kinds])


ROWS = st.integers(0, 6)
MUTATIONS = st.one_of(
    st.builds(lambda tc, how: _retype(*tc, how), _cells(),
              st.sampled_from(["float", "int", "datetime", "zoned", "category", "text"])),
    st.builds(_encode, st.sampled_from(NAMES), st.sampled_from(["latin-1", "utf-16", "utf-16-le", "utf-8-sig"])),
    st.builds(_empty, st.sampled_from(NAMES), st.sampled_from(["missing", "zero-bytes", "header-only"])),
    st.builds(_duplicate, st.sampled_from(NAMES), ROWS),
    st.builds(lambda tc, row, v: _set_cell(tc[0], row, tc[1], v), _columns(("int", "float")), ROWS,
              st.sampled_from(["inf", "-inf", "nan", "NaN", "1e400", "3000000000", "7.5", "-0", "1e-320"])),
    st.builds(lambda tc, suffix, every: _zone(*tc, suffix, every),
              st.sampled_from([("orders", "ts"), ("fact_sales", "date"), ("dim_sku", "launch_date")]),
              st.sampled_from(["Z", "+02:00", "-0500", "+00:00"]), st.booleans()),
    st.builds(lambda tc, row: _set_cell(tc[0], row, tc[1], "a\x00b"), _columns(("id", "str")), ROWS),
    st.builds(lambda tc, row, n: _set_cell(tc[0], row, tc[1], "x" * n), _columns(("id", "str")), ROWS,
              st.sampled_from([64, 65, 255, 256, 300])),
    st.builds(lambda tc, row: _case_variant(*tc, row), _columns(("id",)), ROWS),
    st.builds(lambda tc, row, v: _set_cell(tc[0], row, tc[1], v), _cells(), ROWS, st.text(max_size=12)),
)


def _rows(folder: Path) -> dict[str, int]:
    """Data rows of each table file (CSV rows after the header, blank lines skipped; parquet rows)."""
    counts = {}
    for f in folder.iterdir():
        if f.suffix == ".parquet":
            counts[f.stem] = pq.ParquetFile(f).metadata.num_rows
        else:
            with f.open(newline="", encoding="utf-8-sig") as fh:
                counts[f.stem] = sum(1 for row in csv.reader(fh) if row) - 1
    return counts


def _db_rows(db: Path) -> dict[str, int]:
    if not db.exists():
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in NAMES if t in present}


def _build(root: Path, db: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["erp", "build", "--params", "params/own.yaml", "--db", f"duckdb:///{db}"])
    return code, err.getvalue()


@pytest.mark.slow  # about 15 s: 50 builds
@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=3), prebuilt=st.booleans(),
       timezone=st.sampled_from([None, "UTC", "Europe/Berlin"]))
def test_mutated_files_load_as_given_or_fail_in_one_line(mutations: list[Mutation], prebuilt: bool,
                                                         timezone: str | None, small_tables: dict, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / f"run{next(_RUNS)}"
    (root / "params").mkdir(parents=True)
    data = {"source": "files", "path": "files", "timezone": timezone}
    profile = {k: v for k, v in CI.items() if k != "data"} | {"profile": "own", "data": data}
    (root / "params" / "own.yaml").write_text(yaml.safe_dump(profile))
    monkeypatch.setenv("SKULAB_ROOT", str(root))
    monkeypatch.delenv("SKULAB_DB_URL", raising=False)
    monkeypatch.chdir(root)
    folder, db = root / "files", root / "erp.duckdb"
    files.write(small_tables, folder)
    if prebuilt:
        assert _build(root, db) == (0, "")
    before = _db_rows(db)
    for mutate in mutations:
        mutate(folder)

    code, err = _build(root, db)

    after = _db_rows(db)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        assert after == before, "a refused build changed the ERP"
        return
    assert (code, err) == (0, ""), err
    given_rows = _rows(folder)
    assert {t: n for t, n in after.items() if t in given_rows} == given_rows, "rows lost or added on the way"
    assert not [t for t, n in before.items() if n and not after.get(t)], "a populated table was emptied"
