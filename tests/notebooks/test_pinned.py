"""Pinned figures: every chapter, run on the ci profile, reproduces the key figures committed in tests/expected/ci/.

nbval proves that the notebooks run as committed; this proves that their results did not move (the pattern of
microsoft/recommenders' notebook tests). Under `make test` the figures are the ones nbval's run of the
notebooks just wrote to reports/ci/ (these tests are ordered after the notebooks, so nothing runs twice);
run alone, each chapter is executed once with papermill into a temporary project root.

A change that moves a result fails until the expected values are updated on purpose:

    .venv/bin/pytest tests/notebooks/test_pinned.py --update-pinned     # then review `git diff tests/expected`
"""

from __future__ import annotations

import csv
import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "tests" / "expected" / "ci"
RUN_AFTER_NOTEBOOKS = True  # conftest orders these tests after nbval's notebook items
UPDATE = "pytest tests/notebooks/test_pinned.py --update-pinned"


@dataclass(frozen=True)
class Tolerance:
    """How far a figure may move: `rel`/`abs` for numbers, `last_digits` units of the last printed digit.

    Whole numbers (counts, folds, K, epochs) must always match exactly; so must every word of a text figure.
    """

    name: str
    rel: float
    abs: float
    last_digits: int


# Deterministic code on a seeded generator: the demo data, order types, heuristics, the MIP, the bound.
EXACT = Tolerance("exact", rel=1e-9, abs=1e-12, last_digits=0)
# Models trained in floating point (AutoGluon, SKU2Vec, the net): run to run they move in the last bits
# (1e-16 measured); 1e-4 absorbs that and still catches any real change (one order of a ci week moves a
# fill by more than 1e-2, a changed model or feature moves a WQL by far more than 1e-4).
FITTED = Tolerance("fitted", rel=1e-4, abs=1e-9, last_digits=1)


@dataclass(frozen=True)
class Table:
    """The pinned cells of one report file: rows named by `key` columns (none: the first column)."""

    file: str
    columns: tuple[str, ...] = ("value",)
    key: tuple[str, ...] = ()
    tolerance: Tolerance = FITTED
    skip_rows: tuple[str, ...] = ()  # prefixes of row names left out (figures that depend on the machine)


# chapter (notebook stem) -> the figures it pins; wall times ("seconds" in a row or column name) never count
CHAPTERS: dict[str, tuple[Table, ...]] = {
    "01_eda": (Table("01_key_figures.csv", tolerance=EXACT),),
    # the frat rows appear only where the shared real data is
    "02_features": (Table("02_key_figures.csv", tolerance=EXACT, skip_rows=("frat:",)),),
    "03_forecast_models": (
        Table("forecast_key_figures.csv"),
        Table("forecast_vs_anchor.csv", ("window 1", "window 2", "mean", "gain_vs_anchor"), ("forecast",)),
        Table("forecast_ablation.csv", ("mean", "gain_vs_no_covariates"), ("variant",)),
    ),
    "04_forecast_to_erp": (Table("04_key_figures.csv"),),
    "05_sku2vec_vs_word2vec": (
        Table("05_key_figures.csv"),
        Table("05_comparison.csv", ("hit@10", "mrr", "hit@10 (cosine)", "valid hit@10", "best epoch"), ("method",)),
        Table("05_verdict.csv", ("difference", "95% low", "95% high", "SKU2Vec is"), ("SKU2Vec against",)),
    ),
    "06_assortment_net": (
        Table("06_key_figures.csv"),
        Table("06_one_window.csv", ("k", "test_fill", "train_fill", "train_bound"), ("fdc_id", "k_label", "method")),
    ),
    "07_rolling_evaluation": (
        Table("07_key_figures.csv"),
        Table("assortment_summary.json", ("folds", "k_mean", "test_fill", "diff_vs_popularity", "diff_lo", "diff_hi"),
              ("window", "k_label", "method")),
    ),
    "08_store_allocation": (
        Table("08_allocation.csv", ("lost_pct", "fill_rate", "transfers_per_1000", "cost"), ("level", "policy")),
        Table("08_split.csv", ("weeks", "cost", "chosen"), ("split", "level")),
    ),
    "09_promotion_whatif": (
        Table("09_whatif_uplift.csv", ("promoted_series", "estimated", "true"), ("promotion", "category")),
    ),
    "10_regional_trends": (
        Table("10_before_after.csv", ("chosen", "base_WQL", "chosen_WQL"), ("level",)),
    ),
}
# chapters whose results are shown but saved in no report table, and why
UNPINNED: dict[str, str] = {}


# ---- reading and comparing -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def read_figures(folder: Path, tables: tuple[Table, ...]) -> dict[str, str]:
    """The pinned cells of `tables` in a report folder, named 'file [row] column', as the text the file holds."""
    out: dict[str, str] = {}
    for table in tables:
        path = folder / table.file
        if not path.is_file():
            raise FileNotFoundError(f"{table.file} was not written (looked in {folder})")
        for row_name, row in _rows(path, table.key):
            if "seconds" in row_name or row_name.startswith(table.skip_rows):
                continue
            for column in table.columns:
                if column not in row:
                    raise KeyError(f"{table.file} has no column {column!r} (columns: {', '.join(row)})")
                name = f"{table.file} [{row_name}] {column}"
                if name in out:
                    raise KeyError(f"{table.file}: two rows are named {row_name!r}; pin it by more key columns")
                if "seconds" not in column:
                    out[name] = row[column]
    return out


def _rows(path: Path, key: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    if path.suffix == ".json":
        records = [{k: _text(v) for k, v in r.items()} for r in json.loads(path.read_text(encoding="utf-8"))]
    else:
        with path.open(newline="", encoding="utf-8") as f:
            records = list(csv.DictReader(f))
    first = next(iter(records[0])) if records else ""
    if records and not set(key) <= set(records[0]):
        raise KeyError(f"{path.name} has no key column(s) {', '.join(set(key) - set(records[0]))} "
                       f"(columns: {', '.join(records[0])})")
    return [(" / ".join(r[k] for k in key) if key else r[first], r) for r in records]


def _text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


def moved(expected: str, got: str, tol: Tolerance) -> bool:
    """Whether a figure moved beyond its tolerance: numbers by value, the words of a text figure one by one."""
    if expected == got:
        return False
    if _float(expected) is not None and _float(got) is not None:
        return _number_moved(expected, got, tol)
    e_nums, g_nums = _NUMBER.findall(expected), _NUMBER.findall(got)
    if _NUMBER.split(expected) != _NUMBER.split(got) or len(e_nums) != len(g_nums):
        return True
    return any(_number_moved(a, b, tol) for a, b in zip(e_nums, g_nums))


def _number_moved(expected: str, got: str, tol: Tolerance) -> bool:
    """Whole numbers must match; others may move by rel/abs or by `last_digits` units of the last printed digit."""
    e, g = float(expected), float(got)
    if math.isnan(e) or math.isnan(g):
        return math.isnan(e) != math.isnan(g)
    if _whole(expected) or _whole(got):
        return e != g
    mantissa, _, exponent = expected.lower().partition("e")
    unit = 10.0 ** (int(exponent or 0) - len(mantissa.partition(".")[2]))
    return abs(e - g) > max(tol.abs, tol.rel * abs(e), tol.last_digits * unit) * (1 + 1e-9)


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _whole(text: str) -> bool:
    return re.fullmatch(r"[-+]?\d+", text.strip()) is not None


def compare(chapter: str, expected: dict[str, str], got: dict[str, str], tables: tuple[Table, ...]) -> list[str]:
    """One line per pinned figure that moved or vanished: its name, the expected and the measured value."""
    tol = {t.file: t.tolerance for t in tables}
    lines = []
    for name, want in expected.items():
        if name not in got:
            lines.append(f"  {name}: expected {want!r}, got nothing (the row or column is gone)")
        elif moved(want, got[name], tol[name.split(" [", 1)[0]]):
            t = tol[name.split(" [", 1)[0]]
            lines.append(f"  {name}: expected {want!r}, got {got[name]!r} (tolerance {t.name})")
    return lines


def expected_file(chapter: str) -> Path:
    return EXPECTED / f"{chapter}.json"


def write_expected(chapter: str, figures: dict[str, str]) -> Path:
    """The chapter's expected file: which notebook and profile, and every pinned figure as its file prints it."""
    path = expected_file(chapter)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"notebook": f"notebooks/{chapter}.ipynb", "profile": "params/ci.yaml",
            "update": UPDATE, "figures": figures}
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# ---- where the figures come from ---------------------------------------------------------------------------------

def _fresh_in_repo(chapter: str, request: pytest.FixtureRequest) -> Path | None:
    """reports/ci/ when nbval executed this chapter in this session and it wrote every pinned file since."""
    runs: dict[str, bool] = request.getfixturevalue("notebook_runs")
    name = f"{chapter}.ipynb"
    if name not in runs:
        return None
    if not runs[name]:
        pytest.fail(f"notebooks/{name} failed under nbval in this session: its figures cannot be compared")
    folder = ROOT / "reports" / "ci"
    started: float = request.getfixturevalue("session_started")
    paths = [folder / t.file for t in CHAPTERS[chapter]]
    return folder if all(p.is_file() and p.stat().st_mtime >= started for p in paths) else None


# ---- the tests -----------------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_chapter_reproduces_its_pinned_figures(chapter: str, request: pytest.FixtureRequest) -> None:
    tables = CHAPTERS[chapter]
    folder = _fresh_in_repo(chapter, request)
    if folder is None:
        started = time.perf_counter()
        folder = request.getfixturevalue("render_ci")(request.getfixturevalue("scratch_project"), [chapter])
        print(f"{chapter}: executed in {time.perf_counter() - started:.0f} s")
    got = read_figures(folder, tables)
    if request.config.getoption("--update-pinned"):
        path = write_expected(chapter, got)
        pytest.skip(f"rewrote {path.relative_to(ROOT)} ({len(got)} figures): review `git diff tests/expected`")
    path = expected_file(chapter)
    assert path.is_file(), f"{chapter} has no pinned figures yet: run `{UPDATE}` and commit {path.relative_to(ROOT)}"
    expected = json.loads(path.read_text(encoding="utf-8"))["figures"]
    lines = compare(chapter, expected, got, tables)
    assert not lines, (f"{chapter} moved {len(lines)} of {len(expected)} pinned figure(s) (figures from {folder}):\n"
                       + "\n".join(lines) + f"\nIf the change is intended, update the expected values on purpose: "
                       f"`{UPDATE}`, then review and commit `git diff {path.relative_to(ROOT)}`.")


def test_every_chapter_is_pinned_or_says_why_not() -> None:
    chapters = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert chapters == set(CHAPTERS) | set(UNPINNED), "add the new chapter's tables to CHAPTERS (or to UNPINNED)"
    for chapter, tables in CHAPTERS.items():
        figures = json.loads(expected_file(chapter).read_text(encoding="utf-8"))["figures"]
        assert {name.split(" [", 1)[0] for name in figures} == {t.file for t in tables}, chapter


def test_a_moved_figure_is_named_with_expected_and_got() -> None:
    tables = (Table("k.csv", tolerance=FITTED), Table("c.csv", tolerance=EXACT))
    expected = {"k.csv [WQL] value": "0.5734", "k.csv [best] value": "net: 64.5%, +2.6 points",
                "k.csv [series] value": "24", "c.csv [FDC01 / 20] test_fill": "0.7692307692307693",
                "c.csv [gone] k": "20"}
    got = {"k.csv [WQL] value": "0.5735", "k.csv [best] value": "sku2vec: 64.5%, +2.6 points",
           "k.csv [series] value": "25", "c.csv [FDC01 / 20] test_fill": "0.7692307692307694"}
    lines = compare("demo", expected, got, tables)
    assert lines == [
        ("  k.csv [best] value: expected 'net: 64.5%, +2.6 points', got 'sku2vec: 64.5%, +2.6 points' "
         "(tolerance fitted)"),
        "  k.csv [series] value: expected '24', got '25' (tolerance fitted)",
        "  c.csv [gone] k: expected '20', got nothing (the row or column is gone)",
    ]  # a WQL printed one digit apart and a fill one bit apart stay within their tolerance


def test_a_fill_moved_by_one_order_fails_even_under_the_fitted_tolerance() -> None:
    assert moved("0.7692307692307693", f"{20 / 26 + 1 / 70:.16f}", FITTED)
    assert moved("73.9%", "75.3%", FITTED) and not moved("73.9%", "74.0%", FITTED)
    assert moved("0.5734", "0.5741", FITTED) and moved("1.7 / 0.0", "1.7 / 0.1", EXACT)
