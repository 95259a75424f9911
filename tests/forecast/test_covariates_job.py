"""Own covariates from files through the real commands: build, backtest and the weekly job; planned values are
required through the horizon, observed ones become past covariates; the what-if moves a covariate and reads it."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from skulab import cli, config, erp, forecast, whatif
from skulab.data import demo, files
from skulab.periods import step

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose files are the ci demo chain (covariate.csv included); profile params/own.yaml."""
    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    d = config.load(ROOT / "params" / "ci.yaml").data
    tables = demo.generate(seed=d.seed, scale=d.scale, start=str(d.start), days=d.days).tables
    files.write({k: v for k, v in tables.items() if k != "dim_calendar" and not k.startswith("truth")}, root / "files")
    raw = {"profile": "own", "data": {"source": "files", "path": "files", "locale": "cn"},
           "forecast": {"freq": "D", "horizon": 7, "windows": 1, "max_series": 6, "models": ["DirectTabular"],
                        "tabular_rounds": 20, "ensemble": False}}
    (root / "params" / "own.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("SKULAB_ROOT", str(root))
    monkeypatch.delenv("SKULAB_DB_URL", raising=False)
    monkeypatch.chdir(root)
    return root


def _run(*argv: str) -> int:
    return cli.main([*argv, "--params", "params/own.yaml"])


def _panel(root: Path) -> forecast.Panel:
    cfg = config.load(root / "params" / "own.yaml")
    training = erp.read_training(erp.connect(cfg), cfg.forecast)
    return forecast.build_panel(**training.inputs(), cfg=cfg.forecast)


def test_known_covariates_from_files_reach_the_backtest_and_the_weekly_job(own_files: Path,
                                                                         capsys: pytest.CaptureFixture) -> None:
    assert _run("erp", "build") == 0
    panel = _panel(own_files)
    assert {"cov_local_event", "cov_temperature_anomaly"} <= set(panel.known)
    assert _run("backtest") == 0 and _run("forecast") == 0, capsys.readouterr().err

    cov = pd.read_csv(own_files / "files" / "covariate.csv")
    last_sale = pd.read_csv(own_files / "files" / "fact_sales.csv")["date"].max()
    cut = (pd.Timestamp(last_sale) + pd.Timedelta(days=3)).strftime("%Y-%m-%d")
    cov[cov["date"] <= cut].to_csv(own_files / "files" / "covariate.csv", index=False)
    assert _run("erp", "build") == 0
    capsys.readouterr()
    assert _run("forecast") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is known in advance but has no value for" in err
    first_missing = (pd.Timestamp(cut) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    assert f"on {first_missing}, after the last sales period {last_sale}" in err


def test_a_covariate_seen_only_afterwards_is_a_past_covariate(own_files: Path) -> None:
    cov = pd.read_csv(own_files / "files" / "covariate.csv")
    last_sale = pd.read_csv(own_files / "files" / "fact_sales.csv")["date"].max()
    weather = cov["name"] == "temperature_anomaly"
    cov.loc[weather, "known_in_advance"] = False
    cov[~weather | (cov["date"] <= last_sale)].to_csv(own_files / "files" / "covariate.csv", index=False)
    assert _run("erp", "build") == 0
    panel = _panel(own_files)
    assert "cov_temperature_anomaly" in panel.past and "cov_temperature_anomaly" not in panel.known
    assert _run("forecast") == 0


def test_the_whatif_moves_a_covariate_on_the_horizon_only_and_reads_every_known_one(own_files: Path) -> None:
    assert _run("erp", "build") == 0
    panel = _panel(own_files)
    cutoff = panel.history_end - panel.horizon * step(panel.freq)
    moved = whatif.covariate_panel(panel, "temperature_anomaly", cutoff, shift=1.0).frame
    diff = moved["cov_temperature_anomaly"] - panel.frame["cov_temperature_anomaly"]
    horizon = (panel.frame["timestamp"] > cutoff) & (panel.frame["timestamp"] <= panel.history_end)
    assert np.allclose(diff[horizon], 1.0) and np.allclose(diff[~horizon], 0.0)
    with pytest.raises(Exception, match="not one the model saw as known in advance"):
        whatif.covariate_panel(panel, "rainfall", cutoff, value=1.0)

    cfg = config.load(own_files / "params" / "own.yaml")
    fitted = forecast.fit(panel, cfg.forecast, cutoff)
    effects = whatif.covariate_effect(fitted, panel, generator=True, n_boot=50)
    forecast.discard(fitted)
    by_name = effects.set_index("covariate")
    assert by_name.loc["local_event", "change"] == "0 -> 1"
    assert by_name.loc["temperature_anomaly", "change"] == "+1 unit"
    assert by_name.loc["local_event", "true"] == demo.EVENT_LIFT
    assert (effects["lo"] <= effects["hi"]).all() and (effects["estimated"] > 0).all()
