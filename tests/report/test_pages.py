"""What a reader sees: the ci report rendered as `skulab report` does, each chapter page checked for its figures
(counted as rendered <img> elements, not as data URLs in the page's CSS) and for what must never show: a
warning, a traceback, a stderr box or a machine path."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from skulab import report
from skulab.report import manifest
from skulab.report.render import environ

ROOT = Path(__file__).resolve().parents[2]
RUN_AFTER_NOTEBOOKS = True  # conftest orders these after nbval's notebook items: one heavy job at a time

# visible text a reader must not meet; a path is absolute when it starts a word with /dir/dir
_FORBIDDEN = {"a warning": re.compile(r"\w*Warning\b|warnings\.warn"), "a traceback": re.compile(r"Traceback"),
              "an absolute path": re.compile(r"(?:^|[\s'\"(=])/(?:[\w.-]+/){2,}")}


class _Page(HTMLParser):
    """The rendered images, the stderr boxes and the visible text of an nbconvert page (style and script left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.images, self.stderr, self.text, self._skip = 0, 0, [], 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "img" and (a.get("src") or "").startswith(("data:image/", "figures/")):
            self.images += 1
        if a.get("data-mime-type") == "application/vnd.jupyter.stderr":
            self.stderr += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def page_problems(page: str, saved_figures: list[str], machine_paths: list[str]) -> list[str]:
    """What a reader would trip over on one chapter page, empty when it is clean."""
    parsed = _Page()
    parsed.feed(page)
    text = "\n".join(parsed.text)
    problems = []
    if parsed.images < len(saved_figures):
        problems.append(f"shows {parsed.images} figure(s) but saves {len(saved_figures)} ({', '.join(saved_figures)})")
    if parsed.stderr:
        problems.append(f"has {parsed.stderr} stderr box(es)")
    for what, pattern in _FORBIDDEN.items():
        if m := pattern.search(text):
            problems.append(f"contains {what}: {text[max(m.start() - 60, 0):m.end() + 60]!r}")
    problems += [f"contains the machine path {p}" for p in machine_paths if p in page]
    return problems


@pytest.fixture(scope="session")
def ci_report(scratch_project: Path, render_ci: Callable[..., Path]) -> Path:
    """Every chapter rendered on the ci profile in a scratch project root, under a caller whose matplotlib backend
    is Agg (as `make` used to export): the pages must show their figures all the same."""
    with environ({"MPLBACKEND": "Agg"}):
        return render_ci(scratch_project)


@pytest.mark.slow
def test_every_chapter_page_shows_its_figures_and_nothing_a_reader_should_not_see(ci_report: Path) -> None:
    chapters = manifest.load(ci_report)["chapters"]
    pages = sorted(ci_report.glob("[0-9][0-9]_*.html"))
    assert [p.stem for p in pages] == [nb.stem for nb in report.notebooks(ROOT)]
    machine = [str(ci_report.parents[1]), str(ROOT), sys.prefix, str(Path.home()), "site-packages"]
    problems = {p.name: page_problems(p.read_text(encoding="utf-8"), chapters[p.stem]["figures"], machine)
                for p in pages}
    assert not {k: v for k, v in problems.items() if v}
    assert sum(len(chapters[p.stem]["figures"]) for p in pages) >= len(pages)  # the check had figures to check


@pytest.mark.slow
def test_the_index_gives_each_chapter_its_question_conclusion_and_figures(ci_report: Path) -> None:
    index = (ci_report / "index.html").read_text(encoding="utf-8")
    chapters = manifest.load(ci_report)["chapters"]
    for stem, entry in chapters.items():
        assert f'href="{stem}.html"' in index
        assert entry["question"] and entry["conclusion"] and entry["seconds"] > 0, stem
        assert all(f'src="figures/{f}.png"' in index for f in entry["figures"]), stem
    assert "commit" in index and "time per chapter" in index and "ERP rows" in index
    assert str(ci_report.parents[1]) not in index


def test_page_problems_sees_a_page_without_figures_and_with_a_warning() -> None:
    css_only = ('<html><head><style>.x{background:url(data:image/png;base64,AAAA)}</style></head><body>'
                '<div data-mime-type="application/vnd.jupyter.stderr"><pre>/usr/lib/python3/site-packages/tqdm/auto.py:'
                '21: TqdmWarning: IProgress not found</pre></div></body></html>')
    problems = page_problems(css_only, ["01_weekly_sales"], ["site-packages"])
    assert len(problems) == 5 and problems[0].startswith("shows 0 figure(s) but saves 1")
    clean = '<html><body><img src="data:image/png;base64,AAAA"><p>q10/q90 holds 80 % of units / week</p></body></html>'
    assert page_problems(clean, ["01_weekly_sales"], ["site-packages"]) == []
