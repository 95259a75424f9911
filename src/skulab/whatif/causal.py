"""Promotion uplifts read from the history, not from a forecast: a Poisson regression with fixed effects.

Units of every series x period the shelf was not out of stock are regressed (pyfixest.fepois, a Poisson
pseudo-likelihood, consistent for any multiplicative noise) on one 0/1 column per promotion type, the pairs of types
that run together often enough (their extra effect when joint), and the log price ratio per category (its
elasticity: the price cut, held apart from the promotion's own effect), with fixed effects that carry everything
else: the series' level; the store's period (weekday, holidays, weather, local events), per season of the product
when SKUs have one; and, on daily data with styles, the style's week (its life cycle). A promotion type is compared
with the same store's unpromoted series on the same days, so one that always runs chain-wide has no comparison: the
period's fixed effect absorbs it, and the table says so instead of giving a number. Intervals are cluster-robust by
style (or SKU), the unit promotions are assigned to, with the clusters' small-sample factor G / (G - 1) alone (not
one for the rows and fixed effects, which would change with how the rows are pooled).

The SKUs of a style that share a store and a day are fitted as one row, their units summed (`pool`), where the
style's SKUs never differ in a regressor on a day: the Poisson scores of the coefficients are the same sums, so on a
complete panel the estimate is the SKU rows' own, from several times fewer rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from skulab.errors import DataError

MIN_SERIES = 30  # compared series below which a type's figure is shown but not one to plan with
_Z = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


def promo_columns(sales: pd.DataFrame) -> list[str]:
    """The promotion types in the sales' promo_type labels ('feature+display' holds two), most rows first."""
    labels = sales["promo_type"].dropna().astype(str)
    counts = labels.str.split("+").explode().value_counts()
    return [k for k in counts.index if k]


def uplift_frame(sales: pd.DataFrame, freq: str = "D") -> pd.DataFrame:
    """The regression's rows: sales not out of stock with units, the log price ratio and a 0/1 column per type
    (`promo_<type>`), and the keys of the fixed effects (series, store x [season x] period, style x week)."""
    need = {"date", "store_id", "sku_id", "units", "promo_type"}
    if missing := need - set(sales.columns):
        raise DataError(f"promotion uplift: the sales lack column(s) {', '.join(sorted(missing))}")
    f = sales[sales["units"].notna()]
    if "stockout" in f:
        f = f[~f["stockout"].fillna(False).astype(bool)]
    labels = f["promo_type"].fillna("").astype(str).str.split("+")
    out = pd.DataFrame({"units": f["units"].astype(float).to_numpy()}, index=f.index)
    for kind in promo_columns(f):
        out[f"promo_{kind}"] = labels.apply(lambda parts, k=kind: k in parts).astype(float)
    ratio = (f["price"] / f["base_price"]) if {"price", "base_price"} <= set(f.columns) else pd.Series(1.0, f.index)
    out["log_price_ratio"] = np.log(ratio.where(ratio > 0)).fillna(0.0)
    dates = pd.to_datetime(f["date"])
    period = dates.dt.strftime("%Y-%m-%d")
    out["series"] = f["store_id"].astype(str) + "|" + f["sku_id"].astype(str)
    seasons = f["season"].astype(str) if "season" in f and f["season"].nunique() > 1 else None
    out["store_period"] = f["store_id"].astype(str) + "|" + (seasons + "|" if seasons is not None else "") + period
    out["category"] = f["category"].astype(str) if "category" in f else "all"
    out["cluster"] = (f["style_id"] if "style_id" in f else f["sku_id"]).astype(str)
    out["pool"] = f["store_id"].astype(str) + "|" + out["cluster"]
    if freq == "D" and "style_id" in f and f["style_id"].nunique() < f["sku_id"].nunique():
        out["style_week"] = f["style_id"].astype(str) + "|" + dates.dt.strftime("%G-%V")
    out["date"] = dates.to_numpy()
    return out.reset_index(drop=True)


def joint_pairs(frame: pd.DataFrame, kinds: Sequence[str], min_series: int = MIN_SERIES) -> list[tuple[str, str]]:
    """Pairs of types that run together on at least `min_series` series: their joint extra effect is estimated."""
    pairs = []
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            both = (frame[f"promo_{a}"] > 0) & (frame[f"promo_{b}"] > 0)
            if frame.loc[both, "series"].nunique() >= min_series:
                pairs.append((a, b))
    return pairs


def estimate(frame: pd.DataFrame, kinds: Sequence[str] | None = None, min_series: int = MIN_SERIES,
             pooled: bool = True) -> pd.DataFrame:
    """Each type's uplift at its median discount and its own with the price held (exp of its coefficient), each with
    a 95 % interval, the joint pairs' extra effect, and each category's price elasticity. A type none of whose rows
    has an unpromoted series in the same store and period to compare with is flagged not identifiable, with the
    reason, left out of the regression and given no number; one with fewer than `min_series` compared series is
    estimated and flagged.

    Columns: term (promotion, joint, elasticity), name, category, promoted_series, compared_series (promoted series
    with a comparison on their days), rows, discount (median of promoted rows), identifiable, why, estimate, lo, hi
    (at the median discount; a joint pair's extra; the elasticity), own, own_lo, own_hi (with the price held).
    `pooled` fits the style's SKUs summed (`pool`); False fits every SKU row, the same figures slower."""
    import pyfixest as pf
    from pyfixest.demeaners import LsmrDemeaner

    kinds = list(kinds if kinds is not None else [c.removeprefix("promo_") for c in frame if c.startswith("promo_")])
    if not kinds:
        raise DataError("promotion uplift: the sales carry no promotion type")
    data = frame.copy()
    terms = {f"promo_{k}": ("promotion", k) for k in kinds}
    for a, b in joint_pairs(frame, kinds, min_series):
        data[f"joint_{a}__{b}"] = data[f"promo_{a}"] * data[f"promo_{b}"]
        terms[f"joint_{a}__{b}"] = ("joint", f"{a}+{b}")
    compared = {column: compared_series(data, column) for column in terms}
    names = [column for column in terms if compared[column] > 0]
    categories = sorted(data["category"].unique())
    priced = data["log_price_ratio"].ne(0)
    for c in categories:
        if (priced & data["category"].eq(c)).any():
            data[f"elasticity_{c}"] = data["log_price_ratio"] * data["category"].eq(c)
            names.append(f"elasticity_{c}")
    effects = " + ".join(k for k in ("series", "store_period", "style_week") if k in data)
    rows = pool(data, names) if pooled else data
    alias = {name: f"x{i}" for i, name in enumerate(names)}  # a type or category may hold spaces, '-' or '%'
    with warnings.catch_warnings():  # pyfixest warns of the separated rows and of any collinear column it drops
        warnings.simplefilter("ignore")
        # LSMR, not pyfixest's default alternating projections: on the demo's three-way fixed effects the latter
        # did not converge in 10,000 iterations; LSMR did, in 425 s on 1.7 M SKU rows
        fit = pf.fepois(f"units ~ {' + '.join(alias.values())} | {effects}", data=rows.rename(columns=alias),
                        vcov={"CRV1": "cluster"}, ssc=pf.ssc(k_adj=False), demeaner=LsmrDemeaner())
    named = {x: name for name, x in alias.items()}
    coef, cov = fit.coef().rename(index=named), _vcov(fit).rename(index=named, columns=named)
    rows = [_row(term, name, data[data[column] > 0], column, compared[column], coef, cov, min_series)
            for column, (term, name) in terms.items()]
    for c in categories:
        name = f"elasticity_{c}"
        if name in coef:
            se, on = float(np.sqrt(cov.loc[name, name])), priced & data["category"].eq(c)
            series = int(data.loc[on, "series"].nunique())
            rows.append({"term": "elasticity", "name": "price", "category": c, "promoted_series": series,
                         "compared_series": series, "rows": int(on.sum()), "discount": np.nan,
                         "identifiable": True, "why": "", "estimate": -coef[name],
                         "lo": -coef[name] - _Z * se, "hi": -coef[name] + _Z * se,
                         "own": np.nan, "own_lo": np.nan, "own_hi": np.nan})
    return pd.DataFrame(rows)


def pool(frame: pd.DataFrame, regressors: Sequence[str]) -> pd.DataFrame:
    """The rows of `frame` summed over the SKUs of a pool (store x style) that share a day: a pooled row's series is
    its pool and the set of SKUs summed (a style whose sizes all sell that day is one series; a day one size was out
    of stock is another), so every row's mean keeps the form exp(series + period + style week + regressors) and the
    Poisson fit stays exact. A pool whose SKUs ever differ in a regressor on a day (one size promoted alone) keeps
    its SKU rows: summing only its alike days would fit those SKUs' levels apart on the days they differ."""
    keys = ["pool", *(k for k in ("store_period", "style_week") if k in frame), "category", "cluster", "date",
            *regressors]
    alike = (frame.groupby(list(regressors), sort=False, dropna=False).ngroup()
             .groupby([frame["pool"], frame["date"]]).nunique().groupby(level=0).max() == 1)
    frame = frame.assign(pool=frame["pool"].where(frame["pool"].map(alike).to_numpy(), frame["series"]))
    codes = pd.Series(frame["series"]).astype("category").cat.codes.to_numpy()
    tags = np.random.default_rng(0).integers(0, 2**40, codes.max() + 1)  # a set's sum names it, without overflow
    summed = (frame[keys].assign(units=frame["units"], members=tags[codes])
              .groupby(keys, sort=False, observed=True, dropna=False)
              .agg(units=("units", "sum"), members=("members", "sum")).reset_index())
    summed["series"] = summed["pool"] + "|" + summed["members"].astype(str)
    return summed.drop(columns="members")


def compared_series(frame: pd.DataFrame, column: str) -> int:
    """The promoted series of a 0/1 `column` with an unpromoted series in the same store and period (the cell of
    the period's fixed effect): what the type's estimate rests on; 0 when it always runs chain-wide."""
    cells = frame.groupby("store_period")[column].agg(["min", "max"])
    mixed = cells.index[cells["min"] < cells["max"]]
    on = (frame[column] > 0) & frame["store_period"].isin(mixed)
    return int(frame.loc[on, "series"].nunique())


def _vcov(fit) -> pd.DataFrame:
    """The fit's cluster-robust covariance, labelled by coefficient."""
    names = list(fit.coef().index)
    return pd.DataFrame(np.asarray(fit._vcov), index=names, columns=names)


def _row(term: str, name: str, on: pd.DataFrame, column: str, compared: int, coef: pd.Series, cov: pd.DataFrame,
         min_series: int) -> dict:
    """One promotion type's (or joint pair's) line, or why it has none: a type's uplift at its median discount
    (its own effect times the price cut's, by the categories of its rows) and its own with the price held; a joint
    pair's extra effect."""
    depth = float((1 - np.exp(on["log_price_ratio"])).median()) if len(on) else np.nan
    row = {"term": term, "name": name, "category": "all", "promoted_series": int(on["series"].nunique()),
           "compared_series": compared, "rows": len(on), "discount": depth}
    empty = {"estimate": np.nan, "lo": np.nan, "hi": np.nan, "own": np.nan, "own_lo": np.nan, "own_hi": np.nan}
    if column not in coef:  # no comparison on its days (or, rarely, collinear with the rest)
        why = absorbed_why(on) if compared == 0 else "collinear with the other terms"
        return row | {"identifiable": False, "why": why} | empty
    why = f"only {compared} series compared with unpromoted ones" if compared < min_series else ""
    own = _ratio(coef, cov, pd.Series({column: 1.0}))
    if term != "promotion":
        return row | {"identifiable": True, "why": why} | empty | dict(zip(("estimate", "lo", "hi"), own))
    shares = on["category"].value_counts(normalize=True)
    price = pd.Series({f"elasticity_{c}": w * np.log1p(-depth) for c, w in shares.items()
                       if f"elasticity_{c}" in coef and depth < 1})
    total = _ratio(coef, cov, pd.concat([pd.Series({column: 1.0}), price]))
    return (row | {"identifiable": True, "why": why} | dict(zip(("estimate", "lo", "hi"), total))
            | dict(zip(("own", "own_lo", "own_hi"), own)))


def _ratio(coef: pd.Series, cov: pd.DataFrame, weights: pd.Series) -> tuple[float, float, float]:
    """exp of a linear combination of the coefficients with its 95 % interval (the delta method on the log)."""
    point = float((coef[weights.index] * weights).sum())
    se = float(np.sqrt(weights @ cov.loc[weights.index, weights.index] @ weights))
    return float(np.exp(point)), float(np.exp(point - _Z * se)), float(np.exp(point + _Z * se))


def absorbed_why(on: pd.DataFrame) -> str:
    """Why a type has no comparison: it runs chain-wide (every series of a store and period at once), on the same
    calendar dates every year or on dates that move."""
    if on.empty:
        return "never promoted in the history"
    dates = pd.Series(pd.to_datetime(on["date"].unique()))
    days_per_year = dates.groupby(dates.dt.year).apply(lambda d: frozenset(d.dt.strftime("%m-%d")))
    if len(days_per_year) > 1 and days_per_year.nunique() == 1:
        return "chain-wide on the same dates every year: inseparable from the calendar"
    return "chain-wide: no unpromoted series on its days to compare with"


def uplift_from_history(sales: pd.DataFrame, freq: str, generator: bool = False,
                        min_series: int = MIN_SERIES) -> pd.DataFrame:
    """The chapter's table: `estimate` on the training rows (skulab.erp.read_training's sales, every series), with
    the demo generator's truth when `generator`: `true` (a type's uplift at its median discount, by the categories
    of its rows; 1 for a joint pair; the category's elasticity) and `true_own` (the type's own uplift), and their
    relative errors `error` and `own_error` (of the uplift, ratio - 1; where the truth is no uplift, the estimated
    uplift itself; of the elasticity)."""
    frame = uplift_frame(sales, freq)
    table = estimate(frame, min_series=min_series)
    truth = [_truth(r, frame) if generator else (np.nan, np.nan) for r in table.itertuples()]
    table["true"], table["true_own"] = [t[0] for t in truth], [t[1] for t in truth]
    effect = (table["term"] != "elasticity").to_numpy()
    table["error"] = np.where(effect, _uplift_error(table["estimate"], table["true"]),
                              table["estimate"] / table["true"] - 1)
    table["own_error"] = _uplift_error(table["own"], table["true_own"])
    return table


def _uplift_error(estimate: pd.Series, true: pd.Series) -> np.ndarray:
    """The relative error of an uplift (ratio - 1); the estimated uplift itself where the truth is none."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isclose(true, 1.0), estimate - 1, (estimate - 1) / (true - 1) - 1)


def _truth(row: object, frame: pd.DataFrame) -> tuple[float, float]:
    """The demo generator's values of one line of the table: at the line's discount, and with the price held."""
    from skulab.data import demo

    if row.term == "elasticity":
        return demo.true_elasticity(row.category), np.nan
    if row.term == "joint":
        return 1.0, np.nan  # the demo's types multiply: nothing extra when two run together
    shares = frame.loc[frame[f"promo_{row.name}"] > 0, "category"].value_counts(normalize=True)
    at = np.log(demo.true_uplift(row.name, pd.Series(shares.index), row.discount))
    return float(np.exp((at * shares.to_numpy()).sum())), demo.true_promo_uplift(row.name)
