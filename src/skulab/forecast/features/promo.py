"""Promotion features: one flag per promotion type, discount depth, periods into and since a promotion.

A row's `promo_type` lists the active types joined by '+' (demo: festival, member_day, pct_off, bundle,
spend_save, clearance; frat: feature, display, tpr). Periods without a row count as not promoted.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

SINCE_CAP = 52


def types(promo_type: pd.Series) -> list[str]:
    """The promotion types present, sorted (combined labels such as 'feature+display' split)."""
    return sorted({t for label in promo_type.dropna().unique() for t in str(label).split("+") if t})


def flags(panel: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """One 0/1 column `promo_<type>` per promotion type."""
    label = panel["promo_type"].astype(object).fillna("")
    parts = {u: set(str(u).split("+")) for u in label.unique()}
    return pd.DataFrame({f"promo_{_slug(t)}": label.map({u: float(t in p) for u, p in parts.items()}).to_numpy()
                         for t in kinds}, index=panel.index)


def features(panel: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """Flags per type, `promo_depth` (discount, 0 when none), `promo_age` and `promo_since` in periods."""
    out = flags(panel, kinds)
    on = panel["promo_type"].notna().to_numpy()
    out["promo_depth"] = panel["discount"].where(on, 0.0).fillna(0.0).clip(lower=0.0).to_numpy()
    item = panel["item_id"].to_numpy()
    new_item = np.r_[True, item[1:] != item[:-1]]
    out["promo_age"] = _run_length(on, new_item)
    out["promo_since"] = np.minimum(_since(on, new_item), SINCE_CAP)
    return out


def _run_length(on: np.ndarray, new_item: np.ndarray) -> np.ndarray:
    """1, 2, 3 ... over consecutive promoted periods of one item, 0 when not promoted."""
    idx = np.arange(len(on))
    start = np.maximum.accumulate(np.where(new_item | ~on, idx, 0))
    return np.where(on, idx - start + on[start], 0).astype(float)


def _since(on: np.ndarray, new_item: np.ndarray) -> np.ndarray:
    """Periods since the item's last promoted period (0 while promoted, the cap before any promotion)."""
    idx = np.arange(len(on))
    item_start = np.maximum.accumulate(np.where(new_item, idx, 0))
    last = np.maximum.accumulate(np.where(on, idx, -1))
    return np.where(last >= item_start, idx - last, SINCE_CAP).astype(float)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
