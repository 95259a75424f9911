"""What the rolling table says of each method against popularity: whether the guard kept its promise, and which
methods lose to popularity with their whole interval below zero (a profile's conclusion flags them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

KEEP = 2 / 3  # the share of the best method's sure gain the guard should keep


def guard_check(summary: pd.DataFrame) -> pd.DataFrame:
    """Per window x K: the guard's gain over popularity [95 % interval], the best other method's, the share of
    that gain the guard keeps, and whether the guard's aims hold there: its gain is not below zero, its interval
    not wholly below zero, and where the best gain's interval is above zero it keeps at least two thirds of it."""
    rows = []
    for (w, label), g in summary.groupby(["window", "k_label"], sort=False):
        g = g.set_index("method")
        if "guarded" not in g.index:
            continue
        others = g.drop(index=[m for m in ("guarded", "popularity") if m in g.index])
        guard = g.loc["guarded"]
        best = others["diff_vs_popularity"].idxmax() if len(others) else None
        b = others.loc[best] if best is not None else pd.Series(dtype=float)
        sure = best is not None and b["diff_lo"] > 0
        kept = guard["diff_vs_popularity"] / b["diff_vs_popularity"] if sure else np.nan
        rows.append({"window": w, "k_label": label, "guarded": guard["diff_vs_popularity"],
                     "guarded_lo": guard["diff_lo"], "guarded_hi": guard["diff_hi"], "best": best,
                     "best_gain": b.get("diff_vs_popularity", np.nan), "best_lo": b.get("diff_lo", np.nan),
                     "best_hi": b.get("diff_hi", np.nan), "kept": kept,
                     "holds": bool(guard["diff_vs_popularity"] >= -1e-12 and guard["diff_hi"] >= 0
                                   and (not sure or kept >= KEEP))})
    return pd.DataFrame(rows)


def losing(summary: pd.DataFrame) -> pd.DataFrame:
    """The cells (window, k_label, method) where a method's whole 95 % interval against popularity lies below zero."""
    rows = summary[(summary["method"] != "popularity") & (summary["diff_hi"] < 0)]
    return rows[["window", "k_label", "method", "diff_vs_popularity", "diff_lo", "diff_hi"]].reset_index(drop=True)
