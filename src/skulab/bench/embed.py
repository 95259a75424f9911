"""Training throughput and peak memory of SKU2Vec against gensim on the same orders, at growing order counts.

A sample is one leave-one-out prediction, i.e. one line of an order with two or more distinct SKUs; both
libraries see the same samples per epoch (gensim's CBOW with an order-wide window predicts each line from
the rest of its order). Timing covers the whole fit call (vocabulary, encoding, epochs), without validation.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from skulab import bench
from skulab.config import EmbedConfig, override


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
               threads: list[int], epochs: int, repeats: int = 1, verbose: bool = False) -> pd.DataFrame:
    """Samples per second and peak memory growth of SKU2Vec, gensim CBOW and skip-gram by size and threads.

    SKU2Vec runs with `t` torch threads (with the profile's side features and without), gensim with `t`
    worker threads; skip-gram only with one worker. Every timed fit runs in a fresh Python process (spawned,
    not forked, so no freed heap of this process hides allocations) after a small warm-up fit (imports,
    first optimiser): its peak memory growth is its own. With `repeats` > 1
    the fastest run counts (the machine may be shared). `gensim_cbow_best_over_this` is how many times
    faster the faster gensim CBOW run of the same size was. `verbose` prints each row as it is measured.
    """
    run_cfg = override(cfg, epochs=epochs)
    lines = lines.sort_values("order_id", kind="stable")
    rows = []
    for size in sizes:
        part = first_lines(lines, size)
        for t in threads:
            on = override(run_cfg, threads=t)
            jobs = [("SKU2Vec", on, skus), ("SKU2Vec, no side features", on, None),
                    ("Word2Vec CBOW", on, None)]
            if t == 1:
                jobs.append(("Word2Vec skip-gram", on, None))
            for method, job_cfg, job_skus in jobs:
                runs = [_in_fresh_process(method, part, job_cfg, job_skus) for _ in range(repeats)]
                vocabulary, samples, seconds, _ = min(runs, key=lambda r: r[2])
                rows.append({"order_lines": len(part), "orders": part["order_id"].nunique(),
                             "vocabulary": vocabulary, "method": method, "threads": t, "dim": cfg.dim,
                             "negatives": (cfg.negatives if method.startswith("SKU2Vec")
                                           else cfg.gensim_negative),
                             "epochs": epochs, "samples": samples * epochs, "seconds": round(seconds, 2),
                             "samples_per_s": round(samples * epochs / seconds),
                             "peak_mb": round(max(r[3] for r in runs), 1)})
                if verbose:
                    print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    cbow = frame[frame["method"] == "Word2Vec CBOW"].set_index(["order_lines", "threads"])["samples_per_s"]
    best_cbow = frame["order_lines"].map(cbow.groupby(level=0).max())
    frame["gensim_cbow_best_over_this"] = (best_cbow / frame["samples_per_s"]).round(2)
    return frame


def _in_fresh_process(method: str, lines: pd.DataFrame, cfg: EmbedConfig, skus: pd.DataFrame | None
                      ) -> tuple[int, int, float, float]:
    """(vocabulary, samples per epoch, seconds, peak MB) of one fit, measured in a fresh child process."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_timed_fit, method, lines, cfg, skus).result()


def _timed_fit(method: str, lines: pd.DataFrame, cfg: EmbedConfig, skus: pd.DataFrame | None
               ) -> tuple[int, int, float, float]:
    from skulab.embed import sku2vec, word2vec

    def fit(part: pd.DataFrame, epochs: int) -> sku2vec.Sku2VecResult | word2vec.Word2VecResult:
        run = override(cfg, epochs=epochs)
        if method.startswith("SKU2Vec"):
            return sku2vec.fit(part, run, skus, progress=False)
        return word2vec.train(part, run, sg=method.endswith("skip-gram"))

    fit(first_lines(lines, 2_000), 1)
    result, seconds, peak = bench.measure(fit, lines, cfg.epochs)
    return len(result.embeddings), result.samples_per_epoch, seconds, peak
