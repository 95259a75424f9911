"""The figures the notebooks and reports share: one function per picture, each returning its Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
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


def empty(ax: plt.Axes, title: str, note: str) -> plt.Axes:
    """A panel with nothing to draw says why (a source without promotions, a calendar without holidays) rather
    than showing blank axes."""
    ax.set_title(title)
    ax.text(0.5, 0.5, note, ha="center", va="center", wrap=True, color="0.35", transform=ax.transAxes)
    ax.set_axis_off()
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


def leaderboard(summary: pd.DataFrame, metric: str = "WQL", title: str = "", ax: plt.Axes | None = None,
                floor: float | None = None) -> plt.Axes:
    """Models ranked by a backtest metric (lower is better), coloured by family, with an optional noise floor."""
    ax = _axes(ax, (8, max(3, 0.4 * len(summary))))
    s = summary.sort_values(metric, ascending=False)
    families = list(dict.fromkeys(s["family"]))
    palette = dict(zip(families, sns.color_palette(n_colors=len(families))))
    ax.barh(s["model"], s[metric], color=[palette[f] for f in s["family"]])
    for y, v in enumerate(s[metric]):
        ax.text(v, y, f" {v:.3f}", va="center", fontsize="small")
    if floor is not None:
        ax.axvline(floor, color="black", linestyle="--", linewidth=1)
        ax.text(floor, len(s) - 0.4, " noise floor", fontsize="small")
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[f]) for f in families]
    ax.legend(handles, families, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    ax.set(title=title or f"{metric} by model (mean over windows, lower is better)", xlabel=metric)
    return ax


def by_window(table: pd.DataFrame, title: str, ylabel: str = "WQL", ax: plt.Axes | None = None) -> plt.Axes:
    """One line per column (a model or a feature set) over the backtest windows (the index)."""
    ax = _axes(ax, (9, 4))
    table.plot(ax=ax, marker="o", linewidth=1.2)
    ax.set(title=title, xlabel="window (oldest first)", ylabel=ylabel)
    ax.set_xticks(list(table.index))
    ax.legend(loc="best", fontsize="small", ncol=2)
    return ax


def coverage_by_step(table: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Randomised-PIT coverage of q10-q90 by horizon step (model, step, coverage80_pit[, coverage80_pit_raw]): one
    line per model, its quantiles as fitted dashed beside it when calibrated, the 75-85 % band shaded."""
    ax = _axes(ax, (9, 4))
    ax.axhspan(0.75, 0.85, color="grey", alpha=0.15, label="80 +/- 5 %")
    steps = pd.RangeIndex(int(table["step"].min()), int(table["step"].max()) + 1, name="step")
    for i, (model, g) in enumerate(table.groupby("model", sort=False)):
        colour = sns.color_palette()[i % 10]
        g = g.set_index("step").reindex(steps)  # a step without scored sales (a closed day) breaks the line
        ax.plot(steps, g["coverage80_pit"], marker="o", linewidth=1.2, color=colour, label=model)
        if "coverage80_pit_raw" in g and g["coverage80_pit_raw"].notna().any():
            ax.plot(steps, g["coverage80_pit_raw"], linestyle="--", linewidth=1, color=colour,
                    label=f"{model} as fitted")
    ax.set(title=title, xlabel="horizon step", ylabel="share of sales inside q10-q90")
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))  # steps are whole periods
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")  # beside the lines, not over them
    return ax


def forecast_bands(history: pd.DataFrame, forecast: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Observed units (timestamp, actual) and a forecast's mean with its q10-q90 band (timestamp, mean, q10, q90).

    The ERP's column names work too: history (date, units) from erp.read_sales_history, forecast (forecast_date,
    mean, q10, q90) from erp.read_forecast.
    """
    ax = _axes(ax, (9, 3.5))
    history = history.rename(columns={"date": "timestamp", "units": "actual"})
    forecast = forecast.rename(columns={"forecast_date": "timestamp"})
    ax.plot(history["timestamp"], history["actual"], color="grey", linewidth=1, marker=".", label="actual")
    ax.plot(forecast["timestamp"], forecast["mean"], color=sns.color_palette()[0], linewidth=1.5, label="forecast")
    ax.fill_between(forecast["timestamp"], forecast["q10"], forecast["q90"], color=sns.color_palette()[0],
                    alpha=0.25, label="q10-q90")
    ax.set(title=title, ylabel="units", xlabel="")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def imputed_series(series: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """One series' observed units and target after imputation, with stock-out and absent periods marked."""
    ax = _axes(ax, (10, 3.5))
    ax.plot(series["timestamp"], series["target"], color=sns.color_palette()[1], linewidth=1, label="target (imputed)")
    ax.plot(series["timestamp"], series["actual"], color="grey", linewidth=1, marker=".", label="observed units")
    for kind, color in (("stockout", "red"), ("etl_gap", "purple"), ("no_row", "orange")):
        at = series[series["kind"].astype(str) == kind]
        if len(at):
            ax.scatter(at["timestamp"], at["target"].fillna(0), color=color, s=25, zorder=3, label=kind)
    ax.set(title=title, ylabel="units", xlabel="")
    ax.legend(loc="upper left", fontsize="small", ncol=5)
    return ax


def training_curves(history: pd.DataFrame, metric: str, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """One line per method of `metric` over epochs (history: method, epoch, metric), the best epoch marked."""
    ax = _axes(ax, (8, 4))
    for method, h in history.dropna(subset=[metric]).groupby("method", sort=False):
        line = ax.plot(h["epoch"], h[metric], marker=".", label=method)[0]
        best = h.loc[h[metric].idxmax()]
        ax.scatter([best["epoch"]], [best[metric]], s=80, facecolors="none", edgecolors=line.get_color())
    ax.set(title=title, xlabel="epoch", ylabel=metric)
    ax.legend(fontsize="small")
    return ax


def embedding_map(coords: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """A 2-D map of SKUs (columns x, y, group): one colour per group, 'other' in grey underneath."""
    ax = _axes(ax, (8, 7))
    counts = coords["group"].value_counts()
    groups = [g for g in counts.index if g != "other"]
    if "other" in counts.index:
        rest = coords[coords["group"] == "other"]
        ax.scatter(rest["x"], rest["y"], s=7, color="lightgrey", label=f"other ({len(rest)})")
    for colour, group in zip(sns.color_palette("tab10" if len(groups) <= 10 else "tab20", len(groups)),
                             groups):
        part = coords[coords["group"] == group]
        ax.scatter(part["x"], part["y"], s=10, color=colour, label=f"{group} ({len(part)})", alpha=0.9)
    ax.set(title=title, xticks=[], yticks=[])
    ax.legend(fontsize="x-small", markerscale=2, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax
def training_curve(history: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """A training loss (column `loss`) against `epoch`."""
    ax = _axes(ax, (7, 4))
    ax.plot(history["epoch"], history["loss"])
    ax.set(title=title, xlabel="epoch", ylabel="loss")
    return ax


def probability_scatter(probability: pd.Series, orders: pd.Series, k: int, title: str,
                        ax: plt.Axes | None = None) -> plt.Axes:
    """Each SKU's inclusion probability against its orders in the window; the k highest are highlighted."""
    ax = _axes(ax, (7, 5))
    top = probability.rank(ascending=False, method="first") <= k
    x = orders.reindex(probability.index).fillna(0) + 1
    ax.scatter(x[~top], probability[~top], s=8, alpha=0.5, label="not stocked")
    ax.scatter(x[top], probability[top], s=8, alpha=0.5, label=f"stocked (top {k})")
    ax.set_xscale("log")
    ax.set(title=title, xlabel="orders holding the SKU in the window + 1", ylabel="inclusion probability")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def coverage_curves(curves: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Fill rate against K per series (columns k, series, orders, fill): training dashed, test solid, bounds grey."""
    ax = _axes(ax, (9, 5))
    palette = dict(zip([s for s in curves["series"].unique() if not s.startswith("bound")], sns.color_palette()))
    for (series, orders), g in curves.groupby(["series", "orders"], sort=False):
        bound = series.startswith("bound")
        ax.plot(g["k"], g["fill"] * 100, linestyle="--" if orders == "training" else "-",
                color="grey" if bound else palette[series], linewidth=2.2 if bound else 1.4,
                alpha=0.6 if bound and orders == "training" else 1.0, label=f"{series}, {orders}")
    ax.set_xscale("log")
    ax.set(title=title, xlabel="K (SKUs stocked)", ylabel="% of orders filled")
    ax.legend(loc="upper left", fontsize="x-small", ncol=2)
    return ax


def intervals(summary: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Mean difference to popularity with its 95 % interval, one row per method, one colour per window."""
    data = summary[summary["method"] != "popularity"]
    methods = list(dict.fromkeys(data.sort_values("diff_vs_popularity")["method"]))
    ax = _axes(ax, (8, max(3, 0.5 * len(methods) + 1)))
    windows = sorted(data["window"].unique())
    for i, (w, color) in enumerate(zip(windows, sns.color_palette())):
        g = data[data["window"] == w].set_index("method").reindex(methods)
        y = np.arange(len(methods)) + (i - (len(windows) - 1) / 2) * 0.22
        err = np.vstack([g["diff_vs_popularity"] - g["diff_lo"], g["diff_hi"] - g["diff_vs_popularity"]]) * 100
        ax.errorbar(g["diff_vs_popularity"] * 100, y, xerr=err, fmt="o", color=color, capsize=3,
                    label=f"{w}-week window")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(np.arange(len(methods)), methods)
    ax.set(title=title, xlabel="test fill minus popularity's (points), 95 % paired bootstrap interval")
    ax.legend(loc="lower right", fontsize="small")
    return ax
