"""SKU embeddings from orders: SKU2Vec in PyTorch, the gensim Word2Vec baseline, and their evaluation.

Entry points (imported on first use, so `import skulab.embed` loads neither torch nor gensim): `load_inputs`,
`run` and `write` (every method on one week split), `verdict` and `findings` (SKU2Vec against the others),
`vector_sides` and `variants` (which vectors, which settings), `side_by_side`, `tsne_map` and `sku_groups`
(neighbours and maps). Modules: `vectors`, `orders`, `sku2vec`, `word2vec`, `evaluate`, `neighbours`, `compare`.
"""

from __future__ import annotations

import importlib
from typing import Any

_ENTRY_POINTS = {
    "load_inputs": "compare", "run": "compare", "write": "compare", "verdict": "compare", "findings": "compare",
    "vector_sides": "compare", "variants": "compare",
    "side_by_side": "neighbours", "tsne_map": "neighbours", "sku_groups": "neighbours",
}

__all__ = ["findings", "load_inputs", "run", "side_by_side", "sku_groups", "tsne_map", "variants", "vector_sides",
           "verdict", "write"]


def __getattr__(name: str) -> Any:
    """An entry point, taken from its module on first access."""
    if name in _ENTRY_POINTS:
        return getattr(importlib.import_module(f"skulab.embed.{_ENTRY_POINTS[name]}"), name)
    raise AttributeError(f"module 'skulab.embed' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_ENTRY_POINTS])
