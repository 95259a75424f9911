"""Scopes: whom a promotion or a covariate row applies to, as text ('all', 'category:Tops', 'store:S001/sku:X').

One grammar for both tables, parsed once here for validation and for the forecasting features.
"""

from __future__ import annotations

import re

import pandas as pd

PROMOTION_KINDS = ("all", "category", "style", "sku")
COVARIATE_KINDS = ("all", "region", "category", "store", "sku", "store_sku")
# the panel columns a covariate of each scope kind is joined on
COVARIATE_KEYS: dict[str, tuple[str, ...]] = {"all": (), "region": ("region",), "category": ("category",),
                                              "store": ("store_id",), "sku": ("sku_id",),
                                              "store_sku": ("store_id", "sku_id")}
_STORE_SKU = re.compile(r"^store:(.+?)/sku:(.+)$", re.DOTALL)


def parse(scope: pd.Series) -> pd.DataFrame:
    """Per row: `kind` (all, region, category, style, store, sku, store_sku; NA when unreadable) and the ids
    `first` and `second` (the SKU of store_sku). A missing scope counts as 'all'."""
    text = scope.astype("string").fillna("all").str.strip()
    out = pd.DataFrame({"kind": pd.Series(pd.NA, index=scope.index, dtype="string"),
                        "first": pd.Series(pd.NA, index=scope.index, dtype="string"),
                        "second": pd.Series(pd.NA, index=scope.index, dtype="string")})
    out.loc[text == "all", "kind"] = "all"
    pair = text.str.extract(_STORE_SKU)
    is_pair = pair[0].notna()
    out.loc[is_pair, ["kind", "first", "second"]] = pair[is_pair].assign(kind="store_sku")[["kind", 0, 1]].to_numpy()
    single = text.str.extract(r"^([a-z_]+):(.+)$", flags=re.DOTALL)
    is_single = single[0].notna() & ~is_pair & single[0].isin(["region", "category", "style", "store", "sku"])
    out.loc[is_single, "kind"] = single.loc[is_single, 0]
    out.loc[is_single, "first"] = single.loc[is_single, 1].str.strip()
    return out
