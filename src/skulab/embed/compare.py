"""Every method on one week split: SKU2Vec, gensim CBOW and skip-gram, popularity; one table, one protocol.

All methods learn from the same training orders minus a seeded validation share, keep their best epoch on
that validation share, and are judged once on the test week (never tuned on it).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from threadpoolctl import threadpool_limits

from skulab.config import EmbedConfig, override
from skulab.embed import evaluate, neighbours, orders, sku2vec, word2vec
from skulab.embed.vectors import Embeddings
from skulab.report.stable import timed_copy, without_timings
from skulab.stats import paired_interval

POPULARITY, SKU2VEC, CBOW, SKIP_GRAM = "popularity", "SKU2Vec", "Word2Vec CBOW", "Word2Vec skip-gram"


@dataclass(frozen=True)
class Comparison:
    """The outcome of `run`: the table, embeddings and training histories of every method, and the split."""

    split: evaluate.WeekSplit
    table: pd.DataFrame
    histories: pd.DataFrame
    embeddings: dict[str, Embeddings]
    counts: pd.Series
    looks: pd.DataFrame | None
    sku2vec: sku2vec.Sku2VecResult
    coverage: dict[str, float]
    order_scores: dict[str, pd.DataFrame]
    settings: dict
    scorers: dict[str, evaluate.Scorer]

    def metrics(self) -> dict:
        """Everything a JSON file needs to reproduce the table: windows, settings used, results."""
        return {
            "train": [f"{self.split.train_start:%Y-%m-%d}", f"{self.split.test_start:%Y-%m-%d}"],
            "test": [f"{self.split.test_start:%Y-%m-%d}", f"{self.split.test_end:%Y-%m-%d}"],
            "settings": self.settings,
            "vocabulary": len(self.counts),
            "side_features": self.sku2vec.side_features,
            "coverage": self.coverage,
            "methods": _records(self.table),
            "looks": None if self.looks is None else _records(self.looks),
            "verdict": _records(verdict(self)),
        }


def load_inputs(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """(order lines, dim_sku, truth_sku or None): what the embedding chapter reads from the ERP."""
    from skulab import erp

    return erp.read_order_lines(engine), erp.read_sku_attributes(engine), erp.read_looks(engine)


def run(lines: pd.DataFrame, cfg: EmbedConfig, skus: pd.DataFrame | None = None,
        truth_sku: pd.DataFrame | None = None, test_end: str | pd.Timestamp | None = None,
        progress: bool = True) -> Comparison:
    """Train every method on `cfg.train_weeks` weeks, validate on a held-out share, test on the next week."""
    with threadpool_limits(limits=cfg.threads):
        return _run(lines, cfg, skus, truth_sku, test_end, progress)


def _run(lines: pd.DataFrame, cfg: EmbedConfig, skus: pd.DataFrame | None, truth_sku: pd.DataFrame | None,
         test_end: str | pd.Timestamp | None, progress: bool) -> Comparison:
    split = evaluate.split_weeks(lines, cfg.train_weeks, cfg.test_weeks, test_end)
    fit_lines, valid_lines = evaluate.split_valid(split.train, cfg.valid_share, cfg.seed)
    s2v = sku2vec.fit(fit_lines, cfg, skus, valid_lines, progress=progress)
    vocab = s2v.embeddings.sku_ids
    counts = orders.sku_counts(fit_lines, vocab)
    popular = evaluate.popularity_scorer(vocab, counts)
    runs = {POPULARITY: _Run(popular, None, pd.DataFrame(), np.nan, 0.0),
            SKU2VEC: _Run(s2v.scorer(), s2v.embeddings, s2v.history, s2v.best_epoch, s2v.seconds)}
    for name, sg in ((CBOW, False), (SKIP_GRAM, True)):
        t0 = time.perf_counter()
        w2v = word2vec.train(fit_lines, cfg, sg, valid_lines)
        runs[name] = _Run(w2v.scorer(), w2v.embeddings, w2v.history, w2v.best_epoch, time.perf_counter() - t0)
    test = evaluate.holdout(split.test, vocab)
    valid = evaluate.holdout(valid_lines, vocab) if len(valid_lines) else None
    per_order = {name: evaluate.order_scores(test, r.scorer, popular) for name, r in runs.items()}
    table = pd.DataFrame([_row(name, r, per_order[name], test, valid, popular) for name, r in runs.items()])
    embedded = {name: r for name, r in runs.items() if r.embeddings is not None}
    histories = pd.concat([r.history.assign(method=name) for name, r in embedded.items()], ignore_index=True)
    looks = None
    if truth_sku is not None and skus is not None:
        looks = pd.DataFrame([{"method": name, **neighbours.look_precision(r.embeddings, truth_sku, skus)}
                              for name, r in embedded.items()])
    coverage = {"test_samples": test.samples, "test_orders": test.orders,
                "known_target": test.known / max(test.samples, 1),
                "ranked_by_popularity": per_order[POPULARITY].attrs["ranked_by_popularity"]
                / max(test.samples, 1),
                "valid_orders": int(valid_lines["order_id"].nunique()),
                "fit_orders": int(fit_lines["order_id"].nunique())}
    return Comparison(split, table, histories[["method", *[c for c in histories if c != "method"]]],
                      {name: r.embeddings for name, r in embedded.items()},
                      pd.Series(counts, index=vocab, name="orders"), looks, s2v, coverage, per_order,
                      cfg.model_dump(), {name: r.scorer for name, r in embedded.items()})


def verdict(result: Comparison, seed: int = 7, draws: int = 2000) -> pd.DataFrame:
    """SKU2Vec's test hit@10 against popularity and the better gensim variant, with 95 % intervals.

    The interval of a difference comes from resampling test orders (both methods scored on the same
    orders, so the comparison is paired). 'better' and 'worse' need the whole interval on one side of 0.
    """
    table = result.table.set_index("method")["hit@10"]
    gensim = table[[CBOW, SKIP_GRAM]].idxmax()
    rng = np.random.default_rng(seed)
    rows = []
    for other in (POPULARITY, gensim):
        a, b = result.order_scores[SKU2VEC], result.order_scores[other]
        diff, n = (a["hits"] - b["hits"]).to_numpy(), a["samples"].to_numpy()
        low, high = paired_interval(diff, draws, rng, weights=n)
        outcome = "better" if low > 0 else "worse" if high < 0 else "on par (interval holds 0)"
        rows.append({"SKU2Vec against": other, "SKU2Vec hit@10": table[SKU2VEC], "its hit@10": table[other],
                     "difference": table[SKU2VEC] - table[other], "95% low": low, "95% high": high,
                     "SKU2Vec is": outcome})
    return pd.DataFrame(rows)


def findings(result: Comparison, verdict_table: pd.DataFrame) -> str:
    """The run's outcome in a few Markdown sentences, every number taken from `result` and `verdict_table`."""
    t = result.table.set_index("method")
    split = result.split
    text = [(f"On the test week {split.test_start:%Y-%m-%d} .. {split.test_end - pd.Timedelta(days=1):%Y-%m-%d} "
             f"({result.coverage['test_samples']:,} leave-one-out samples from {result.coverage['test_orders']:,} "
             f"orders), SKU2Vec ranks the left-out SKU in its top 10 for {t.loc[SKU2VEC, 'hit@10']:.1%} of samples.")]
    for _, row in verdict_table.iterrows():
        text.append(f"Against {row['SKU2Vec against']} ({row['its hit@10']:.1%}) it is **{row['SKU2Vec is']}**: "
                    f"{row['difference'] * 100:+.1f} points, 95 % interval [{row['95% low'] * 100:+.1f}, "
                    f"{row['95% high'] * 100:+.1f}].")
    text.append(f"Training took {t.loc[SKU2VEC, 'train seconds']:.1f} s for SKU2Vec and "
                f"{t.loc[CBOW, 'train seconds']:.1f} s for gensim CBOW (best epochs {t.loc[SKU2VEC, 'best epoch']:.0f} "
                f"and {t.loc[CBOW, 'best epoch']:.0f}, validation included).")
    if result.looks is not None:
        looks = result.looks.set_index("method")["look_precision"]
        text.append("Nearest neighbours of other styles share the planted look for "
                    + ", ".join(f"{p:.1%} ({m})" for m, p in looks.items())
                    + f" of SKUs, against {result.looks['chance'].iloc[0]:.1%} by chance.")
    return " ".join(text)


def vector_sides(result: Comparison) -> pd.DataFrame:
    """Cosine hit@10 of every method's input and output vectors, on the validation orders and the test week.

    The models score with both sides together; a method that receives vectors only (cosine neighbours,
    the assortment net) gets one side. Which side to hand over is a choice: make it on the validation column.
    """
    cfg = EmbedConfig(**result.settings)
    _, valid_lines = evaluate.split_valid(result.split.train, cfg.valid_share, cfg.seed)
    vocab = result.sku2vec.embeddings.sku_ids
    popular = evaluate.popularity_scorer(vocab, result.counts.to_numpy())
    held = {"valid": evaluate.holdout(valid_lines, vocab), "test": evaluate.holdout(result.split.test, vocab)}
    rows = []
    with threadpool_limits(limits=cfg.threads):
        for name, scorer in result.scorers.items():
            for side, vectors in (("input", scorer.inputs), ("output", scorer.outputs)):
                emb = evaluate.cosine_scorer(Embeddings(scorer.sku_ids, vectors, f"{name} {side}"))
                rows.append({"method": name, "vectors": side} | {
                    f"{part} hit@10 (cosine)": evaluate.leave_one_out(data, emb, popular)["hit@10"]
                    for part, data in held.items()})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _Run:
    scorer: evaluate.Scorer
    embeddings: Embeddings | None
    history: pd.DataFrame
    best_epoch: float
    seconds: float


def variants(result: Comparison, cfg: EmbedConfig, skus: pd.DataFrame | None,
             changes: dict[str, dict]) -> pd.DataFrame:
    """SKU2Vec as configured (from `result`) and with each set of `changes`, on the validation orders only.

    The test week is never looked at. A variant whose side features and softmax come out the same as the
    configured run or an earlier variant is not trained again.
    """
    fit_lines, valid_lines = evaluate.split_valid(result.split.train, cfg.valid_share, cfg.seed)
    vocab = result.sku2vec.embeddings.sku_ids
    rows, done = [], set()
    for name, change in {"as configured": {}, **changes}.items():
        run_cfg = override(cfg, **change)
        full = run_cfg.negatives == 0 or run_cfg.negatives >= len(vocab)
        used = sku2vec.side_attributes(vocab, skus, run_cfg.side_features).used
        key = (tuple(used), 0 if full else run_cfg.negatives)
        if key in done:
            continue
        done.add(key)
        fitted = (sku2vec.fit(fit_lines, run_cfg, skus, valid_lines, progress=False) if change
                  else result.sku2vec)
        best = fitted.history.loc[fitted.history["epoch"] == fitted.best_epoch].iloc[0]
        rows.append({"variant": name, "side features": ", ".join(fitted.side_features) or "none",
                     "softmax": "full" if full else f"sampled, {run_cfg.negatives} negatives",
                     "valid hit@10": best.get("valid_hit@10", np.nan),
                     "valid mrr": best.get("valid_mrr", np.nan),
                     "best epoch": fitted.best_epoch, "train seconds": fitted.seconds})
    return pd.DataFrame(rows)


def write(result: Comparison, folder: Path) -> Path:
    """Write every method's embeddings (models/embed/*.parquet) and the metrics JSON (with its wall times only in
    the git-ignored timings/ copy); return the JSON path."""
    models = folder / "models" / "embed"
    for name, emb in result.embeddings.items():
        emb.save(models / f"{_slug(name)}.parquet")
    path = folder / "embed_metrics.json"
    folder.mkdir(parents=True, exist_ok=True)
    metrics = result.metrics()
    path.write_text(json.dumps(without_timings(metrics), indent=2) + "\n")
    timed_copy(path).write_text(json.dumps(metrics, indent=2) + "\n")
    return path


def _row(name: str, run: _Run, on_test: pd.DataFrame, test: evaluate.Holdout, valid: evaluate.Holdout | None,
         popular: evaluate.Scorer) -> dict:
    samples = max(test.samples, 1)
    row = {"method": name, "hit@10": on_test["hits"].sum() / samples, "mrr": on_test["rr"].sum() / samples}
    cosine = (evaluate.leave_one_out(test, evaluate.cosine_scorer(run.embeddings), popular)
              if run.embeddings is not None else None)
    row |= {"hit@10 (cosine)": cosine["hit@10"] if cosine else np.nan,
            "mrr (cosine)": cosine["mrr"] if cosine else np.nan}
    row["valid hit@10"] = evaluate.leave_one_out(valid, run.scorer, popular)["hit@10"] if valid else np.nan
    row |= {"best epoch": run.best_epoch, "train seconds": run.seconds}
    return row


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")
