"""One source of truth: config choices derive from the registry, every variation is validated, profiles load light."""

import subprocess
import sys
import typing
from pathlib import Path

import pandas as pd
import pytest

from skulab import config, registry
from skulab.config import AssortConfig, ForecastConfig
from skulab.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_override_changes_a_section_and_validates_again(ci_config: config.Config) -> None:
    changed = config.override(ci_config, "assort", windows=[2], k=[7, "rule"])
    assert changed.assort.windows == [2] and changed.assort.k == [7, "rule70"]
    assert ci_config.assort.windows != [2]  # the original is untouched
    with pytest.raises(ConfigError, match=r"ci\.yaml: assort\.windws is not a known key \(did you mean 'windows'\?\)"):
        config.override(ci_config, "assort", windws=[2])
    with pytest.raises(ConfigError, match=r"asort is not a section of a profile \(did you mean 'assort'\?\)"):
        config.override(ci_config, "asort", windows=[2])


def test_override_of_a_section_alone_names_the_section_in_its_error() -> None:
    assert config.override(ForecastConfig(), horizon=3).horizon == 3
    with pytest.raises(ConfigError, match=r"forecast\.impute: Input should be"):
        config.override(ForecastConfig(), impute="mean")


def test_command_line_assignments_are_yaml_values_and_a_missing_equals_sign_is_named() -> None:
    assert config.assignments(["features=[raw]", "static=false"], "forecast", "p.yaml") == {
        "features": ["raw"], "static": False}
    with pytest.raises(ConfigError, match=r"p\.yaml: --set takes key=value for the forecast section, got 'horizon'"):
        config.assignments(["horizon"], "forecast", "p.yaml")


def test_the_rule_label_follows_rule_fill() -> None:
    assert AssortConfig(k=["rule"], rule_fill=0.8).k == ["rule80"]
    assert AssortConfig(k=[5, "rule80"], rule_fill=0.8, deploy_k="rule").deploy_k == "rule80"
    with pytest.raises(ValueError, match="'rule70' disagrees with rule_fill 0.8"):
        AssortConfig(k=["rule70"], rule_fill=0.8)
    with pytest.raises(ValueError, match="neither an integer nor the rule token"):
        AssortConfig(k=["seventy"])


def test_forecast_freq_is_limited_to_what_the_panel_builder_supports() -> None:
    assert ForecastConfig(freq="W-THU").freq == "W-THU"
    for bad in ("M", "W", "2D", "W-THURSDAY"):
        with pytest.raises(ValueError, match="must be D \\(daily\\) or W-<day>"):
            ForecastConfig(freq=bad)


def test_config_choices_come_from_the_registry() -> None:
    methods = typing.get_args(AssortConfig.model_fields["methods"].annotation)[0]
    assert set(typing.get_args(methods)) == set(registry.ASSORT_METHODS)
    groups = typing.get_args(ForecastConfig.model_fields["features"].annotation)[0]
    assert set(typing.get_args(groups)) == set(registry.FEATURE_GROUPS)
    with pytest.raises(ValueError, match="unknown model\\(s\\) Prophet"):
        ForecastConfig(models=["Prophet"])


def test_every_registered_assortment_method_runs() -> None:
    from skulab.assort import methods, synthetic
    from skulab.assort.windows import window, with_weeks

    lines = with_weeks(synthetic.order_lines(n_skus=40, n_orders=400, seed=3))
    start = lines["week"].min()
    win = window(lines, lines["fdc_id"].iloc[0], start, start + pd.Timedelta(weeks=2))
    cfg = AssortConfig(net_epochs=2, mip_time_limit=5)
    vectors = methods.vector_fitter(config.load(ROOT / "params" / "ci.yaml"), None, list(registry.ASSORT_METHODS))
    for name in registry.ASSORT_METHODS:
        out = methods.run(name, [win], [[5]], cfg, vectors)
        assert len(out[0][0].assortment) == 5, name


def test_loading_a_profile_does_not_import_the_forecasting_stack() -> None:
    code = ("import sys; from skulab import config; config.load('params/ci.yaml'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('duckdb', 'scipy', 'torch', 'autogluon') "
            "or m.startswith(('skulab.forecast', 'skulab.erp', 'skulab.assort'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
