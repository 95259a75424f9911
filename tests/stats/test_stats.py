"""The paired bootstrap: intervals that hold zero only without a consistent gain, blocks drawn whole, weights respected."""

import numpy as np

from skulab.stats import paired_interval


def test_paired_interval_excludes_zero_only_for_a_consistent_gain() -> None:
    rng = np.random.default_rng(0)
    weeks = np.repeat(np.arange(20), 3)
    lo, hi = paired_interval(0.02 + rng.normal(0, 0.01, 60), 1000, rng, blocks=weeks)
    assert 0 < lo < 0.02 < hi
    lo, hi = paired_interval(rng.normal(0, 0.01, 60), 1000, rng, blocks=weeks)
    assert lo < 0 < hi


def test_blocks_are_drawn_whole() -> None:
    # two blocks of opposite sign: drawn whole, a resample mean is -1, 0 or +1, never in between
    diffs, blocks = np.array([1.0, 1.0, -1.0, -1.0]), np.array([0, 0, 1, 1])
    lo, hi = paired_interval(diffs, 2000, np.random.default_rng(1), blocks=blocks)
    assert (lo, hi) == (-1.0, 1.0)


def test_weights_make_it_a_ratio_of_sums() -> None:
    # one order with 9 hits in 10 samples and nine with 0 of 1: every resample mean is a ratio of sums
    diffs, weights = np.array([9.0] + [0.0] * 9), np.array([10.0] + [1.0] * 9)
    lo, hi = paired_interval(diffs, 4000, np.random.default_rng(2), weights=weights)
    assert 0 <= lo < 9 / 19 < hi <= 0.9


def test_no_cases_give_an_empty_interval() -> None:
    lo, hi = paired_interval(np.array([]), 100, np.random.default_rng(0))
    assert np.isnan(lo) and np.isnan(hi)
