"""The `skulab` commands: ERP build summary, and one-line errors with exit status 2 for bad input."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _skulab(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "skulab.cli", *args], check=False, capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=600)


def test_erp_build_prints_a_table_count_summary(tmp_path: Path) -> None:
    out = _skulab("erp", "build", "--params", "params/ci.yaml", "--db", f"duckdb:///{tmp_path / 'ci.duckdb'}")
    assert out.returncode == 0, out.stderr
    assert "fact_sales" in out.stdout and "order_line" in out.stdout and "truth_demand" in out.stdout
    assert (tmp_path / "ci.duckdb").stat().st_size > 0


def test_bad_parameter_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"profile": "bad", "data": {"source": "demo", "scael": 2}}))
    out = _skulab("erp", "build", "--params", str(bad))
    assert out.returncode == 2
    assert out.stderr.strip() == f"error: {bad}: data.scael is not a known key (did you mean 'scale'?)"


def test_missing_data_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "own.yaml"
    p.write_text(yaml.safe_dump({"profile": "own", "data": {"source": "files", "path": str(tmp_path / "nowhere")}}))
    out = _skulab("erp", "build", "--params", str(p), "--db", f"duckdb:///{tmp_path / 'x.duckdb'}")
    assert out.returncode == 2 and "nowhere: data folder for source 'files' not found" in out.stderr
    assert "Traceback" not in out.stderr


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


def test_report_writes_html_and_names_the_failing_notebook_and_cell(tiny_project: Path) -> None:
    out = _skulab("report", "--params", "params/ci.yaml", env={"SKULAB_ROOT": str(tiny_project)}, cwd=tiny_project)
    assert out.returncode == 2
    assert "02_broken.ipynb failed in cell" in out.stderr and "ValueError: boom" in out.stderr
    assert (tiny_project / "reports" / "ci" / "01_ok.html").is_file()
    executed = nbformat.read(tiny_project / "reports" / "ci" / "01_ok.ipynb", as_version=4)
    assert str(tiny_project / "params" / "ci.yaml") in executed.cells[2]["outputs"][0]["text"]
