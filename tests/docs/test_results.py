"""docs/results.md quotes the committed summaries: every figure in its tables equals its source file's cell.

Each table in docs/results.md follows a marker naming where its figures come from, e.g.

    <!-- source: reports/demo/forecast_vs_anchor.csv; key: forecast;
         columns: forecast | - | window 1 | window 2 | window 3 | window 4 | mean | gain_vs_anchor -->

- `source`: a committed file under reports/ (.csv; .json holding a list of records, or `file.json#name` for the list
  under a top-level key). An unnamed first CSV column (a pandas index) is called `_`.
- `columns`: one entry per column of the Markdown table, in order: a source column, several joined by `+` (a
  cell such as `24.2 % [23.4, 25.3]` quotes three), `-` for a column of words that is not checked, and `*100` after
  a column for figures printed as points (a difference of 0.031 shown as +3.1).
- `key`: the source columns whose cells name the row (they are columns of the table too); `where` (optional):
  `column=value, ...` keeps only the source rows with those values.

A printed number matches when it equals the source rounded to the printed decimals; a cell with `%` compares
with the source times 100. A source cell of text matches when the words are equal or its numbers are.
The sources are read from the markers: nothing here lists them.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "results.md"

MARKER = re.compile(r"<!--\s*source:(.*?)-->", re.DOTALL)
NUMBER = re.compile(r"(?<![\w.])[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?")
SCALED = re.compile(r"^(.*?)\s*\*\s*(\d+(?:\.\d+)?)$")


@dataclass
class Table:
    """One Markdown table of the results file and the marker above it."""

    line: int  # 1-based line of the table's header in the results file
    source: str
    key: list[str]
    where: dict[str, str]
    columns: list[list[tuple[str, float | None]]]  # per table column: (source column, explicit scale); [] = words
    header: list[str]
    rows: list[list[str]]

    @property
    def id(self) -> str:
        return f"line {self.line}: {self.source}"


@dataclass
class Check:
    """What comparing one table found: problems, and how many figures matched."""

    problems: list[str] = field(default_factory=list)
    figures: int = 0


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _spec(text: str, line: int) -> dict[str, str]:
    parts = [p.strip() for p in " ".join(text.split()).split(";")]
    spec = {"source": parts[0]}
    for part in parts[1:]:
        name, _, value = part.partition(":")
        if not _ or name.strip() not in ("key", "where", "columns"):
            raise ValueError(f"results.md line {line}: marker field {part!r} is not key:, where: or columns:")
        spec[name.strip()] = value.strip()
    return spec


def _column(entry: str) -> list[tuple[str, float | None]]:
    if entry.strip() == "-":
        return []
    out = []
    for name in entry.split("+"):
        name = name.strip()
        m = SCALED.match(name)
        out.append((m.group(1).strip(), float(m.group(2))) if m else (name, None))
    return out


def parse(text: str) -> list[Table]:
    """Every table of a results file with its marker; a table without a marker is an error."""
    lines = text.splitlines()
    markers = {text.count("\n", 0, m.end()) + 1: m for m in MARKER.finditer(text)}  # last line of each marker
    tables, i = [], 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            i += 1
            continue
        start = i
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            i += 1
        above = start  # 1-based number of the line above the table
        while above > 0 and not lines[above - 1].strip():
            above -= 1
        if above not in markers:
            raise ValueError(f"results.md line {start + 1}: a table without a <!-- source: ... --> marker above it")
        spec = _spec(markers[above].group(1), above)
        body = [_cells(row) for row in lines[start + 2:i]]
        tables.append(Table(
            line=start + 1, source=spec["source"],
            key=[k.strip() for k in spec.get("key", "").split(",") if k.strip()],
            where={kv.split("=", 1)[0].strip(): kv.split("=", 1)[1].strip()
                   for kv in spec.get("where", "").split(",") if kv.strip()},
            columns=[_column(c) for c in spec.get("columns", "").split("|")],
            header=_cells(lines[start]), rows=body))
    return tables


def read_source(root: Path, source: str) -> list[dict[str, object]]:
    """The records of a source file: CSV rows as text, or JSON records as stored."""
    path, _, member = source.partition("#")
    file = root / path
    if file.suffix == ".csv":
        with file.open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = [h or "_" for h in next(reader)]
            return [dict(zip(header, row)) for row in reader]
    if file.suffix == ".json":
        data = json.loads(file.read_text(encoding="utf-8"))
        data = data[member] if member else data
        if not (isinstance(data, list) and all(isinstance(r, dict) for r in data)):
            raise ValueError(f"{source}: not a list of records")
        return data
    raise ValueError(f"{source}: a source is a .csv or .json file")


def _number(value: object) -> float | None:
    """A source cell as a number; None for text, empty cells and NaN."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return None if math.isnan(value) else float(value)
    try:
        x = float(str(value))
    except ValueError:
        return None
    return None if math.isnan(x) else x


def _empty(value: object) -> bool:
    return value is None or str(value).strip().lower() in ("", "nan") or (isinstance(value, float) and math.isnan(value))


def _norm(text: object) -> str:
    return " ".join(str(text).replace("**", "").replace("`", "").split()).lower()


def numbers(text: str) -> list[tuple[float, int]]:
    """The numbers printed in a cell, each with the power of ten of its last digit negated: its decimals
    ('1,709,058' is one number with 0, '0.545' has 3, '1.5e-03' has 4)."""
    out = []
    for m in NUMBER.finditer(text.replace("**", "")):
        s = m.group(0).replace(",", "")
        mantissa, _, exponent = s.lower().partition("e")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        out.append((float(s), decimals - int(exponent or 0)))
    return out


def same(printed: float, decimals: int, value: float) -> bool:
    """The printed number is `value` rounded to `decimals` (either way at an exact half)."""
    return abs(printed - value) <= 0.5 * 10.0 ** -decimals + 1e-9 * max(1.0, abs(value))


def _names_row(cell: str, value: object, scale: float | None) -> bool:
    """A key cell names a source row: the same words, or (for a number) the same number as printed."""
    if _number(value) is None:
        return _norm(cell) == _norm(value)
    return compare(cell, [value], [scale]) is None


def compare(cell: str, values: list[object], scales: list[float | None]) -> str | None:
    """None when a doc cell quotes these source values; else what differs."""
    cell = cell.replace("**", "").replace("`", "").strip()
    if all(_empty(v) for v in values):
        return None if cell in ("", "-", "–") else f"{cell!r} but the source is empty"
    nums = [_number(v) for v in values]
    if len(values) == 1 and nums[0] is None:  # a text cell: equal words, or equal numbers
        if _norm(cell) == _norm(values[0]):
            return None
        mine, theirs = numbers(cell), numbers(str(values[0]))
        if theirs and len(mine) == len(theirs) and all(same(p, d, v) for (p, d), (v, _) in zip(mine, theirs)):
            return None
        return f"{cell!r} but the source says {values[0]!r}"
    if any(n is None for n in nums):
        return f"{cell!r}: the source cells {values!r} are not all numbers"
    printed = numbers(cell)
    if len(printed) != len(nums):
        return f"{cell!r} prints {len(printed)} number(s) for {len(nums)} source column(s)"
    for (p, d), v, s in zip(printed, nums, scales):
        scale = s if s is not None else (100.0 if "%" in cell else 1.0)
        if not same(p, d, v * scale):
            return f"{cell!r} but the source gives {v * scale:.6g}"
    return None


def check(table: Table, root: Path = ROOT) -> Check:
    """Compare every checked cell of one table with its source file."""
    out = Check()
    if len(table.columns) != len(table.header):
        out.problems.append(f"{table.id}: the marker names {len(table.columns)} columns, the table has "
                            f"{len(table.header)}")
        return out
    records = read_source(root, table.source)
    known = set().union(*(r.keys() for r in records)) if records else set()
    wanted = {name for entry in table.columns for name, _ in entry} | set(table.key) | set(table.where)
    if wanted - known:
        out.problems.append(f"{table.id}: no column(s) {sorted(wanted - known)} in the source")
        return out
    records = [r for r in records if all(_norm(r[c]) == _norm(v) for c, v in table.where.items())]
    key_at = {}
    for name in table.key:
        at = [i for i, entry in enumerate(table.columns) if [n for n, _ in entry] == [name]]
        if not at:
            out.problems.append(f"{table.id}: key column {name!r} is not a column of the table")
            return out
        key_at[name] = at[0]
    for row in table.rows:
        if len(row) != len(table.header):
            out.problems.append(f"{table.id}: row {row!r} has {len(row)} cells for {len(table.header)} columns")
            continue
        matches = [r for r in records
                   if all(_names_row(row[i], r[name], table.columns[i][0][1]) for name, i in key_at.items())]
        label = " / ".join(row[i] for i in key_at.values()) or "(no key)"
        if len(matches) != 1:
            out.problems.append(f"{table.id}: row {label!r} matches {len(matches)} source rows, not one")
            continue
        for i, entry in enumerate(table.columns):
            if not entry or i in key_at.values():
                continue
            why = compare(row[i], [matches[0][name] for name, _ in entry], [s for _, s in entry])
            if why:
                out.problems.append(f"{table.id}: row {label!r}, column {table.header[i]!r}: {why}")
            else:
                out.figures += 1
    return out


TABLES = parse(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else []


def test_results_file_quotes_committed_summaries() -> None:
    assert len(TABLES) >= 10, "docs/results.md should hold the result tables, each under a source marker"
    for source in sorted({t.source.partition("#")[0] for t in TABLES}):
        assert source.startswith("reports/") and (ROOT / source).is_file(), f"{source}: not a file under reports/"
    if shutil.which("git") and (ROOT / ".git").exists():
        sources = sorted({t.source.partition("#")[0] for t in TABLES})
        tracked = subprocess.run(["git", "ls-files", "--", *sources], cwd=ROOT, capture_output=True, text=True,
                                 check=False)
        missing = set(sources) - set(tracked.stdout.split())
        assert tracked.returncode == 0 and not missing, f"sources not committed: {sorted(missing)}"


@pytest.mark.parametrize("table", TABLES, ids=[t.id for t in TABLES])
def test_table_figures_equal_their_source(table: Table) -> None:
    result = check(table)
    assert not result.problems, "\n".join(result.problems)
    assert result.figures > 0, f"{table.id}: no figure is checked (every column is '-')"


def test_results_file_reads_as_the_current_state() -> None:
    """History (rounds, issues, aims met or missed, what changed) belongs in notes, not in the results."""
    text = RESULTS.read_text(encoding="utf-8")
    found = re.findall(r"\b(?:rounds?|issues?|sessions?|aims?|met|missed|previously|no longer)\b", text, re.IGNORECASE)
    assert not found, f"history words in docs/results.md: {sorted(set(found))}"
    assert "../shared" not in text and "REFERENCES.md" not in text, "published sources are named in words"


# ------------------------------------------------------------------ the check itself can fail

def test_rounding_percent_and_points() -> None:
    assert compare("12.3 %", ["0.123"], [None]) is None
    assert compare("12.3 %", ["0.1245"], [None]) is not None
    assert compare("0.545", ["0.54520"], [None]) is None
    assert compare("0.546", ["0.54520"], [None]) is not None
    assert compare("+3.1 [+2.3, +4.0]", [0.0305, 0.0231, 0.0399], [100.0, 100.0, 100.0]) is None
    assert compare("-3.1 [+2.3, +4.0]", [0.0305, 0.0231, 0.0399], [100.0, 100.0, 100.0]) is not None
    assert compare("1,709,058", ["1709058"], [None]) is None
    assert compare("3.07x (Double 11)", ["3.07x (Double 11)"], [None]) is None
    assert compare("3.1x (Double 11)", ["3.07x (Double 11)"], [None]) is None
    assert compare("3.2x (Double 11)", ["3.07x (Double 11)"], [None]) is not None
    assert compare("", [None], [None]) is None and compare("0.1", [""], [None]) is not None


def _doctor(text: str, table: Table) -> str:
    """The results text with the first checked figure of `table` moved by one unit of its last printed digit."""
    lines = text.splitlines()
    keys = {i for i, entry in enumerate(table.columns) for name in table.key if [n for n, _ in entry] == [name]}
    for r, row in enumerate(table.rows):
        for i, entry in enumerate(table.columns):
            if entry and i not in keys and numbers(row[i]):
                m = list(NUMBER.finditer(row[i]))[-1]
                digit = int(m.group(0)[-1])
                cells = list(row)
                cells[i] = row[i][:m.end() - 1] + str((digit + 5) % 10) + row[i][m.end():]
                lines[table.line + 1 + r] = "| " + " | ".join(cells) + " |"  # 0-based: header, separator, rows
                return "\n".join(lines) + "\n"
    raise AssertionError(f"{table.id}: no figure to change")


def test_a_changed_figure_in_the_results_file_fails() -> None:
    text = RESULTS.read_text(encoding="utf-8")
    for table in TABLES[:3] + TABLES[-1:]:
        doctored = next(t for t in parse(_doctor(text, table)) if t.line == table.line)
        assert check(doctored).problems, f"{table.id}: a changed figure went unnoticed"


def test_a_changed_source_fails(tmp_path: Path) -> None:
    table = next(t for t in TABLES if t.source.endswith(".csv"))
    target = tmp_path / table.source
    target.parent.mkdir(parents=True)
    rows = list(csv.reader((ROOT / table.source).open(newline="", encoding="utf-8")))
    assert check(table, root=ROOT).problems == []
    checked = [name for entry in table.columns for name, _ in entry if name not in table.key]
    col = [h or "_" for h in rows[0]].index(checked[0])
    for row in rows[1:]:
        if _number(row[col]) is not None:
            row[col] = str(_number(row[col]) * 1.5 + 1)
    with target.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    assert check(table, root=tmp_path).problems


def test_a_table_without_a_marker_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="without a <!-- source"):
        parse("# results\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
