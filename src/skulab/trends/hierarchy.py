"""The regional and category hierarchy over the store x SKU series: its nodes, summing matrix and aggregated panel.

Levels, top to bottom: total, category, region, region/category, region/sku and store/sku (the panel's series).
Category and region both split the total, so the hierarchy is grouped, not a tree; the summing matrix S (one row
per node, one column per store x SKU series, bottom rows last) and the tags (level -> node ids) are in the
format hierarchicalforecast's reconcilers take. A parent's series is the sum of its children's target and actual
per period, scored when any child is scored; its known and past covariates are the children's means (calendar
covariates are the same for every child, so the mean is the value; promotion and price covariates become the
share promoted and the mean price ratio).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skulab.errors import DataError
from skulab.forecast.features import Panel
from skulab.registry import HIERARCHY_LEVELS

LEVELS = tuple(HIERARCHY_LEVELS)
BOTTOM = "store/sku"
KEYS = {"total": (), "category": ("category",), "region": ("region",), "region/category": ("region", "category"),
        "region/sku": ("region", "sku_id"), BOTTOM: ("store_id", "sku_id")}
ATTRIBUTES = ["store_id", "sku_id", "region", "category"]


@dataclass
class Hierarchy:
    """Every node (upper levels first, the store x SKU series last) with its attributes, S and the tags."""

    nodes: pd.DataFrame  # node, level, store_id, sku_id, region, category (None where a level has no such key)
    S: pd.DataFrame  # unique_id + one 0/1 column per bottom series (hierarchicalforecast's S_df)
    tags: dict[str, np.ndarray]  # level -> node ids

    @property
    def bottom(self) -> np.ndarray:
        """The store x SKU series (S's columns), in S's order."""
        return self.tags[BOTTOM]

    @property
    def levels(self) -> list[str]:
        """The levels of this hierarchy, top to bottom."""
        return list(self.tags)


def attributes(sales: pd.DataFrame) -> pd.DataFrame:
    """Each store x SKU series' store, SKU, region and category from the training rows (item_id as index).

    A store without a region or a SKU without a category cannot be placed in the hierarchy: one DataError names them.
    """
    from skulab.forecast.features.grid import item_ids

    attrs = sales[ATTRIBUTES].drop_duplicates(["store_id", "sku_id"])
    for col, table, key in (("region", "dim_store", "store_id"), ("category", "dim_sku", "sku_id")):
        blank = attrs[col].isna() | (attrs[col].astype(str).str.strip() == "")
        if blank.any():
            ids = sorted(attrs.loc[blank, key].astype(str).unique())
            more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
            raise DataError(f"{table} gives no {col} for {key} {', '.join(ids[:5])}{more}: the regional hierarchy "
                            f"places every series by its store's region and its SKU's category; fill {table}.{col}")
    return attrs.set_index(item_ids(attrs["store_id"], attrs["sku_id"]).to_numpy()).astype(str)


def hierarchy(attrs: pd.DataFrame, levels: list[str] | tuple[str, ...] = LEVELS) -> Hierarchy:
    """The hierarchy over the series of `attrs` (item_id index; store_id, sku_id, region, category) at `levels`
    (store/sku, the bottom, is always included)."""
    attrs = attrs.sort_index()
    chosen = [lv for lv in LEVELS if lv in levels or lv == BOTTOM]
    frames, tags, rows = [], {}, []
    for level in chosen:
        node = node_ids(attrs, level)
        keys = ATTRIBUTES if level == BOTTOM else KEYS[level]
        frames.append(pd.DataFrame({"node": node, "level": level, **{k: attrs[k].to_numpy() for k in keys}})
                      .drop_duplicates("node"))
        tags[level] = frames[-1]["node"].to_numpy()
        rows.append(node)
    nodes = pd.concat(frames, ignore_index=True).reindex(columns=["node", "level", *ATTRIBUTES])
    position = pd.Series(np.arange(len(nodes)), index=nodes["node"])
    S = np.zeros((len(nodes), len(attrs)))
    for node in rows:
        S[position[node].to_numpy(), np.arange(len(attrs))] = 1.0
    S_df = pd.DataFrame(S, columns=attrs.index).assign(unique_id=nodes["node"].to_numpy())
    return Hierarchy(nodes=nodes, S=S_df[["unique_id", *attrs.index]], tags=tags)


def node_ids(attrs: pd.DataFrame, level: str) -> np.ndarray:
    """The node of each series at `level`: 'total', '<level>:<key>[/<key>]', or the item_id at the bottom."""
    if level == BOTTOM:
        return attrs.index.to_numpy()
    if level == "total":
        return np.full(len(attrs), "total", dtype=object)
    keys = attrs[list(KEYS[level])].astype(str)
    return (level + ":" + keys.agg("/".join, axis=1)).to_numpy()


def aggregate(panel: Panel, h: Hierarchy) -> Panel:
    """The panel of the upper levels' nodes: children's target and actual summed per period (NaN only when every
    child is NaN), scored when any child is, covariates as the children's means, no static features."""
    f = panel.frame[panel.frame["item_id"].isin(h.bottom)]
    covariates = [*panel.known, *panel.past]
    parts = []
    for level in h.levels:
        if level == BOTTOM:
            continue
        node = pd.Series(node_ids(h.nodes.set_index("node").loc[h.bottom, ATTRIBUTES], level), index=h.bottom)
        parts.append(f.assign(item_id=f["item_id"].map(node).to_numpy()))
    rows = pd.concat(parts, ignore_index=True)
    g = rows.groupby(["item_id", "timestamp"], sort=True)
    sums = g[["target", "actual"]].sum(min_count=1)
    frame = pd.concat([sums, g["scored"].any(), g[covariates].mean().astype(float)], axis=1).reset_index()
    return dataclasses.replace(panel, frame=frame, static=None)


def level_panel(upper: Panel, h: Hierarchy, level: str) -> Panel:
    """The aggregated panel's series of one upper level."""
    return dataclasses.replace(upper, frame=upper.frame[upper.frame["item_id"].isin(h.tags[level])]
                               .reset_index(drop=True))
