"""The allocation chapter's picture: each policy's lost sales, transfers and cost against proportional's per stock
level, with intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

_PANELS = (("lost_pct", "lost_lo", "lost_hi", "lost sales (% of demand)", 100),
           ("transfers_per_1000", "transfers_lo", "transfers_hi", "transfers per 1,000 units sold", 1),
           ("cost_vs_prop", "cost_diff_prop_lo", "cost_diff_prop_hi", "cost vs proportional (%, paired interval)",
            100))


def policies(summary: pd.DataFrame, title: str) -> plt.Figure:
    """Three panels (lost sales, transfers, cost against proportional's): one bar per policy and stock level, 95 %
    intervals over weeks (the cost's paired with proportional on the same weeks and draws)."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    names = list(dict.fromkeys(summary["policy"]))
    levels = sorted(summary["level"].unique())
    width = 0.8 / len(levels)
    for ax, (col, lo, hi, label, scale) in zip(axes, _PANELS):
        for i, (level, color) in enumerate(zip(levels, sns.color_palette())):
            s = summary[summary["level"] == level].set_index("policy").reindex(names)
            x = np.arange(len(names)) + (i - (len(levels) - 1) / 2) * width
            err = np.vstack([s[col] - s[lo], s[hi] - s[col]]).clip(min=0) * scale
            ax.bar(x, s[col] * scale, width, yerr=err, capsize=3, color=color, label=f"stock {level:.0%}")
        ax.set_xticks(np.arange(len(names)), names, rotation=30, ha="right")
        ax.set(ylabel=label)
        ax.axhline(0, color="0.3", linewidth=0.8)
    axes[0].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
