"""SKU2Vec-driven selection: seed with popular SKUs, then expand along co-purchase neighbours in embedding space.

SKUs bought together get close vectors (SKU2Vec, from the embeddings chapter). After the most popular SKUs
seed the assortment, each further slot goes to the SKU with the best mix of its own popularity and its
affinity to what is already stocked (mean cosine to its nearest stocked SKUs): a SKU that completes the
orders of stocked ones beats an equally popular loner. strength 0 is popularity; the seed share and the
strength are chosen on the window's last week with vectors learnt from the weeks before.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from skulab.assort.metrics import fill_rate, stocked_mask
from skulab.assort.order_types import Assortment, OrderTypes, popularity_order
from skulab.assort.windows import Window

GRID = {"seed_share": [0.5, 0.8], "strength": [0.0, 0.5, 1.0, 2.0]}


class Vectors(Protocol):
    """What selection needs of skulab.embed.vectors.Embeddings: SKU ids and one vector per SKU."""

    sku_ids: np.ndarray
    vectors: np.ndarray


def expand(types: OrderTypes, k: int, embeddings: Vectors, seed_share: float = 0.5, strength: float = 1.0,
           neighbours: int = 3, steps: int = 20) -> Assortment:
    """Seed with the top seed_share*k SKUs by popularity, then add SKUs by log-popularity + strength*affinity."""
    order = popularity_order(types)
    order = order[types.popularity[order] > 0]
    k = min(k, len(order))
    n_seed = min(k, int(np.ceil(seed_share * k)))
    vec = _unit_vectors(types.sku_ids[order], embeddings)
    base = np.log1p(types.popularity[order])
    chosen = np.zeros(len(order), dtype=bool)
    chosen[:n_seed] = True
    ranked, scores = list(range(n_seed)), list(base[:n_seed])
    best = np.full((len(order), neighbours), -1.0)
    for start in range(0, n_seed, 1024):  # in blocks, so memory stays linear in the number of SKUs
        best = _merge(best, vec @ vec[start:min(start + 1024, n_seed)].T)
    batch = max(1, int(np.ceil((k - n_seed) / steps)))
    while len(ranked) < k:
        score = base + strength * np.clip(best, 0.0, None).mean(axis=1)
        score[chosen] = -np.inf
        take = np.argsort(-score, kind="stable")[: min(batch, k - len(ranked))]
        chosen[take] = True
        ranked += take.tolist()
        scores += score[take].tolist()
        best = _merge(best, vec @ vec[take].T)
    return Assortment(types.sku_ids[order[ranked]], np.array(scores), "sku2vec",
                      {"seed_share": seed_share, "strength": strength})


def choose(window: Window, ks: list[int], fit_vectors: Callable[[pd.DataFrame], Vectors],
           grid: dict[str, list] | None = None) -> list[tuple[float, float]]:
    """Per budget, the (seed_share, strength) that fills the window's last week best, vectors learnt before it."""
    grid = grid or GRID
    points = list(itertools.product(grid["seed_share"], grid["strength"]))
    split = window.inner()
    if split is None:
        return [(1.0, 0.0)] * len(ks)
    inner, valid = split
    vectors = fit_vectors(inner.lines)
    share = inner.lines["sku_id"].nunique() / max(window.lines["sku_id"].nunique(), 1)
    out = []
    for k in ks:
        k_inner = max(1, round(k * share))
        fills = [fill_rate(valid, stocked_mask(valid, expand(inner.types, k_inner, vectors, s, a).sku_ids))
                 for s, a in points]
        out.append(points[int(np.argmax(fills))])
    return out


def no_vectors(sku_ids: np.ndarray) -> Vectors:
    """Zero vectors: selection by popularity alone (used when the window is too thin to embed)."""
    return _Plain(np.asarray(sku_ids, dtype=object), np.zeros((len(sku_ids), 1), dtype=np.float32))


@dataclass(frozen=True)
class _Plain:
    sku_ids: np.ndarray
    vectors: np.ndarray


def _unit_vectors(sku_ids: np.ndarray, embeddings: Vectors) -> np.ndarray:
    """Rows of unit length for `sku_ids` (zeros for SKUs without a vector)."""
    pos = pd.Index(embeddings.sku_ids).get_indexer(pd.Index(sku_ids))
    out = np.zeros((len(sku_ids), embeddings.vectors.shape[1]), dtype=np.float32)
    out[pos >= 0] = embeddings.vectors[pos[pos >= 0]]
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norm > 0, norm, 1.0)


def _merge(best: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Keep, per row, the largest `best.shape[1]` similarities among the old ones and the new columns."""
    both = np.concatenate([best, sims], axis=1)
    m = best.shape[1]
    return -np.partition(-both, m - 1, axis=1)[:, :m] if both.shape[1] > m else both
