"""reports/<profile>/index.html: per chapter its question, conclusion, key figures and figures from the manifest;
at the top the run; and what a chapter saves is kept apart from its wall times."""

from pathlib import Path

import pandas as pd
import pytest

from skulab import config, report
from skulab.report import manifest
from skulab.report.index import format_value
from skulab.report.stable import split_timings, without_timings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> config.Config:
    """The ci profile in a scratch project root (its reports go to tmp_path/reports/ci)."""
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "ci.yaml").write_text((ROOT / "params" / "ci.yaml").read_text())
    monkeypatch.setenv("SKULAB_ROOT", str(tmp_path))
    monkeypatch.delenv("SKULAB_DB_URL", raising=False)
    return config.load(tmp_path / "params" / "ci.yaml")


def _run_chapter(cfg: config.Config, monkeypatch: pytest.MonkeyPatch, stem: str, tables: dict[str, pd.DataFrame],
                 figures: list[str], conclusion: str) -> None:
    """What a chapter's kernel does under `skulab report`: save tables and figures, conclude; then its page."""
    import matplotlib.pyplot as plt

    manifest.start_chapter(cfg.reports_dir, stem, title=f"{stem[:2]} · A chapter", question="What is asked?")
    monkeypatch.setenv(manifest.CHAPTER_ENV, stem)
    for name, frame in tables.items():
        report.save_table(frame, cfg, name)
    for name in figures:
        fig, ax = plt.subplots()
        ax.plot([1, 2])
        report.save_figure(fig, cfg, name)
        plt.close(fig)
    report.conclude(conclusion, cfg)
    monkeypatch.delenv(manifest.CHAPTER_ENV)
    manifest.update_chapter(cfg.reports_dir, stem, seconds=12.5, finished="2026-12-05T10:00:00+00:00")
    (cfg.reports_dir / f"{stem}.html").write_text("<html></html>")


def test_index_shows_each_chapter_with_question_conclusion_key_figures_and_figures(
        cfg: config.Config, monkeypatch: pytest.MonkeyPatch) -> None:
    key = pd.Series({"sales rows": 1709058, "coverage": 0.87543, "rows on promotion": "35.7%"}, name="value")
    _run_chapter(cfg, monkeypatch, "01_eda", {"01_key_figures": key.to_frame(), "01_other": pd.DataFrame({"a": [1]})},
                 ["01_weekly_sales"], "The ERP holds **18,553** sales rows.")
    _run_chapter(cfg, monkeypatch, "03_forecast_models", {}, [], "DirectTabular wins.")
    page = report.write_index(cfg).read_text()
    assert page.index('href="01_eda.html"') < page.index('href="03_forecast_models.html"')
    assert "What is asked?" in page and "<strong>18,553</strong>" in page and "DirectTabular wins." in page
    assert "<td>1,709,058</td>" in page and "<td>0.8754</td>" in page and "<td>35.7%</td>" in page
    assert '<img src="figures/01_weekly_sales.png"' in page and '<a href="01_other.csv">01_other</a>' in page
    assert "time per chapter" in page and "01: 12 s" in page and "2026-12-05" in page
    assert str(cfg.root) not in page


def test_a_rerun_chapter_forgets_what_its_earlier_run_saved(cfg: config.Config,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _run_chapter(cfg, monkeypatch, "01_eda", {}, ["01_old"], "first")
    _run_chapter(cfg, monkeypatch, "01_eda", {}, ["01_new"], "second")
    entry = manifest.load(cfg.reports_dir)["chapters"]["01_eda"]
    assert entry["figures"] == ["01_new"] and entry["conclusion"] == "second"


def test_outside_a_report_run_saving_records_nothing(cfg: config.Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(manifest.CHAPTER_ENV, raising=False)
    report.save_table(pd.DataFrame({"a": [1]}), cfg, "t")
    assert (cfg.reports_dir / "t.csv").is_file() and manifest.load(cfg.reports_dir)["chapters"] == {}


def test_index_of_an_empty_folder_says_nothing_was_rendered(cfg: config.Config) -> None:
    assert "No chapter has been rendered" in report.write_index(cfg).read_text()


def test_wall_times_go_to_timings_and_leave_the_results_file_unchanged(cfg: config.Config) -> None:
    first = pd.DataFrame({"wql": [0.5], "seconds": [3.2]}, index=["ETS"])
    second = first.assign(seconds=[9.9])
    path = report.save_table(first, cfg, "board")
    before = path.read_bytes()
    report.save_table(second, cfg, "board")
    assert path.read_bytes() == before and "seconds" not in before.decode()
    assert "9.9" in (cfg.reports_dir / "timings" / "board.csv").read_text()
    key = pd.Series({"series": 150, "job seconds": 31}, name="value").to_frame()
    assert list(split_timings(key)[0].index) == ["series"]
    assert without_timings({"m": [{"hit": 0.7, "train seconds": 3.8}]}) == {"m": [{"hit": 0.7}]}


def test_one_format_per_kind_of_number() -> None:
    assert [format_value(v) for v in (1709058, "1709058", 0.87543, 12.0, "3.07x (Double 11)", float("nan"))] == [
        "1,709,058", "1,709,058", "0.8754", "12", "3.07x (Double 11)", "n/a"]


def test_the_injected_profile_is_relative_to_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "ci.yaml").write_text("profile: ci\n")
    assert report.profile_parameter(tmp_path / "params" / "ci.yaml", tmp_path) == "params/ci.yaml"
    outside = tmp_path.parent / "elsewhere.yaml"
    assert report.profile_parameter(outside, tmp_path) == str(outside.resolve())


def test_key_figures_are_saved_and_shown_whole(cfg: config.Config) -> None:
    long = "net: 62.9%, +3.1 points [+2.3, +4.0], closes 13% of the gap to hindsight at the 70 % rule"
    shown = report.key_figures({"best method": long, "series": 150}, cfg, "07_key_figures")
    assert long in shown.to_html() and len(long) > pd.get_option("display.max_colwidth")
    assert pd.read_csv(cfg.reports_dir / "07_key_figures.csv", index_col=0)["value"].tolist() == [long, "150"]
