"""Scopes: whom a promotion or a covariate row applies to, as text ('all', 'category:Tops', 'store:S001/sku:X').

One grammar for both tables, parsed once here for validation and for the forecasting features: `all`, one part
(a place, region:<name> or store:<id>, or an item, category:<name>, style:<id> or sku:<id>), or a place and an
item joined by '/' ('region:East/category:Tops': the campaign of one region on one category).
"""

from __future__ import annotations

import re

import pandas as pd

PLACES = ("region", "store")
ITEMS = ("category", "style", "sku")
PROMOTION_KINDS = ("all", *PLACES, *ITEMS, *(f"{p}_{i}" for p in PLACES for i in ITEMS))
GRAMMAR = ("write all, region:<name>, store:<id>, category:<name>, style:<id>, sku:<id>, or a place and an item "
           "joined by '/' (region:<name>/category:<name>)")
COVARIATE_KINDS = ("all", "region", "category", "store", "sku", "store_sku")
# the panel columns a covariate of each scope kind is joined on
COVARIATE_KEYS: dict[str, tuple[str, ...]] = {"all": (), "region": ("region",), "category": ("category",),
                                              "store": ("store_id",), "sku": ("sku_id",),
                                              "store_sku": ("store_id", "sku_id")}
_PAIR = re.compile(rf"^({'|'.join(PLACES)}):(.+?)/({'|'.join(ITEMS)}):(.+)$", re.DOTALL)
_SINGLE = re.compile(rf"^({'|'.join(PLACES + ITEMS)}):(.+)$", re.DOTALL)


def parse(scope: pd.Series) -> pd.DataFrame:
    """Per row: `kind` (all, region, store, category, style, sku, or place_item such as store_sku and
    region_category; NA when unreadable) and the ids `first` (the place, or the item of a one-part scope) and
    `second` (the item of a two-part scope). A missing scope counts as 'all'."""
    text = scope.astype("string").fillna("all").str.strip()
    out = pd.DataFrame({"kind": pd.Series(pd.NA, index=scope.index, dtype="string"),
                        "first": pd.Series(pd.NA, index=scope.index, dtype="string"),
                        "second": pd.Series(pd.NA, index=scope.index, dtype="string")})
    out.loc[text == "all", "kind"] = "all"
    pair = text.str.extract(_PAIR)
    is_pair = pair[0].notna()
    out.loc[is_pair, "kind"] = pair.loc[is_pair, 0] + "_" + pair.loc[is_pair, 2]
    out.loc[is_pair, "first"] = pair.loc[is_pair, 1].str.strip()
    out.loc[is_pair, "second"] = pair.loc[is_pair, 3].str.strip()
    single = text.str.extract(_SINGLE)
    is_single = single[0].notna() & ~is_pair
    out.loc[is_single, "kind"] = single.loc[is_single, 0]
    out.loc[is_single, "first"] = single.loc[is_single, 1].str.strip()
    return out


def parts(kind: str) -> tuple[str, ...]:
    """The parts of a parsed scope kind, the place first: ('store', 'sku') for store_sku, ('category',) for
    category, () for all."""
    return () if kind == "all" else tuple(kind.split("_", 1))
