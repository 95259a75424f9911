"""Forecast accuracy: WQL, MASE, WAPE and bias, on the periods with an observed, uncensored sale.

- WQL: weighted quantile loss, 2 x pinball loss summed over points and averaged over the quantiles,
  divided by the summed actuals (AutoGluon's definition; 0 is perfect, a zero forecast scores about 1).
- MASE: mean absolute error of the median forecast over each series' in-sample mean absolute seasonal
  difference (season 7 for daily data, 52 for weekly, 1 when the history is shorter), averaged over series.
- WAPE: summed absolute error of the median forecast over summed actuals.
- bias: (summed mean forecast - summed actuals) / summed actuals; > 0 means over-forecasting.
- coverage80: share of points inside the 80 % interval, q10 <= actual <= q90.
- coverage80_pit: the same share counted by the randomised PIT (0.8 when calibrated): for a count y, G (the
  forecast's CDF, known at q10, q50 and q90) is interpolated linearly between them (right-continuous at ties) and
  extended past them with the slope of the neighbouring half of the interval (at least one unit wide); the count y
  stands for the unit interval around it, u is uniform on [G(y - 1/2), G(y + 1/2)], and the point counts by the part
  of that range within [0.1, 0.9]. On discrete data the plain share over-counts the ties at the interval's ends (a
  zero sale under q10 = 0 is wholly "inside"); this does not. For a target that is not a whole number it is the
  plain indicator. `coverage80_pit_raw`: the same for the model's
  own quantiles, before calibration (when it ran).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRICS = ("WQL", "MASE", "WAPE", "bias")
TAIL = 0.1  # each tail of the 80 % interval


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


def tail_shares(q10: np.ndarray, q50: np.ndarray, q90: np.ndarray, y: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point, the randomised-PIT shares below q10, inside q10-q90 and above q90 (they sum to 1)."""
    q10, q50, q90, y = (np.asarray(a, dtype=float) for a in (q10, q50, q90, y))
    whole = np.isclose(y, np.round(y))
    hi_u = np.where(whole, _cdf(y + 0.5, q10, q50, q90), _cdf(y, q10, q50, q90))
    lo_u = np.where(whole, _cdf(y - 0.5, q10, q50, q90), hi_u)
    width = hi_u - lo_u
    with np.errstate(invalid="ignore", divide="ignore"):
        below = np.where(width > 0, np.clip(TAIL - lo_u, 0, width) / width, (hi_u < TAIL).astype(float))
        above = np.where(width > 0, np.clip(hi_u - (1 - TAIL), 0, width) / width, (hi_u > 1 - TAIL).astype(float))
    return below, 1 - below - above, above


def horizon_steps(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """Each forecast row's horizon step (1: the first period after its cutoff): its timestamp's rank within `by`."""
    return frame.groupby(by)["timestamp"].rank(method="dense").astype(int)


def as_fitted(frame: pd.DataFrame) -> pd.DataFrame:
    """Calibrated forecasts with the model's own q10 and q90 (`q10_raw`, `q90_raw`) back in place."""
    return frame.assign(q10=frame["q10_raw"], q90=frame["q90_raw"])


def pit_coverage(frame: pd.DataFrame) -> float:
    """Randomised-PIT share of `frame`'s points inside q10-q90 (NaN without points): 0.8 when calibrated."""
    if not len(frame):
        return float("nan")
    _, inside, _ = tail_shares(*(frame[c].to_numpy(dtype=float) for c in ("q10", "q50", "q90", "actual")))
    return float(inside.mean())


def _cdf(x: np.ndarray, q10: np.ndarray, q50: np.ndarray, q90: np.ndarray) -> np.ndarray:
    """The forecast's CDF at x: linear through (q10, 0.1), (q50, 0.5), (q90, 0.9), right-continuous at ties, with the
    slope of the neighbouring half-interval (at least one unit wide) beyond them, within [0, 1]."""
    low_run = np.maximum(q50 - q10, 1.0)
    high_run = np.maximum(q90 - q50, 1.0)
    below = np.clip(TAIL - 0.4 * (q10 - x) / low_run, 0.0, TAIL)
    lower = 0.1 + 0.4 * np.clip((x - q10) / np.where(q50 > q10, q50 - q10, 1.0), 0, 1)
    lower = np.where(q50 > q10, lower, 0.5)
    upper = 0.5 + 0.4 * np.clip((x - q50) / np.where(q90 > q50, q90 - q50, 1.0), 0, 1)
    upper = np.where(q90 > q50, upper, 0.9)
    above = np.clip(1 - TAIL + 0.4 * (x - q90) / high_run, 1 - TAIL, 1.0)
    return np.select([x < q10, x < q50, x < q90], [below, lower, upper], above)


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
        "coverage80_pit": pit_coverage(scored),
        "points": len(y),
    }
    if "q10_raw" in scored:
        out["coverage80_pit_raw"] = pit_coverage(as_fitted(scored))
    if scale is not None:
        err = pd.Series(np.abs(y - median), index=scored["item_id"].to_numpy()).groupby(level=0).mean()
        ratio = (err / scale.reindex(err.index)).replace([np.inf, -np.inf], np.nan).dropna()
        out["MASE"] = float(ratio.mean()) if len(ratio) else np.nan
    return pd.Series(out)
