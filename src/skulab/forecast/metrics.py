"""Forecast accuracy: WQL, MASE, WAPE and bias, on the periods with an observed, uncensored sale.

- WQL: weighted quantile loss, 2 x pinball loss summed over points and averaged over the quantiles,
  divided by the summed actuals (AutoGluon's definition; 0 is perfect, a zero forecast scores about 1).
- MASE: mean absolute error of the median forecast over each series' in-sample mean absolute seasonal
  difference (season 7 for daily data, 52 for weekly, 1 when the history is shorter), averaged over series.
- WAPE: summed absolute error of the median forecast over summed actuals.
- bias: (summed mean forecast - summed actuals) / summed actuals; > 0 means over-forecasting.
- coverage80: share of points inside the 80 % interval, q10 <= actual <= q90 (0.8 when calibrated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRICS = ("WQL", "MASE", "WAPE", "bias")


def quantile_columns(frame: pd.DataFrame) -> dict[str, float]:
    """{'q10': 0.1, ...}: the quantile columns of a forecast frame."""
    return {c: int(c[1:]) / 100 for c in frame.columns if c.startswith("q") and c[1:].isdigit()}


def season_length(freq: str) -> int:
    """The seasonal period MASE and SeasonalNaive use: 7 for daily, 52 for weekly data."""
    return 7 if freq == "D" else 52


def mase_scale(history: pd.DataFrame, freq: str) -> pd.Series:
    """Per item, the mean absolute seasonal difference of its history's observed target (NaN when undefined)."""
    m = season_length(freq)

    def scale(y: pd.Series) -> float:
        y = y.to_numpy(dtype=float)
        lag = m if np.isfinite(y).sum() > 2 * m else 1
        d = np.abs(y[lag:] - y[:-lag])
        d = d[np.isfinite(d)]
        return float(d.mean()) if len(d) and d.mean() > 0 else np.nan

    return history.groupby("item_id")["target"].apply(scale)


def coverage(frame: pd.DataFrame) -> float:
    """Share of points with q10 <= actual <= q90 (NaN without points): 0.8 for a calibrated 80 % interval."""
    y = frame["actual"].to_numpy(dtype=float)
    inside = (frame["q10"].to_numpy(dtype=float) <= y) & (y <= frame["q90"].to_numpy(dtype=float))
    return float(inside.mean()) if len(y) else float("nan")


def quantile_loss(frame: pd.DataFrame) -> np.ndarray:
    """Each point's quantile loss, 2 x pinball averaged over the quantiles: its share of WQL's numerator."""
    y = frame["actual"].to_numpy(dtype=float)
    losses = [2 * np.maximum(q * (y - frame[c].to_numpy(float)), (q - 1) * (y - frame[c].to_numpy(float)))
              for c, q in quantile_columns(frame).items()]
    return np.mean(losses, axis=0) if losses else np.full(len(y), np.nan)


def score(scored: pd.DataFrame, scale: pd.Series | None = None) -> pd.Series:
    """WQL, MASE, WAPE, bias and the number of points for one forecast on its scored points.

    `scored` holds `actual`, `mean` and the quantile columns for the points to score (one model).
    """
    y = scored["actual"].to_numpy(dtype=float)
    total = np.abs(y).sum()
    median = scored["q50"].to_numpy(dtype=float)
    out = {
        "WQL": float(quantile_loss(scored).sum() / total) if total > 0 else np.nan,
        "WAPE": float(np.abs(y - median).sum() / total) if total > 0 else np.nan,
        "bias": float((scored["mean"].sum() - y.sum()) / total) if total > 0 else np.nan,
        "MASE": np.nan,
        "coverage80": coverage(scored),
        "points": len(y),
    }
    if scale is not None:
        err = pd.Series(np.abs(y - median), index=scored["item_id"].to_numpy()).groupby(level=0).mean()
        ratio = (err / scale.reindex(err.index)).replace([np.inf, -np.inf], np.nan).dropna()
        out["MASE"] = float(ratio.mean()) if len(ratio) else np.nan
    return pd.Series(out)
