"""What the vectors put close together: neighbour tables with names, the planted looks, a 2-D map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.embed.vectors import Embeddings


def neighbour_table(emb: Embeddings, names: pd.Series, queries: list[str], n: int = 5) -> pd.DataFrame:
    """The n nearest SKUs (cosine) of each query SKU with product names: one row per (query, rank)."""
    rows = []
    for q in queries:
        if q not in emb:
            continue
        near = emb.similar(q, n)
        rows += [{"query": q, "query_name": names.get(q, ""), "rank": r + 1, "sku_id": s,
                  "name": names.get(s, ""), "cosine": c}
                 for r, (s, c) in enumerate(near.itertuples(index=False))]
    return pd.DataFrame(rows, columns=["query", "query_name", "rank", "sku_id", "name", "cosine"])


def look_precision(emb: Embeddings, truth_sku: pd.DataFrame, skus: pd.DataFrame, n: int = 10
                   ) -> dict[str, float]:
    """How well neighbours recover the demo's planted looks (shopping intents that span styles).

    For each SKU, its n nearest SKUs of *other* styles (same-style SKUs share a look trivially): the share
    in the SKU's look, averaged over SKUs, next to the share a random pick among the other styles' SKUs
    would reach (chance).
    """
    look = truth_sku.set_index("sku_id")["look_id"].reindex(emb.sku_ids).to_numpy()
    style = skus.drop_duplicates("sku_id").set_index("sku_id")["style_id"].reindex(emb.sku_ids).to_numpy()
    keep = pd.notna(look) & pd.notna(style)
    unit, look, style = emb.unit[keep], look[keep].astype(str), style[keep].astype(str)
    if len(unit) < 2:
        return {"look_precision": float("nan"), "chance": float("nan"), "skus": len(unit)}
    cos = unit @ unit.T
    same_style = style[:, None] == style[None, :]
    same_look = look[:, None] == look[None, :]
    cos[same_style] = -np.inf
    others = (~same_style).sum(axis=1)
    k = np.minimum(n, others)
    top = np.argsort(-cos, axis=1, kind="stable")[:, :n]
    hit = np.take_along_axis(same_look, top, axis=1) & (np.arange(n)[None, :] < k[:, None])
    ok = k > 0
    precision = hit.sum(axis=1)[ok] / k[ok]
    chance = ((same_look & ~same_style).sum(axis=1)[ok] / others[ok])
    return {"look_precision": float(precision.mean()), "chance": float(chance.mean()), "skus": int(ok.sum())}


def sku_groups(skus: pd.DataFrame, sku_ids: np.ndarray, top: int = 10) -> pd.Series:
    """A colour key per SKU for maps: its category, or (sources without one) the last word of its name.

    The `top` most frequent groups among `sku_ids` keep their label; the rest become 'other'.
    """
    rows = skus.drop_duplicates("sku_id").set_index("sku_id").reindex(pd.Index(sku_ids, name="sku_id"))
    group = rows["category"].astype("string") if "category" in rows else pd.Series(pd.NA, index=rows.index)
    if group.isna().all() and "name" in rows:
        group = rows["name"].astype("string").str.strip().str.split().str[-1].str.lower()
    group = group.fillna("(unknown)")
    common = group.value_counts().index[:top]
    return group.where(group.isin(common), "other").rename("group")


def tsne_map(emb: Embeddings, seed: int, max_points: int = 2000, weights: np.ndarray | None = None,
             threads: int = 1) -> pd.DataFrame:
    """2-D t-SNE coordinates (cosine distance) of up to `max_points` SKUs: the heaviest by `weights`.

    `threads` caps scikit-learn's OpenMP threads: on a busy machine its spinning threads can make a
    small map take seconds instead of a fraction of one.
    """
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    rows = np.arange(len(emb))
    if len(rows) > max_points:
        rows = np.sort(np.argsort(-weights, kind="stable")[:max_points]) if weights is not None else \
            np.sort(np.random.default_rng(seed).choice(rows, max_points, replace=False))
    perplexity = float(min(30.0, max(2.0, (len(rows) - 1) / 3)))
    with threadpool_limits(limits=threads):
        xy = TSNE(n_components=2, perplexity=perplexity, metric="cosine", init="pca", random_state=seed
                  ).fit_transform(emb.unit[rows])
    return pd.DataFrame({"sku_id": emb.sku_ids[rows], "x": xy[:, 0], "y": xy[:, 1]})


def side_by_side(embeddings: dict[str, Embeddings], names: pd.Series, queries: list[str], n: int = 5
                 ) -> pd.DataFrame:
    """The n nearest SKUs of each query under every method, by name: rows (query, rank), columns methods."""
    frames = []
    for method, emb in embeddings.items():
        table = neighbour_table(emb, names, queries, n)
        shown = table["name"].where(table["name"] != "", table["sku_id"])
        frames.append(table.assign(method=method, neighbour=shown))
    long = pd.concat(frames, ignore_index=True)
    long["query"] = long["query"] + " " + long["query_name"].astype(str)
    return long.pivot_table(index=["query", "rank"], columns="method", values="neighbour", aggfunc="first",
                            sort=False)[list(embeddings)]
