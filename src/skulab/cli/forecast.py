"""`skulab forecast` (the weekly job), `skulab backtest` and `skulab bench forecast`."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from skulab.cli.options import (
    Grammar,
    add_engine,
    add_run_id,
    add_settings,
    int_list,
    load,
    non_negative_int,
    out_file,
    settings,
)

if TYPE_CHECKING:
    from skulab.config import Config

ON_PARTITIONS = ("the partitions", "; forecast.partition_by sets the partitions")


def add_commands(g: Grammar) -> None:
    """Register the forecasting commands and the forecast benchmark."""
    f = g.sub.add_parser("forecast", parents=[g.profile, g.database], help="the weekly job: fit the profile's models, write forecasts to the ERP")
    add_run_id(f, text="run id (default <profile>-<last sales date>); the same id replaces its run")
    add_engine(f, *ON_PARTITIONS)
    f.set_defaults(run=_forecast)

    b = g.sub.add_parser("backtest", parents=[g.profile, g.database], help="rolling-origin backtest of the profile's forecast settings")
    add_settings(b, "forecast", "features=[raw]")
    b.add_argument("--skip", type=non_negative_int, default=0,
                   help="move the windows back by this many horizons (choose settings before the test windows)")
    b.add_argument("--out", type=out_file, help="also write the per-window scores to this CSV file (its folder must exist)")
    add_engine(b, *ON_PARTITIONS)
    b.set_defaults(run=_backtest)

    bf = g.bench.add_parser("forecast", parents=[g.profile], help="fit + predict time and peak memory per model family and size")
    bf.add_argument("--sizes", type=int_list, default=[100, 1000, 10000], help="numbers of series, comma-separated")
    bf.add_argument("--families", default="SeasonalNaive,ETS,DirectTabular,RecursiveTabular,DeepAR",
                    help="one model per family to time, comma-separated")
    bf.add_argument("--job", action="store_true",
                    help="time the weekly job instead (the profile's forecast section, its automatic recipe "
                         "included) at each size, on each of --engines; writes forecast_job.md, keeping the rows "
                         "of sizes it did not run")
    bf.add_argument("--engines", default="local,spark",
                    help="with --job: local (one pooled fit), partitioned (one fit per partition, one after another "
                         "in this process) and/or spark (the partitions on Spark)")
    bf.add_argument("--partition-by", default="category",
                    help="with --job: the partitions of partitioned and spark (forecast.partition_by)")
    bf.add_argument("--master", default="local[2]", help="with --job: the Spark master (engine.master)")
    add_settings(bf, "forecast", "recipe_series=1000")
    bf.set_defaults(run=_bench)


def _forecast(args: argparse.Namespace) -> None:
    from skulab import erp, forecast

    cfg = load(args)
    engine = erp.connect(cfg, args.db)
    result = forecast.run(cfg, engine, run_id=args.run_id)
    print(f"forecast run {result.run_id}: {result.rows:,} rows ({result.series:,} series x {len(result.models)} "
          f"models: {', '.join(result.models)}), {result.first_date:%Y-%m-%d} .. {result.last_date:%Y-%m-%d}, "
          f"written to {engine.url.render_as_string(hide_password=True)} in {result.seconds:.0f} s")
    print(f"series left out of training by AutoGluon (too short): {result.dropped:,}; SeasonalNaive fallbacks: "
          + (", ".join(f"{k} {v:,}" for k, v in result.fallbacks.items()) or "none"))
    if result.recipe is not None:
        print("automatic recipe, chosen on the latest windows:")
        print(result.recipe.to_string(index=False))
    print("missing-value rules (points):")
    print(result.rules.to_string(index=False))


def _backtest(args: argparse.Namespace) -> None:
    from skulab import erp
    from skulab.forecast import partitioned
    from skulab.forecast.backtest import require_windows, summary
    from skulab.forecast.features import build_panel

    cfg = settings(load(args), args, "forecast")
    fc = cfg.forecast
    runner = partitioned.runner_for(cfg)  # before the ERP: a dead master fails fast
    engine = erp.connect(cfg, args.db)
    span = erp.read_sales_span(engine)
    if span:  # an empty fact_sales is reported by build_panel
        require_windows(*span, fc, skip=args.skip)
    training = erp.read_training(engine, fc)
    t0 = time.perf_counter()
    if fc.recipe == "auto":
        from skulab.forecast.recipe import choose

        recipe = choose(training.inputs(), fc, skip=args.skip, progress=True)
        print(recipe.table.to_string(index=False))
        fc = recipe.config
    panel = build_panel(**training.inputs(), cfg=fc)
    bt = partitioned.backtest_on(panel, fc, runner, skip=args.skip, progress=True)
    print(f"backtest of {panel.frame['item_id'].nunique():,} series, {fc.windows} windows of {fc.horizon} "
          f"({fc.freq}), skipping the last {args.skip}, on {cfg.engine.name}"
          f"{f' by {fc.partition_by}' if fc.partition_by else ''}, in {time.perf_counter() - t0:.0f} s")
    print(bt.runs.to_string(index=False))
    print(bt.scores.pivot_table(index="model", columns="window", values="WQL").round(4).to_string())
    print(summary(bt.scores).round(4).to_string(index=False))
    if args.out:
        bt.scores.assign(settings=" ".join(args.set or [])).to_csv(args.out, index=False)
        print(f"wrote {args.out}")


def _bench(args: argparse.Namespace) -> None:
    import pandas as pd

    from skulab.bench import merged, write
    from skulab.bench.forecast import job, run

    cfg = settings(load(args), args, "forecast")
    name = "forecast_job" if args.job else "forecast"
    t0 = time.perf_counter()

    def kept(table: pd.DataFrame) -> pd.DataFrame:  # the job's sizes take hours each: other runs' sizes stay
        key = ["size", "engine", "partitions", "recipe_series"]  # a run that chose on a sample keeps the others
        return merged(table, name, cfg.root, key, older={"recipe_series": "all"}) if args.job else table

    def partial(table: pd.DataFrame) -> None:  # a long benchmark keeps what it measured so far
        print(", ".join(f"{k} {v}" for k, v in table.iloc[-1].items()), flush=True)
        write(kept(table), name, cfg.root)

    if args.job:
        table = job(cfg, args.sizes, _runners(cfg, args), args.partition_by, on_row=partial)
    else:
        table = run(cfg, args.sizes, args.families.split(","), on_row=partial)
    path = write(kept(table), name, cfg.root)
    print(table.to_string(index=False))
    print(f"wrote {path} (and .md) in {time.perf_counter() - t0:.0f} s")


def _runners(cfg: Config, args: argparse.Namespace) -> dict[str, Any]:
    """`bench forecast --job`'s engines: 'local' (None: one pooled fit in this process), 'local partitioned'
    (Fugue's native runner: the partitions one after another in this process) and 'spark <master>'."""
    from skulab.bench import spark_runner
    from skulab.errors import ConfigError

    names = args.engines.split(",")
    if bad := [n for n in names if n not in ("local", "partitioned", "spark")]:
        raise ConfigError(f"bench forecast --engines: unknown engine(s) {', '.join(bad)}; "
                          "engines: local, partitioned, spark")
    made = {"local": lambda: ("local", None), "partitioned": lambda: ("local partitioned", "native"),
            "spark": lambda: (f"spark {args.master}", spark_runner(cfg, args.master))}
    return dict(made[n]() for n in names)
