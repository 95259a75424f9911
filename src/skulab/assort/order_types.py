"""Order types in, assortments out: the input and the result of every assortment method.

Order types are orders with the same SKU set merged into one row whose weight is their number of orders: the
assortment problem only sees which SKUs an order needs, so the 1M orders of a busy warehouse collapse into far
fewer types. The incidence is a sparse type x SKU matrix (its transpose, `by_sku`, is the SKU x
type view the methods walk); a parallel matrix keeps the units ordered, for the units-served metric. An
`Assortment` ranks SKUs (any prefix is an assortment of that size) with a score per SKU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from skulab.baskets import from_lines as baskets_from_lines
from skulab.errors import DataError


@dataclass(frozen=True)
class OrderTypes:
    """Distinct SKU sets (rows) over a SKU vocabulary (columns), each with its weight and units."""

    matrix: sparse.csr_matrix
    weights: np.ndarray
    units: sparse.csr_matrix
    sku_ids: np.ndarray

    @property
    def n_types(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_skus(self) -> int:
        return self.matrix.shape[1]

    @property
    def total(self) -> float:
        """Total weight: the number of orders (or their recency-weighted sum)."""
        return float(self.weights.sum())

    @cached_property
    def sizes(self) -> np.ndarray:
        """Distinct SKUs per type."""
        return np.diff(self.matrix.indptr)

    @cached_property
    def by_sku(self) -> sparse.csr_matrix:
        """The SKU x type incidence (CSR), so a SKU's types are one row slice."""
        return self.matrix.T.tocsr()

    @cached_property
    def popularity(self) -> np.ndarray:
        """Weight of the orders that hold each SKU."""
        return np.asarray(self.by_sku @ self.weights).ravel()

    @cached_property
    def single_weight(self) -> np.ndarray:
        """Weight of the single-SKU orders of each SKU (served by that SKU alone)."""
        single = self.sizes == 1
        out = np.zeros(self.n_skus)
        np.add.at(out, self.matrix.indices[self.matrix.indptr[:-1][single]], self.weights[single])
        return out

    def index_of(self, sku_ids: np.ndarray | list) -> np.ndarray:
        """Column positions of `sku_ids` (-1 for SKUs outside the vocabulary)."""
        return pd.Index(self.sku_ids).get_indexer(pd.Index(sku_ids))


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


def from_lines(lines: pd.DataFrame, sku_ids: np.ndarray | None = None,
               order_weights: pd.Series | None = None) -> OrderTypes:
    """Group the orders of `lines` (order_id, sku_id[, qty]) into types over `sku_ids` (default: their SKUs).

    `order_weights` (indexed by order_id) weighs orders, e.g. by recency; by default each order counts 1.
    SKUs outside a given `sku_ids` are dropped from their orders (score a test week over its own SKUs instead).
    """
    missing = {"order_id", "sku_id"} - set(lines.columns)
    if missing:
        raise DataError(f"order lines lack column(s) {', '.join(sorted(missing))} (canonical: order_id, sku_id, qty)")
    baskets = baskets_from_lines(lines, sku_ids)
    m = baskets.matrix.tocsr()
    m.sort_indices()
    qty = lines["qty"].to_numpy(dtype=float) if "qty" in lines.columns else np.ones(len(lines))
    col = pd.Index(baskets.sku_ids).get_indexer(lines["sku_id"])
    row = pd.Index(baskets.order_ids).get_indexer(lines["order_id"])
    keep = col >= 0
    q = sparse.csr_matrix((qty[keep], (row[keep], col[keep])), shape=m.shape)
    w = (np.ones(m.shape[0]) if order_weights is None
         else order_weights.reindex(baskets.order_ids).fillna(0.0).to_numpy(dtype=float))
    type_of, n_types = _type_ids(m)
    group = sparse.csr_matrix((np.ones(m.shape[0]), (type_of, np.arange(m.shape[0]))), shape=(n_types, m.shape[0]))
    return OrderTypes(_binary(group @ m), np.asarray(group @ w).ravel(), (group @ q).tocsr(), baskets.sku_ids)


def week_start(ts: pd.Series) -> pd.Series:
    """The Monday (00:00) of each timestamp's week: folds and windows are whole weeks."""
    ts = pd.to_datetime(ts)
    return (ts - pd.to_timedelta(ts.dt.weekday, unit="D")).dt.normalize()


def _type_ids(m: sparse.csr_matrix) -> tuple[np.ndarray, int]:
    """A type id per row: rows with equal sorted column sets share an id (exact, bucketed by row size)."""
    sizes = np.diff(m.indptr)
    type_of = np.empty(m.shape[0], dtype=np.int64)
    next_id = 0
    for s in np.unique(sizes):
        starts = m.indptr[:-1][sizes == s]
        keys = m.indices[starts[:, None] + np.arange(s)[None, :]]
        _, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        type_of[sizes == s] = inverse + next_id
        next_id += int(inverse.max()) + 1
    return type_of, next_id


def _binary(m: sparse.spmatrix) -> sparse.csr_matrix:
    out = sparse.csr_matrix(m, dtype=np.float32)
    out.data[:] = 1.0
    out.sort_indices()
    return out
