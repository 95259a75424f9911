"""`skulab report`: every chapter executed with one profile into reports/<profile>/, a failing cell named."""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A project root with the ci profile and two notebooks, the second failing in its third cell."""
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "ci.yaml").write_text((ROOT / "params" / "ci.yaml").read_text())
    (tmp_path / "notebooks").mkdir()
    for name, body in [("01_ok", "x = 1"), ("02_broken", "raise ValueError('boom')")]:
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell('PROFILE = "params/ci.yaml"', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("print(PROFILE)"), nbformat.v4.new_code_cell(body)])
        nbformat.write(nb, tmp_path / "notebooks" / f"{name}.ipynb")
    return tmp_path


@pytest.mark.slow
def test_report_writes_html_and_names_the_failing_notebook_and_cell(skulab_cli, tiny_project: Path) -> None:
    out = skulab_cli("report", "--params", "params/ci.yaml", env={"SKULAB_ROOT": str(tiny_project)}, cwd=tiny_project)
    assert out.returncode == 2
    assert "02_broken.ipynb failed in cell" in out.stderr and "ValueError: boom" in out.stderr
    assert (tiny_project / "reports" / "ci" / "01_ok.html").is_file()
    executed = nbformat.read(tiny_project / "reports" / "ci" / "01_ok.ipynb", as_version=4)
    assert executed.cells[2]["outputs"][0]["text"].strip() == "params/ci.yaml"  # no machine path in reports
