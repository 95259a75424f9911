"""reports/<profile>/index.html links every chapter with its key figures, and the injected profile is relative."""

from pathlib import Path

import nbformat
import pandas as pd

from skulab import report


def _chapter(out: Path, name: str, title: str, cells: list[str]) -> None:
    """An executed chapter as `skulab report` leaves it: the notebook and its HTML."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}\n\n**Question.** ..."),
                                         *[nbformat.v4.new_code_cell(c) for c in cells]])
    nbformat.write(nb, out / f"{name}.ipynb")
    (out / f"{name}.html").write_text("<html></html>")


def _fake_reports(tmp_path: Path) -> Path:
    out = tmp_path / "reports" / "ci"
    (out / "figures").mkdir(parents=True)
    _chapter(out, "01_eda", "01 · What does the *ERP* hold?", [
        'report.save_figure(fig, cfg, "01_weekly_sales");',
        'key = pd.Series({"sales rows": 18553}, name="value").to_frame()\nreport.save_table(key, cfg, "01_key_figures")'])
    _chapter(out, "03_forecast_models", "03 · Which forecaster wins?", [
        'report.save_table(table.set_index("method"), cfg,\n                  "forecast_vs_anchor")',
        'report.save_table(key_figures, cfg, "forecast_key_figures")'])
    (out / "04_forecast_to_erp.html").write_text("<html></html>")  # a chapter whose notebook is gone
    pd.Series({"sales rows": 18553}, name="value").to_frame().to_csv(out / "01_key_figures.csv")
    pd.Series({"gain vs anchor": "0.9%"}, name="value").to_frame().to_csv(out / "forecast_key_figures.csv")
    pd.DataFrame({"mean": [0.5]}).to_csv(out / "forecast_vs_anchor.csv")
    (out / "figures" / "01_weekly_sales.png").write_bytes(b"\x89PNG")
    return out


def test_index_links_each_chapter_with_its_key_figures_and_figures(tmp_path: Path) -> None:
    out = _fake_reports(tmp_path)
    page = report.write_index(out, "ci").read_text()
    assert [line.split('"')[1] for line in page.splitlines() if line.startswith("<section>")] == [
        "01_eda.html", "03_forecast_models.html", "04_forecast_to_erp.html"]
    assert "01 · What does the ERP hold?" in page and "<td>18553</td>" in page and "<td>0.9%</td>" in page
    assert '<img src="figures/01_weekly_sales.png"' in page
    assert '<a href="forecast_vs_anchor.csv">forecast_vs_anchor</a>' in page
    assert str(tmp_path) not in page


def test_index_of_an_empty_folder_says_nothing_was_rendered(tmp_path: Path) -> None:
    assert "No chapter has been rendered" in report.write_index(tmp_path, "ci").read_text()


def test_the_injected_profile_is_relative_to_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "ci.yaml").write_text("profile: ci\n")
    assert report.profile_parameter(tmp_path / "params" / "ci.yaml", tmp_path) == "params/ci.yaml"
    outside = tmp_path.parent / "elsewhere.yaml"
    assert report.profile_parameter(outside, tmp_path) == str(outside.resolve())
