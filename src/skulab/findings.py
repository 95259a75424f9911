"""The conclusions the notebooks draw, written from the numbers: one function per chapter, Markdown out.

A chapter states its results through these functions so that no sentence of a conclusion can go stale when
the data, the profile or the code change; the notebook displays the text beside its tables. Notebook 05's
findings are `skulab.embed.findings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from skulab import explore
from skulab.forecast.features.summary import kind_shares

if TYPE_CHECKING:
    from skulab.baskets import Baskets
    from skulab.config import AssortConfig
    from skulab.forecast.features import Panel
    from skulab.forecast.job import JobResult

_STATISTICAL = ("statistical", "intermittent")
_TRUTH = "truth (noise floor)"


def eda(sales: pd.DataFrame, shares: pd.Series, promos: pd.DataFrame, by_holiday: pd.DataFrame,
        baskets: Baskets | None = None, pairs: pd.DataFrame | None = None) -> str:
    """Chapter 01: what the sales history, the promotions, the calendar and the baskets hold."""
    text = [(f"The ERP holds {len(sales):,} sales rows of {sales['sku_id'].nunique():,} SKUs at "
            f"{sales['store_id'].nunique():,} stores, {sales['date'].min():%Y-%m-%d} .. {sales['date'].max():%Y-%m-%d}.")]
    stockouts = (f"{shares['stock-out (censored)']:.1%} are stock-outs (sales are a lower bound of demand)"
                 if sales["stockout"].notna().any() else "stock-outs are not recorded by this source")
    text.append(f"Inside the series' spans {shares['missing row']:.1%} of periods have no row, {stockouts}, and "
                f"{shares['zero sales']:.1%} are true zeros.")
    promoted = promos.drop(index="none", errors="ignore")
    if len(promoted) and "none" in promos.index:
        on = (promoted["rows"] * promoted["mean_units"]).sum() / promoted["rows"].sum()
        off = promos.loc["none", "mean_units"]
        text.append(f"Rows on promotion ({promoted['share_of_rows'].sum():.1%} of all) sell {on:.2f} units on average "
                    f"against {off:.2f} on regular rows ({on / off:.2f}x); by promotion type the mean runs from "
                    f"{promoted['mean_units'].min():.2f} ({promoted['mean_units'].idxmin()}) to "
                    f"{promoted['mean_units'].max():.2f} ({promoted['mean_units'].idxmax()}).")
    else:
        text.append("No row is on promotion in this source.")
    lifts = by_holiday["lift_vs_ordinary"].drop(index="ordinary day", errors="ignore").dropna()
    if len(lifts):
        text.append(f"On {(lifts > 1).sum()} of {len(lifts)} holidays the chain sells more per day than on an "
                    f"ordinary day; the lift runs from {lifts.min():.2f}x ({lifts.idxmin()}) to {lifts.max():.2f}x "
                    f"({lifts.idxmax()}).")
    else:
        text.append("No sales day falls on a holiday of the ERP's calendar.")
    if baskets is None:
        text.append("This source has no orders, so the assortment chapters do not apply to it.")
        return " ".join(text)
    small = float((baskets.sizes <= 3).mean())
    top = explore.top_share(explore.popularity_curve(baskets), 0.2)
    reading = ("small baskets on a concentrated range, where a popularity ranking is a strong baseline"
               if small >= 0.5 and top >= 0.5 else "enough large baskets or a flat enough range that popularity "
               "alone leaves much of the demand unserved")
    text.append(f"Of {len(baskets.order_ids):,} orders, {small:.1%} hold one to three SKUs (median "
                f"{int(np.median(baskets.sizes))}) and the top 20 % of SKUs carry {top:.1%} of order lines: {reading}.")
    if pairs is not None and len(pairs):
        first = pairs.iloc[0]
        text.append(f"The most frequent pair ({first['sku_a']} + {first['sku_b']}) is in {int(first['orders']):,} "
                    f"orders at lift {first['lift']:.2f}; {(pairs['lift'] > 1).sum()} of the top {len(pairs)} pairs "
                    f"are bought together more often than chance (lift above 1).")
    return " ".join(text)


def features(panel: Panel, uplift: pd.DataFrame, response: pd.DataFrame, holidays: pd.Series,
             real_panel: Panel | None = None, real_uplift: pd.DataFrame | None = None) -> str:
    """Chapter 02: the kinds of history periods, and what promotions, discounts and holidays do to units."""
    f = panel.frame
    kinds = kind_shares(panel)
    text = [f"{f['item_id'].nunique():,} series on a '{panel.freq}' grid: of the history periods {kinds['sale']:.1%} "
            f"are sales, {kinds['zero']:.1%} true zeros, {kinds['stockout']:.1%} stock-outs, {kinds['etl_gap']:.1%} "
            f"ETL gaps and {kinds['no_row']:.1%} periods without a row"
            + (f"; {f['imputed'].mean():.1%} of all periods carry the `imputed` mask." if "imputed" in f else ".")]
    if len(uplift) > 1:
        u = uplift["uplift"]
        text.append(f"Promotion types do not lift units alike: from {u.max():.2f}x the regular periods ({u.idxmax()}) "
                    f"to {u.min():.2f}x ({u.idxmin()}).")
    elif len(uplift):
        text.append(f"The one promotion type, {uplift.index[0]}, sells {uplift['uplift'].iloc[0]:.2f}x the regular "
                    "periods.")
    bands = response["relative_units"].drop(index="none", errors="ignore") if len(response) else pd.Series()
    if len(bands) > 1:
        steady = "rising with every band" if bands.is_monotonic_increasing else "not rising steadily with depth"
        text.append(f"By discount band, units run from {bands.iloc[0]:.2f}x the full-price mean ({bands.index[0]}) to "
                    f"{bands.iloc[-1]:.2f}x ({bands.index[-1]}), {steady}; the strongest band is {bands.idxmax()} "
                    f"({bands.max():.2f}x).")
    if len(holidays):
        text.append(f"{(holidays > 1).sum()} of {len(holidays)} holidays sell above an ordinary period; the strongest "
                    f"lift is {holidays.max():.2f}x ({holidays.idxmax()}).")
    if real_panel is not None and real_uplift is not None and len(real_uplift):
        text.append(f"On the real weekly data {kind_shares(real_panel)['no_row']:.1%} of history weeks have no "
                    f"row, and the strongest promotion, {real_uplift.index[0]}, lifts units "
                    f"{real_uplift['uplift'].iloc[0]:.2f}x.")
    return " ".join(text)


def forecast_models(board: pd.DataFrame, table: pd.DataFrame, ablation_table: pd.DataFrame,
                    runs: pd.DataFrame, recipe: pd.DataFrame | None = None) -> str:
    """Chapter 03: what the automatic recipe chose, which model wins, skulab against the anchor and the best
    statistical model, the ablation."""
    from skulab.forecast.backtest import best_statistical_row, gain_vs_best_statistical, headline

    models = board[board["model"] != _TRUTH].sort_values("WQL")
    windows = [c for c in table.columns if str(c).startswith("window ")]
    head, ref = headline(table), headline(table, "anchor")
    wql, gain = table.loc[head, "mean"], table.loc[head, "gain_vs_anchor"]
    stats = board[board["family"].isin(_STATISTICAL)].sort_values("WQL")
    wins = int((table.loc[head, windows] < table.loc[ref, windows]).sum())
    text = [_recipe(recipe)] if recipe is not None else []
    text += [(f"Over {len(windows)} test windows the best model of the zoo is {models['model'].iloc[0]} (mean WQL "
            f"{models['WQL'].iloc[0]:.3f}). skulab's headline ({head.split(': ', 1)[1]}) scores {wql:.3f}, "
            f"{_relative(gain)} the anchor's {table.loc[ref, 'mean']:.3f}, better in {wins} of {len(windows)} windows")]
    best = best_statistical_row(table)
    if len(stats):
        text[-1] += (f", and {_relative(gain_vs_best_statistical(board, wql))} the best statistical model "
                    f"({stats['model'].iloc[0]}, {stats['WQL'].iloc[0]:.3f}).")
    elif best is not None:  # the recipe kept no statistical model: the best of the comparison's runs
        text[-1] += (f", and {_relative(gain_vs_best_statistical(board, wql, table))} the best statistical model "
                    f"of the comparison's runs ({best.split(': ', 1)[1]}, {table.loc[best, 'mean']:.3f}).")
    else:
        text[-1] += "."
    gain_col = next((c for c in ablation_table.columns if str(c).startswith("gain_vs_")), None)
    reference = str(gain_col).removeprefix("gain_vs_").replace("_", " ")
    if gain_col is not None and reference in ablation_table.index and len(ablation_table) > 1:
        gains = ablation_table[gain_col].drop(index=reference)
        by_window = ablation_table.drop(columns=["mean", gain_col])
        best = gains.idxmax()
        sentence = (f"In the ablation, {best} lowers WQL most against {reference} ({gains.max():.1%}, better in "
                    f"{int((by_window.loc[best] < by_window.loc[reference]).sum())} of {by_window.shape[1]} windows)")
        worse = gains[gains < 0]
        sentence += (f"; {', '.join(worse.index)} raise{'s' if len(worse) == 1 else ''} it." if len(worse)
                     else "; no variant raises it.")
        text.append(sentence)
    m5 = next((i for i in table.index if i.startswith("M5 recipe alone: ")), None)
    if m5:
        text.append(f"The M5-recipe LightGBM alone scores {table.loc[m5, 'mean']:.3f}: skulab's headline is "
                    f"{_relative(1 - wql / table.loc[m5, 'mean'])} it.")
    row = board.set_index("model").reindex([head.split(": ", 1)[1]]).iloc[0]
    if pd.notna(row.get("coverage80", np.nan)):
        pit = row.get("coverage80_pit", np.nan)
        counted = f", {pit:.1%} counted by the randomised PIT" if pd.notna(pit) else ""
        aim = "within" if pd.notna(pit) and abs(pit - 0.8) <= 0.05 else "outside"
        text.append(f"Its q10-q90 interval holds {row['coverage80']:.1%} of the scored sales{counted} ({aim} the "
                    "aim of 80 +/- 5 %).")
        raw = row.get("coverage80_pit_raw", np.nan)
        if pd.notna(raw) and pd.notna(pit):
            moved = "closer to" if abs(pit - 0.8) < abs(raw - 0.8) else (
                "no closer to" if abs(pit - 0.8) == abs(raw - 0.8) else "further from")
            text.append(f"As fitted, before calibration, it held {raw:.1%}: calibration moved it {moved} 80 %.")
    if _TRUTH in set(board["model"]):
        floor = board.loc[board["model"] == _TRUTH, "WQL"].iloc[0]
        gap = models["WQL"].iloc[0] - floor
        text.append(f"The generator's true demand scores {floor:.3f} (the noise floor): the best model is {gap:.3f} "
                    f"above it, so at most {gap / models['WQL'].iloc[0]:.1%} of its error is left to gain.")
    dropped, fallbacks = int(runs["dropped"].max()), int(runs["fallbacks"].sum())
    text.append(f"{dropped} series were left out of training (at most, per window) and {fallbacks} forecasts fell back "
                "to SeasonalNaive.")
    return " ".join(text)


def _recipe(table: pd.DataFrame) -> str:
    """What the automatic recipe tried and kept, from its selection table."""
    ran = table[table["fits"] > 0]
    kept = table[table["decision"].fillna("").str.startswith("kept")]["candidate"].tolist()
    anchor = table["decision"].fillna("").str.contains("the anchor is the recipe").any()
    skipped = int(table["decision"].fillna("").str.startswith("not run").sum())
    what = ("AutoGluon alone with the raw columns, which scored better there than the profile's settings" if anchor
            else "the profile's settings" + (f" changed by {_names(kept)}" if kept else ", unchanged"))
    zoo = table.loc[table["step"] == "zoo", "decision"].str.rstrip(".")
    cal = table.loc[table["step"] == "calibration", "decision"].str.rstrip(".")
    beyond = f", {skipped} more {'was' if skipped == 1 else 'were'} beyond its budget" if skipped else ""
    return (f"The automatic recipe tried {len(ran)} candidates ({int(ran['fits'].sum())} fits) on the selection "
            f"windows before the test windows{beyond} and "
            f"chose {what}" + (f"; zoo: {zoo.iloc[0]}" if len(zoo) else "") +
            (f"; calibration {cal.iloc[0]}" if len(cal) else "") + ".")


def forecast_job(first: JobResult, again: JobResult, runs: pd.DataFrame, lookup: pd.DataFrame) -> str:
    """Chapter 04: what the weekly job wrote, whether a re-run replaced it, and what the lookup answers."""
    stored = int(runs.loc[runs["run_id"] == first.run_id, "forecast_rows"].iloc[0])
    text = [(f"Run {first.run_id} wrote {first.rows:,} rows ({first.series:,} series, {len(first.models)} model(s), "
            f"{first.first_date:%Y-%m-%d} .. {first.last_date:%Y-%m-%d}) in {first.seconds:.0f} s.")]
    replaced = ("it replaced the first run rather than adding to it" if stored == again.rows == first.rows
                else "the run's rows are not those of a single run")
    text.append(f"Run again with the same id it wrote {again.rows:,} rows and the ERP holds {stored:,} for that run: "
                f"{replaced}.")
    done = runs[runs["status"] == "done"]
    newest = done.sort_values("finished_at")["run_id"].iloc[-1] if len(done) else None
    if len(lookup):
        row = lookup.iloc[0]
        source = "the newest finished run" if row["run_id"] == newest else f"run {row['run_id']}"
        text.append(f"The packaged lookup answers from {source}: SKU {row['sku_id']} at {row['store_id']} on "
                    f"{row['forecast_date']:%Y-%m-%d} is forecast to sell {row['mean']:.2f} units by {row['model']}"
                    + (f" (q10-q90 {row['q10']:.2f} .. {row['q90']:.2f})." if pd.notna(row["q10"]) else "."))
    else:
        text.append("The packaged lookup returned no row for the series asked.")
    text.append(f"{first.dropped} series were left out of training and "
                f"{sum(first.fallbacks.values()) if first.fallbacks else 0} forecasts fell back to SeasonalNaive.")
    return " ".join(text)


def assortment_net(table: pd.DataFrame, history: pd.DataFrame, cfg: AssortConfig) -> str:
    """Chapter 06: how the net trained, and where every method lands on one window at the rule's K."""
    at = table[table["k_label"] == cfg.rule_label]
    fills = at.groupby("method", sort=False)[["test_fill", "train_fill", "certified_gap"]].mean()
    hindsight = at.groupby("fdc_id")["hindsight_fill"].first().mean() if "hindsight_fill" in at else np.nan
    pop = fills.loc["popularity", "test_fill"]
    rule = f"the {cfg.rule_percent} % rule's K"
    loss = history["loss"]
    text = [(f"The net's loss (1 - expected fill) went from {loss.iloc[0]:.3f} to {loss.iloc[-1]:.3f} in {len(loss)} "
            "epochs.")]
    if "net" in fills.index:
        net = fills.loc["net", "test_fill"]
        sentence = (f"At {rule}, averaged over {at['fdc_id'].nunique()} FDC(s), the net fills {net:.1%} of the test "
                    f"week's orders against {pop:.1%} for popularity ({(net - pop) * 100:+.1f} points)")
        if hindsight > pop:
            sentence += (f" and {hindsight:.1%} for the hindsight optimum: it covers {(net - pop) / (hindsight - pop):.0%} "
                         "of the distance from popularity to the limit")
        text.append(sentence + ".")
    test_rank = fills["test_fill"].rank(ascending=False, method="min")
    best = list(fills.index[test_rank == 1])
    text.append(f"The best {'method' if len(best) == 1 else 'methods'} next week: {_names(best)} "
                f"({fills['test_fill'].max():.1%}).")
    text.append(_in_sample_leader(fills, test_rank))
    text.append(f"Every method's in-sample fill is certified within {fills['certified_gap'].max():.1%} of the best "
                f"possible at that K (the largest gap is {fills['certified_gap'].idxmax()}'s).")
    return " ".join(text)


def rolling(summary: pd.DataFrame, cfg: AssortConfig) -> str:
    """Chapter 07: per window, the best method against popularity at the rule's K, the window's own effect, and
    what in-sample optimisation is worth next week."""
    s = summary[summary["k_label"] == cfg.rule_label]
    rule = f"the {cfg.rule_percent} % rule's K"
    text, best_gain = [], -np.inf
    for w in sorted(s["window"].unique()):
        g = s[s["window"] == w].set_index("method")
        others = g.drop(index="popularity")
        if others.empty:
            continue
        best = others["diff_vs_popularity"].idxmax()
        b = others.loc[best]
        best_gain = max(best_gain, b["diff_vs_popularity"])
        if b["diff_lo"] > 0:
            verdict = "a gain the test weeks support"
        elif b["diff_hi"] < 0:
            verdict = "every method does worse than popularity"
        else:
            verdict = "not distinguishable from popularity on these test weeks"
        closed = f", closing {b['gap_closed']:.0%} of the gap to hindsight" if pd.notna(b["gap_closed"]) else ""
        text.append(f"With a {w}-week window the best method at {rule} is {best}: {b['test_fill']:.1%} against "
                    f"popularity's {g.loc['popularity', 'test_fill']:.1%} ({b['diff_vs_popularity'] * 100:+.1f} points, "
                    f"95 % interval [{b['diff_lo'] * 100:+.1f}, {b['diff_hi'] * 100:+.1f}]): {verdict}{closed}.")
    pop = s[s["method"] == "popularity"].set_index("window")["test_fill"]
    if len(pop) > 1:
        spread = pop.max() - pop.min()
        compared = "more than" if spread > best_gain else "less than"
        text.append(f"Popularity itself fills from {pop.min():.1%} ({pop.idxmin()}-week window) to {pop.max():.1%} "
                    f"({pop.idxmax()}-week): the window moves it {spread * 100:.1f} points, {compared} the best "
                    f"method's gain over popularity ({best_gain * 100:+.1f} points).")
    own = s[s["window"] == (cfg.train_weeks if cfg.train_weeks in set(s["window"]) else s["window"].min())]
    own = own.set_index("method")
    text.append(_in_sample_leader(own, own["test_fill"].rank(ascending=False, method="min"),
                                  f"In sample, with the profile's {own['window'].iloc[0]}-week window,"))
    rest = s[s["method"] != "popularity"]
    text.append(f"Each cell averages {int(s['folds'].iloc[0])} FDC x test weeks, and the 95 % intervals are "
                f"{(rest['diff_hi'] - rest['diff_lo']).mean() * 100:.1f} points wide on average.")
    text += [_guard(summary), _losers(summary)]
    return " ".join(t for t in text if t)


def _guard(summary: pd.DataFrame) -> str:
    """Whether the guard kept its promise in every window x K cell (see skulab.assort.verdicts.guard_check)."""
    from skulab.assort.verdicts import KEEP, guard_check

    check = guard_check(summary)
    if check.empty:
        return ""
    sure = check[check["best_lo"] > 0]
    kept = (f"; where the best method's gain is sure ({len(sure)} cells) it keeps {sure['kept'].min():.0%} of it at "
            f"least (aim {KEEP:.0%})") if len(sure) else "; no method's gain is sure in any cell"
    broken = check[~check["holds"]]
    where = ", ".join(f"{r.window} weeks x K {r.k_label} ({r.guarded * 100:+.1f} points, [{r.guarded_lo * 100:+.1f}, "
                      f"{r.guarded_hi * 100:+.1f}], best {r.best} {r.best_gain * 100:+.1f})"
                      for r in broken.itertuples())
    verdict = "It holds in every cell." if broken.empty else f"It misses the aim in {len(broken)} cell(s): {where}."
    return (f"The guard's gain over popularity runs from {check['guarded'].min() * 100:+.1f} to "
            f"{check['guarded'].max() * 100:+.1f} points over the {len(check)} window x K cells{kept}. {verdict}")


def _losers(summary: pd.DataFrame) -> str:
    """The methods that lose to popularity with their whole interval below zero, flagged by name and cells."""
    from skulab.assort.verdicts import losing

    lost = losing(summary)
    if lost.empty:
        return "No method's interval lies wholly below popularity in any cell."
    cells = lost.groupby("method", sort=False).apply(
        lambda g: ", ".join(f"{r.window} weeks x K {r.k_label} ({r.diff_vs_popularity * 100:+.1f})"
                            for r in g.itertuples()), include_groups=False)
    return ("**Flagged: worse than popularity with the whole interval below zero** " +
            "; ".join(f"{m} at {c}" for m, c in cells.items()) + ".")


def _in_sample_leader(fills: pd.DataFrame, test_rank: pd.Series, where: str = "In sample") -> str:
    """Which method fills the most training orders, how close to the bound, and where it ranks next week."""
    leaders = list(fills.index[fills["train_fill"].rank(ascending=False, method="min") == 1])
    lead = leaders[0]
    rank = int(test_rank[leaders].min())
    sentence = (f"{where} {_names(leaders)} {'fills' if len(leaders) == 1 else 'fill'} the most training orders "
                f"({fills.loc[lead, 'train_fill']:.1%}, certified within {fills.loc[lead, 'certified_gap']:.1%} of the "
                "bound)")
    if rank == 1:
        return sentence + ", and next week it is among the best too." if len(leaders) == 1 else (
            sentence + ", and next week one of them is among the best too.")
    who = "it" if len(leaders) == 1 else "the best of them"
    return sentence + f", yet next week {who} ranks {rank} of {len(fills)} ({fills.loc[leaders, 'test_fill'].max():.1%})."


def _names(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _relative(gain: float) -> str:
    """'3.1% better than' / '2.0% worse than' / 'level with' for a relative error reduction."""
    if gain > 0:
        return f"{gain:.1%} better than"
    if gain < 0:
        return f"{-gain:.1%} worse than"
    return "level with"


def allocation(summary: pd.DataFrame, censored: bool, split: pd.DataFrame | None = None) -> str:
    """Chapter 08: the forecast-driven allocations (one push, two waves) against proportional and equal shares and
    the true-demand limit; a policy dearer than proportional whose interval lies wholly above it is said to lose;
    with `split` (skulab.allocate.simulate's choice under shares auto) which store split was taken and why."""
    text = []
    if split is not None and len(split):
        costs = split.groupby("split")["cost"].sum()
        chosen = split.loc[split["chosen"], "split"].iloc[0]
        label = {"forecast": "each store's own forecast", "style": "the stores' recent sales of the SKU's style"}
        text.append(f"Each week's forecast is split among the stores by {label[chosen]}: on the "
                    f"{int(split['weeks'].iloc[0])} week(s) before the simulated ones its one push would have cost "
                    f"{costs[chosen]:,.0f} against {costs.drop(chosen).iloc[0]:,.0f} with "
                    f"{label[costs.drop(chosen).index[0]]} (every stock level, the sales standing in for demand).")
    for level, s in summary.groupby("level", sort=False):
        s = s.set_index("policy")
        prop = s.loc["proportional"]
        text.append(f"With the DC holding {level:.0%} of the week's expected demand, proportional loses "
                    f"{prop['lost_pct']:.1%} of demand, makes {prop['transfers_per_1000']:.0f} transfers per 1,000 "
                    f"units sold and costs {prop['cost']:,.0f} a week (equal shares {s.loc['equal', 'cost']:,.0f}).")
        for name, label in (("newsvendor", "the one-push newsvendor"), ("replenish", "the two-wave policy")):
            if name not in s.index:
                continue
            r = s.loc[name]
            sentence = (f"{label[0].upper()}{label[1:]} loses {r['lost_pct']:.1%}, makes {r['transfers_per_1000']:.0f} "
                        f"transfers per 1,000"
                        + (f" and {r['wave_lines']:.1f} wave line(s) a week" if r.get("wave_lines", 0) > 0 else "")
                        + f", and costs {r['cost']:,.0f} ({r['cost_vs_prop']:+.1%} against proportional, 95 % "
                        f"interval [{r['cost_diff_prop_lo']:+.1%}, {r['cost_diff_prop_hi']:+.1%}])")
            gap = r.get("gap_closed", np.nan)
            if pd.notna(gap) and gap >= 0:
                sentence += (f"; it closes {gap:.0%} of the gap from proportional to the two-wave policy fed the "
                             "true demand")
            elif pd.notna(gap):
                sentence += (f"; it lies further from the two-wave policy fed the true demand than proportional, by "
                             f"{-gap:.0%} of proportional's own gap")
            if r.get("cost_diff_prop_lo", -np.inf) > 0:
                sentence += "; it loses to proportional"
            text.append(sentence + ".")
    weeks = int(summary["weeks"].max())
    text.append(f"The intervals are 95 % bootstrap intervals over {weeks} week(s)"
                + (", too few to separate the policies." if weeks < 4 else "."))
    if censored:
        text.append("Demand here is the observed sales, censored by stock-outs: lost sales are understated.")
    return " ".join(text)


def whatif(table: pd.DataFrame, aim: float = 0.10, min_series: int = 30) -> str:
    """Chapter 09: forecast promotion uplift per type against the true (demo) or observed uplift."""
    rows = table[table["category"] == "all"]
    model = rows["model"].iloc[0]
    rows = rows[rows["model"] == model].set_index("promotion")
    truth = rows["true"].notna().any()
    reference = rows["true"] if truth else rows["observed"]
    against = "the generator's true uplift" if truth else "the observed uplift (promoted against neighbouring periods)"
    parts = [f"{kind} {(r['estimated'] - 1):+.0%} [{(r['lo'] - 1):+.0%}, {(r['hi'] - 1):+.0%}] against "
             f"{(reference[kind] - 1):+.0%} ({r['promoted_series']} promoted series)"
             for kind, r in rows.iterrows() if pd.notna(r["estimated"])]
    text = [f"{model}'s forecast uplift per promotion type, at the type's usual discount, against {against}: "
            + "; ".join(parts) + "."]
    judged = rows[(rows["promoted_series"] >= min_series) & rows["error"].notna()]
    met = judged.index[judged["error"].abs() <= aim].tolist()
    missed = [f"{k} ({e:+.0%})" for k, e in judged["error"].items() if abs(e) > aim]
    if judged.empty:
        text.append(f"No type has {min_series} or more promoted series in the history: too few to judge "
                    f"whether the estimate lies within {aim:.0%} of the reference.")
    else:
        text.append(f"Of the {len(judged)} type(s) with at least {min_series} promoted series, "
                    + (f"{_names(met)} {'is' if len(met) == 1 else 'are'} within {aim:.0%} of the reference"
                       if met else f"none is within {aim:.0%} of the reference")
                    + (f"; {_names(missed)} "
                       f"{'misses' if len(missed) == 1 else 'miss'} it." if missed else "."))
    return " ".join(text)


def history_uplift(table: pd.DataFrame, aim: float = 0.15, min_series: int = 30) -> str:
    """Chapter 09: each promotion type's uplift read from the history (skulab.whatif.causal), the types the data
    cannot separate from the calendar, and, on the demo, how many are within `aim` of the planted uplift."""
    kinds = table[table["term"] == "promotion"]
    shown = kinds[kinds["identifiable"]]
    truth = table["true"].notna().any()
    parts = [f"{r['name']} {r['estimate'] - 1:+.0%} [{r['lo'] - 1:+.0%}, {r['hi'] - 1:+.0%}]"
             + (f" against the true {r['true'] - 1:+.0%}" if pd.notna(r["true"]) else "")
             + f" ({r['promoted_series']:,} promoted series)" for _, r in shown.iterrows()]
    text = ["Read from the history, each type compared with the same store's unpromoted series on the same days, "
            "its uplift at its median discount: " + ("; ".join(parts) if parts else "no type could be estimated")
            + "."]
    hidden = kinds[~kinds["identifiable"]]
    if len(hidden):
        text.append("Not identifiable, so no number is given: "
                    + "; ".join(f"{r['name']} ({r['why']})" for _, r in hidden.iterrows()) + ".")
    joint = table[(table["term"] == "joint") & table["identifiable"]]
    if len(joint):
        text.append("Run together, beyond the two apart: " + "; ".join(
            f"{r['name']} x{r['estimate']:.2f} [{r['lo']:.2f}, {r['hi']:.2f}]" for _, r in joint.iterrows()) + ".")
    if truth:
        judged = shown[shown["promoted_series"] >= min_series]
        near = judged.loc[judged["error"].abs() <= aim, "name"].tolist()
        far = [f"{r['name']} ({r['error']:+.0%})" for _, r in judged.iterrows() if abs(r["error"]) > aim]
        own = [f"{r['name']} {r['own'] - 1:+.0%} against {r['true_own'] - 1:+.0%}" for _, r in shown.iterrows()
               if "own" in r and pd.notna(r["own"]) and pd.notna(r.get("true_own"))]
        if own:
            text.append("With the price held apart, the types' own uplifts: " + "; ".join(own) + ".")
        text.append(f"Of the {len(judged)} identifiable type(s) with at least {min_series} promoted series, "
                    + (f"{_names(near)} {'is' if len(near) == 1 else 'are'} within {aim:.0%} of the true uplift"
                       if near else f"none is within {aim:.0%} of the true uplift")
                    + (f"; {_names(far)} {'misses' if len(far) == 1 else 'miss'} it." if far else "."))
    return " ".join(text)


def covariate_effects(effects: pd.DataFrame, aim: float = 0.20) -> str:
    """Chapter 09: what each own covariate moves the forecast by, per model, against the planted effect (demo)."""
    if effects.empty:
        return "The ERP holds no covariate known in advance, so no driver of your own was asked about."
    parts = []
    for name, g in effects.groupby("covariate", sort=False):
        shown = ", ".join(f"{r['model']} {r['estimated'] - 1:+.1%} [{r['lo'] - 1:+.1%}, {r['hi'] - 1:+.1%}]"
                          for _, r in g.iterrows())
        true = g["true"].iloc[0]
        planted = f" against the planted {true - 1:+.1%}" if pd.notna(true) else ""
        parts.append(f"{name} ({g['change'].iloc[0]}): {shown}{planted}")
    text = "Your own covariates through the what-if: " + "; ".join(parts) + "."
    judged = effects[effects["true"].notna()]
    if len(judged):
        met = [f"{r['model']} on {r['covariate']}" for _, r in judged.iterrows() if abs(r["error"]) <= aim]
        text += (f" Within {aim:.0%} of the planted effect: " + (_names(met) if met else "none") + ".")
    return text


def reconciliation(summary: pd.DataFrame, windows: int) -> str:
    """Chapter 10: WQL per level before (base) and after reconciliation, the method chosen per level."""
    parts = [f"{r['level']} {r['base_WQL']:.3f} -> {r['chosen_WQL']:.3f} ({r['chosen']}, {r['gain']:+.1%})"
             for _, r in summary.iterrows()]
    text = [f"Mean WQL over {windows} test window(s), base forecast -> the method chosen on the selection window: "
            + "; ".join(parts) + "."]
    worse = summary[~summary["not_worse"]]
    if worse.empty:
        text.append("No level is worse than its unreconciled forecast.")
    else:
        text.append(f"{_names(worse['level'].tolist())} {'is' if len(worse) == 1 else 'are'} worse than the "
                    "unreconciled forecast on the test windows: the selection window's choice did not carry over.")
    groups = summary.groupby("chosen", sort=False)["level"].agg(list)
    coherent = [f"{_names(levels)} ({method})" for method, levels in groups.items() if method != "base"]
    if coherent:
        text.append("Levels reconciled by the same method add up to one another: " + "; ".join(coherent) + ".")
    if "base" in groups:
        text.append(f"{_names(groups['base'])} keep{'s' if len(groups['base']) == 1 else ''} the base forecast, "
                    "which need not add up to the other levels.")
    return " ".join(text)
