"""The gensim Word2Vec baseline over orders: order-level CBOW (SKU2Vec's objective) and skip-gram.

Orders are sentences; the window is as large as the largest order and never shrinks, and frequent SKUs are
not down-sampled, so CBOW sees exactly SKU2Vec's leave-one-out samples (mean of the other SKUs of the
order, negative sampling). One worker thread and a fixed seed make a run reproducible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from gensim.models import Word2Vec
from gensim.models.callbacks import CallbackAny2Vec
from threadpoolctl import threadpool_limits

from skulab.config import EmbedConfig
from skulab.embed import evaluate, orders
from skulab.embed.vectors import Embeddings

NOISE_POWER = 0.75  # gensim's ns_exponent: negatives are drawn in proportion to count ** 0.75


@dataclass(frozen=True)
class Word2VecResult:
    """A trained gensim model's vectors (input side), output vectors, per-epoch history and timing."""

    embeddings: Embeddings
    outputs: np.ndarray
    counts: np.ndarray
    history: pd.DataFrame
    best_epoch: int
    samples_per_epoch: int
    seconds: float

    def scorer(self) -> evaluate.Scorer:
        """The model's own ranking of a left-out SKU: mean context vector . output vector + log noise."""
        return _scorer(self.embeddings.method, self.embeddings.sku_ids, self.embeddings.vectors, self.outputs,
                       self.counts)


def fit(lines: pd.DataFrame, cfg: EmbedConfig, sg: bool = False) -> Embeddings:
    """Train gensim Word2Vec on orders (CBOW, or skip-gram with sg=True) and return its SKU vectors."""
    return train(lines, cfg, sg).embeddings


def train(lines: pd.DataFrame, cfg: EmbedConfig, sg: bool = False, valid_lines: pd.DataFrame | None = None
          ) -> Word2VecResult:
    """Train gensim Word2Vec for `cfg.epochs` epochs on `cfg.threads` workers; keep the best on `valid_lines`.

    The vocabulary and the orders are those of SKU2Vec (`skulab.embed.orders`), so both see the same samples.
    """
    t0 = time.perf_counter()
    vocab, baskets = orders.training_orders(lines, cfg.min_count, "Word2Vec")
    sentences = orders.Sentences(baskets)
    method = "Word2Vec skip-gram" if sg else "Word2Vec CBOW"
    window = int(baskets.sizes.max())
    model = Word2Vec(vector_size=cfg.dim, window=window, min_count=1, sg=int(sg), cbow_mean=1, hs=0,
                     negative=cfg.gensim_negative, alpha=cfg.gensim_alpha, sample=0, shrink_windows=False,
                     workers=cfg.threads, seed=cfg.seed, max_vocab_size=None)
    model.build_vocab(sentences)
    watch = _Watch(model, valid_lines, lines, vocab, method)
    with threadpool_limits(limits=cfg.threads):  # numpy's BLAS in the validation scoring
        model.train(sentences, total_examples=len(sentences), epochs=cfg.epochs, callbacks=[watch])
    inputs, outputs = watch.best if watch.best is not None else (model.wv.vectors, model.syn1neg)
    pos = np.array([model.wv.key_to_index[s] for s in vocab])
    history = pd.DataFrame(watch.rows)
    best_epoch = watch.best_epoch or cfg.epochs
    counts = np.asarray(baskets.matrix.sum(axis=0)).ravel()
    return Word2VecResult(Embeddings(vocab, inputs[pos], method), np.asarray(outputs[pos], dtype=np.float32),
                          counts, history, best_epoch, int(baskets.matrix.nnz), time.perf_counter() - t0)


class _Watch(CallbackAny2Vec):
    """Scores every epoch on the held-out orders and keeps a copy of the best epoch's weights."""

    def __init__(self, model: Any, valid_lines: pd.DataFrame | None, lines: pd.DataFrame, vocab: np.ndarray,
                 method: str) -> None:
        self.rows: list[dict[str, float]] = []
        self.best: tuple[np.ndarray, np.ndarray] | None = None
        self.best_epoch = 0
        self._score = (-np.inf, -np.inf)
        self._epoch = 0
        self._method = method
        self._data = None
        if valid_lines is not None and not valid_lines.empty:
            data = evaluate.holdout(valid_lines, vocab)
            if data.samples:
                self._data = (data, evaluate.popularity_scorer(vocab, orders.sku_counts(lines, vocab)))

    def on_epoch_end(self, model: Any) -> None:
        self._epoch += 1
        row: dict[str, float] = {"epoch": self._epoch}
        if self._data is not None:
            keys = np.array(model.wv.index_to_key, dtype=object)
            counts = np.array([model.wv.get_vecattr(k, "count") for k in keys], dtype=np.float64)
            scorer = _scorer(self._method, keys, model.wv.vectors, model.syn1neg, counts)
            score = evaluate.leave_one_out(self._data[0], scorer, self._data[1])
            row |= {"valid_hit@10": score["hit@10"], "valid_mrr": score["mrr"]}
            if (score["hit@10"], score["mrr"]) > self._score:
                self._score, self.best_epoch = (score["hit@10"], score["mrr"]), self._epoch
                self.best = (model.wv.vectors.copy(), model.syn1neg.copy())
        self.rows.append(row)


def _scorer(method: str, sku_ids: np.ndarray, inputs: np.ndarray, outputs: np.ndarray, counts: np.ndarray
            ) -> evaluate.Scorer:
    """Negative sampling fits intent . output ~ log p(SKU | order) - log(k q(SKU)): add log q back to rank.

    Without it a negative-sampling model ranks by pointwise mutual information, which buries popular SKUs.
    """
    bias = NOISE_POWER * np.log(np.maximum(counts, 1.0))
    return evaluate.Scorer(method, sku_ids, inputs, outputs, bias.astype(np.float32))
