"""Rolling weeks of store allocation: each policy against demand drawn from the demo's own distribution.

`inputs` takes the forecast chapter's rolling-origin backtest (skulab.forecast.backtest: the profile's models
refitted at each cutoff) on a seeded sample of SKUs sold at two or more stores (every store of each), and turns each
week after a cutoff into one allocation problem per DC x SKU: the forecast's weekly distribution (the daily negative
binomials fitted to the quantiles, summed by moments; with `allocate.distribution: errors` the errors of the weeks
observed by the cutoff, `allocate.error_windows` windows of them before the first simulated week, remove its bias
and give its spread: skulab.allocate.distribution.error_adjusted), the true one (truth_demand: Poisson-gamma draws
of shape `Knobs.dispersion` around the expected units), the last weeks' sales and the week's observed sales. `run`
gives the DC `level` x the week's expected demand per SKU, allocates by every policy, draws the same demands for all
of them (the week's first three days and the rest apart), sells what each store holds: the one-shot policies push
once, the two-wave policy (`replenish`) pushes the newsvendor quantities and tops stores up mid-week from what the
DC kept (skulab.allocate.policy.top_up), each line costing `wave_fixed`. After the week units move from stores with
leftovers and from the DC's kept-back stock to stores that ran out (skulab.allocate.transfers). The true-demand rows
are the same policies fed the true distribution: the limit a better forecast could reach. With `allocate.shares`
style (or auto choosing it) the forecast's DC total of each week is split among the stores by their sales of the
SKU's style over the last `allocate.share_weeks` weeks (skulab.allocate.shares), and with `allocate.push_all` the one
push sends the whole stock (the true-demand one push too). Without truth (real data) the observed sales stand in
for demand: they are censored by stock-outs, so lost sales are underestimated, and weekly sales are split around
the wave at random in the days' proportion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from skulab import counts, erp
from skulab.allocate import distribution, policy, shares, transfers
from skulab.config import AllocateConfig, Config, override
from skulab.errors import DataError
from skulab.periods import step
from skulab.stats import paired_interval

WEEK = pd.Timedelta(days=7)
FIRST = pd.Timedelta(days=3)  # the mid-week wave reaches the stores after the week's first three days
TRUTH_POLICY = "true demand"  # the two-wave policy fed the true distribution
TRUTH_ONE_PUSH = "true demand, one push"  # the one-push newsvendor fed it


@dataclass
class Inputs:
    """One row per week x store x SKU in `weeks`; `daily` holds the true expected units per day (demo only)."""

    weeks: pd.DataFrame  # week, dc_id, store_id, sku_id, mean, var, truth_mean, truth_var, history, realised
    daily: pd.DataFrame | None  # week, store_id, sku_id, expected_units
    dispersion: float
    split: pd.DataFrame = field(default_factory=pd.DataFrame)  # shares auto: each split's cost before (_split)


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
    simulated = -(-a.weeks // per_window)
    windows = simulated + max(a.error_windows if a.distribution == "errors" else 0,
                              a.selection_windows if a.shares == "auto" else 0)
    training = erp.read_training(engine, fc)
    sales = _sample_skus(training.sales, a, fc.freq, simulated * per_window)  # sold in the simulated weeks
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
    keys = ["week", "cutoff", "store_id", "sku_id"]
    weeks = distribution.weekly(fcst, keys, demand)
    share = _first_share(fcst["timestamp"], fcst["week"], step(fc.freq))
    first = fcst[keys].assign(mean1=demand.mean * share).groupby(keys, sort=False)["mean1"].sum()
    weeks = weeks.join(first, on=keys)
    frame = panel.frame.assign(actual=panel.frame["actual"].fillna(0.0))
    weeks["observed"] = weeks["week"] + WEEK - step(fc.freq)
    weeks["realised"] = _window_sum(frame, weeks, weeks["week"], weeks["observed"])
    weeks["realised1"] = (_window_sum(frame, weeks, weeks["week"], weeks["week"] + FIRST - step(fc.freq))
                          if FIRST % step(fc.freq) == pd.Timedelta(0) else np.nan)
    if a.distribution == "errors":
        share1 = np.where(weeks["mean"] > 0, weeks["mean1"] / weeks["mean"].where(weeks["mean"] > 0, 1.0), 0.0)
        weeks["mean"], weeks["var"] = distribution.error_adjusted(weeks.assign(actual=weeks["realised"]),
                                                                  ["store_id", "sku_id"], a.error_prior)
        weeks["mean1"] = share1 * weeks["mean"]  # the first days keep their share of the corrected week
    tested = sorted(weeks["week"].unique())[-a.weeks:]
    weeks = _with_dc(weeks.drop(columns="observed").reset_index(drop=True), erp.read_stores(engine), a)
    weeks, split = _split(weeks, training.sales, a, tested[0], a.selection_windows * per_window)
    weeks = weeks[weeks["week"].isin(tested)].reset_index(drop=True)
    weeks["history"] = _window_sum(frame, weeks, weeks["cutoff"] - a.history_weeks * WEEK + step(fc.freq),
                                   weeks["cutoff"])
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
        daily = daily.assign(first=daily["date"] < daily["week"] + FIRST)
        daily = daily[["week", "store_id", "sku_id", "first", "expected_units"]].reset_index(drop=True)
        mu = daily["expected_units"]
        parts = daily.assign(truth_mean=mu, truth_var=mu + mu**2 / k, truth_mean1=mu.where(daily["first"], 0.0))
        truth_columns = ["truth_mean", "truth_var", "truth_mean1"]
        moments = parts.groupby(["week", "store_id", "sku_id"])[truth_columns].sum()
        weeks = weeks.join(moments, on=["week", "store_id", "sku_id"])
        weeks[truth_columns] = weeks[truth_columns].fillna(0.0)
    return Inputs(weeks=weeks.reset_index(drop=True), daily=daily, dispersion=demo_dispersion(), split=split)


def _split(weeks: pd.DataFrame, sales: pd.DataFrame, a: AllocateConfig, first: pd.Timestamp, selection: int
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each week's store split (`allocate.shares`): the forecast's own, the style's (skulab.allocate.shares.top_down),
    or under `auto` the one whose one push would have cost less on the `selection` weeks before `first` (the first
    simulated week), the realised sales standing in for demand at every stock level; and that comparison (split,
    level, weeks, cost, chosen), empty unless `auto`."""
    table = pd.DataFrame(columns=["split", "level", "weeks", "cost", "chosen"])
    if a.shares == "forecast":
        return weeks, table
    problem = weeks.groupby(["week", "dc_id", "sku_id"], sort=False).ngroup().to_numpy()
    early = np.where(weeks["mean"] > 0, weeks["mean1"] / weeks["mean"].where(weeks["mean"] > 0, 1.0), FIRST / WEEK)
    style = weeks.copy()
    style["mean"], style["var"] = shares.top_down(problem, weeks["mean"].to_numpy(), weeks["var"].to_numpy(),
                                                  shares.pooled_units(sales, weeks, weeks["cutoff"], a.share_weeks))
    style["mean1"] = style["mean"] * early  # the first days keep their share of the store's week
    if a.shares == "style":
        return style, table
    before = sorted(weeks.loc[weeks["week"] < first, "week"].unique())[-selection:]  # the backtest added them
    rows = []
    for name, candidate in (("forecast", weeks), ("style", style)):
        w = candidate[candidate["week"].isin(before)].sort_values(["week", "dc_id", "sku_id"], ignore_index=True)
        group = w.groupby(["week", "dc_id", "sku_id"], sort=False).ngroup().to_numpy()
        d1, d2 = _observed(w, np.random.default_rng(a.seed))
        demand = counts.from_moments(w["mean"].to_numpy(), w["var"].to_numpy())
        for level in a.stock_levels:
            stock = np.round(level * np.bincount(group, weights=w["realised"].to_numpy())).astype(np.int64)
            push = policy.newsvendor(group, demand, stock, a.margin, a.holding, a.push_all)
            cost = outcome(group, push, np.zeros_like(d1), stock, d1, d2, a)["cost"].sum()
            rows.append({"split": name, "level": level, "weeks": len(before), "cost": float(cost)})
    table = pd.DataFrame(rows)
    totals = table.groupby("split")["cost"].sum()
    chosen = "style" if totals["style"] < totals["forecast"] else "forecast"  # a tie keeps the forecast's own
    return (style if chosen == "style" else weeks), table.assign(chosen=table["split"] == chosen)


def run(data: Inputs, cfg: AllocateConfig) -> Simulation:
    """Every policy at every stock level on the same demand draws; accounting per case, summary over weeks."""
    w = data.weeks.sort_values(["week", "dc_id", "sku_id", "store_id"], ignore_index=True)
    truth = data.daily is not None and "truth_mean" in w
    problem = w.groupby(["week", "dc_id", "sku_id"], sort=False).ngroup().to_numpy()
    week_of = w["week"].to_numpy()[np.searchsorted(problem, np.arange(problem.max() + 1))]
    expected = np.bincount(problem, weights=(w["truth_mean"] if truth else w["realised"]).to_numpy())
    rng = np.random.default_rng(cfg.seed)
    d1, d2 = _draw(data, w, cfg.draws, rng) if truth else _observed(w, rng)
    forecast = counts.from_moments(w["mean"].to_numpy(), w["var"].to_numpy())
    if truth:
        true = counts.from_moments(w["truth_mean"].to_numpy(), w["truth_var"].to_numpy())
    none = np.zeros_like(d1)
    rows = []
    for level in cfg.stock_levels:
        stock = np.round(level * expected).astype(np.int64)
        plans = {
            "newsvendor": (policy.newsvendor(problem, forecast, stock, cfg.margin, cfg.holding, cfg.push_all), none),
            "replenish": two_waves(problem, forecast, w["mean1"].to_numpy(), stock, d1, cfg),
            "proportional": (policy.proportional(problem, w["history"].to_numpy(), stock), none),
            "equal": (policy.equal(problem, stock), none),
        }
        if truth:
            plans[TRUTH_ONE_PUSH] = (policy.newsvendor(problem, true, stock, cfg.margin, cfg.holding, cfg.push_all),
                                     none)
            plans[TRUTH_POLICY] = two_waves(problem, true, w["truth_mean1"].to_numpy(), stock, d1, cfg)
        for name, (first, second) in plans.items():
            per = outcome(problem, first, second, stock, d1, d2, cfg)
            rows.append(per.assign(level=level, policy=name, week=week_of[per["problem"].to_numpy()]))
    cases = pd.concat(rows, ignore_index=True)
    cases = cases.groupby(["level", "policy", "week", "draw"], as_index=False, sort=False).sum(numeric_only=True)
    return Simulation(cases=cases.drop(columns="problem"), summary=summary(cases, cfg))


def two_waves(problem: np.ndarray, week: counts.Demand, first_mean: np.ndarray, stock: np.ndarray, d1: np.ndarray,
              cfg: AllocateConfig) -> tuple[np.ndarray, np.ndarray]:
    """The two-wave policy: the newsvendor push for the week (the DC keeps what exceeds the stores' quantities),
    then, per draw, the mid-week top-up from what the DC kept toward the newsvendor quantity of the rest of the
    week as the first days' sales update it (skulab.allocate.distribution.after_sales), given what each store has
    left (skulab.allocate.policy.top_up)."""
    push = policy.newsvendor(problem, week, stock, cfg.margin, cfg.holding)
    draws, n = d1.shape
    groups = len(stock)
    sold = np.minimum(push[None, :], d1)
    later = distribution.after_sales(week, first_mean, sold)
    left = stock - np.bincount(problem, weights=push, minlength=groups).astype(np.int64)
    group = (np.arange(draws)[:, None] * groups + problem[None, :]).ravel()
    wave = policy.top_up(group, counts.Demand(later.mean.ravel(), later.size.ravel()), (push[None, :] - sold).ravel(),
                         np.tile(left, draws), cfg.margin, cfg.holding, cfg.wave_fixed)
    return push, wave.reshape(draws, n)


def outcome(problem: np.ndarray, first: np.ndarray, second: np.ndarray, stock: np.ndarray, d1: np.ndarray,
            d2: np.ndarray, cfg: AllocateConfig) -> pd.DataFrame:
    """Per draw x problem: stock, allocated (the push and the mid-week wave), kept back, demand, sold (off the shelf
    and after transfers), lost, leftover at the stores, the wave's lines, transfers and their units, and the cost
    (lost margin + holding + wave lines + transfers). `first` is the push per row, `second` the wave per draw x row,
    `d1` and `d2` the demand before and after the wave per draw x row."""
    draws, n = d1.shape
    groups = len(stock)
    draw_of_row = np.repeat(np.arange(draws), n)
    key = draw_of_row * groups + np.tile(problem, draws)
    size = draws * groups
    pushed = np.bincount(problem, weights=first, minlength=groups).astype(np.int64)
    waved = np.bincount(key, weights=second.ravel(), minlength=size).astype(np.int64)
    kept = np.tile(stock - pushed, draws) - waved
    sold1 = np.minimum(first[None, :], d1)
    shelf = sold1 + np.minimum(first[None, :] - sold1 + second, d2)
    demand = d1 + d2
    left, short = first[None, :] + second - shelf, demand - shelf
    source_group = np.concatenate([key, np.arange(size)])
    available = np.concatenate([left.ravel(), kept])
    moved = transfers.match(source_group, available, key, short.ravel().astype(np.int64), cfg.margin, cfg.holding,
                            cfg.transfer_fixed, cfg.transfer_unit)
    from_dc = moved.source >= draws * n
    per = pd.DataFrame({
        "draw": np.repeat(np.arange(draws), groups), "problem": np.tile(np.arange(groups), draws),
        "stock": np.tile(stock, draws), "allocated": np.tile(pushed, draws) + waved, "kept_back": kept,
        "waved": waved, "wave_lines": np.bincount(key, weights=(second > 0).ravel(), minlength=size),
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
    per["cost"] = (cfg.margin * per["lost"] + cfg.holding * per["leftover"] + cfg.wave_fixed * per["wave_lines"]
                   + cfg.transfer_fixed * per["transfers"] + cfg.transfer_unit * per["moved"])
    return per


def summary(cases: pd.DataFrame, cfg: AllocateConfig) -> pd.DataFrame:
    """Per stock level and policy: lost sales %, fill rate, leftovers, wave lines and transfers per 1,000 sold, cost
    per week, 95 % bootstrap intervals over weeks, the paired differences to proportional and to the true demand,
    and the share of the cost gap from proportional to the true-demand policy a policy closes (`gap_closed`)."""
    rng = np.random.default_rng(cfg.seed)
    rows = []
    for (level, name), c in cases.groupby(["level", "policy"], sort=False):
        c = c.sort_values(["week", "draw"])
        weeks = c["week"].to_numpy()

        def interval(values: pd.Series, weights: pd.Series, blocks: np.ndarray = weeks) -> tuple[float, float]:
            return paired_interval(values.to_numpy(), cfg.bootstrap, rng, blocks=blocks, weights=weights.to_numpy())

        row = {"level": level, "policy": name, "weeks": c["week"].nunique(), "draws": c["draw"].nunique(),
               "lost_pct": c["lost"].sum() / c["demand"].sum(), "fill_rate": c["sold_shelf"].sum() / c["demand"].sum(),
               "leftover": c["leftover"].mean(), "kept_back": c["kept_after"].mean(), "wave_lines": c["wave_lines"].mean(),
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
    table = pd.DataFrame(rows)
    if (table["policy"] == TRUTH_POLICY).any():  # the share of proportional's excess over the true-demand cost saved
        by = table.set_index(["level", "policy"])["cost"]
        prop, truth = (by.xs(p, level="policy").reindex(table["level"]).to_numpy() for p in ("proportional",
                                                                                              TRUTH_POLICY))
        with np.errstate(divide="ignore", invalid="ignore"):
            table["gap_closed"] = np.where(prop != truth, (prop - table["cost"]) / (prop - truth), np.nan)
    return table


def _draw(data: Inputs, w: pd.DataFrame, draws: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Demand per draw x row of `w` before and after the mid-week wave: sums of the days' Poisson-gamma draws
    around the true expected units."""
    d = data.daily
    index = pd.MultiIndex.from_frame(w[["week", "store_id", "sku_id"]]).get_indexer(
        pd.MultiIndex.from_frame(d[["week", "store_id", "sku_id"]]))
    mu = d["expected_units"].to_numpy()
    early = d["first"].to_numpy()
    k = data.dispersion
    daily = rng.poisson(mu[None, :] * rng.gamma(k, 1 / k, (draws, len(mu))))
    out = np.zeros((2, draws, len(w)))
    for i in range(draws):
        out[0, i] = np.bincount(index, weights=np.where(early, daily[i], 0), minlength=len(w))
        out[1, i] = np.bincount(index, weights=np.where(early, 0, daily[i]), minlength=len(w))
    return out[0].astype(np.int64), out[1].astype(np.int64)


def _observed(w: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The observed sales as the one demand draw, before and after the wave: by day when the data has days, else the
    week's units split at random in the days' proportion (binomial)."""
    week = np.round(w["realised"].to_numpy()).astype(np.int64)
    early = w["realised1"].to_numpy(float)
    d1 = np.where(np.isnan(early), rng.binomial(week, FIRST / WEEK), np.round(np.nan_to_num(early))).astype(np.int64)
    return d1[None, :], (week - d1)[None, :]


def _first_share(start: pd.Series, week: pd.Series, period: pd.Timedelta) -> np.ndarray:
    """The share of each forecast period [start, start + period) that falls before the wave (the week's first days)."""
    end = np.minimum(start + period, week + FIRST)
    return ((end - start).clip(lower=pd.Timedelta(0)) / period).to_numpy()


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
