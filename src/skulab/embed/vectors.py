"""SKU vectors keyed by SKU id: the one object every embedding method returns and the assortment reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from skulab.errors import DataError


@dataclass(frozen=True, eq=False)
class Embeddings:
    """One float32 vector per SKU (rows of `vectors` follow `sku_ids`), made by `method`.

    Ids become strings and vectors float32 on construction; equality is identity (arrays do not compare).
    """

    sku_ids: np.ndarray
    vectors: np.ndarray
    method: str

    def __post_init__(self) -> None:
        ids = np.asarray(self.sku_ids).astype(str).astype(object)
        vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(ids):
            raise DataError(f"embeddings '{self.method}': {len(ids)} SKU ids but vectors of shape "
                            f"{vectors.shape}")
        index = {s: i for i, s in enumerate(ids)}
        if len(index) != len(ids):
            raise DataError(f"embeddings '{self.method}': SKU ids are not unique")
        object.__setattr__(self, "sku_ids", ids)
        object.__setattr__(self, "vectors", vectors)
        object.__setattr__(self, "_index", index)  # SKU id -> row, not a field

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.sku_ids)

    def __contains__(self, sku_id: object) -> bool:
        return sku_id in self._index

    def save(self, path: str | Path) -> None:
        """Write a parquet file: one row per SKU (sku_id, v0 .. v{dim-1}); the method goes in its metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {"sku_id": pa.array(self.sku_ids, pa.string())}
        columns |= {f"v{j}": pa.array(self.vectors[:, j]) for j in range(self.dim)}
        table = pa.table(columns).replace_schema_metadata({"skulab.method": self.method})
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)

    @classmethod
    def load(cls, path: str | Path) -> Embeddings:
        """Read a file written by `save`."""
        import pyarrow.parquet as pq

        if not Path(path).is_file():
            raise DataError(f"{path}: embeddings file not found (write one with `skulab embed --params P`)")
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        frame = table.to_pandas()
        vectors = frame.drop(columns="sku_id").to_numpy(np.float32)
        return cls(frame["sku_id"].to_numpy(), vectors, meta.get(b"skulab.method", b"unknown").decode())

    def vector(self, sku_id: str) -> np.ndarray:
        """The SKU's vector; DataError naming the SKU when it has none."""
        return self.vectors[self._row(sku_id)]

    def similar(self, sku_id: str, n: int = 10) -> pd.DataFrame:
        """The n SKUs with the highest cosine similarity to `sku_id` (itself left out), most similar first."""
        cos = self.unit @ self.unit[self._row(sku_id)]
        cos[self._row(sku_id)] = -np.inf
        top = np.argsort(-cos, kind="stable")[:n]
        return pd.DataFrame({"sku_id": self.sku_ids[top], "cosine": cos[top].astype(float)})

    @cached_property
    def unit(self) -> np.ndarray:
        """Vectors scaled to length 1 (zero vectors stay zero), for cosine similarities."""
        norm = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        return self.vectors / np.where(norm > 0, norm, 1.0)

    def _row(self, sku_id: str) -> int:
        row = self._index.get(sku_id)
        if row is None:
            raise DataError(f"SKU '{sku_id}' has no '{self.method}' embedding (not in its training orders)")
        return row
