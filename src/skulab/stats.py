"""The paired bootstrap shared by the chapters: an interval for the mean difference of two methods on the same cases."""

from __future__ import annotations

import numpy as np
import pandas as pd


def paired_interval(diffs: np.ndarray, n_boot: int, rng: np.random.Generator, blocks: np.ndarray | None = None,
                    weights: np.ndarray | None = None) -> tuple[float, float]:
    """95 % bootstrap interval of sum(diffs) / sum(weights), resampling whole blocks with replacement.

    Both methods are scored on the same cases, so their per-case differences carry the pairing. `blocks` groups
    cases that must be drawn together (e.g. every FDC of one test week; default: each case alone) and `weights`
    is each case's share of the mean (e.g. the samples of a test order; default 1).
    """
    diffs = np.asarray(diffs, dtype=float)
    if len(diffs) == 0:
        return float("nan"), float("nan")
    w = np.ones(len(diffs)) if weights is None else np.asarray(weights, dtype=float)
    if blocks is None:
        sums, counts = diffs, w
    else:
        codes, uniques = pd.factorize(pd.Series(blocks))
        sums = np.bincount(codes, weights=diffs, minlength=len(uniques))
        counts = np.bincount(codes, weights=w, minlength=len(uniques))
    pick = rng.integers(0, len(sums), size=(n_boot, len(sums)))
    lo, hi = np.quantile(sums[pick].sum(axis=1) / counts[pick].sum(axis=1), [0.025, 0.975])
    return float(lo), float(hi)
