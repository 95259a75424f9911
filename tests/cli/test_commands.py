"""The `skulab` commands: ERP build summary, and one-line errors with exit status 2 for bad input."""

from pathlib import Path

import pytest
import yaml


@pytest.mark.slow
def test_erp_build_prints_a_table_count_summary(skulab_cli, tmp_path: Path) -> None:
    out = skulab_cli("erp", "build", "--params", "params/ci.yaml", "--db", f"duckdb:///{tmp_path / 'ci.duckdb'}")
    assert out.returncode == 0, out.stderr
    assert "fact_sales" in out.stdout and "order_line" in out.stdout and "truth_demand" in out.stdout
    assert (tmp_path / "ci.duckdb").stat().st_size > 0


def test_bad_parameter_file_is_one_line_and_exit_2(skulab_cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"profile": "bad", "data": {"source": "demo", "scael": 2}}))
    out = skulab_cli("erp", "build", "--params", str(bad))
    assert out.returncode == 2
    assert out.stderr.strip() == f"error: {bad}: data.scael is not a known key (did you mean 'scale'?)"


def test_missing_data_folder_is_one_line_and_exit_2(skulab_cli, tmp_path: Path) -> None:
    p = tmp_path / "own.yaml"
    p.write_text(yaml.safe_dump({"profile": "own", "data": {"source": "files", "path": str(tmp_path / "nowhere")}}))
    out = skulab_cli("erp", "build", "--params", str(p), "--db", f"duckdb:///{tmp_path / 'x.duckdb'}")
    assert out.returncode == 2 and "nowhere: data folder for source 'files' not found" in out.stderr
    assert "Traceback" not in out.stderr
