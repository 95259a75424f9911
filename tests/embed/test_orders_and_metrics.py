"""Embeddings keyed by SKU id, order batches, week splits and the leave-one-out metrics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skulab.embed import evaluate, neighbours, orders
from skulab.embed.vectors import Embeddings
from skulab.errors import DataError


def _lines(baskets: dict[str, list[str]], start: str = "2024-01-01") -> pd.DataFrame:
    """Order lines from {order_id: [sku, ...]}, one order per hour from `start`."""
    rows = [(o, s, pd.Timestamp(start) + pd.Timedelta(hours=i)) for i, (o, skus) in enumerate(baskets.items())
            for s in skus]
    return pd.DataFrame(rows, columns=["order_id", "sku_id", "ts"])


def test_embeddings_round_trip_through_parquet_keyed_by_sku_id(tmp_path: Path) -> None:
    emb = Embeddings(np.array(["b", "a", "c"]), np.arange(6, dtype=np.float64).reshape(3, 2), "test")
    emb.save(tmp_path / "e.parquet")
    back = Embeddings.load(tmp_path / "e.parquet")
    assert back.method == "test" and list(back.sku_ids) == ["b", "a", "c"]
    assert back.vectors.dtype == np.float32
    np.testing.assert_array_equal(back.vector("a"), [2.0, 3.0])


def test_similar_ranks_by_cosine_and_leaves_the_query_out() -> None:
    emb = Embeddings(np.array(["q", "near", "far", "opposite"]),
                     np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]]), "test")
    near = emb.similar("q", n=3)
    assert list(near["sku_id"]) == ["near", "far", "opposite"]
    assert near["cosine"].iloc[-1] == pytest.approx(-1.0)


def test_a_sku_without_a_vector_is_named_in_the_error() -> None:
    emb = Embeddings(np.array(["a", "b"]), np.eye(2), "SKU2Vec")
    with pytest.raises(DataError, match="SKU 'zz' has no 'SKU2Vec' embedding"):
        emb.vector("zz")


def test_vocabulary_holds_skus_of_multi_sku_orders_only() -> None:
    lines = _lines({"o1": ["a", "b"], "o2": ["c"], "o3": ["a", "a", "d"], "o4": ["b", "e"]})
    assert list(orders.vocabulary(lines)) == ["a", "b", "d", "e"]
    assert list(orders.vocabulary(lines, min_count=2)) == ["a", "b"]


def test_batches_yield_every_line_once_per_epoch_in_whole_orders() -> None:
    rng = np.random.default_rng(0)
    baskets = {f"o{i}": [f"s{j}" for j in rng.choice(30, rng.integers(2, 7), replace=False)]
               for i in range(200)}
    lines = _lines(baskets)
    data = orders.multi_sku(lines, orders.vocabulary(lines))
    seen = []
    for items, order, size in orders.batches(data, 64, rng):
        assert len(items) == size.sum() and order.max() == len(size) - 1
        assert len(items) < 64 + size.max()
        seen.append(np.sort(items))
    assert sum(len(s) for s in seen) == data.matrix.nnz


def test_split_weeks_takes_whole_weeks_before_the_last_complete_week() -> None:
    days = pd.date_range("2024-01-01", "2024-02-09", freq="D")  # Monday .. Friday: the last week is partial
    lines = pd.DataFrame({"order_id": [f"o{i}" for i in range(len(days))], "sku_id": "a",
                          "ts": days + pd.Timedelta(hours=9)})
    split = evaluate.split_weeks(lines, train_weeks=2, test_weeks=1)
    assert split.test_start == pd.Timestamp("2024-01-29") and split.test_end == pd.Timestamp("2024-02-05")
    assert split.train_start == pd.Timestamp("2024-01-15")
    assert split.train["ts"].between("2024-01-15", "2024-01-29", inclusive="left").all()
    assert len(split.train) == 14
    assert len(split.test) == 7
    earlier = evaluate.split_weeks(lines, 1, 1, test_end="2024-01-22")
    assert earlier.test["ts"].min() == pd.Timestamp("2024-01-15 09:00")


def test_split_weeks_says_how_many_weeks_the_orders_cover() -> None:
    lines = _lines({"o1": ["a", "b"], "o2": ["a"]})
    with pytest.raises(DataError, match="lower embed.train_weeks"):
        evaluate.split_weeks(lines, train_weeks=4)


def test_split_valid_is_seeded_and_keeps_orders_whole() -> None:
    lines = _lines({f"o{i}": ["a", "b", "c"][: 1 + i % 3] for i in range(100)})
    fit, valid = evaluate.split_valid(lines, 0.2, seed=3)
    again = evaluate.split_valid(lines, 0.2, seed=3)[1]
    assert valid["order_id"].nunique() == 20 and valid.equals(again)
    assert not set(fit["order_id"]) & set(valid["order_id"])
    assert len(fit) + len(valid) == len(lines)


def test_leave_one_out_matches_ranks_counted_by_hand() -> None:
    vocab = np.array(["a", "b", "c", "d"])
    # score = mean context input . output: inputs are all ones, so the outputs rank d > c > b > a
    scorer = evaluate.Scorer("hand", vocab, np.ones((4, 1)), np.array([[1.0], [2.0], [3.0], [4.0]]))
    popular = evaluate.popularity_scorer(vocab, np.array([4, 3, 2, 1]))
    data = evaluate.holdout(_lines({"o1": ["a", "b"], "o2": ["c", "x"]}), vocab)
    score = evaluate.leave_one_out(data, scorer, popular, k=2)
    # o1: target a (context b, left out): candidates d, c, a -> rank 3; target b: d, c, b -> rank 3
    # o2: target c has no known context -> popularity a, b, c (x unknown) -> rank 3; target x unknown -> miss
    assert score["samples"] == 4 and score["known_target"] == pytest.approx(0.75)
    assert score["hit@2"] == 0.0
    assert score["mrr"] == pytest.approx(3 * (1 / 3) / 4)
    assert score["ranked_by_popularity"] == pytest.approx(0.25)


def test_ties_count_at_their_expected_rank() -> None:
    vocab = np.array(["a", "b", "c", "d"])
    flat = evaluate.popularity_scorer(vocab, np.ones(4))
    data = evaluate.holdout(_lines({"o1": ["a", "b"]}), vocab)
    score = evaluate.leave_one_out(data, flat, flat, k=1)
    # each target ties with the two SKUs outside the order: rank 1, 2 or 3 with equal chance
    assert score["hit@1"] == pytest.approx(1 / 3)
    assert score["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)


def test_look_precision_is_one_when_vectors_follow_the_looks() -> None:
    skus = pd.DataFrame({"sku_id": list("abcdef"), "style_id": ["s1", "s2", "s3", "s4", "s5", "s6"]})
    truth = pd.DataFrame({"sku_id": list("abcdef"), "look_id": ["L1"] * 3 + ["L2"] * 3})
    vectors = np.array([[1, 0.1], [1, 0], [1, -0.1], [0.1, 1], [0, 1], [-0.1, 1]])
    out = neighbours.look_precision(Embeddings(np.array(list("abcdef")), vectors, "t"), truth, skus, n=2)
    assert out["look_precision"] == pytest.approx(1.0) and out["chance"] == pytest.approx(2 / 5)


def test_sku_groups_fall_back_to_the_last_word_of_the_name() -> None:
    skus = pd.DataFrame({"sku_id": ["1", "2", "3"], "category": [None] * 3,
                         "name": ["RED LUNCH BAG", "JUMBO BAG", "TEA CUP"]})
    assert list(neighbours.sku_groups(skus, np.array(["1", "2", "3"]), top=1)) == ["bag", "bag", "other"]
