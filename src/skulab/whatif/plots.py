"""The what-if chapter's picture: forecast uplift per promotion type x category with its interval and the reference."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def uplift_grid(table: pd.DataFrame, title: str) -> plt.Figure:
    """One panel per promotion type: the forecast uplift per category (dot, 95 % interval), true (x), observed (o)."""
    kinds = list(dict.fromkeys(table["promotion"]))
    cols = min(3, len(kinds))
    rows = int(np.ceil(len(kinds) / cols))
    height = 0.35 * table.groupby("promotion").size().max() + 1.2
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, height * rows), sharex=True, squeeze=False)
    color = sns.color_palette()[0]
    for ax, kind in zip(axes.flat, kinds):
        g = table[table["promotion"] == kind].iloc[::-1]
        y = np.arange(len(g))
        pct = {c: (g[c] - 1) * 100 for c in ["estimated", "lo", "hi", "true", "observed"]}
        # the interval as drawn from lo to hi: a bootstrap interval of a ratio need not hold its point estimate
        ax.hlines(y, pct["lo"], pct["hi"], color=color, label="forecast (95 %)")
        ax.scatter(pct["estimated"], y, color=color, zorder=3)
        if g["true"].notna().any():
            ax.scatter(pct["true"], y, marker="x", color="black", zorder=3, label="true")
        ax.scatter(pct["observed"], y, marker="o", facecolors="none", edgecolors="grey", zorder=3, label="observed")
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(y, [f"{c} ({n})" for c, n in zip(g["category"], g["promoted_series"])])
        ax.set_title(kind, fontsize="medium")
    for ax in list(axes.flat)[len(kinds):]:
        ax.set_visible(False)
    # the axis spans the points, not the widest interval: one category with no promoted series can have an
    # interval of thousands of percent that would flatten every other panel; such whiskers run off the edge
    points = (table[["estimated", "true", "observed"]].stack().dropna() - 1) * 100
    if len(points):
        lo, hi = min(points.min(), 0.0), max(points.max(), 0.0)
        pad = 0.15 * (hi - lo or 1.0)
        axes.flat[0].set_xlim(lo - pad, hi + pad)
    for ax in axes[-1]:
        ax.set_xlabel("uplift, % of baseline units")
    axes.flat[0].legend(fontsize="small", loc="best")
    fig.suptitle(title + " (promoted series in the history in brackets; intervals may run off the axis)")
    fig.tight_layout()
    return fig


def history_uplift(table: pd.DataFrame, title: str) -> plt.Figure:
    """The uplift read from the history (skulab.whatif.causal): per promotion type its uplift at its median discount
    and per joint pair its extra effect (dot, 95 % interval), the truth (x, demo), a type the data cannot separate
    named as such; beside it each category's price elasticity."""
    effects = table[table["term"] != "elasticity"].iloc[::-1]
    elastic = table[table["term"] == "elasticity"].iloc[::-1]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.42 * max(len(effects), len(elastic)) + 1.6),
                                      gridspec_kw={"width_ratios": [3, 2]})
    color = sns.color_palette()[0]
    y = np.arange(len(effects))
    pct = {c: (effects[c] - 1) * 100 for c in ["estimate", "lo", "hi", "true"]}
    left.hlines(y, pct["lo"], pct["hi"], color=color, label="from the history (95 %)")
    left.scatter(pct["estimate"], y, color=color, zorder=3)
    if effects["true"].notna().any():
        left.scatter(pct["true"], y, marker="x", color="black", zorder=3, label="true")
    at_left = left.get_yaxis_transform()  # x in axes fractions, y in rows: the label clear of the points
    for i, (_, r) in enumerate(effects.iterrows()):
        if not r["identifiable"]:
            left.text(0.01, i, "not identifiable", transform=at_left, va="center", fontsize="small", color="dimgrey")
    left.axvline(0, color="black", linewidth=0.6)
    left.set_yticks(y, [f"{n} ({s:,})" for n, s in zip(effects["name"], effects["promoted_series"])])
    left.set_xlabel("uplift at the median discount (a pair: its extra), % of units without")
    left.legend(fontsize="small", loc="best")
    left.set_title("promotion types and joint pairs (promoted series)", fontsize="medium")
    y = np.arange(len(elastic))
    right.hlines(y, elastic["lo"], elastic["hi"], color=color)
    right.scatter(elastic["estimate"], y, color=color, zorder=3)
    if elastic["true"].notna().any():
        right.scatter(elastic["true"], y, marker="x", color="black", zorder=3)
    right.set_yticks(y, elastic["category"])
    right.set_xlabel("price elasticity (units fall by this % per 1 % of price)")
    right.set_title("price cut, per category", fontsize="medium")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
