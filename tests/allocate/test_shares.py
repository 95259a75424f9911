"""The top-down split of a DC's week: store shares from the style's sales, the total kept, the spread the problem's,
the one push raised to the stock, and `auto` choosing its split on the weeks before the simulated ones only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skulab.allocate import policy, shares
from skulab.allocate.simulate import _split
from skulab.config import AllocateConfig
from skulab.counts import Demand


def test_pooled_units_sum_the_styles_sales_at_the_store_in_the_window() -> None:
    sales = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-06", "2023-12-01", "2024-01-06", "2024-01-08"]),
        "store_id": ["S1", "S1", "S2", "S1", "S1", "S1"],
        "sku_id": ["A-S", "A-M", "A-S", "A-S", "B-S", "A-S"],
        "style_id": ["A", "A", "A", "A", "B", "A"],
        "units": [2.0, 3.0, 4.0, 100.0, 7.0, 50.0]})  # 2023-12-01 before the window, 2024-01-08 after it
    rows = pd.DataFrame({"store_id": ["S1", "S2", "S3", "S1"], "sku_id": ["A-S", "A-M", "A-S", "B-S"]})
    got = shares.pooled_units(sales, rows, pd.Series(pd.Timestamp("2024-01-07"), index=rows.index), weeks=2)
    np.testing.assert_array_equal(got, [5.0, 4.0, 0.0, 7.0])  # a store's A sizes together; S3 sold none
    without_style = shares.pooled_units(sales.drop(columns="style_id"), rows,
                                        pd.Series(pd.Timestamp("2024-01-07"), index=rows.index), weeks=2)
    np.testing.assert_array_equal(without_style, [2.0, 0.0, 0.0, 7.0])  # the SKU's own sales


def test_top_down_keeps_each_total_splits_by_the_weights_and_gives_the_problems_dispersion() -> None:
    problem = np.array([0, 0, 0, 1, 1])
    phi = np.array([0.5, 0.5, 0.5, 0.2, 0.2])
    mean = np.array([1.0, 2.0, 7.0, 3.0, 1.0])
    mean_out, var_out = shares.top_down(problem, mean, mean + phi * mean**2, np.array([1.0, 1.0, 2.0, 0.0, 0.0]))
    np.testing.assert_allclose(mean_out, [2.5, 2.5, 5.0, 2.0, 2.0])  # 10 by 1:1:2; no weights: equal shares
    np.testing.assert_allclose(var_out, mean_out + phi * mean_out**2)  # one dispersion per problem, as planted
    mean_p, var_p = shares.top_down(problem, mean, mean.copy(), np.ones(5))  # Poisson forecasts stay Poisson
    np.testing.assert_allclose(var_p, mean_p)


def test_floored_raises_a_short_total_to_the_stock_and_leaves_a_larger_one() -> None:
    demand = Demand(mean=np.array([1.0, 3.0, 5.0, 5.0]), size=np.array([2.0, 2.0, np.inf, np.inf]))
    up = policy.floored(np.array([0, 0, 1, 1]), demand, np.array([8, 6]))
    np.testing.assert_allclose(up.mean, [2.0, 6.0, 5.0, 5.0])
    np.testing.assert_allclose(up.var / up.mean, demand.var / demand.mean)  # the spread scales with the mean


def _weeks(style_right_before: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two weeks before the simulated one and the simulated one, 2 stores x 1 SKU: the forecast splits 50:50, the
    style's sales 90:10; the realised sales follow one split before the simulated week and the other in it."""
    weeks = pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"])
    rows = pd.DataFrame([(w, w - pd.Timedelta(days=1), "DC", s, "A-S") for w in weeks for s in ("S1", "S2")],
                        columns=["week", "cutoff", "dc_id", "store_id", "sku_id"])
    rows["mean"], rows["var"], rows["mean1"] = 50.0, 60.0, 20.0
    before = rows["week"] < weeks[-1]
    heavy = np.where(rows["store_id"] == "S1", 90.0, 10.0)
    right = before == style_right_before
    rows["realised"] = np.where(right, heavy, 50.0)
    rows["realised1"] = rows["realised"] * 3 / 7
    days = pd.date_range("2023-11-01", "2024-01-14")
    sales = pd.DataFrame([(d, s, k, "A", 9.0 if s == "S1" else 1.0) for d in days for s in ("S1", "S2")
                          for k in ("A-S", "A-M")], columns=["date", "store_id", "sku_id", "style_id", "units"])
    return rows, sales


@pytest.mark.parametrize("style_right_before", [True, False])
def test_auto_chooses_on_the_weeks_before_and_never_looks_at_the_simulated_ones(style_right_before: bool) -> None:
    rows, sales = _weeks(style_right_before)
    cfg = AllocateConfig(shares="auto", selection_windows=1)
    chosen, table = _split(rows, sales, cfg, pd.Timestamp("2024-01-15"), selection=2)
    assert set(table["weeks"]) == {2}
    want = "style" if style_right_before else "forecast"
    assert table.loc[table["chosen"], "split"].unique().tolist() == [want]
    s1 = chosen[(chosen["store_id"] == "S1")]["mean"].to_numpy()
    np.testing.assert_allclose(s1, 90.0 if want == "style" else 50.0)  # 90 % of the week's 100 units, or half
    assert np.isclose(chosen.groupby("week")["mean"].sum(), 100.0).all()  # the forecast's total kept either way
