"""Orders as sentences of SKUs: the training vocabulary, multi-SKU orders, shuffled batches, gensim sentences.

Every method reads orders through these functions, so they all see the same vocabulary and the same
leave-one-out samples: one per distinct SKU of an order with at least two distinct SKUs.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from skulab.baskets import Baskets, from_lines
from skulab.errors import DataError


def vocabulary(lines: pd.DataFrame, min_count: int = 1) -> np.ndarray:
    """SKUs (sorted) with at least `min_count` lines in orders of two or more distinct SKUs.

    Single-SKU orders carry no co-purchase, so a SKU seen only in them cannot be embedded from orders.
    """
    distinct = lines[["order_id", "sku_id"]].drop_duplicates()
    size = distinct.groupby("order_id", sort=False)["sku_id"].transform("size")
    counts = distinct.loc[size >= 2, "sku_id"].value_counts()
    return np.sort(counts.index[counts >= min_count].to_numpy(dtype=str).astype(object))


def multi_sku(lines: pd.DataFrame, sku_ids: np.ndarray) -> Baskets:
    """The orders with at least two distinct vocabulary SKUs, as incidence rows over `sku_ids`."""
    baskets = from_lines(lines, sku_ids)
    keep = baskets.sizes >= 2
    return Baskets(baskets.matrix[keep], baskets.order_ids[keep], baskets.sku_ids)


def training_orders(lines: pd.DataFrame, min_count: int, method: str) -> tuple[np.ndarray, Baskets]:
    """The vocabulary and multi-SKU orders `method` trains on; a clear error when they hold nothing to learn."""
    vocab = vocabulary(lines, min_count)
    if len(vocab) < 2:
        raise DataError(f"{method} needs orders with two or more SKUs; these {len(lines):,} lines give a "
                        f"vocabulary of {len(vocab)} SKU(s) (lower embed.min_count or train on more weeks)")
    return vocab, multi_sku(lines, vocab)


def sku_counts(lines: pd.DataFrame, sku_ids: np.ndarray) -> np.ndarray:
    """Orders holding each SKU of `sku_ids` (all orders, single-SKU ones too): the popularity ranking."""
    distinct = lines[["order_id", "sku_id"]].drop_duplicates()
    return distinct["sku_id"].value_counts().reindex(sku_ids, fill_value=0).to_numpy(np.float64)


def batches(baskets: Baskets, batch_size: int, rng: np.random.Generator
            ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Shuffled batches of whole orders holding about `batch_size` lines each (a big order may exceed it).

    Yields (items, order of each item inside the batch, size of each order): only one batch of lines is
    ever materialised, so memory stays flat however many orders there are.
    """
    indptr, items = baskets.matrix.indptr, baskets.matrix.indices
    perm = rng.permutation(len(indptr) - 1)
    sizes = np.diff(indptr)[perm]
    ends = np.cumsum(sizes)
    cuts = np.searchsorted(ends, np.arange(batch_size, ends[-1] if len(ends) else 0, batch_size)) + 1
    for chunk in np.split(np.arange(len(perm)), np.unique(cuts)):
        if len(chunk) == 0:
            continue
        rows, n = perm[chunk], sizes[chunk]
        first = np.cumsum(n) - n
        pos = np.repeat(indptr[rows] - first, n) + np.arange(n.sum())
        yield items[pos], np.repeat(np.arange(len(rows)), n), n


class Sentences:
    """Orders as lists of SKU ids, re-iterable (gensim reads the corpus once per epoch) and built lazily."""

    def __init__(self, baskets: Baskets) -> None:
        self._indptr = baskets.matrix.indptr
        self._items = baskets.matrix.indices
        self._words = np.asarray(baskets.sku_ids, dtype=object)

    def __len__(self) -> int:
        return len(self._indptr) - 1

    def __iter__(self) -> Iterator[list[str]]:
        for a, b in zip(self._indptr[:-1], self._indptr[1:]):
            yield self._words[self._items[a:b]].tolist()
