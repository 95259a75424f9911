"""The figures the notebooks and reports share: one function per picture, each returning its Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

sns.set_theme(style="whitegrid", context="notebook")


def _axes(ax: plt.Axes | None, size: tuple[float, float] = (9, 4)) -> plt.Axes:
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def lines(frame: pd.DataFrame, title: str, ylabel: str, ax: plt.Axes | None = None, top: int = 8) -> plt.Axes:
    """One line per column (the `top` largest by total; the rest summed as 'other')."""
    ax = _axes(ax)
    order = frame.sum().sort_values(ascending=False).index
    shown = frame[order[:top]].copy()
    if len(order) > top:
        shown["other"] = frame[order[top:]].sum(axis=1)
    shown.plot(ax=ax, linewidth=1.2)
    ax.set(title=title, ylabel=ylabel, xlabel="")
    ax.legend(loc="upper left", fontsize="small", ncol=2)
    return ax


def bars(series: pd.Series, title: str, xlabel: str, ax: plt.Axes | None = None, fmt: str = "{:,.0f}",
         horizontal: bool = True) -> plt.Axes:
    """A labelled bar chart of a Series (index = labels)."""
    ax = _axes(ax, (8, max(3, 0.35 * len(series))) if horizontal else (9, 4))
    labels = [str(i) for i in series.index]
    if horizontal:
        ax.barh(labels[::-1], series.to_numpy()[::-1], color=sns.color_palette()[0])
        ax.set(title=title, xlabel=xlabel)
        for y, v in enumerate(series.to_numpy()[::-1]):
            ax.text(v, y, " " + fmt.format(v), va="center", fontsize="small")
    else:
        ax.bar(labels, series.to_numpy(), color=sns.color_palette()[0])
        ax.set(title=title, ylabel=xlabel)
    return ax


def histogram(values: pd.Series, title: str, xlabel: str, ax: plt.Axes | None = None, bins: int = 40,
              log: bool = False) -> plt.Axes:
    """Histogram of a numeric Series (missing values left out, counted in the title)."""
    ax = _axes(ax, (7, 4))
    v = values.dropna()
    ax.hist(v, bins=bins, color=sns.color_palette()[0], log=log)
    missing = len(values) - len(v)
    ax.set(title=title + (f"  ({missing:,} missing)" if missing else ""), xlabel=xlabel, ylabel="rows")
    return ax


def shares(series: pd.Series, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Shares (0..1) as horizontal bars labelled in percent."""
    return bars(series * 100, title, "% of total", ax, fmt="{:.1f}%")


def long_tail(curve: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Cumulative share of demand against the share of SKUs, with the 20 % mark."""
    ax = _axes(ax, (6, 5))
    ax.plot(curve["sku_share"] * 100, curve["line_share"] * 100)
    ax.plot([0, 100], [0, 100], linestyle=":", color="grey")
    at20 = float(np.interp(0.2, curve["sku_share"], curve["line_share"])) * 100
    ax.axvline(20, color="grey", linewidth=0.8)
    ax.annotate(f"top 20 % of SKUs: {at20:.0f} % of lines", (20, at20), xytext=(30, at20 - 15),
                arrowprops={"arrowstyle": "->"})
    ax.set(title=title, xlabel="% of SKUs (most popular first)", ylabel="% of order lines")
    return ax
