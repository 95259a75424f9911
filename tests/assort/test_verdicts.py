"""The guard's aims per window x K, and the methods flagged for losing to popularity with their whole interval."""

import pandas as pd

from skulab.assort import verdicts


def _summary(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"window": 2, "k_label": "rule70", "method": m, "diff_vs_popularity": d, "diff_lo": lo,
                          "diff_hi": hi} for m, d, lo, hi in [("popularity", 0.0, 0.0, 0.0), *rows]])


def test_the_guard_holds_when_it_keeps_two_thirds_of_a_sure_gain_and_misses_when_it_keeps_less() -> None:
    kept = verdicts.guard_check(_summary([("net", 0.03, 0.01, 0.05), ("guarded", 0.02, 0.01, 0.03)]))
    short = verdicts.guard_check(_summary([("net", 0.03, 0.01, 0.05), ("guarded", 0.019, 0.005, 0.03)]))

    assert kept.loc[0, "best"] == "net" and abs(kept.loc[0, "kept"] - 2 / 3) < 1e-9 and kept.loc[0, "holds"]
    assert not short.loc[0, "holds"]


def test_the_guard_misses_below_popularity_and_holds_level_with_it_when_no_gain_is_sure() -> None:
    below = verdicts.guard_check(_summary([("net", 0.01, -0.01, 0.03), ("guarded", -0.002, -0.01, 0.005)]))
    level = verdicts.guard_check(_summary([("net", 0.01, -0.01, 0.03), ("guarded", 0.0, 0.0, 0.0)]))

    assert not below.loc[0, "holds"]
    assert level.loc[0, "holds"] and pd.isna(level.loc[0, "kept"])


def test_methods_whose_whole_interval_lies_below_popularity_are_flagged() -> None:
    lost = verdicts.losing(_summary([("net", -0.02, -0.03, -0.01), ("sku2vec", -0.01, -0.02, 0.001)]))

    assert list(lost["method"]) == ["net"]
