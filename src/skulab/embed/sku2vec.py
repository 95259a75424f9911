"""SKU2Vec (JD.com): leave-one-out CBOW over orders in PyTorch, with side-attribute embeddings.

An order of N SKUs gives N samples: each SKU in turn is left out, the mean of the other N-1 SKUs' vectors
(the order-intent vector) scores every SKU, and the model learns to rank the left-out one first. A SKU's
vector is its own embedding plus one embedding per side attribute (style, category, colour, size ...), on
the input side and on the output side, so SKUs of one style share what the orders taught that style.

Training streams batches of whole orders: the intent vectors of a batch come from one scatter-add per batch
(the order's sum minus the left-out SKU), so no sample is ever materialised beyond its batch. The loss is a
softmax over all SKUs, or a sampled softmax over `negatives` SKUs drawn per batch from the unigram^0.75
distribution (with the log-q correction) so that it scales to 100k+ SKUs.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from threadpoolctl import threadpool_limits
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from skulab.config import EmbedConfig
from skulab.embed import evaluate, orders
from skulab.embed.vectors import Embeddings

NOISE_POWER = 0.75
NAME_WORDS = "name_words"


@dataclass(frozen=True)
class Bags:
    """Which rows of the embedding tables make up each SKU's vector, and with what weight.

    Row i < n_skus is SKU i's own embedding; the rows after it hold the values of the side attributes.
    `index` is SKU x slot (unused slots point at the padding row `rows`), `weight` their weights: 1 for
    the SKU and each attribute value, 1/k for each of the k words of a name.
    """

    used: list[str]
    index: np.ndarray
    weight: np.ndarray
    rows: int


class Sku2VecNet(nn.Module):
    """One input and one output table (SKUs and attribute values), bags per SKU, an output bias per SKU."""

    def __init__(self, bags: Bags, dim: int) -> None:
        super().__init__()
        self.register_buffer("bag_index", torch.as_tensor(bags.index, dtype=torch.long))
        self.register_buffer("bag_weight", torch.as_tensor(bags.weight, dtype=torch.float32))
        self.n_skus = len(bags.index)
        self.inp = nn.EmbeddingBag(bags.rows + 1, dim, mode="sum", sparse=True, padding_idx=bags.rows)
        self.out = nn.EmbeddingBag(bags.rows + 1, dim, mode="sum", sparse=True, padding_idx=bags.rows)
        self.bias = nn.Embedding(self.n_skus, 1, sparse=True)
        with torch.no_grad():
            self.inp.weight.normal_(0.0, 0.1)
            self.inp.weight[bags.rows] = 0.0
            self.out.weight.zero_()
            self.bias.weight.zero_()

    def inputs(self, sku: torch.Tensor) -> torch.Tensor:
        """Input vectors of SKUs: own embedding plus their attributes' (the vectors an order is made of)."""
        return self.inp(self.bag_index[sku], per_sample_weights=self.bag_weight[sku])

    def outputs(self, sku: torch.Tensor) -> torch.Tensor:
        """Output vectors of candidate SKUs, which the intent vector scores."""
        return self.out(self.bag_index[sku], per_sample_weights=self.bag_weight[sku])

    def loss(self, items: torch.Tensor, order: torch.Tensor, size: torch.Tensor,
             negatives: torch.Tensor | None, log_q: torch.Tensor | None) -> torch.Tensor:
        """Mean cross-entropy of predicting every item of a batch of orders from the rest of its order."""
        vec = self.inputs(items)
        sums = torch.zeros(len(size), vec.shape[1]).index_add_(0, order, vec)
        intent = (sums[order] - vec) / (size[order] - 1).unsqueeze(1)
        if negatives is None:  # full softmax over every SKU
            everyone = torch.arange(self.n_skus)
            logits = intent @ self.outputs(everyone).T + self.bias(everyone).squeeze(1)
            return F.cross_entropy(logits, items)
        true = (intent * self.outputs(items)).sum(1) + self.bias(items).squeeze(1) - log_q[items]
        sampled = intent @ self.outputs(negatives).T + (self.bias(negatives).squeeze(1) - log_q[negatives])
        sampled = sampled.masked_fill(negatives.unsqueeze(0) == items.unsqueeze(1), float("-inf"))
        logits = torch.cat([true.unsqueeze(1), sampled], dim=1)
        return F.cross_entropy(logits, torch.zeros(len(items), dtype=torch.long))


@dataclass(frozen=True)
class Sku2VecResult:
    """A trained SKU2Vec: embeddings (input vectors), per-epoch history, the network and its scorer."""

    embeddings: Embeddings
    history: pd.DataFrame
    model: Sku2VecNet
    side_features: list[str]
    best_epoch: int
    samples_per_epoch: int
    seconds: float

    def scorer(self) -> evaluate.Scorer:
        """The model's own ranking of a left-out SKU (intent . output vector + bias)."""
        return _scorer(self.model, self.embeddings.sku_ids, "SKU2Vec")

    def output_embeddings(self) -> Embeddings:
        """The output-side vectors (what the intent vector is matched against), keyed by SKU id.

        SKUs that complete the same kinds of orders get close output vectors; notebook 05's table of vector
        sides measures, on the validation orders, whether they give better cosine neighbourhoods than the input side.
        """
        return Embeddings(self.embeddings.sku_ids, self.scorer().outputs, "SKU2Vec (output vectors)")


def fit(lines: pd.DataFrame, cfg: EmbedConfig, skus: pd.DataFrame | None = None,
        valid_lines: pd.DataFrame | None = None, progress: bool = True) -> Sku2VecResult:
    """Train SKU2Vec on order lines (order_id, sku_id) with side attributes from dim_sku rows `skus`.

    With `valid_lines` (held-out orders), every epoch is scored on them (hit@10, MRR); the best epoch's
    weights are kept and training stops after `cfg.patience` epochs without improvement.
    The same `cfg.seed` (and `cfg.threads`) gives the same embeddings.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(cfg.threads)
    try:
        with threadpool_limits(limits=cfg.threads):  # numpy's BLAS in the validation scoring
            return _fit(lines, cfg, skus, valid_lines, progress)
    finally:
        torch.set_num_threads(before)


def _fit(lines: pd.DataFrame, cfg: EmbedConfig, skus: pd.DataFrame | None, valid_lines: pd.DataFrame | None,
         progress: bool) -> Sku2VecResult:
    t0 = time.perf_counter()
    vocab, train = orders.training_orders(lines, cfg.min_count, "SKU2Vec")
    bags = side_attributes(vocab, skus, cfg.side_features)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    draw = torch.Generator().manual_seed(cfg.seed)
    net = Sku2VecNet(bags, cfg.dim)
    optimiser = torch.optim.SparseAdam(list(net.parameters()), lr=cfg.lr)
    counts = np.asarray(train.matrix.sum(axis=0)).ravel()
    noise = torch.as_tensor(counts ** NOISE_POWER / (counts ** NOISE_POWER).sum(), dtype=torch.float32)
    full = cfg.negatives == 0 or cfg.negatives >= len(vocab)
    log_q = None if full else torch.log(noise * cfg.negatives)
    check = _validation(valid_lines, lines, vocab)
    rows, best, best_state, best_epoch, stale = [], (-np.inf, -np.inf), None, cfg.epochs, 0
    bar = tqdm(range(1, cfg.epochs + 1), desc="SKU2Vec", unit="epoch", disable=not progress)
    for epoch in bar:
        total, seen = 0.0, 0
        for items, order, size in orders.batches(train, cfg.batch_size, rng):
            items_t = torch.as_tensor(items, dtype=torch.long)
            negatives = (None if full else
                         torch.multinomial(noise, cfg.negatives, replacement=True, generator=draw))
            loss = net.loss(items_t, torch.as_tensor(order), torch.as_tensor(size, dtype=torch.float32),
                            negatives, log_q)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(items)
            seen += len(items)
        row = {"epoch": epoch, "train_loss": total / seen}
        if check is not None:
            score = evaluate.leave_one_out(check[0], _scorer(net, vocab, "SKU2Vec"), check[1])
            row |= {"valid_hit@10": score["hit@10"], "valid_mrr": score["mrr"]}
            if (score["hit@10"], score["mrr"]) > best:
                best, best_epoch, stale = (score["hit@10"], score["mrr"]), epoch, 0
                best_state = copy.deepcopy(net.state_dict())
            else:
                stale += 1
        rows.append(row)
        bar.set_postfix({k: f"{v:.4f}" for k, v in row.items() if k != "epoch"})
        if stale >= cfg.patience:
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    with torch.no_grad():
        vectors = net.inputs(torch.arange(len(vocab))).numpy()
    return Sku2VecResult(Embeddings(vocab, vectors, "SKU2Vec"), pd.DataFrame(rows), net, bags.used,
                         best_epoch, int(train.matrix.nnz), time.perf_counter() - t0)


def side_attributes(sku_ids: np.ndarray, skus: pd.DataFrame | None, wanted: list[str]) -> Bags:
    """The bags of every vocabulary SKU: itself plus the values of the `wanted` attributes it has.

    A dim_sku column adds one value per SKU; `name_words` adds the words (3+ letters) of the product name
    that at least two vocabulary SKUs share. An attribute is skipped when dim_sku lacks it, when no
    vocabulary SKU has a value, or when every SKU has its own value (it would duplicate the SKU's own row).
    """
    n = len(sku_ids)
    slots = [(np.arange(n).reshape(-1, 1), np.ones((n, 1), dtype=np.float32))]
    used, rows = [], n
    table = (skus.drop_duplicates("sku_id").set_index("sku_id").reindex(pd.Index(sku_ids, name="sku_id"))
             if skus is not None else pd.DataFrame(index=pd.Index(sku_ids, name="sku_id")))
    for name in wanted:
        column = "name" if name == NAME_WORDS else name
        if column not in table.columns:
            continue
        values = table[column].astype("string")
        if name == NAME_WORDS:
            codes, n_values = _words(values)
        else:
            codes, uniques = pd.factorize(values)
            known = codes >= 0
            n_values = len(uniques) if 0 < len(uniques) < known.sum() else 0
            codes = codes.reshape(-1, 1)
        if n_values == 0:
            continue
        have = codes >= 0
        weight = have / np.maximum(have.sum(axis=1, keepdims=True), 1)
        slots.append((np.where(have, codes + rows, -1), weight.astype(np.float32)))
        used.append(name)
        rows += n_values
    index = np.concatenate([i for i, _ in slots], axis=1)
    weight = np.concatenate([w for _, w in slots], axis=1)
    return Bags(used, np.where(index >= 0, index, rows), weight, rows)


def _words(names: pd.Series) -> tuple[np.ndarray, int]:
    """SKU x slot codes of the name words shared by two or more SKUs (-1 = none), and how many such words."""
    found = names.str.lower().str.findall(r"[a-z]{3,}")
    words = found.apply(lambda w: sorted(set(w)) if isinstance(w, list) else [])
    long = words.explode().dropna()
    counts = long.value_counts()
    shared = pd.Index(np.sort(counts.index[counts >= 2].to_numpy(dtype=object)))
    lengths = words.str.len().to_numpy()
    codes = np.full((len(names), max(1, int(lengths.max(initial=0)))), -1, dtype=np.int64)
    codes[np.repeat(np.arange(len(names)), lengths), _within(lengths)] = shared.get_indexer(long.to_numpy())
    return codes, len(shared)


def _within(n: np.ndarray) -> np.ndarray:
    return np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)


def _validation(valid_lines: pd.DataFrame | None, lines: pd.DataFrame, vocab: np.ndarray
                ) -> tuple[evaluate.Holdout, evaluate.Scorer] | None:
    if valid_lines is None or valid_lines.empty:
        return None
    data = evaluate.holdout(valid_lines, vocab)
    if data.samples == 0:
        return None
    return data, evaluate.popularity_scorer(vocab, orders.sku_counts(lines, vocab))


def _scorer(net: Sku2VecNet, vocab: np.ndarray, name: str) -> evaluate.Scorer:
    with torch.no_grad():
        everyone = torch.arange(len(vocab))
        return evaluate.Scorer(name, vocab, net.inputs(everyone).numpy(), net.outputs(everyone).numpy(),
                               net.bias(everyone).squeeze(1).numpy())
