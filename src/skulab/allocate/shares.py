"""Store shares of a SKU's week read from the style's sales: the top-down split of the forecast's DC total.

One store x SKU sells a few units a week, so its own recent sales (or forecast) split a DC's week noisily. The
SKUs of a style (its sizes and colours) sell in much the same mix at every store, so a store's sales of the whole
style over several weeks say its share of each of the style's SKUs with many times the units: on the demo the store
shares from the style's last 8 weeks are 2-3 times closer to the true shares than those from the SKU's own 4 weeks
(docs/results.md, chapter 08). `pooled_units` gives those sales per row; `top_down` turns the forecast's per-store
weekly moments into the DC total split by them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)


def pooled_units(sales: pd.DataFrame, rows: pd.DataFrame, end: pd.Series, weeks: int,
                 styles: pd.Series | None = None) -> np.ndarray:
    """Per row of `rows` (store_id, sku_id) the units its store sold of the row's style in the `weeks` weeks up to
    `end` (inclusive, a date per row). `styles` maps sku_id to style_id (None: the sales' own style_id column); a
    SKU without a style, or sales without styles, count the SKU's own units."""
    s = sales.assign(date=pd.to_datetime(sales["date"]))
    if styles is None and "style_id" in s:
        styles = s.drop_duplicates("sku_id").set_index("sku_id")["style_id"]
    styles = (styles if styles is not None else pd.Series(dtype=object)).dropna().astype(str)

    def unit(skus: pd.Series) -> pd.Series:
        return skus.map(styles).fillna("sku:" + skus.astype(str))

    s["unit"] = unit(s["sku_id"])
    keys = rows[["store_id"]].assign(unit=unit(rows["sku_id"]).to_numpy(), end=pd.to_datetime(end).to_numpy(),
                                     row=np.arange(len(rows)))
    out = np.zeros(len(rows))
    for stop, part in keys.groupby("end", sort=False):
        window = s[(s["date"] > stop - weeks * 7 * DAY) & (s["date"] <= stop)]
        total = window.groupby(["store_id", "unit"])["units"].sum()
        index = pd.MultiIndex.from_frame(part[["store_id", "unit"]])
        out[part["row"].to_numpy()] = total.reindex(index).fillna(0.0).to_numpy()
    return out


def top_down(problem: np.ndarray, mean: np.ndarray, var: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray,
                                                                                                   np.ndarray]:
    """Per row the mean and variance of the problem's (DC x SKU x week's) forecast total split by `weights`
    (equal shares where a problem's weights are all 0). The spread is the problem's negative binomial dispersion,
    phi = sum(var - mean) / sum(mean^2) over its rows' forecasts (0 a Poisson), applied to each row's new mean: a
    row's own variance-to-mean ratio belongs to its own forecast's mean, not to its share of the total."""
    problem, mean, var = np.asarray(problem), np.asarray(mean, float), np.asarray(var, float)
    w = np.clip(np.asarray(weights, float), 0.0, None)
    groups = problem.max() + 1 if len(problem) else 0

    def per_problem(values: np.ndarray) -> np.ndarray:
        return np.bincount(problem, weights=values, minlength=groups)[problem]

    total_w, count = per_problem(w), per_problem(np.ones(len(w)))
    share = np.where(total_w > 0, w / np.where(total_w > 0, total_w, 1.0), 1.0 / np.maximum(count, 1.0))
    split = share * per_problem(mean)
    squares = per_problem(mean**2)
    phi = np.where(squares > 0, np.clip(per_problem(var - mean), 0.0, None) / np.where(squares > 0, squares, 1.0), 0.0)
    return split, split + phi * split**2
