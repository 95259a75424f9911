"""The result every assortment method returns: SKUs in rank order, a score per SKU and how it was found."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skulab.assort.order_types import OrderTypes


@dataclass(frozen=True)
class Assortment:
    """Ranked SKUs (first = stock first; any prefix is an assortment of that size) and their scores.

    `info` holds method-specific facts such as a solver's status, bound and gap, or chosen hyperparameters.
    """

    sku_ids: np.ndarray
    scores: np.ndarray
    method: str
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sku_ids)

    def top(self, k: int) -> np.ndarray:
        return self.sku_ids[:k]

    def frame(self) -> pd.DataFrame:
        """One row per SKU: sku_id, sku_rank (1 = first), score."""
        return pd.DataFrame({"sku_id": self.sku_ids, "sku_rank": np.arange(1, len(self) + 1), "score": self.scores})


def from_order(types: OrderTypes, order: np.ndarray, scores: np.ndarray, method: str, k: int | None = None,
               **info: object) -> Assortment:
    """An Assortment from column positions in rank order (cut to k) and a score per position."""
    order = np.asarray(order, dtype=np.int64)[:k]
    return Assortment(types.sku_ids[order], np.asarray(scores, dtype=float)[:len(order)], method, dict(info))


def complete(types: OrderTypes, chosen: np.ndarray, k: int) -> np.ndarray:
    """Column positions `chosen` followed by the most popular others, up to k (or every SKU the orders hold)."""
    chosen = np.asarray(chosen, dtype=np.int64)
    taken = np.zeros(types.n_skus, dtype=bool)
    taken[chosen] = True
    rest = popularity_order(types)
    rest = rest[~taken[rest] & (types.popularity[rest] > 0)]
    return np.concatenate([chosen, rest])[:k]


def popularity_order(types: OrderTypes) -> np.ndarray:
    """Columns by weight of the orders holding them, then by single-SKU-order weight, then by SKU id."""
    return np.lexsort((np.arange(types.n_skus), -types.single_weight, -types.popularity))
