"""The ablation table, the headline of a comparison and the gain against the best statistical model."""

import math

import pandas as pd
import pytest

from skulab import forecast


def _ablation_scores() -> pd.DataFrame:
    """Two windows, three variants, the ensemble and one member model."""
    rows = []
    for variant, wql in [("no covariates", (0.8, 0.6)), ("+promo", (0.6, 0.5)), ("+price", (0.9, 0.7))]:
        for w, v in enumerate(wql, 1):
            rows.append({"window": w, "variant": variant, "model": "WeightedEnsemble", "WQL": v})
            rows.append({"window": w, "variant": variant, "model": "ETS", "WQL": 9.0})
    return pd.DataFrame(rows)


def test_ablation_reads_the_ensemble_of_several_models_and_the_one_model_alone() -> None:
    scores = _ablation_scores()
    several = forecast.ablation_by_window(scores, ["ETS", "DirectTabular"])
    assert list(several.columns) == ["no covariates", "+promo", "+price"] and several.loc[1, "+promo"] == 0.6
    assert (forecast.ablation_by_window(scores, ["ETS"]) == 9.0).all().all()


def test_ablation_gain_is_the_relative_wql_reduction_against_the_reference() -> None:
    table = forecast.ablation_gains(forecast.ablation_by_window(_ablation_scores(), ["ETS", "DirectTabular"]))
    assert list(table.columns) == [1, 2, "mean", "gain_vs_no_covariates"]
    assert table.loc["+promo", "mean"] == pytest.approx(0.55)
    assert table.loc["+promo", "gain_vs_no_covariates"] == pytest.approx(1 - 0.55 / 0.7)
    assert table.loc["+price", "gain_vs_no_covariates"] < 0 and table.loc["no covariates", "gain_vs_no_covariates"] == 0


def test_gain_vs_best_statistical_takes_the_best_statistical_or_intermittent_model() -> None:
    board = pd.DataFrame({"model": ["DirectTabular", "ETS", "Croston", "truth (noise floor)"],
                          "family": ["tabular", "statistical", "intermittent", "reference"],
                          "WQL": [0.3, 0.8, 0.5, 0.2]})
    assert forecast.gain_vs_best_statistical(board, 0.4) == pytest.approx(1 - 0.4 / 0.5)
    assert math.isnan(forecast.gain_vs_best_statistical(board[board["family"] == "tabular"], 0.4))


def test_without_a_statistical_model_in_the_zoo_the_gain_is_against_the_comparisons_best_statistical_row() -> None:
    # the automatic recipe may keep DirectTabular alone: the baseline then comes from the anchor's run
    board = pd.DataFrame({"model": ["DirectTabular"], "family": ["tabular"], "WQL": [0.3]})
    table = pd.DataFrame({"mean": [0.58, 0.61, 0.71]},
                         index=["skulab: DirectTabular", "anchor: WeightedEnsemble", "best statistical: ETS"])
    assert forecast.gain_vs_best_statistical(board, 0.58, table) == pytest.approx(1 - 0.58 / 0.71)
    assert math.isnan(forecast.gain_vs_best_statistical(board, 0.58, table.drop(index="best statistical: ETS")))


def test_headline_is_the_named_runs_row_of_a_comparison() -> None:
    table = pd.DataFrame({"mean": [0.5, 0.6, 0.7]},
                         index=["skulab: WeightedEnsemble", "anchor: WeightedEnsemble", "best statistical: ETS"])
    assert forecast.headline(table) == "skulab: WeightedEnsemble"
    assert forecast.headline(table, "anchor") == "anchor: WeightedEnsemble"
