"""Rolling evaluation: train on W weeks, test on the next week(s), roll weekly, per FDC, for every method and K.

Every window length studied is tested on the same weeks (those after the longest window), so methods and
windows compare on equal footing: a method and the popularity baseline always see the same weeks. Each fold
also records the in-sample bound (LP / min cut, and the MIP's dual bound when the MIP runs) and the
hindsight optimum on the test week itself (the out-of-sample limit). Differences to popularity get paired
bootstrap 95 % intervals that resample whole test weeks (all FDCs of a week together).

The folds run as partitions through `fugue.transform` on the configured runner (skulab.runner): one partition
per test week x window (`evaluate_fold`), then one per test week x FDC x K for the hindsight optimum
(`hindsight_fold`); the summary is computed on the driver from the collected folds.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skulab.assort import bound, exact, heuristics, hybrid, methods
from skulab.assort.metrics import coverage, k_for_fill, stocked_mask
from skulab.assort.order_types import OrderTypes, from_lines
from skulab.assort.sku2vec import Vectors
from skulab.assort.windows import Window, history_weeks, window, with_weeks
from skulab.config import AssortConfig, override
from skulab.errors import DataError
from skulab.report.stable import split_timings, timed_copy, write_csv
from skulab.runner import collected, schema
from skulab.stats import paired_interval


@dataclass(frozen=True)
class Evaluation:
    """One row per FDC x test week x window x K x method (`folds`) and the aggregated table (`summary`)."""

    folds: pd.DataFrame
    summary: pd.DataFrame

    def write(self, out_dir: Path, name: str = "assortment") -> tuple[Path, Path]:
        """The per-fold CSV and the summary as JSON (and Markdown) under `out_dir`; the same tables with their
        wall times under `out_dir`/timings/ (git-ignored: a re-run with unchanged results changes no file)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        csv, js = out_dir / f"{name}_folds.csv", out_dir / f"{name}_summary.json"
        write_csv(self.folds, csv, index=False)
        summary, timed = split_timings(self.summary)
        summary.to_json(js, orient="records", indent=1)
        (out_dir / f"{name}_summary.md").write_text(summary.to_markdown(index=False, floatfmt=".4g") + "\n")
        if timed is not None:
            timed.to_json(timed_copy(js), orient="records", indent=1)
        return csv, js


def test_weeks(lines: pd.DataFrame, cfg: AssortConfig) -> list[pd.Timestamp]:
    """Weeks tested: each has the longest window before it and its test weeks inside the data (latest max_folds)."""
    weeks = pd.date_range(lines["week"].min(), lines["week"].max(), freq="7D")
    first, last = max(cfg.windows), len(weeks) - cfg.test_weeks
    chosen = list(weeks[first:last + 1])
    return chosen[-cfg.max_folds:] if cfg.max_folds else chosen


def resolve_k(types: OrderTypes, labels: list[int | str], rule_fill: float) -> list[int]:
    """Integer K per label; the rule's label ('rule70') is the smallest K at which popularity fills `rule_fill`
    of these orders."""
    ranking = heuristics.popularity(types, types.n_skus).sku_ids
    return [k_for_fill(types, ranking, rule_fill) if isinstance(label, str) else int(label) for label in labels]


@dataclass(frozen=True)
class LatestWindow:
    """The latest training window of each FDC with orders in it, its test orders and its K."""

    fdcs: list[str]
    windows: list[Window]
    tests: list[OrderTypes]  # the test weeks' orders per FDC; empty when the window ends with the data
    ks: list[int]
    start: pd.Timestamp  # the window's first week
    end: pd.Timestamp  # the first week after it: the test week, or the week after the data


def latest_window(lines: pd.DataFrame, cfg: AssortConfig, skus: pd.DataFrame | None = None,
                  k: int | str | None = None, test: bool = True, largest_first: bool = False) -> LatestWindow:
    """The last `train_weeks` weeks before the latest test week (`test`), or before the data's end (what the batch
    job deploys), per FDC; K per FDC from `k` (default the rule's K); FDCs by id, or by orders (`largest_first`)."""
    lines = lines if "week" in lines else with_weeks(lines)
    weeks = pd.date_range(lines["week"].min(), lines["week"].max(), freq="7D")
    if test and len(weeks) < cfg.train_weeks + cfg.test_weeks:
        raise DataError(f"orders span {len(weeks)} week(s): a training window and its test need train_weeks + "
                        f"test_weeks = {cfg.train_weeks + cfg.test_weeks}; shorten assort.train_weeks")
    end = weeks[-cfg.test_weeks] if test else weeks[-1] + pd.Timedelta(weeks=1)
    start = end - pd.Timedelta(weeks=cfg.train_weeks)
    orders = lines.groupby("fdc_id", observed=True)["order_id"].nunique()
    fdcs = (orders.sort_values(ascending=False, kind="stable") if largest_first else orders.sort_index()).index
    past = history_weeks(cfg, cfg.methods)
    wins = {f: window(lines, f, start, end, skus, past) for f in fdcs.tolist()}
    fdcs = [f for f, w in wins.items() if len(w.lines)]
    tests = [from_lines(lines[(lines["fdc_id"] == f) & (lines["week"] >= end)
                              & (lines["week"] < end + pd.Timedelta(weeks=cfg.test_weeks))]) for f in fdcs] if test else []
    label = cfg.rule_label if k is None else k
    ks = [resolve_k(wins[f].types, [label], cfg.rule_fill)[0] for f in fdcs]
    return LatestWindow(fdcs, [wins[f] for f in fdcs], tests, ks, start, end)


def evaluate_window(latest: LatestWindow, cfg: AssortConfig,
                    fit_vectors: Callable[[pd.DataFrame], Vectors] | None = None) -> pd.DataFrame:
    """Every method of `cfg` on the latest window of each FDC, scored on its test weeks, with certified gaps."""
    return certify(compare(latest.windows, latest.tests, latest.fdcs, cfg, fit_vectors))


def rankings(win: Window, k: int, largest: int, cfg: AssortConfig) -> dict[str, np.ndarray]:
    """SKU rankings whose prefixes are assortments of every size up to `largest`, on one window: popularity,
    Reverse-Exclude, the hybrid chosen at K and the net trained at K (the curves of coverage against K)."""
    from skulab.assort import net

    fitted = net.fit(win, k, cfg.net_epochs, cfg.net_hidden, seed=cfg.seed, max_pairs=cfg.net_max_pairs)
    return {"popularity": methods.run("popularity", [win], [[largest]], cfg)[0][0].assortment.sku_ids,
            "reverse_exclude": methods.run("reverse_exclude", [win], [[largest]], cfg)[0][0].assortment.sku_ids,
            "hybrid": hybrid.rank(win, hybrid.choose([win], [[k]])[0]).sku_ids,
            f"net (trained at K = {k})": fitted.probabilities.sort_values(ascending=False, kind="stable").index.to_numpy()}


def evaluate(lines: pd.DataFrame, cfg: AssortConfig, skus: pd.DataFrame | None = None,
             fit_vectors: Callable[[pd.DataFrame], Vectors] | None = None,
             progress: Callable[[str], None] | None = None, runner: Any = None) -> Evaluation:
    """Run the rolling evaluation of `cfg.methods` on order lines (fdc_id, order_id, ts, sku_id[, qty, customer_id])
    on `runner` (what skulab.runner.make_runner returns; None runs the partitions in this process)."""
    lines = with_weeks(lines)
    weeks = test_weeks(lines, cfg)
    if not weeks:
        span = lines["week"].nunique()
        raise DataError(f"orders span {span} week(s): the rolling evaluation needs more than max(windows) + "
                        f"test_weeks = {max(cfg.windows) + cfg.test_weeks}; shorten assort.windows")
    if "popularity" not in cfg.methods:
        raise DataError("assort.methods must include 'popularity': every method is compared with it")
    import fugue  # only here: importing the chapter stays light

    runner = runner if runner is not None else "native"
    dtypes = lines.dtypes.to_dict()
    t0 = time.perf_counter()
    folds = fugue.transform(fold_frame(lines, weeks, cfg), evaluate_fold, schema=schema(_fold_columns(cfg)),
                            partition={"by": ["test_week", "window"]}, engine=runner, as_local=True,
                            params={"cfg": cfg, "skus": skus, "fit_vectors": fit_vectors, "dtypes": dtypes})
    folds = collected(folds, _fold_columns(cfg))
    if not len(folds):
        raise DataError("no FDC has orders both in a training window and in its test week")
    if progress:
        progress(f"{len(weeks)} test week(s) x {len(cfg.windows)} window(s): {time.perf_counter() - t0:.1f} s")
    folds = folds.sort_values(["test_week", "window", "row"], key=lambda s: s.map(cfg.windows.index)
                              if s.name == "window" else s, kind="stable").drop(columns="row")
    if cfg.hindsight:
        t0 = time.perf_counter()
        needs = folds[["test_week", "fdc_id", "k"]].drop_duplicates()
        best = fugue.transform(hindsight_frame(lines, needs, cfg), hindsight_fold, schema=schema(HINDSIGHT),
                               partition={"by": ["test_week", "fdc_id", "k"]}, engine=runner, as_local=True,
                               params={"cfg": cfg, "dtypes": dtypes})
        best = collected(best, HINDSIGHT)
        folds = folds.merge(best, on=["test_week", "fdc_id", "k"], how="left", validate="many_to_one")
        if progress:
            progress(f"hindsight optimum of {len(needs)} test week x FDC x K: {time.perf_counter() - t0:.1f} s")
    folds = certify(folds[_columns(cfg)].reset_index(drop=True))
    return Evaluation(folds, summarise(folds, cfg))


def fold_frame(lines: pd.DataFrame, weeks: list[pd.Timestamp], cfg: AssortConfig) -> pd.DataFrame:
    """The partitions of the evaluation: each line once per fold (test_week, window) whose weeks hold it.

    A fold needs every FDC's lines of its window (the net and the hybrid pool all FDCs of a window, and a
    window's `chain` is the whole chain) and of the weeks before it the guard holds out, so a partition is a test
    week x window, not an FDC; replicating the lines is the simplest partitioning that needs no shared storage
    (each line is copied into at most folds x windows partitions; `line` keeps the original order, which ties
    among equal orders follow).
    """
    lines = lines.assign(line=np.arange(len(lines)))
    past = history_weeks(cfg, cfg.methods)
    parts = []
    for week in weeks:
        for w in cfg.windows:
            end = week + pd.Timedelta(weeks=cfg.test_weeks)
            span = (lines["week"] >= week - pd.Timedelta(weeks=w + past)) & (lines["week"] < end)
            parts.append(lines[span].assign(test_week=week, window=w))
    return pd.concat(parts, ignore_index=True)


def evaluate_fold(part: pd.DataFrame, cfg: AssortConfig, skus: pd.DataFrame | None,
                  fit_vectors: Callable[[pd.DataFrame], Vectors] | None, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """Every method on one fold (one partition of `fold_frame`), scored on its test weeks: one row per FDC x K x
    method, numbered by `row`, without the hindsight optimum (a function of the test week alone: `hindsight_fold`)."""
    week, w = pd.Timestamp(part["test_week"].iloc[0]), int(part["window"].iloc[0])
    lines = restore(part, dtypes)
    fdcs = sorted(lines["fdc_id"].unique())
    end = week + pd.Timedelta(weeks=cfg.test_weeks)
    tests = [from_lines(lines[(lines["fdc_id"] == f) & (lines["week"] >= week) & (lines["week"] < end)]) for f in fdcs]
    wins = [window(lines, f, week - pd.Timedelta(weeks=w), week, skus, history_weeks(cfg, cfg.methods)) for f in fdcs]
    frame = compare(wins, tests, fdcs, override(cfg, hindsight=False), fit_vectors)
    columns = _fold_columns(cfg)
    if not len(frame):
        return pd.DataFrame(columns=columns)
    return frame.assign(test_week=week, window=w, row=np.arange(len(frame))).reindex(columns=columns)


def hindsight_frame(lines: pd.DataFrame, needs: pd.DataFrame, cfg: AssortConfig) -> pd.DataFrame:
    """The partitions of the hindsight optimum: each FDC's test-week lines once per K its folds scored (so each
    optimum is solved once per test week x FDC x K, whichever windows share it)."""
    lines = lines.assign(line=np.arange(len(lines)))
    parts = []
    for week, keys in needs.groupby("test_week", sort=True):
        span = (lines["week"] >= week) & (lines["week"] < week + pd.Timedelta(weeks=cfg.test_weeks))
        parts.append(lines[span].assign(test_week=week).merge(keys, on=["test_week", "fdc_id"]))
    return pd.concat(parts, ignore_index=True)


def hindsight_fold(part: pd.DataFrame, cfg: AssortConfig, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """The best assortment of size K for one FDC's test week itself (one partition of `hindsight_frame`)."""
    keys = {"test_week": pd.Timestamp(part["test_week"].iloc[0]), "fdc_id": part["fdc_id"].iloc[0],
            "k": int(part["k"].iloc[0])}
    best = _hindsight(from_lines(restore(part, dtypes)), keys["k"], cfg.mip_time_limit)
    return pd.DataFrame([keys | best])


def compare(wins: list[Window], tests: list[OrderTypes], fdcs: list[str], cfg: AssortConfig,
            fit_vectors: Callable[[pd.DataFrame], Vectors] | None = None,
            hindsight: dict[tuple[str, int], dict] | None = None) -> pd.DataFrame:
    """Every method on one training window per FDC, scored on that FDC's test orders (one row per FDC x K x method).

    Rows carry the in-sample bound and, with `cfg.hindsight`, the test week's own optimum (cached in
    `hindsight` by FDC and K, so windows of one test week share it).
    """
    hindsight = {} if hindsight is None else hindsight
    live = [i for i, (win, test) in enumerate(zip(wins, tests)) if len(win.lines) and test.n_types]
    if not live:
        return pd.DataFrame()
    wins, tests, fdcs = [wins[i] for i in live], [tests[i] for i in live], [fdcs[i] for i in live]
    ks = [resolve_k(win.types, cfg.k, cfg.rule_fill) for win in wins]
    refs = [[_in_sample(win.types, k) for k in kl] for win, kl in zip(wins, ks)]
    done: dict[str, list[list[methods.Timed]]] = {}
    for method in sorted(cfg.methods, key=lambda m: m == "guarded"):  # the guard last: it reuses its pick's run
        done[method] = methods.run(method, wins, ks, cfg, fit_vectors, done)
    rows = []
    for method in cfg.methods:
        for fdc, win, test, kl, ref, res in zip(fdcs, wins, tests, ks, refs, done[method]):
            for label, k, r, timed in zip(cfg.k, kl, ref, res):
                if cfg.hindsight and (fdc, k) not in hindsight:
                    hindsight[fdc, k] = _hindsight(test, k, cfg.mip_time_limit)
                rows.append(_row(fdc, label, k, method, timed, win.types, test, r, hindsight.get((fdc, k), {})))
    return pd.DataFrame(rows)


def summarise(folds: pd.DataFrame, cfg: AssortConfig) -> pd.DataFrame:
    """Per window x K x method: mean test fill, difference to popularity with a 95 % interval, gap closed.

    Every method of a window x K cell is resampled with the same test weeks (common random numbers), so the
    intervals compare like with like and adding a method leaves the others' intervals as they were.
    """
    key = ["fdc_id", "test_week", "window", "k_label"]
    base = folds[folds["method"] == "popularity"].set_index(key)["test_fill"].rename("pop_fill")
    data = folds.join(base, on=key)
    data["diff"] = data["test_fill"] - data["pop_fill"]
    out = []
    for (w, label, method), g in data.groupby(["window", "k_label", "method"], sort=False):
        rng = np.random.default_rng([cfg.seed, int(w), zlib.crc32(str(label).encode())])
        lo, hi = paired_interval(g["diff"].to_numpy(), cfg.bootstrap, rng, blocks=g["test_week"].to_numpy())
        headroom = (g["hindsight_fill"] - g["pop_fill"]).mean() if "hindsight_fill" in g else np.nan
        out.append({
            "window": w, "k_label": str(label), "method": method, "folds": len(g), "k_mean": g["k"].mean(),
            "test_fill": g["test_fill"].mean(), "diff_vs_popularity": g["diff"].mean(), "diff_lo": lo, "diff_hi": hi,
            "hindsight_fill": g["hindsight_fill"].mean() if "hindsight_fill" in g else np.nan,
            "gap_closed": g["diff"].mean() / headroom if headroom and headroom > 0 else np.nan,
            "train_fill": g["train_fill"].mean(), "train_bound": g["train_bound"].mean(),
            "certified_gap": g["certified_gap"].mean(), "test_split": g["test_split"].mean(),
            "test_units_served": g["test_units_served"].mean(), "seconds": g["seconds"].mean(),
        })
    return pd.DataFrame(out).sort_values(["window", "k_label", "test_fill"], ascending=[True, True, False],
                                         key=lambda s: s.map(str) if s.name == "k_label" else s).reset_index(drop=True)


def _in_sample(types: OrderTypes, k: int) -> dict:
    b = bound.lagrangian_bound(types, k)
    return {"train_bound": b.value / types.total, "bound_seconds": b.seconds}


def _hindsight(test: OrderTypes, k: int, time_limit: float) -> dict:
    """The best assortment for the test week itself (MIP, warm-started) and its certified bound."""
    t0 = time.perf_counter()
    best = exact.mip(test, k, time_limit, start=heuristics.warm_start(test, k))
    lp = bound.lagrangian_bound(test, k).value
    return {"hindsight_fill": best.info["objective"] / test.total,
            "hindsight_bound": min(lp, best.info["dual_bound"]) / test.total,
            "hindsight_status": best.info["status"], "hindsight_seconds": time.perf_counter() - t0}


def _row(fdc: str, label: int | str, k: int, method: str, timed: methods.Timed, train: OrderTypes, test: OrderTypes,
         ref: dict, hind: dict) -> dict:
    a = timed.assortment
    c = coverage(test, stocked_mask(test, a.top(k)))
    covered = heuristics.covered_weight(train, a.top(k))
    row = {"fdc_id": fdc, "k_label": str(label), "k": k, "method": method,
           "test_fill": c.fill, "test_split": c.split, "test_units_served": c.units, "train_fill": covered / train.total,
           "seconds": timed.seconds, "train_orders": train.total, "test_orders": test.total, **ref, **hind}
    if method == "mip":
        row |= {"mip_status": a.info.get("status"), "mip_dual_bound": a.info.get("dual_bound", np.nan) / train.total,
                "mip_gap": a.info.get("gap")}
    if method == "guarded":
        row["guard_choice"] = a.info.get("choice")
    return row


BASE = {"fdc_id": "str", "k_label": "str", "k": "long", "method": "str", "test_fill": "double",
        "test_split": "double", "test_units_served": "double", "train_fill": "double", "seconds": "double",
        "train_orders": "double", "test_orders": "double", "train_bound": "double", "bound_seconds": "double"}
HINDSIGHT = {"test_week": "datetime", "fdc_id": "str", "k": "long", "hindsight_fill": "double",
             "hindsight_bound": "double", "hindsight_status": "str", "hindsight_seconds": "double"}
MIP = {"mip_status": "str", "mip_dual_bound": "double", "mip_gap": "double"}
GUARD = {"guard_choice": "str"}
FOLD = {"test_week": "datetime", "window": "long"}


def _fold_columns(cfg: AssortConfig) -> dict[str, str]:
    """What `evaluate_fold` returns, with Fugue types."""
    return BASE | (MIP if "mip" in cfg.methods else {}) | (GUARD if "guarded" in cfg.methods else {}) | FOLD | {"row": "long"}


def _columns(cfg: AssortConfig) -> list[str]:
    """The folds' columns in the order of `compare`'s rows."""
    hind = [c for c in HINDSIGHT if c.startswith("hindsight")] if cfg.hindsight else []
    return [*BASE, *hind, *(MIP if "mip" in cfg.methods else {}), *(GUARD if "guarded" in cfg.methods else {}), *FOLD]


def restore(part: pd.DataFrame, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """A partition's order lines as the caller passed them: original order, index and dtypes (a runner may
    shuffle rows and convert types on the way)."""
    lines = part.sort_values("line").set_index("line").rename_axis(None)
    return lines[list(dtypes)].astype(dtypes)


def certify(folds: pd.DataFrame) -> pd.DataFrame:
    """Tighten each fold's in-sample bound with the MIP's dual bound, and add every method's certified gap."""
    key = [c for c in ("fdc_id", "test_week", "window", "k_label") if c in folds.columns]
    if "mip_dual_bound" in folds:
        dual = folds[folds["method"] == "mip"].set_index(key)["mip_dual_bound"].rename("dual")
        folds = folds.join(dual, on=key)
        folds["train_bound"] = folds[["train_bound", "dual"]].min(axis=1)
        folds = folds.drop(columns="dual")
    folds["certified_gap"] = (folds["train_bound"] - folds["train_fill"]) / folds["train_bound"]
    return folds
