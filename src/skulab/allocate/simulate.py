"""Rolling weeks of store allocation: each policy against demand drawn from the demo's own distribution.

`inputs` takes the forecast chapter's rolling-origin backtest (skulab.forecast.backtest: the profile's models
refitted at each cutoff) on a seeded sample of SKUs sold at two or more stores (every store of each), and
turns each week after a cutoff into one allocation problem per DC x SKU: the forecast's weekly distribution
(daily negative binomials summed by moments), the true one (truth_demand: Poisson-gamma draws of shape
`Knobs.dispersion` around the expected units), the last weeks' sales and the week's observed sales.
`run` gives the DC `level` x the week's expected demand per SKU, allocates by every policy, draws the
same demands for all of them, sells min(allocated, demand), then moves units from stores with leftovers and
from the DC's kept-back stock to stores that ran out (skulab.allocate.transfers). Without truth (real data)
the observed sales stand in for demand: they are censored by stock-outs, so lost sales are underestimated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from skulab import counts, erp
from skulab.allocate import distribution, policy, transfers
from skulab.config import AllocateConfig, Config, override
from skulab.errors import DataError
from skulab.periods import step
from skulab.stats import paired_interval

WEEK = pd.Timedelta(days=7)
TRUTH_POLICY = "true demand"


@dataclass
class Inputs:
    """One row per week x store x SKU in `weeks`; `daily` holds the true expected units per day (demo only)."""

    weeks: pd.DataFrame  # week, dc_id, store_id, sku_id, mean, var, truth_mean, truth_var, history, realised
    daily: pd.DataFrame | None  # week, store_id, sku_id, expected_units
    dispersion: float


@dataclass
class Simulation:
    """Per case (stock level x policy x week x draw) the units and costs, and the summary with intervals."""

    cases: pd.DataFrame
    summary: pd.DataFrame


def inputs(cfg: Config, engine: sa.Engine) -> Inputs:
    """Weekly allocation problems from the backtest's out-of-sample forecasts of the profile's models."""
    from skulab.forecast import backtest
    from skulab.forecast.features import build_panel
    from skulab.forecast.noise import demo_dispersion

    a = cfg.allocate
    fc = override(cfg.forecast, max_series=None, level="store", models=a.models or cfg.forecast.models)
    per_window = int(fc.horizon * step(fc.freq) // WEEK)
    if per_window < 1:
        raise DataError(f"forecast.horizon {fc.horizon} ({fc.freq}) is shorter than a week: allocation needs "
                        "weekly forecasts, so set a horizon of 7 days or more")
    windows = -(-a.weeks // per_window)
    training = erp.read_training(engine, fc)
    sales = _sample_skus(training.sales, a, fc.freq, windows * per_window)
    panel = build_panel(**{**training.inputs(), "sales": sales}, cfg=override(fc, windows=windows))
    bt = backtest(panel, fc, windows=windows)
    fcst = bt.forecasts[bt.forecasts["model"] == a.model]
    if fcst.empty:
        raise DataError(f"allocate.model {a.model!r} is not among the backtest's models "
                        f"({', '.join(sorted(bt.forecasts['model'].unique()))})")
    keys = panel.frame.drop_duplicates("item_id").set_index("item_id")[["store_id", "sku_id"]]
    fcst = fcst.join(keys, on="item_id")
    fcst = fcst.assign(week=fcst["cutoff"] + step(fc.freq) + (fcst["timestamp"] - fcst["cutoff"] - step(fc.freq))
                       // WEEK * WEEK)
    demand = distribution.fit_quantiles(fcst[["q10", "q50", "q90"]].to_numpy())
    weeks = distribution.weekly(fcst, ["week", "cutoff", "store_id", "sku_id"], demand)
    weeks = weeks[weeks["week"].isin(sorted(weeks["week"].unique())[-a.weeks:])]
    frame = panel.frame.assign(actual=panel.frame["actual"].fillna(0.0))
    weeks["history"] = _window_sum(frame, weeks, weeks["cutoff"] - a.history_weeks * WEEK + step(fc.freq),
                                   weeks["cutoff"])
    weeks["realised"] = _window_sum(frame, weeks, weeks["week"], weeks["week"] + WEEK - step(fc.freq))
    weeks = _with_dc(weeks, erp.read_stores(engine), a)
    truth = erp.read_truth(engine, fc, start=weeks["week"].min().date(),
                           end=(weeks["week"].max() + WEEK).date())
    daily = None
    if len(truth):
        truth = truth.assign(date=pd.to_datetime(truth["date"]))
        week_of = pd.DataFrame({"week": sorted(weeks["week"].unique())})
        week_of = week_of.loc[week_of.index.repeat(7)].reset_index(drop=True)
        week_of["date"] = week_of["week"] + pd.to_timedelta(np.tile(np.arange(7), len(week_of) // 7), unit="D")
        daily = truth.merge(week_of, on="date").merge(weeks[["week", "store_id", "sku_id"]], on=["week", "store_id",
                                                                                              "sku_id"])
        k = demo_dispersion()
        daily = daily[["week", "store_id", "sku_id", "expected_units"]].reset_index(drop=True)
        moments = daily.assign(var=daily["expected_units"] + daily["expected_units"] ** 2 / k).groupby(
            ["week", "store_id", "sku_id"])[["expected_units", "var"]].sum()
        weeks = weeks.join(moments.rename(columns={"expected_units": "truth_mean", "var": "truth_var"}),
                           on=["week", "store_id", "sku_id"])
        weeks[["truth_mean", "truth_var"]] = weeks[["truth_mean", "truth_var"]].fillna(0.0)
    return Inputs(weeks=weeks.reset_index(drop=True), daily=daily, dispersion=demo_dispersion())


def run(data: Inputs, cfg: AllocateConfig) -> Simulation:
    """Every policy at every stock level on the same demand draws; accounting per case, summary over weeks."""
    w = data.weeks.sort_values(["week", "dc_id", "sku_id", "store_id"], ignore_index=True)
    truth = data.daily is not None and "truth_mean" in w
    problem = w.groupby(["week", "dc_id", "sku_id"], sort=False).ngroup().to_numpy()
    week_of = w["week"].to_numpy()[np.searchsorted(problem, np.arange(problem.max() + 1))]
    expected = np.bincount(problem, weights=(w["truth_mean"] if truth else w["realised"]).to_numpy())
    rng = np.random.default_rng(cfg.seed)
    demand = _draw(data, w, cfg.draws, rng) if truth else np.round(w["realised"].to_numpy())[None, :]
    forecast = counts.from_moments(w["mean"].to_numpy(), w["var"].to_numpy())
    true = counts.from_moments(w["truth_mean"].to_numpy(), w["truth_var"].to_numpy()) if truth else None
    rows = []
    for level in cfg.stock_levels:
        stock = np.round(level * expected).astype(np.int64)
        allocations = {
            "newsvendor": policy.newsvendor(problem, forecast, stock, cfg.margin, cfg.holding),
            "proportional": policy.proportional(problem, w["history"].to_numpy(), stock),
            "equal": policy.equal(problem, stock),
        }
        if true is not None:
            allocations[TRUTH_POLICY] = policy.newsvendor(problem, true, stock, cfg.margin, cfg.holding)
        for name, units in allocations.items():
            per = outcome(problem, units, stock, demand, cfg)
            rows.append(per.assign(level=level, policy=name, week=week_of[per["problem"].to_numpy()]))
    cases = pd.concat(rows, ignore_index=True)
    cases = cases.groupby(["level", "policy", "week", "draw"], as_index=False, sort=False).sum(numeric_only=True)
    return Simulation(cases=cases.drop(columns="problem"), summary=summary(cases, cfg))


def outcome(problem: np.ndarray, units: np.ndarray, stock: np.ndarray, demand: np.ndarray,
            cfg: AllocateConfig) -> pd.DataFrame:
    """Per draw x problem: stock, allocated, kept back, demand, sold (off the shelf and after transfers), lost,
    leftover at the stores, transfers and their units, and the cost (lost margin + holding + transfers)."""
    draws, n = demand.shape
    kept = stock - np.bincount(problem, weights=units, minlength=len(stock)).astype(np.int64)
    shelf = np.minimum(units[None, :], demand)
    left, short = units[None, :] - shelf, demand - shelf
    groups = len(stock)
    draw_of_row = np.repeat(np.arange(draws), n)
    key = draw_of_row * groups + np.tile(problem, draws)
    source_group = np.concatenate([key, np.arange(draws * groups)])
    available = np.concatenate([left.ravel(), np.tile(kept, draws)])
    moved = transfers.match(source_group, available, key, short.ravel().astype(np.int64), cfg.margin, cfg.holding,
                            cfg.transfer_fixed, cfg.transfer_unit)
    from_dc = moved.source >= draws * n
    size = draws * groups
    per = pd.DataFrame({
        "draw": np.repeat(np.arange(draws), groups), "problem": np.tile(np.arange(groups), draws),
        "stock": np.tile(stock, draws), "allocated": np.tile(stock - kept, draws), "kept_back": np.tile(kept, draws),
        "demand": np.bincount(key, weights=demand.ravel(), minlength=size),
        "sold_shelf": np.bincount(key, weights=shelf.ravel(), minlength=size),
        "moved": np.bincount(key[moved.sink], weights=moved.units, minlength=size),
        "moved_from_dc": np.bincount(key[moved.sink[from_dc]], weights=moved.units[from_dc], minlength=size),
        "moved_from_stores": 0.0,
        "transfers": np.bincount(key[moved.sink], minlength=size),
        "left_at_stores": np.bincount(key, weights=left.ravel(), minlength=size),
    })
    per["moved_from_stores"] = per["moved"] - per["moved_from_dc"]
    per["sold"] = per["sold_shelf"] + per["moved"]
    per["lost"] = per["demand"] - per["sold"]
    per["leftover"] = per["left_at_stores"] - per["moved_from_stores"]
    per["kept_after"] = per["kept_back"] - per["moved_from_dc"]
    per["cost"] = (cfg.margin * per["lost"] + cfg.holding * per["leftover"] + cfg.transfer_fixed * per["transfers"]
                   + cfg.transfer_unit * per["moved"])
    return per


def summary(cases: pd.DataFrame, cfg: AllocateConfig) -> pd.DataFrame:
    """Per stock level and policy: lost sales %, fill rate, leftovers, transfers per 1,000 sold, cost per week,
    95 % bootstrap intervals over weeks, and the paired differences to proportional and to the true demand."""
    rng = np.random.default_rng(cfg.seed)
    rows = []
    for (level, name), c in cases.groupby(["level", "policy"], sort=False):
        c = c.sort_values(["week", "draw"])
        weeks = c["week"].to_numpy()

        def interval(values: pd.Series, weights: pd.Series, blocks: np.ndarray = weeks) -> tuple[float, float]:
            return paired_interval(values.to_numpy(), cfg.bootstrap, rng, blocks=blocks, weights=weights.to_numpy())

        row = {"level": level, "policy": name, "weeks": c["week"].nunique(), "draws": c["draw"].nunique(),
               "lost_pct": c["lost"].sum() / c["demand"].sum(), "fill_rate": c["sold_shelf"].sum() / c["demand"].sum(),
               "leftover": c["leftover"].mean(), "kept_back": c["kept_after"].mean(),
               "transfers_per_1000": 1000 * c["transfers"].sum() / c["sold"].sum(), "cost": c["cost"].mean()}
        row["lost_lo"], row["lost_hi"] = interval(c["lost"], c["demand"])
        row["transfers_lo"], row["transfers_hi"] = interval(1000 * c["transfers"], c["sold"])
        row["cost_lo"], row["cost_hi"] = interval(c["cost"], pd.Series(np.ones(len(c))))
        for ref, tag in (("proportional", "prop"), (TRUTH_POLICY, "truth")):
            base = cases[(cases["level"] == level) & (cases["policy"] == ref)].sort_values(["week", "draw"])
            if base.empty:
                continue
            row[f"lost_vs_{tag}"] = 1 - c["lost"].sum() / base["lost"].sum() if base["lost"].sum() else np.nan
            row[f"transfers_vs_{tag}"] = (1 - c["transfers"].sum() / base["transfers"].sum()
                                          if base["transfers"].sum() else np.nan)
            row[f"cost_vs_{tag}"] = c["cost"].sum() / base["cost"].sum() - 1
            diff = c["cost"].to_numpy() - base["cost"].to_numpy()
            row[f"cost_diff_{tag}_lo"], row[f"cost_diff_{tag}_hi"] = paired_interval(
                diff, cfg.bootstrap, rng, blocks=weeks, weights=base["cost"].to_numpy())
        rows.append(row)
    return pd.DataFrame(rows)


def _draw(data: Inputs, w: pd.DataFrame, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Weekly demand per row of `w`: the sum of the week's daily Poisson-gamma draws around the true expected units."""
    d = data.daily
    index = pd.MultiIndex.from_frame(w[["week", "store_id", "sku_id"]]).get_indexer(
        pd.MultiIndex.from_frame(d[["week", "store_id", "sku_id"]]))
    mu = d["expected_units"].to_numpy()
    k = data.dispersion
    daily = rng.poisson(mu[None, :] * rng.gamma(k, 1 / k, (draws, len(mu))))
    out = np.zeros((draws, len(w)))
    for i in range(draws):
        out[i] = np.bincount(index, weights=daily[i], minlength=len(w))
    return out.astype(np.int64)


def _sample_skus(sales: pd.DataFrame, cfg: AllocateConfig, freq: str, periods: int) -> pd.DataFrame:
    """A seeded sample of `cfg.skus` SKUs sold at two or more stores in the simulated span, at all their stores."""
    end = pd.Timestamp(sales["date"].max())
    span = sales[pd.to_datetime(sales["date"]) > end - periods * WEEK]
    stores = span[span["units"] > 0].groupby("sku_id")["store_id"].nunique()
    candidates = np.sort(stores.index[stores >= 2])
    if not len(candidates):
        raise DataError("no SKU sold at two or more stores in the simulated weeks: there is nothing to allocate")
    chosen = np.random.default_rng(cfg.seed).choice(candidates, min(cfg.skus, len(candidates)), replace=False)
    return sales[sales["sku_id"].isin(chosen)]


def _window_sum(frame: pd.DataFrame, weeks: pd.DataFrame, start: pd.Series, end: pd.Series) -> np.ndarray:
    """Observed units of each row's series between `start` and `end` (inclusive)."""
    f = frame[["store_id", "sku_id", "timestamp", "actual"]]
    m = weeks[["store_id", "sku_id"]].assign(start=start.to_numpy(), end=end.to_numpy(), row=np.arange(len(weeks)))
    joined = m.merge(f, on=["store_id", "sku_id"])
    inside = joined[(joined["timestamp"] >= joined["start"]) & (joined["timestamp"] <= joined["end"])]
    return inside.groupby("row")["actual"].sum().reindex(np.arange(len(weeks)), fill_value=0.0).to_numpy()


def _with_dc(weeks: pd.DataFrame, stores: pd.DataFrame, cfg: AllocateConfig) -> pd.DataFrame:
    """The DC serving each row's store: 'DC' for a central DC, else the store's FDC ('DC' when it has none)."""
    if cfg.dc == "central":
        return weeks.assign(dc_id="DC")
    fdc = stores.set_index("store_id")["fdc_id"]
    return weeks.assign(dc_id=weeks["store_id"].map(fdc).fillna("DC").to_numpy())
