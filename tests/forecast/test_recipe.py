"""The automatic recipe chooses on the selection windows alone, within its budget of fits, and records why."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skulab import config
from skulab.forecast import recipe
from skulab.forecast.recipe import choose

pytestmark = pytest.mark.slow  # real AutoGluon fits, a few seconds each

FC = config.ForecastConfig(freq="D", horizon=7, windows=1, models=["SeasonalNaive", "DirectTabular"],
                           tabular_rounds=20, recipe="auto", recipe_fits=4, features=["calendar", "missing", "promo"],
                           static=False)


def _inputs(small_panel_inputs: tuple[pd.DataFrame, pd.DataFrame]) -> dict:
    sales, calendar = small_panel_inputs
    return {"sales": sales, "calendar": calendar, "promotions": None, "covariates": None}


def test_the_recipe_never_reads_the_test_windows(small_panel_inputs) -> None:
    inputs = _inputs(small_panel_inputs)
    sales = inputs["sales"]
    last = sales["date"].max()
    # the test window's sales multiplied by 50: a recipe that read them would score and choose differently
    wild = sales.assign(units=np.where(sales["date"] > last - pd.Timedelta(days=7), sales["units"] * 50, sales["units"]))

    first = choose(inputs, FC)
    again = choose({**inputs, "sales": wild}, FC)

    pd.testing.assert_frame_equal(first.table, again.table)
    assert first.config == again.config and first.config.recipe == "manual"


def test_the_recipe_keeps_its_budget_and_falls_back_to_the_anchor_only_when_it_is_surely_better(
        small_panel_inputs) -> None:
    got = choose(_inputs(small_panel_inputs), FC)

    table = got.table.set_index("step", drop=False)
    assert table["fits"].sum() <= FC.recipe_fits and list(table["step"][:2]) == ["profile", "anchor"]
    if "the anchor is the recipe" in table.loc["anchor", "decision"]:  # surely better: the search ends there
        assert table.loc["anchor", "WQL"] < table.loc["profile", "WQL"]
        assert got.config.models == recipe.anchor(FC, covariates=True).models and got.config.features == ["raw"]
    else:  # otherwise the profile is the base and the zoo and the calibration are chosen
        assert "not surely better" in table.loc["anchor", "decision"]
        assert {"zoo", "calibration"} <= set(table["step"]) and set(got.config.models) <= set(FC.models)


def test_a_candidate_the_budget_cannot_pay_for_is_not_run_and_is_listed(small_panel_inputs) -> None:
    cfg = config.override(FC, models=["SeasonalNaive"], recipe_fits=2)
    search = recipe._Search(_inputs(small_panel_inputs), cfg, progress=False)

    runs = [search.run("features", f"trial {n}", cfg) for n in range(3)]

    assert runs[0] is not None and runs[1] is not None and runs[2] is None
    assert list(search.table()["fits"]) == [1, 1, 0]
    assert search.table()["decision"].iloc[2] == "not run: the budget of 2 fits is spent"


def test_the_job_chooses_on_the_latest_windows_and_records_the_selection(small_panel_inputs, tmp_path: Path) -> None:
    inputs = _inputs(small_panel_inputs)
    got = choose(inputs, config.override(FC, recipe_fits=2), latest=True)
    assert list(got.table["step"][:2]) == ["profile", "anchor"] and got.table["WQL"].iloc[:2].notna().all()


@pytest.mark.parametrize(("raw", "cal", "decision"), [
    (0.70, 0.78, "on: coverage 70.0% -> 78.0%"),
    (0.77, 0.77, "off: the held-out check kept the model's own quantiles (coverage 77.0%)"),
    (0.78, 0.70, "off: coverage as fitted 78.0%, calibrated 70.0%"),
])
def test_calibration_is_on_only_when_it_moves_coverage_toward_80_and_says_why_when_off(
        raw: float, cal: float, decision: str) -> None:
    fc = FC.model_copy(update={"val_windows": 3})  # calibration needs earlier windows and a held-out one
    search = recipe._Search({}, fc, progress=False)
    board = pd.DataFrame({"model": ["WeightedEnsemble"], "coverage80_pit_raw": [raw], "coverage80_pit": [cal]})
    chosen = recipe._calibration(search, fc, board)
    assert search.rows[-1]["decision"] == decision
    assert chosen.conformal == decision.startswith("on")


def test_the_recipe_chooses_on_a_sample_of_series_and_the_choice_fits_them_all(small_panel_inputs) -> None:
    inputs = _inputs(small_panel_inputs)
    made = choose(inputs, config.override(FC, recipe_series=3))

    assert "chosen on at most 3 series" in made.table.loc[0, "candidate"]
    assert made.config.max_series is None and made.config.recipe == "manual"  # the job then fits every series
    full = choose(inputs, FC)
    assert (made.table["WQL"] != full.table["WQL"]).any()  # 3 of the 6 series score otherwise than all 6
