"""Checks of the `covariate` table beyond its columns: names, scopes and what they refer to, one kind of scope
(besides `all`, the value of the series no other row names) and one `known_in_advance` per covariate (a
covariate half planned, half observed has no meaning to a model)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from skulab.data.scope import COVARIATE_KINDS, parse
from skulab.data.validate import _rows

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_REFS = {"region": ("dim_store", "region"), "category": ("dim_sku", "category"), "store": ("dim_store", "store_id"),
         "sku": ("dim_sku", "sku_id")}


def problems(tables: dict[str, pd.DataFrame], where: str) -> list[str]:
    """Every problem of tables['covariate'] against the other tables, each naming rows (1-based)."""
    cov = tables["covariate"]
    found = []
    bad_name = ~cov["name"].astype(str).str.match(NAME)
    if bad_name.any():
        found.append(f"{where}: {int(bad_name.sum())} name(s) that are not a letter then up to 39 letters, digits or "
                     f"'_' at {_rows(np.flatnonzero(bad_name))} (e.g. {cov['name'][bad_name].iloc[0]!r}); rename them (they become "
                     "feature names)")
    scope = parse(cov["scope"])
    unreadable = scope["kind"].isna() | ~scope["kind"].isin(COVARIATE_KINDS)
    if unreadable.any():
        found.append(f"{where}: {int(unreadable.sum())} scope(s) skulab cannot read at {_rows(np.flatnonzero(unreadable))} (e.g. "
                     f"{cov['scope'][unreadable].iloc[0]!r}); write all, region:<name>, category:<name>, store:<id>, "
                     "sku:<id> or store:<id>/sku:<id>")
    for name, kinds in scope["kind"].groupby(cov["name"]).unique().items():
        kinds = [k for k in kinds if isinstance(k, str) and k != "all"]
        if len(kinds) > 1:
            found.append(f"{where}: covariate {name!r} mixes scopes {', '.join(sorted(kinds))}; give it one kind of "
                         "scope, plus `all` rows for the series it does not name (or split it into covariates)")
    mixed = cov.groupby("name")["known_in_advance"].nunique()
    for name in mixed.index[mixed > 1]:
        found.append(f"{where}: covariate {name!r} is known_in_advance on some rows and not on others; it is one or "
                     "the other on every row")
    found += _unknown_refs(cov, scope, tables, where)
    return found


def _unknown_refs(cov: pd.DataFrame, scope: pd.DataFrame, tables: dict[str, pd.DataFrame], where: str) -> list[str]:
    """Scopes naming a region, category, store or SKU the other tables lack (the row would apply to nothing)."""
    kind = scope["kind"].fillna("")
    sku = scope["first"].where(kind == "sku", scope["second"].where(kind == "store_sku"))
    named = {"region": scope["first"].where(kind == "region"), "category": scope["first"].where(kind == "category"),
             "store": scope["first"].where(kind.isin(["store", "store_sku"])), "sku": sku}
    found = []
    for what, ids in named.items():
        table, column = _REFS[what]
        if table not in tables:
            continue
        unknown = ids.notna() & ~ids.isin(tables[table][column].dropna().astype(str))
        if unknown.any():
            found.append(f"{where}: {int(unknown.sum())} scope(s) name a {what} not in {table}.{column} at "
                         f"{_rows(np.flatnonzero(unknown))} (e.g. {cov['scope'][unknown].iloc[0]!r}); fix the scope or add the {what}")
    return found
