"""The chapters' conclusions follow the numbers: each verdict flips when the numbers do."""

import pandas as pd

from skulab import findings
from skulab.config import AssortConfig


def _summary(lo: float, hi: float, pop_fills: tuple[float, float]) -> pd.DataFrame:
    """A rolling summary at the rule's K: popularity and one method at two windows."""
    rows = []
    for w, pop in zip((2, 4), pop_fills):
        for method, diff, lo_, hi_ in (("popularity", 0.0, 0.0, 0.0), ("net", (lo + hi) / 2, lo, hi)):
            rows.append({"window": w, "k_label": "rule70", "method": method, "folds": 6, "test_fill": pop + diff,
                         "diff_vs_popularity": diff, "diff_lo": lo_, "diff_hi": hi_, "gap_closed": 0.5,
                         "hindsight_fill": 0.9, "train_fill": 0.7 if method == "net" else 0.6,
                         "certified_gap": 0.01})
    return pd.DataFrame(rows)


def test_rolling_says_whether_the_test_weeks_support_a_gain() -> None:
    cfg = AssortConfig(train_weeks=2)
    assert "a gain the test weeks support" in findings.rolling(_summary(0.01, 0.05, (0.6, 0.6)), cfg)
    assert "not distinguishable from popularity" in findings.rolling(_summary(-0.01, 0.05, (0.6, 0.6)), cfg)
    assert "every method does worse" in findings.rolling(_summary(-0.05, -0.01, (0.6, 0.6)), cfg)


def test_rolling_weighs_the_window_against_the_method() -> None:
    cfg = AssortConfig(train_weeks=2)
    assert "moves it 10.0 points, more than the best method's gain" in findings.rolling(
        _summary(0.01, 0.03, (0.5, 0.6)), cfg)
    assert "less than the best method's gain" in findings.rolling(_summary(0.01, 0.03, (0.6, 0.605)), cfg)


def test_the_rule_label_follows_rule_fill() -> None:
    text = findings.rolling(_summary(0.01, 0.05, (0.6, 0.6)).assign(k_label="rule60"), AssortConfig(rule_fill=0.6))
    assert "the 60 % rule's K" in text


def test_one_window_names_every_tied_best_method_and_where_the_in_sample_leader_lands() -> None:
    table = pd.DataFrame({"fdc_id": "F1", "k_label": "rule70", "method": ["popularity", "mip", "hybrid", "net"],
                          "test_fill": [0.7, 0.8, 0.8, 0.75], "train_fill": [0.6, 0.9, 0.7, 0.65],
                          "certified_gap": [0.1, 0.0, 0.05, 0.08], "hindsight_fill": 0.9})
    history = pd.DataFrame({"epoch": [1, 2], "loss": [0.5, 0.4]})
    text = findings.assortment_net(table, history, AssortConfig())
    assert "The best methods next week: mip and hybrid (80.0%)" in text
    assert "In sample mip fills the most training orders (90.0%" in text
    assert "and next week it is among the best too" in text
    assert "covers 25% of the distance" in text
    worse = table.assign(test_fill=[0.7, 0.72, 0.8, 0.75])
    assert "yet next week it ranks 3 of 4 (72.0%)" in findings.assortment_net(worse, history, AssortConfig())


def test_forecast_models_say_better_or_worse_than_the_anchor() -> None:
    board = pd.DataFrame({"model": ["WeightedEnsemble", "ETS"], "family": ["ensemble", "statistical"],
                          "WQL": [0.5, 0.8]})
    runs = pd.DataFrame({"dropped": [0, 1], "fallbacks": [0, 2]})
    ablation = pd.DataFrame({1: [0.8, 0.6], 2: [0.6, 0.7], "mean": [0.7, 0.65],
                             "gain_vs_no_covariates": [0.0, 1 - 0.65 / 0.7]}, index=["no covariates", "+promo"])

    def table(anchor: float) -> pd.DataFrame:
        return pd.DataFrame({"window 1": [0.5, anchor], "window 2": [0.5, anchor], "mean": [0.5, anchor],
                             "gain_vs_anchor": [1 - 0.5 / anchor, 0.0]},
                            index=["skulab: WeightedEnsemble", "anchor: WeightedEnsemble"])

    better = findings.forecast_models(board, table(0.6), ablation, runs)
    assert "16.7% better than the anchor's 0.600, better in 2 of 2 windows" in better
    assert "37.5% better than the best statistical model (ETS, 0.800)" in better
    assert "+promo lowers WQL most against no covariates (7.1%, better in 1 of 2 windows)" in better
    assert "1 series were left out" in better and "2 forecasts fell back" in better
    assert "worse than the anchor's 0.400, better in 0 of 2 windows" in findings.forecast_models(
        board, table(0.4), ablation, runs)


def test_forecast_models_give_the_recipe_and_the_headline_one_sentence_each() -> None:
    board = pd.DataFrame({"model": ["WeightedEnsemble", "ETS"], "family": ["ensemble", "statistical"],
                          "WQL": [0.5, 0.8]})
    table = pd.DataFrame({"window 1": [0.5, 0.6], "mean": [0.5, 0.6], "gain_vs_anchor": [1 - 0.5 / 0.6, 0.0]},
                         index=["skulab: WeightedEnsemble", "anchor: WeightedEnsemble"])
    recipe = pd.DataFrame({"step": ["profile", "features", "zoo", "calibration"],
                           "candidate": ["the profile's settings", "without calendar", "members", "q10-q90"],
                           "fits": [1, 0, 0, 0],
                           "decision": [None, "not run: the budget of 1 fits is spent", "the ensemble of A, B.",
                                        "off: coverage as fitted 70.0%, calibrated 69.0%."]})
    text = findings.forecast_models(board, table, pd.DataFrame(), pd.DataFrame({"dropped": [0], "fallbacks": [0]}),
                                    recipe)
    assert "1 more was beyond its budget" in text and ".," not in text and ".." not in text
    assert "calibrated 69.0%. Over 1 test windows" in text
    assert "better in 1 of 1 windows, and 37.5% better than the best statistical model (ETS, 0.800)." in text


def _sales() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "sku_id": ["A", "B"],
                         "store_id": ["S1", "S1"], "stockout": [False, pd.NA]})


def test_eda_calls_popularity_strong_only_for_small_baskets_on_a_concentrated_range() -> None:
    from skulab.baskets import from_lines

    shares = pd.Series({"missing row": 0.1, "stock-out (censored)": 0.02, "zero sales": 0.5})
    promos = pd.DataFrame({"rows": [80, 20], "mean_units": [1.0, 3.0], "share_of_rows": [0.8, 0.2]},
                          index=["none", "pct_off"])
    holidays = pd.DataFrame({"lift_vs_ordinary": [1.0, 2.0, 0.5]}, index=["ordinary day", "618", "Qingming"])
    single = from_lines(pd.DataFrame({"order_id": ["o1", "o2", "o3", "o4", "o5"], "sku_id": ["A", "A", "A", "A", "B"]}))
    text = findings.eda(_sales(), shares, promos, holidays, single)
    assert "Rows on promotion (20.0% of all) sell 3.00 units on average against 1.00 on regular rows (3.00x)" in text
    assert "On 1 of 2 holidays" in text and "where a popularity ranking is a strong baseline" in text
    big = from_lines(pd.DataFrame({"order_id": ["o1"] * 5, "sku_id": list("ABCDE")}))
    assert "popularity alone leaves much of the demand unserved" in findings.eda(_sales(), shares, promos, holidays, big)
    assert "no orders" in findings.eda(_sales(), shares, promos, holidays, None)


def _allocation(lo: float, hi: float, gap: float) -> pd.DataFrame:
    """An allocation summary at one stock level: the baselines and the two-wave policy."""
    base = {"level": 1.1, "weeks": 8, "lost_pct": 0.06, "transfers_per_1000": 10.0, "wave_lines": 0.0, "cost": 100.0,
            "cost_vs_prop": 0.0, "cost_diff_prop_lo": 0.0, "cost_diff_prop_hi": 0.0, "gap_closed": 0.0}
    wave = {**base, "policy": "replenish", "wave_lines": 3.0, "cost": 100 * (1 + (lo + hi) / 2),
            "cost_vs_prop": (lo + hi) / 2, "cost_diff_prop_lo": lo, "cost_diff_prop_hi": hi, "gap_closed": gap}
    return pd.DataFrame([{**base, "policy": "proportional"}, {**base, "policy": "equal"}, wave])


def test_allocation_says_when_a_policy_loses_to_proportional_and_how_far_it_goes_toward_the_truth() -> None:
    losing = findings.allocation(_allocation(0.01, 0.05, -0.4), censored=False)
    assert "loses to proportional" in losing and "further from the two-wave policy fed the true demand" in losing
    winning = findings.allocation(_allocation(-0.05, -0.01, 0.6), censored=False)
    assert "loses to proportional" not in winning and "closes 60% of the gap" in winning
    assert "loses to proportional" not in findings.allocation(_allocation(-0.02, 0.03, 0.1), censored=False)


def test_the_history_uplift_gives_no_number_for_a_type_it_cannot_separate_and_judges_the_rest_against_the_truth(
        ) -> None:
    def table(error: float) -> pd.DataFrame:
        return pd.DataFrame([
            {"term": "promotion", "name": "flash", "category": "all", "promoted_series": 120, "identifiable": True,
             "why": "", "estimate": 1.3, "lo": 1.2, "hi": 1.4, "true": 1.3 / (1 + error), "error": error},
            {"term": "promotion", "name": "festival", "category": "all", "promoted_series": 400,
             "identifiable": False, "why": "chain-wide on the same dates every year: inseparable from the calendar",
             "estimate": float("nan"), "lo": float("nan"), "hi": float("nan"), "true": 1.6, "error": float("nan")},
            {"term": "elasticity", "name": "price", "category": "Tops", "promoted_series": 90, "identifiable": True,
             "why": "", "estimate": 1.8, "lo": 1.6, "hi": 2.0, "true": 1.8, "error": 0.0}])

    near, far = findings.history_uplift(table(0.05)), findings.history_uplift(table(-0.4))
    assert "festival (chain-wide on the same dates every year: inseparable from the calendar)" in near
    assert "festival +" not in near  # no number for it
    assert "flash is within 15% of the true uplift" in near
    assert "none is within 15% of the true uplift; flash (-40%) misses it." in far
    assert "true" not in findings.history_uplift(table(0.0).assign(true=float("nan")))  # real data: no verdict
