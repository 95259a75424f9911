"""SKU2Vec and the gensim baseline learn planted co-purchases, reproducibly; the command writes outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from skulab import erp
from skulab.config import EmbedConfig, override
from skulab.embed import compare, evaluate, orders, sku2vec, word2vec
from skulab.errors import DataError

ROOT = Path(__file__).resolve().parents[2]
FAST = EmbedConfig(dim=16, epochs=8, batch_size=256, lr=0.05, negatives=8, patience=8, train_weeks=4,
                   side_features=["style_id"])


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders over 6 weeks whose SKUs come from 8 planted groups of 6 (2-4 SKUs of one group per order).

    Groups differ in popularity; SKU i of group g has style g-(i // 2), so styles sit inside groups.
    """
    rng = np.random.default_rng(1)
    group_p = np.linspace(2, 1, 8) / np.linspace(2, 1, 8).sum()
    rows = []
    for o in range(1500):
        g = rng.choice(8, p=group_p)
        for i in rng.choice(6, rng.integers(2, 5), replace=False):
            rows.append((f"o{o:05d}", f"g{g}-{i}", pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=40 * o)))
    lines = pd.DataFrame(rows, columns=["order_id", "sku_id", "ts"])
    skus = pd.DataFrame({"sku_id": [f"g{g}-{i}" for g in range(8) for i in range(6)],
                         "style_id": [f"g{g}-{i // 2}" for g in range(8) for i in range(6)],
                         "category": ["c1", "c2", "c3"] * 16, "color": None})
    return lines, skus


def _group_precision(emb) -> float:
    """Share of each SKU's 5 nearest SKUs that belong to its planted group."""
    group = [q.split("-")[0] for q in emb.sku_ids]
    hits = [np.mean([s.split("-")[0] == g for s in emb.similar(q, 5)["sku_id"]])
            for q, g in zip(emb.sku_ids, group)]
    return float(np.mean(hits))


@pytest.mark.parametrize("negatives", [8, 0], ids=["sampled softmax", "full softmax"])
def test_sku2vec_recovers_planted_groups_and_beats_popularity(planted, negatives: int) -> None:
    lines, skus = planted
    split = evaluate.split_weeks(lines, train_weeks=4)
    fit_lines, valid_lines = evaluate.split_valid(split.train, 0.1, seed=7)
    result = sku2vec.fit(fit_lines, override(FAST, negatives=negatives), skus, valid_lines,
                         progress=False)
    assert result.side_features == ["style_id"]
    assert _group_precision(result.embeddings) > 0.8
    assert _group_precision(result.output_embeddings()) > 0.8
    vocab = result.embeddings.sku_ids
    popular = evaluate.popularity_scorer(vocab, orders.sku_counts(fit_lines, vocab))
    test = evaluate.holdout(split.test, vocab)
    assert evaluate.leave_one_out(test, result.scorer(), popular, k=5)["hit@5"] > \
        evaluate.leave_one_out(test, popular, popular, k=5)["hit@5"] + 0.2
    assert {"epoch", "train_loss", "valid_hit@10", "valid_mrr"} <= set(result.history.columns)
    assert 1 <= result.best_epoch <= len(result.history)


def test_same_seed_gives_the_same_sku2vec_embeddings(planted) -> None:
    lines, skus = planted
    first = sku2vec.fit(lines, FAST, skus, progress=False).embeddings
    again = sku2vec.fit(lines, FAST, skus, progress=False).embeddings
    other = sku2vec.fit(lines, override(FAST, seed=8), skus, progress=False).embeddings
    np.testing.assert_array_equal(first.vectors, again.vectors)
    assert not np.allclose(first.vectors, other.vectors)


@pytest.mark.parametrize("sg", [False, True], ids=["cbow", "skip-gram"])
def test_gensim_baseline_is_reproducible_and_recovers_planted_groups(planted, sg: bool) -> None:
    lines, _ = planted
    cfg = override(FAST, epochs=15)
    first = word2vec.fit(lines, cfg, sg=sg)
    np.testing.assert_array_equal(first.vectors, word2vec.fit(lines, cfg, sg=sg).vectors)
    assert first.method == ("Word2Vec skip-gram" if sg else "Word2Vec CBOW")
    assert _group_precision(first) > 0.8


def test_early_stopping_keeps_the_best_validation_epoch(planted) -> None:
    lines, skus = planted
    fit_lines, valid_lines = evaluate.split_valid(lines, 0.2, seed=7)
    cfg = override(FAST, epochs=30, patience=2, lr=0.2)
    result = sku2vec.fit(fit_lines, cfg, skus, valid_lines, progress=False)
    h = result.history
    best = h.loc[h["epoch"] == result.best_epoch].iloc[0]
    assert best["valid_hit@10"] == h["valid_hit@10"].max()
    assert len(h) == min(cfg.epochs, result.best_epoch + cfg.patience)
    vocab = result.embeddings.sku_ids
    popular = evaluate.popularity_scorer(vocab, orders.sku_counts(fit_lines, vocab))
    kept = evaluate.leave_one_out(evaluate.holdout(valid_lines, vocab), result.scorer(), popular)
    assert kept["hit@10"] == pytest.approx(best["valid_hit@10"])


def test_side_attributes_skip_absent_empty_and_one_per_sku_columns(planted) -> None:
    _, skus = planted
    bags = sku2vec.side_attributes(skus["sku_id"].to_numpy(), skus, ["style_id", "category", "color", "size"])
    assert bags.used == ["style_id", "category"]  # colour is empty, size absent
    assert bags.rows == 48 + 24 + 3 and bags.index.shape == (48, 3)
    assert bags.index[0, 1] == bags.index[1, 1] != bags.index[2, 1]  # g0-0 and g0-1 share style g0-0


def test_name_words_shared_by_skus_become_one_attribute() -> None:
    skus = pd.DataFrame({"sku_id": ["1", "2", "3"], "style_id": ["1", "2", "3"],
                         "name": ["RED RETROSPOT BAG", "RED RETROSPOT CUP", "TEA SET"]})
    bags = sku2vec.side_attributes(np.array(["1", "2", "3"]), skus, ["style_id", "name_words"])
    assert bags.used == ["name_words"]  # style_id is one per SKU: skipped
    assert bags.rows == 3 + 2  # three SKUs, the words 'red' and 'retrospot'
    # itself, 'red' and 'retrospot' (half each); 'bag' is shared by no other SKU
    np.testing.assert_allclose(sorted(bags.weight[0]), [0.0, 0.5, 0.5, 1.0])
    assert set(bags.index[2, 1:]) == {bags.rows}  # 'tea' and 'set' belong to one SKU only: padding


def test_too_few_multi_sku_orders_is_a_clear_error() -> None:
    lines = pd.DataFrame({"order_id": ["o1", "o2"], "sku_id": ["a", "b"]})
    with pytest.raises(DataError, match="two or more SKUs"):
        sku2vec.fit(lines, FAST, progress=False)


def test_inputs_are_read_from_any_erp(engine, small_tables) -> None:
    erp.replace_tables(engine, small_tables)
    lines, skus, truth = compare.load_inputs(engine)
    assert set(lines["order_id"]) == {"o1", "o2", "o3"} and {"sku_id", "ts"} <= set(lines.columns)
    assert set(skus["sku_id"]) == {"A-S", "A-M", "B"} and truth is None


@pytest.mark.slow
def test_embed_command_writes_embeddings_and_a_metrics_json(tmp_path: Path) -> None:
    (tmp_path / "params").mkdir()
    profile = yaml.safe_load((ROOT / "params" / "ci.yaml").read_text())
    (tmp_path / "params" / "ci.yaml").write_text(yaml.safe_dump(profile))
    out = subprocess.run([sys.executable, "-m", "skulab.cli", "embed", "--params", "params/ci.yaml"],
                         cwd=tmp_path, env={**os.environ, "SKULAB_ROOT": str(tmp_path)}, capture_output=True,
                         text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    metrics = json.loads((tmp_path / "reports" / "ci" / "embed_metrics.json").read_text())
    assert [m["method"] for m in metrics["methods"]] == ["popularity", "SKU2Vec", "Word2Vec CBOW",
                                                         "Word2Vec skip-gram"]
    assert all(0 <= m["hit@10"] <= 1 for m in metrics["methods"]) and metrics["looks"]
    saved = sorted(p.name for p in (tmp_path / "reports" / "ci" / "models" / "embed").iterdir())
    assert saved == ["sku2vec.parquet", "word2vec_cbow.parquet", "word2vec_skip_gram.parquet"]


@pytest.fixture(scope="module")
def comparison(planted) -> compare.Comparison:
    lines, skus = planted
    return compare.run(lines, FAST, skus, progress=False)


def test_findings_quote_the_measured_hit_rates_and_verdicts(comparison) -> None:
    result = comparison
    verdict = compare.verdict(result, draws=200)
    text = compare.findings(result, verdict)
    hit = result.table.set_index("method").loc["SKU2Vec", "hit@10"]
    assert f"{hit:.1%}" in text
    assert all(f"**{outcome}**" in text for outcome in verdict["SKU2Vec is"])
    assert verdict.iloc[0]["SKU2Vec is"] == "better"  # planted groups: far above popularity


def test_vector_sides_score_both_sides_of_every_method(comparison) -> None:
    sides = compare.vector_sides(comparison)
    assert set(zip(sides["method"], sides["vectors"])) == {
        (m, side) for m in ("SKU2Vec", "Word2Vec CBOW", "Word2Vec skip-gram") for side in ("input", "output")}
    scores = sides[["valid hit@10 (cosine)", "test hit@10 (cosine)"]].to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
