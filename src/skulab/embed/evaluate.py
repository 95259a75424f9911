"""Leave-one-out prediction of held-out orders: which weeks train and test, and hit@k / MRR of any scorer.

Every distinct SKU of a held-out order with two or more distinct SKUs is one sample: the other SKUs of the
order are the context, and a method ranks all vocabulary SKUs (the context left out) as the missing one.
A target outside the training vocabulary is a miss for every method; a target whose order has no other
vocabulary SKU is ranked by popularity for every method. Ties count at their expected rank under a
random tie-break, so a flat popularity count is not flattered.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy import special

from skulab.baskets import Baskets, from_lines
from skulab.embed.vectors import Embeddings
from skulab.errors import DataError

_EULER = 0.5772156649015329
_CHUNK_CELLS = 1 << 24  # samples x SKUs scored at once (64 MB of float32): bounded memory at 100k+ SKUs


@dataclass(frozen=True)
class WeekSplit:
    """Training and test order lines of consecutive whole weeks (Monday to Sunday, `test_end` exclusive)."""

    train: pd.DataFrame
    test: pd.DataFrame
    train_start: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp

    def describe(self) -> str:
        """One line: the windows and their order counts."""
        last = self.test_end - pd.Timedelta(days=1)
        return (f"train {self.train_start:%Y-%m-%d} .. {self.test_start - pd.Timedelta(days=1):%Y-%m-%d} "
                f"({self.train['order_id'].nunique():,} orders), "
                f"test {self.test_start:%Y-%m-%d} .. {last:%Y-%m-%d} "
                f"({self.test['order_id'].nunique():,} orders)")


def split_weeks(lines: pd.DataFrame, train_weeks: int, test_weeks: int = 1,
                test_end: str | pd.Timestamp | None = None) -> WeekSplit:
    """Lines of `train_weeks` whole weeks for training and of the `test_weeks` weeks right after them.

    `test_end` (exclusive) defaults to the Monday after the last complete week of the data, i.e. the latest
    test window; pass earlier Mondays for rolling folds. Lines need `order_id` and `ts`.
    """
    if len(lines) == 0:
        raise DataError("no order lines to split into training and test weeks (does the source have orders?)")
    ts = pd.to_datetime(lines["ts"])
    if test_end is None:
        last = ts.max()
        next_monday = last.normalize() + pd.Timedelta(days=7 - last.weekday())
        complete = last.weekday() == 6  # data reaches into the Sunday of its last week
        end = next_monday if complete else next_monday - pd.Timedelta(weeks=1)
    else:
        end = pd.Timestamp(test_end)
        if end != end.normalize() or end.weekday() != 0:
            raise DataError(f"test_end {end} is not a Monday at midnight (weeks run Monday to Sunday)")
    test_start = end - pd.Timedelta(weeks=test_weeks)
    train_start = test_start - pd.Timedelta(weeks=train_weeks)
    if ts.min() > train_start:
        weeks = (end - ts.min().normalize()).days // 7
        raise DataError(f"orders from {ts.min():%Y-%m-%d} cover about {weeks} whole weeks up to "
                        f"{end:%Y-%m-%d}; {train_weeks} training + {test_weeks} test weeks need orders from "
                        f"{train_start:%Y-%m-%d} (lower embed.train_weeks or pick a later test_end)")
    train = lines[(ts >= train_start) & (ts < test_start)]
    test = lines[(ts >= test_start) & (ts < end)]
    if train.empty or test.empty:
        raise DataError(f"no orders in the {'training' if train.empty else 'test'} window "
                        f"{train_start:%Y-%m-%d} .. {end:%Y-%m-%d} (pick another test_end)")
    return WeekSplit(train, test, train_start, test_start, end)


def split_valid(lines: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fit, valid): a seeded random `share` of the orders held out for early stopping and choices."""
    orders = np.sort(lines["order_id"].unique())
    n_valid = round(share * len(orders))
    valid = np.random.default_rng(seed).choice(orders, n_valid, replace=False) if n_valid else orders[:0]
    held = lines["order_id"].isin(valid)
    return lines[~held], lines[held]


@dataclass(frozen=True)
class Scorer:
    """Ranks SKUs as the missing one of an order: mean of the context's `inputs` . `outputs` + `bias`."""

    name: str
    sku_ids: np.ndarray
    inputs: np.ndarray
    outputs: np.ndarray
    bias: np.ndarray | None = None


def cosine_scorer(emb: Embeddings) -> Scorer:
    """Scores by cosine between a SKU's vector and the mean unit vector of the context (embeddings only)."""
    return Scorer(f"{emb.method} (cosine)", emb.sku_ids, emb.unit, emb.unit)


def popularity_scorer(sku_ids: np.ndarray, counts: np.ndarray) -> Scorer:
    """Scores every context the same: how many training orders held the SKU."""
    zeros = np.zeros((len(sku_ids), 1), dtype=np.float32)
    return Scorer("popularity", np.asarray(sku_ids), zeros, zeros, np.log1p(np.asarray(counts, dtype=float)))


@dataclass(frozen=True)
class Holdout:
    """Held-out orders prepared once for scoring many methods.

    `baskets` holds the orders with at least one vocabulary SKU (their vocabulary SKUs); `order_samples`
    counts the samples of every held-out order, those rows first, then the orders without any known SKU.
    """

    baskets: Baskets
    order_samples: np.ndarray

    @property
    def samples(self) -> int:
        return int(self.order_samples.sum())

    @property
    def orders(self) -> int:
        return len(self.order_samples)

    @property
    def known(self) -> int:
        """Samples whose target SKU is in the vocabulary (the ceiling of hit@k)."""
        return int(self.baskets.matrix.nnz)


def holdout(lines: pd.DataFrame, sku_ids: np.ndarray) -> Holdout:
    """Prepare held-out lines: every distinct SKU of an order with two or more distinct SKUs is a sample."""
    distinct = lines[["order_id", "sku_id"]].drop_duplicates()
    multi = distinct[distinct.groupby("order_id", sort=False)["sku_id"].transform("size") >= 2]
    baskets = from_lines(multi, sku_ids)
    per_order = multi.groupby("order_id", sort=False).size()
    rest = per_order.drop(baskets.order_ids)
    return Holdout(baskets, np.concatenate([per_order.loc[baskets.order_ids].to_numpy(), rest.to_numpy()]))


def leave_one_out(data: Holdout, scorer: Scorer, popularity: Scorer, k: int = 10) -> dict[str, float]:
    """hit@k and MRR of `scorer` over all samples (unknown targets count as misses), plus coverage."""
    per_order = order_scores(data, scorer, popularity, k)
    total = max(data.samples, 1)
    return {f"hit@{k}": per_order["hits"].sum() / total, "mrr": per_order["rr"].sum() / total,
            "samples": data.samples, "known_target": data.known / total,
            "ranked_by_popularity": per_order.attrs["ranked_by_popularity"] / total}


def order_scores(data: Holdout, scorer: Scorer, popularity: Scorer, k: int = 10) -> pd.DataFrame:
    """Per held-out order: samples, expected hits@k and summed reciprocal ranks (for paired comparisons)."""
    vocab = data.baskets.sku_ids
    inputs, outputs, bias = _align(scorer, vocab)
    pop_bias = _align(popularity, vocab)[2]
    m = data.baskets.matrix
    step = max(64, _CHUNK_CELLS // max(len(vocab), 1))
    cuts = np.searchsorted(m.indptr, np.arange(step, m.nnz, step))
    bounds = np.unique(np.concatenate([[0], cuts, [m.shape[0]]]))
    hits, rr = np.zeros(data.orders), np.zeros(data.orders)
    by_pop = 0
    for a, b in pairwise(bounds):  # chunks of whole orders, about `step` lines each
        chunk = m[a:b]
        n = np.diff(chunk.indptr)
        order = np.repeat(np.arange(b - a), n)
        target = chunk.indices
        size = n[order]
        context = (chunk @ inputs)[order] - inputs[target]
        scores = (context / np.maximum(size - 1, 1)[:, None].astype(np.float32)) @ outputs.T + bias
        alone = size == 1
        scores[alone] = pop_bias
        by_pop += int(alone.sum())
        true = scores[np.arange(len(target)), target]
        pair_line = np.repeat(np.arange(len(target)), size)  # every line x every SKU of its order, itself too
        pair_item = target[np.repeat(chunk.indptr[order], size) + _within(size)]
        scores[pair_line, pair_item] = -np.inf
        greater = (scores > true[:, None]).sum(axis=1)
        ties = (scores == true[:, None]).sum(axis=1)
        hits[a:b] = np.bincount(order, np.clip((k - greater) / (ties + 1), 0.0, 1.0), b - a)
        rr[a:b] = np.bincount(order, (_harmonic(greater + ties + 1) - _harmonic(greater)) / (ties + 1), b - a)
    frame = pd.DataFrame({"samples": data.order_samples, "hits": hits, "rr": rr})
    frame.attrs["ranked_by_popularity"] = by_pop
    return frame


def _harmonic(n: np.ndarray) -> np.ndarray:
    return special.digamma(np.asarray(n, dtype=np.float64) + 1) + _EULER


def _within(n: np.ndarray) -> np.ndarray:
    """0..n_i-1 for every i, concatenated."""
    return np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)


def _align(scorer: Scorer, vocab: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scorer's float32 arrays in the order of `vocab`; a SKU it lacks scores -inf (never ranked)."""
    pos = pd.Index(scorer.sku_ids).get_indexer(vocab)
    have = pos >= 0
    inputs = np.zeros((len(vocab), scorer.inputs.shape[1]), dtype=np.float32)
    outputs = np.zeros_like(inputs)
    inputs[have], outputs[have] = scorer.inputs[pos[have]], scorer.outputs[pos[have]]
    bias = np.full(len(vocab), -np.inf, dtype=np.float32)
    bias[have] = 0.0 if scorer.bias is None else scorer.bias[pos[have]]
    return inputs, outputs, bias
