"""The regional trends chapter's picture: each region's recent actuals, its next-horizon forecast and 80 % band."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def regional_trends(history: pd.DataFrame, forecasts: pd.DataFrame, title: str, periods: int = 56) -> plt.Figure:
    """Small multiples, one per region: the last `periods` actuals (line), the forecast mean (dashed) and q10-q90."""
    hist = history[history["level"] == "region"]
    hist = hist[hist["timestamp"].isin(np.sort(hist["timestamp"].unique())[-periods:])]
    fc = forecasts[forecasts["level"] == "region"]
    regions = sorted(fc["region"].unique())
    cols = min(3, len(regions))
    rows = int(np.ceil(len(regions) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.0 * rows), sharex=True, squeeze=False)
    actual_color, forecast_color = sns.color_palette()[:2]
    for ax, region in zip(axes.flat, regions):
        h = hist[hist["region"] == region].sort_values("timestamp")
        f = fc[fc["region"] == region].sort_values("timestamp")
        ax.plot(h["timestamp"], h["actual"], color=actual_color, linewidth=1.2, label="actual")
        ax.fill_between(f["timestamp"], f["q10"], f["q90"], color=forecast_color, alpha=0.25, label="q10-q90")
        ax.plot(f["timestamp"], f["mean"], color=forecast_color, linestyle="--", linewidth=1.4,
                label=f"forecast ({f['method'].iloc[0]})")
        ax.set_title(region, fontsize="medium")
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="x", labelrotation=30, labelsize="small")
    for ax in list(axes.flat)[len(regions):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("units per period")
    axes.flat[0].legend(fontsize="small", loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
