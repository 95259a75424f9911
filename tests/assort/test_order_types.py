"""Order types and metrics: exact grouping, hand-checked fill/split/units, prefix curves, the ERP query."""

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import erp
from skulab.assort import metrics, order_types


@pytest.fixture
def lines() -> pd.DataFrame:
    # o1 = o2 = {a, b}; o3 = {a}; o4 = {b, c}; o5 = {d}
    return pd.DataFrame({"order_id": ["o1", "o1", "o2", "o2", "o3", "o4", "o4", "o5"],
                         "sku_id": ["a", "b", "b", "a", "a", "c", "b", "d"],
                         "qty": [1, 2, 1, 1, 3, 1, 1, 5]})


def test_orders_with_the_same_sku_set_merge_into_one_type_with_their_count(lines: pd.DataFrame) -> None:
    types = order_types.from_lines(lines)
    sets = {frozenset(types.sku_ids[types.matrix[j].indices]): w for j, w in enumerate(types.weights)}
    assert sets == {frozenset("ab"): 2, frozenset("a"): 1, frozenset("bc"): 1, frozenset("d"): 1}
    assert types.total == 5 and list(types.popularity) == [3, 3, 1, 1]
    assert list(types.single_weight) == [1, 0, 0, 1]


def test_fill_split_and_missed_add_up_to_one_and_match_a_hand_count(lines: pd.DataFrame) -> None:
    types = order_types.from_lines(lines)
    c = metrics.coverage(types, metrics.stocked_mask(types, ["a", "b"]))
    assert (c.fill, c.split, c.missed) == pytest.approx((3 / 5, 1 / 5, 1 / 5))
    assert metrics.fill_rate(types, metrics.stocked_mask(types, ["a", "b"])) == pytest.approx(0.6)
    assert metrics.split_rate(types, metrics.stocked_mask(types, ["a", "b"])) == pytest.approx(0.2)


def test_units_served_counts_the_units_of_stocked_skus(lines: pd.DataFrame) -> None:
    types = order_types.from_lines(lines)
    # units: a 1+1+3 = 5, b 2+1+1 = 4, c 1, d 5 -> stocking a and d serves 10 of 15
    assert metrics.units_served(types, metrics.stocked_mask(types, ["a", "d"])) == pytest.approx(10 / 15)


def test_fill_curve_equals_the_fill_rate_of_every_prefix(lines: pd.DataFrame) -> None:
    types = order_types.from_lines(lines)
    ranking = ["b", "a", "x-unknown", "d", "c"]
    curve = metrics.fill_curve(types, ranking, [0, 1, 2, 3, 4, 5])
    direct = [metrics.fill_rate(types, metrics.stocked_mask(types, ranking[:k])) for k in range(6)]
    assert curve == pytest.approx(direct)
    assert metrics.k_for_fill(types, ranking, 0.6) == 2 and metrics.k_for_fill(types, ranking, 0.7) == 4


def test_grouping_is_exact_on_many_random_orders() -> None:
    rng = np.random.default_rng(1)
    rows = [(f"o{o}", f"s{s}") for o in range(3000) for s in rng.choice(30, size=rng.integers(1, 4), replace=False)]
    lines = pd.DataFrame(rows, columns=["order_id", "sku_id"])
    types = order_types.from_lines(lines)
    expected = lines.groupby("order_id")["sku_id"].apply(lambda s: tuple(sorted(s))).value_counts()
    got = {tuple(sorted(types.sku_ids[types.matrix[j].indices])): w for j, w in enumerate(types.weights)}
    assert got == expected.to_dict()


def test_order_types_query_reads_lines_with_fdc_time_and_customer(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    got = erp.read_order_lines(engine, datetime(2024, 1, 1), datetime(2024, 1, 3))
    assert set(got.columns) >= {"fdc_id", "order_id", "ts", "customer_id", "sku_id", "qty"}
    assert sorted(got["order_id"].unique()) == ["o1", "o2"] and len(got) == 3
    types = order_types.from_lines(got)
    assert types.total == 2 and types.n_skus == 3
