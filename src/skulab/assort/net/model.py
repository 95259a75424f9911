"""The end-to-end assortment net (JD's FDC article): SKU features -> inclusion probability, loss = split orders.

A small network maps each SKU's features (embedded categorical attributes plus recent orders, trend, basket
context, chain and style evidence) to a logit; p_i = sigmoid(logit_i + tau) with tau set so that the
probabilities sum to K (a projection onto the budget). An order is served whole with probability
prod_{i in order} p_i, so the loss, the expected share of orders not served whole (split, or missed), is
differentiable end to end. The top-K logits form the assortment.

The net learns forward in time: inside the training window, features of the weeks before week s are paired
with the orders of week s, for every week s after the first; the fitted net then reads the features of the
whole window. So it learns which evidence predicts next week's complete orders, not last week's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import torch
from torch import nn

from skulab.assort.net.features import SkuFeatures, candidates, sku_features
from skulab.assort.order_types import Assortment, OrderTypes
from skulab.assort.windows import Window


@dataclass(frozen=True)
class NetFit:
    """The assortment, the training curve (one row per epoch) and each candidate SKU's probability at K."""

    assortment: Assortment
    history: pd.DataFrame
    probabilities: pd.Series
    features: SkuFeatures


class AssortmentNet(nn.Module):
    """Embeddings of categorical attributes, concatenated with numeric features, through an MLP to a logit.

    The logit starts as `scale` times the first numeric feature (orders per week, i.e. popularity) plus an
    MLP whose output layer starts at zero: training begins at the popularity ranking and moves from there.
    """

    def __init__(self, n_numeric: int, vocab_sizes: list[int], hidden: int = 32, emb_dim: int = 4,
                 scale: float = 4.0) -> None:
        super().__init__()
        self.embeddings = nn.ModuleList([nn.Embedding(v + 1, emb_dim) for v in vocab_sizes])
        self.mlp = nn.Sequential(nn.Linear(n_numeric + emb_dim * len(vocab_sizes), hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)
        self.scale = nn.Parameter(torch.tensor(scale))

    def forward(self, numeric: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        parts = [numeric] + [emb(codes[:, c]) for c, emb in enumerate(self.embeddings)]
        return self.scale * numeric[:, 0] + self.mlp(torch.cat(parts, dim=1)).squeeze(1)


def project(logits: torch.Tensor, budgets: torch.Tensor | float, segment: torch.Tensor | None = None,
            iters: int = 50) -> torch.Tensor:
    """Probabilities sigmoid(logits + tau_s) summing to budgets[s] within each segment s: the budget projection.

    tau comes from bisection; its gradient from the implicit function theorem (each sum stays at its budget),
    so raising one SKU's logit lowers the other probabilities of its segment, as the budget demands.
    """
    if segment is None:
        segment = torch.zeros(logits.numel(), dtype=torch.long)
    n_seg = int(segment.max()) + 1
    zeros = partial(torch.zeros, n_seg, dtype=logits.dtype)
    sizes = zeros().scatter_add_(0, segment, torch.ones_like(logits))
    budgets = torch.minimum(torch.as_tensor(budgets, dtype=logits.dtype).reshape(-1).expand(n_seg), sizes - 1e-3)
    with torch.no_grad():
        lo = torch.full((n_seg,), -float(logits.max()) - 30.0, dtype=logits.dtype)
        hi = torch.full((n_seg,), -float(logits.min()) + 30.0, dtype=logits.dtype)
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            total = zeros().scatter_add_(0, segment, torch.sigmoid(logits + mid[segment]))
            low = total < budgets
            lo, hi = torch.where(low, mid, lo), torch.where(low, hi, mid)
        tau = 0.5 * (lo + hi)
        p0 = torch.sigmoid(logits + tau[segment])
        slope = p0 * (1 - p0)
        slope_sum = zeros().scatter_add_(0, segment, slope).clamp_min(1e-12)
    shift = logits - logits.detach()
    tau = tau - zeros().scatter_add(0, segment, slope * shift) / slope_sum
    return torch.sigmoid(logits + tau[segment])


@dataclass(frozen=True)
class Prepared:
    """Features of each window's candidates, and the forward training pairs (features, next week's orders)."""

    full: list[SkuFeatures]
    pairs: list[tuple[int, SkuFeatures, OrderTypes]]
    used: list[str]


def prepare(windows: list[Window], max_pairs: int = 3, forecast: Callable[[Window], pd.Series] | None = None,
            inner_forecast: Callable[[Window], pd.Series] | None = None) -> Prepared:
    """Build features and training pairs once, for fits at several budgets.

    With `forecast` (window -> its FDC's forecast orders for the week after it) the features gain that forecast;
    each training pair's comes from `inner_forecast` (default `forecast`) on the weeks before its target week only.
    """
    inner_forecast = inner_forecast or forecast
    full = [sku_features(w, candidates(w), forecast(w) if forecast else None) for w in windows]
    pairs = []
    for f, window in enumerate(windows):
        inner = [(window.before(week), window.week_types(week)) for week in window.weeks[1:][-max_pairs:]]
        inner = [(f, sku_features(w, candidates(w), inner_forecast(w) if inner_forecast else None), t)
                 for w, t in inner if len(w.lines) and t.n_types]
        pairs += inner or [(f, full[f], window.types)]  # a one-week window learns from the week itself
    # a feature constant in every training pair (the trend of a one-week inner window) cannot be learnt
    used = [c for c in full[0].numeric.columns if any(p.numeric[c].std() > 0 for _, p, _ in pairs)]
    return Prepared(full, pairs, used)


def fit(window: Window, k: int, epochs: int = 150, hidden: int = 32, lr: float = 0.01, seed: int = 7,
        max_pairs: int = 3) -> NetFit:
    """Train the net forward in time inside `window` at budget k, then rank the window's candidate SKUs."""
    return fit_pooled([window], [k], epochs, hidden, lr, seed, max_pairs)[0]


def fit_pooled(windows: list[Window], ks: list[int], epochs: int = 150, hidden: int = 32, lr: float = 0.01,
               seed: int = 7, max_pairs: int = 3, prepared: Prepared | None = None) -> list[NetFit]:
    """One net trained on several FDCs' windows of the same weeks (each at its own budget), one fit per FDC.

    Every FDC contributes its forward pairs (features of the weeks before week s, orders of week s, for the
    last `max_pairs` weeks s of the window); pooling gives the net more orders to learn from without looking
    at any later week. All pairs train as one batch: stacked features, a block-diagonal order matrix.
    """
    prep = prepared or prepare(windows, max_pairs)
    full, used = prep.full, prep.used
    # a shorter inner window has fewer candidates: each pair keeps its FDC's budget share
    budgets = torch.tensor([ks[f] / len(full[f].sku_ids) * len(p.sku_ids) for f, p, _ in prep.pairs])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        num, cat, segment, target, weights, order_pair, totals = _stack(prep)
        net = AssortmentNet(len(used), [full[0].vocab[c] for c in full[0].categorical], hidden)
        opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
        rows = []
        for epoch in range(1, epochs + 1):
            opt.zero_grad()
            p = project(net(num, cat), budgets, segment)
            whole = torch.exp(torch.sparse.mm(target, torch.log(p.clamp_min(1e-12)).unsqueeze(1)).squeeze(1))
            fills = torch.zeros(len(totals)).scatter_add(0, order_pair, weights * whole) / totals
            loss = 1.0 - fills.mean()
            loss.backward()
            opt.step()
            rows.append((epoch, float(loss.detach())))
        net.eval()
        with torch.no_grad():
            scored = [(net(*_tensors(f, used)), k) for f, k in zip(full, ks)]
            probs = [project(logits, float(k)).numpy() for logits, k in scored]
    finally:
        torch.set_num_threads(threads)
    history = pd.DataFrame(rows, columns=["epoch", "loss"])
    out = []
    for feats, (logits, k), p in zip(full, scored, probs):
        order = np.argsort(-logits.numpy(), kind="stable")
        assortment = Assortment(feats.sku_ids[order][:k], p[order][:k], "net",
                                {"epochs": epochs, "pairs": len(prep.pairs)})
        out.append(NetFit(assortment, history, pd.Series(p, index=feats.sku_ids, name="probability"), feats))
    return out


def _stack(prep: Prepared) -> tuple:
    """All training pairs as one batch: features, segment of each row, block-diagonal orders, pair of each order."""
    nums, cats, segs, rows, cols, weights, order_pair, totals = [], [], [], [], [], [], [], []
    offset = n_orders = 0
    for s, (_, feats, target) in enumerate(prep.pairs):
        num, cat = _tensors(feats, prep.used)
        matrix, w, total = _target(feats, target)
        idx = matrix.indices()
        nums.append(num)
        cats.append(cat)
        segs.append(torch.full((len(feats.sku_ids),), s, dtype=torch.long))
        rows.append(idx[0] + n_orders)
        cols.append(idx[1] + offset)
        weights.append(w)
        order_pair.append(torch.full((len(w),), s, dtype=torch.long))
        totals.append(total)
        offset += len(feats.sku_ids)
        n_orders += len(w)
    target = torch.sparse_coo_tensor(torch.stack([torch.cat(rows), torch.cat(cols)]),
                                     torch.ones(sum(len(r) for r in rows)), (n_orders, offset),
                                     check_invariants=True).coalesce()
    return (torch.cat(nums), torch.cat(cats), torch.cat(segs), target, torch.cat(weights), torch.cat(order_pair),
            torch.tensor(totals, dtype=torch.float32))


def _target(feats: SkuFeatures, target: OrderTypes) -> tuple[torch.Tensor, torch.Tensor, float]:
    """The target week's orders as a sparse (orders x candidates) matrix, their weights and their total."""
    col = pd.Index(feats.sku_ids).get_indexer(pd.Index(target.sku_ids))
    unknown = np.asarray(target.matrix[:, col < 0].sum(axis=1)).ravel() > 0  # orders no candidate set can serve
    keep = np.flatnonzero(~unknown)
    sub = target.matrix[keep][:, col >= 0].tocoo()
    cols = col[col >= 0][sub.col]
    matrix = torch.sparse_coo_tensor(np.vstack([sub.row, cols]), np.ones(len(cols), dtype=np.float32),
                                     (len(keep), len(feats.sku_ids)), check_invariants=True).coalesce()
    return matrix, torch.tensor(target.weights[keep], dtype=torch.float32), target.total


def _tensors(feats: SkuFeatures, used: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    num = torch.tensor(feats.numeric[used].to_numpy(dtype=np.float32))
    cat = torch.tensor(feats.categorical.to_numpy(dtype=np.int64).reshape(len(feats.sku_ids), -1))
    return num, cat
