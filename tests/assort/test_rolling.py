"""Rolling evaluation, bootstrap intervals, the write-back job and the `skulab evaluate assortment` command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import erp
from skulab.assort import job, rolling, synthetic
from skulab.config import AssortConfig, Config, override
from skulab.errors import DataError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_fdcs() -> pd.DataFrame:
    """Six weeks of synthetic orders at two FDCs with different popular SKUs."""
    a = synthetic.order_lines(40, 600, seed=1, weeks=6, fdc_id="F1")
    b = synthetic.order_lines(40, 400, seed=2, weeks=6, fdc_id="F2")
    return pd.concat([a, b.assign(order_id="B" + b["order_id"])], ignore_index=True)


def test_every_window_is_tested_on_the_same_weeks_against_popularity(two_fdcs: pd.DataFrame) -> None:
    cfg = AssortConfig(k=[5, "rule70"], windows=[1, 3], max_folds=2, methods=["popularity", "reverse_exclude"],
                       mip_time_limit=5, bootstrap=200)
    ev = rolling.evaluate(two_fdcs, cfg)
    weeks = ev.folds.groupby("window")["test_week"].apply(lambda s: sorted(s.unique()))
    assert weeks[1] == weeks[3] and len(weeks[1]) == 2
    assert set(ev.folds["fdc_id"]) == {"F1", "F2"}
    assert len(ev.folds) == 2 * 2 * 2 * 2 * 2  # weeks x windows x FDCs x K x methods
    pop = ev.summary[ev.summary["method"] == "popularity"]
    assert (pop["diff_vs_popularity"] == 0).all() and len(ev.summary) == 2 * 2 * 2
    assert (ev.folds["hindsight_fill"] >= ev.folds["test_fill"] - 1e-9).all()
    assert (ev.folds["train_bound"] >= ev.folds["train_fill"] - 1e-9).all()


def test_written_tables_hold_every_fold_and_the_summary(two_fdcs: pd.DataFrame, tmp_path: Path) -> None:
    cfg = AssortConfig(k=[5], windows=[2], max_folds=1, methods=["popularity"], hindsight=False, bootstrap=200)
    csv, js = rolling.evaluate(two_fdcs, cfg).write(tmp_path)
    assert len(pd.read_csv(csv)) == 2 and json.loads(js.read_text())[0]["method"] == "popularity"


def test_too_short_a_history_is_a_clear_error(two_fdcs: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="needs more than max\\(windows\\) \\+ test_weeks = 9"):
        rolling.evaluate(two_fdcs, AssortConfig(windows=[8]))


def test_assort_job_writes_each_fdc_and_a_rerun_replaces_its_run(engine: sa.Engine, small_tables: dict,
                                                                  ci_config: Config) -> None:
    erp.replace_tables(engine, small_tables)
    cfg = override(ci_config, "assort", deploy_method="popularity", deploy_k=2)
    for _ in range(2):
        job.run(cfg, engine, run_id="run-a")
    latest = erp.read_query(engine, "SELECT * FROM fdc_assortment_latest ORDER BY sku_rank")
    assert latest["run_id"].unique().tolist() == ["run-a"] and latest["fdc_id"].unique().tolist() == ["F1"]
    assert latest["sku_rank"].tolist() == [1, 2] and latest["sku_id"].tolist() == ["B", "A-M"]
    job.run(cfg, engine, run_id="run-b")
    assert erp.read_query(engine, "SELECT DISTINCT run_id FROM fdc_assortment_latest")["run_id"].tolist() == ["run-b"]
    assert len(erp.read_query(engine, "SELECT * FROM fdc_assortment")) == 4


@pytest.mark.slow
def test_evaluate_assortment_command_writes_csv_and_json(tmp_path: Path) -> None:
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "ci.yaml").write_text((ROOT / "params" / "ci.yaml").read_text())
    out = subprocess.run([sys.executable, "-m", "skulab.cli", "evaluate", "assortment", "--params", "params/ci.yaml",
                          "--max-folds", "1", "--windows", "2", "--methods", "popularity,reverse_exclude"],
                         check=False, capture_output=True, text=True, cwd=tmp_path, timeout=600,
                         env={**os.environ, "SKULAB_ROOT": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    folds = pd.read_csv(tmp_path / "reports" / "ci" / "assortment_folds.csv")
    assert set(folds["method"]) == {"popularity", "reverse_exclude"} and set(folds["window"]) == {2}
    summary = json.loads((tmp_path / "reports" / "ci" / "assortment_summary.json").read_text())
    assert {row["k_label"] for row in summary} == {"20", "rule70"}
