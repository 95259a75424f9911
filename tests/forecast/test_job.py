"""The weekly forecast job on DuckDB, MariaDB and PostgreSQL: complete, idempotent runs and one-line errors."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from skulab import config, erp
from skulab.config import Config
from skulab.data.sources import load_source
from skulab.errors import DataError
from skulab.forecast import job

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"max_series": 5, "models": ["SeasonalNaive", "Naive"], "static": False, "recipe": "manual"}


@pytest.fixture(scope="module")
def ci_tables() -> dict:
    from skulab import config

    return load_source(config.load(ROOT / "params" / "ci.yaml")).tables


def _small(cfg: Config) -> Config:
    return config.override(cfg, "forecast", **SMALL)


def test_forecast_job_writes_a_complete_run_and_a_rerun_keeps_the_row_count(
        engine: sa.Engine, ci_tables: dict, ci_config: Config) -> None:
    erp.replace_tables(engine, ci_tables)
    cfg = _small(ci_config)
    first = job.run(cfg, engine, run_id="weekly-1")
    h = cfg.forecast.horizon
    assert first.rows == 5 * h * 3 and first.models == ["Naive", "SeasonalNaive", "WeightedEnsemble"]
    again = job.run(cfg, engine, run_id="weekly-1")
    latest = erp.read_query(engine, "SELECT * FROM sales_forecast_latest")
    runs = erp.read_query(engine, "SELECT * FROM forecast_run")
    assert again.rows == first.rows == len(latest) and set(latest["run_id"]) == {"weekly-1"}
    assert runs["status"].tolist() == ["done"] and len(runs) == 1
    assert (latest["q10"] <= latest["q90"]).all() and latest["forecast_date"].nunique() == h
    assert latest["forecast_date"].min() > ci_tables["fact_sales"]["date"].max()


def test_the_automatic_recipe_chooses_on_the_latest_windows_and_the_run_records_what_and_why(
        ci_tables: dict, ci_config: Config, tmp_path: Path) -> None:
    import json

    engine = erp.make_engine(f"duckdb:///{tmp_path / 'erp.duckdb'}")
    erp.replace_tables(engine, ci_tables)
    cfg = config.override(_small(ci_config), "forecast", recipe="auto", recipe_fits=2)

    result = job.run(cfg, engine, run_id="weekly-auto")

    params = json.loads(erp.read_query(engine, "SELECT params FROM forecast_run")["params"].iloc[0])
    assert params["recipe"] == "auto" and [r["step"] for r in params["selection"]][:2] == ["profile", "anchor"]
    assert sum(r["fits"] for r in params["selection"]) <= 2 and result.recipe is not None
    chosen = set(params["models"])
    assert {m for m in result.models if m != "WeightedEnsemble"} <= chosen  # what ran is what the run records


def test_sql_answers_what_sku_x_sells_at_store_s_on_day_d(engine: sa.Engine, ci_tables: dict,
                                                           ci_config: Config) -> None:
    erp.replace_tables(engine, ci_tables)
    job.run(_small(ci_config), engine, run_id="weekly-2")
    one = erp.read_query(engine, "SELECT sku_id, store_id, forecast_date FROM sales_forecast_latest "
                                 "WHERE model = 'WeightedEnsemble'").iloc[0]
    answer = erp.read_query(engine, erp.sql_text("forecast_lookup"), sku_id=one["sku_id"], store_id=one["store_id"],
                            forecast_date=one["forecast_date"].date(), model="WeightedEnsemble")
    assert len(answer) == 1 and answer["mean"].item() >= 0 and answer["run_id"].item() == "weekly-2"


def test_a_missing_column_in_the_erp_is_one_clear_message(engine: sa.Engine, ci_tables: dict,
                                                          ci_config: Config) -> None:
    erp.replace_tables(engine, ci_tables)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE fact_sales DROP COLUMN base_price"))
    with pytest.raises(DataError, match=r"packaged query forecast_training\.sql failed on .*base_price"):
        job.run(_small(ci_config), engine)


def _skulab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skulab.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=False)


@pytest.mark.slow
@pytest.mark.parametrize(("forecast", "message"), [
    ({"horizn": 7}, "forecast.horizn is not a known key (did you mean 'horizon'?)"),
    ({"models": ["ETS", "DeepARR"]}, "forecast.models: unknown model(s) DeepARR (did you mean 'DeepAR' for"),
    ({"level": "city"}, "forecast.level: Input should be 'store' or 'region'"),
])
def test_a_wrong_forecast_parameter_is_one_line_and_exit_2(tmp_path: Path, forecast: dict, message: str) -> None:
    profile = yaml.safe_load((ROOT / "params" / "ci.yaml").read_text())
    profile["forecast"] = {**profile["forecast"], **forecast}
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(profile))
    out = _skulab("forecast", "--params", str(p), "--db", f"duckdb:///{tmp_path / 'x.duckdb'}")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr


@pytest.mark.slow
def test_a_wrong_backtest_setting_is_one_line_and_exit_2() -> None:
    out = _skulab("backtest", "--params", "params/ci.yaml", "--set", "impute=mean")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith("error: params/ci.yaml: forecast.impute: Input should be 'nan', 'zero', 'ffill' or 'seasonal'")


def test_the_job_partitioned_by_category_forecasts_every_series_and_keeps_the_per_series_model(
        ci_tables: dict, ci_config: Config, tmp_path: Path) -> None:
    engine = erp.make_engine(f"duckdb:///{tmp_path / 'erp.duckdb'}")
    erp.replace_tables(engine, ci_tables)
    cfg = config.override(_small(ci_config), "forecast", max_series=8)
    pooled = job.forecast_rows(cfg, engine).rows
    split = job.forecast_rows(config.override(cfg, "forecast", partition_by="category"), engine).rows

    keys = ["sku_id", "store_id", "forecast_date", "model"]
    assert len(split) == len(pooled)
    pd.testing.assert_frame_equal(split[keys].sort_values(keys).reset_index(drop=True),
                                  pooled[keys].sort_values(keys).reset_index(drop=True))
    naive = [r[r["model"] == "SeasonalNaive"].sort_values(keys).reset_index(drop=True) for r in (pooled, split)]
    pd.testing.assert_frame_equal(naive[0], naive[1], rtol=1e-9)  # a per-series model: partitions cannot move it


def test_the_job_by_partitions_in_process_reads_each_partition_on_its_own(
        ci_tables: dict, ci_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = erp.make_engine(f"duckdb:///{tmp_path / 'erp.duckdb'}")
    erp.replace_tables(engine, ci_tables)
    cfg = config.override(_small(ci_config), "forecast", max_series=8, partition_by="category")
    reads: list[tuple[object, set]] = []
    real = erp.read_training

    def spy(*args: object, **kwargs: object) -> erp.Training:  # the real read, its filter and categories recorded
        training = real(*args, **kwargs)
        reads.append((kwargs.get("where"), set(training.sales["category"])))
        return training

    monkeypatch.setattr(erp, "read_training", spy)
    made = job.forecast_rows(cfg, engine)

    categories = set(ci_tables["dim_sku"]["category"])
    assert all(where is not None and where[0] == "category" and seen == {where[1]} for where, seen in reads)
    assert {where[1] for where, _ in reads} <= categories and len(reads) == made.rules["partition"].nunique()
    assert made.rows[["sku_id", "store_id"]].drop_duplicates().shape[0] == 8  # the chain's sample, split
    assert made.config.partition_by == "category" and made.config.max_series == 8
