"""Training throughput and peak memory of SKU2Vec against gensim on the same orders, at growing order counts.

A sample is one leave-one-out prediction, i.e. one line of an order with two or more distinct SKUs; both
libraries see the same samples per epoch (gensim's CBOW with an order-wide window predicts each line from
the rest of its order). Timing covers the whole fit call (vocabulary, encoding, epochs), without validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab import bench
from skulab.config import EmbedConfig


def demo_orders(seed: int, orders_scale: float = 10.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(order lines, dim_sku) of the demo chain with `orders_scale` times its orders (10: ~1.6 M lines)."""
    from skulab.data import demo

    tables = demo.generate(seed=seed, scale=1.0, orders_scale=orders_scale).tables
    return tables["order_line"], tables["dim_sku"]


def first_lines(lines: pd.DataFrame, n: int) -> pd.DataFrame:
    """The earliest whole orders holding about `n` lines (order ids follow time in the ERP's sources)."""
    ids = lines["order_id"].to_numpy()
    start = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    i = np.searchsorted(start, n)
    return lines.iloc[: start[i] if i < len(start) else len(lines)]


def throughput(lines: pd.DataFrame, skus: pd.DataFrame | None, cfg: EmbedConfig, sizes: list[int],
               threads: list[int], epochs: int, verbose: bool = False) -> pd.DataFrame:
    """Samples per second and peak memory growth of SKU2Vec, gensim CBOW and skip-gram by size and threads.

    SKU2Vec runs with `t` torch threads (with the profile's side features and without), gensim with `t`
    worker threads; skip-gram only with one worker. `gensim_cbow_best_over_this` is how many times faster
    the faster gensim CBOW run of the same size was. `verbose` prints each row as it is measured.
    """
    from skulab.embed import sku2vec, word2vec

    run_cfg = cfg.model_copy(update={"epochs": epochs})
    lines = lines.sort_values("order_id", kind="stable")
    warm = first_lines(lines, 2_000)
    sku2vec.fit(warm, run_cfg.model_copy(update={"epochs": 1}), skus, progress=False)
    word2vec.train(warm, run_cfg.model_copy(update={"epochs": 1}))
    rows = []
    for size in sizes:
        part = first_lines(lines, size)
        for t in threads:
            on = run_cfg.model_copy(update={"threads": t})
            jobs = [("SKU2Vec", sku2vec.fit, (part, on, skus)),
                    ("SKU2Vec, no side features", sku2vec.fit, (part, on)),
                    ("Word2Vec CBOW", word2vec.train, (part, on, False))]
            if t == 1:
                jobs.append(("Word2Vec skip-gram", word2vec.train, (part, on, True)))
            for method, fn, fn_args in jobs:
                quiet = {"progress": False} if fn is sku2vec.fit else {}
                result, seconds, peak = bench.measure(fn, *fn_args, **quiet)
                samples = result.samples_per_epoch * epochs
                rows.append({"order_lines": len(part), "orders": part["order_id"].nunique(),
                             "vocabulary": len(result.embeddings), "method": method, "threads": t,
                             "dim": cfg.dim,
                             "negatives": cfg.negatives if fn is sku2vec.fit else cfg.gensim_negative,
                             "epochs": epochs, "samples": samples, "seconds": round(seconds, 2),
                             "samples_per_s": round(samples / seconds), "peak_mb": round(peak, 1)})
                if verbose:
                    print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    cbow = frame[frame["method"] == "Word2Vec CBOW"].set_index(["order_lines", "threads"])["samples_per_s"]
    best_cbow = frame["order_lines"].map(cbow.groupby(level=0).max())
    frame["gensim_cbow_best_over_this"] = (best_cbow / frame["samples_per_s"]).round(2)
    return frame
