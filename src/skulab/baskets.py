"""Orders as a sparse order x SKU incidence matrix: the shared input of EDA, embeddings and assortment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse


@dataclass(frozen=True)
class Baskets:
    """Binary incidence (orders x SKUs) with the ids of its rows and columns."""

    matrix: sparse.csr_matrix
    order_ids: np.ndarray
    sku_ids: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        """Distinct SKUs per order."""
        return np.diff(self.matrix.indptr)


def from_lines(lines: pd.DataFrame, sku_ids: np.ndarray | None = None) -> Baskets:
    """Build the incidence from order lines (order_id, sku_id); repeated SKUs in an order count once.

    Pass `sku_ids` to fix the column order (e.g. a training vocabulary); lines with other SKUs are ignored.
    """
    skus = np.asarray(sku_ids) if sku_ids is not None else np.sort(lines["sku_id"].unique())
    col = pd.Index(skus).get_indexer(lines["sku_id"])
    keep = col >= 0
    orders, row = np.unique(lines["order_id"].to_numpy()[keep], return_inverse=True)
    m = sparse.csr_matrix((np.ones(keep.sum(), dtype=np.float32), (row, col[keep])), shape=(len(orders), len(skus)))
    m.data[:] = 1.0  # duplicates were summed on construction
    return Baskets(m, orders, skus)
