"""`skulab bench scale`: the partitioned jobs at growing size, in this process and on Spark."""

from __future__ import annotations

import argparse
import time

from skulab.cli.options import Grammar, int_list, load

PARTS = ("orders", "rolling", "backtest")


def add_commands(g: Grammar) -> None:
    """Register the scale-out benchmark."""
    s = g.bench.add_parser("scale", parents=[g.profile], help="order types (DuckDB vs Spark), the rolling assortment "
                           "evaluation by FDCs and the backtest by series, on each engine")
    s.add_argument("--lines", type=int_list, default=[10_000_000, 100_000_000], help="order-log sizes in lines")
    s.add_argument("--fdcs", type=int_list, default=[1, 5, 20], help="FDC counts of the rolling evaluation")
    s.add_argument("--series", type=int_list, default=[1000, 4000, 10000], help="series counts of the backtest")
    s.add_argument("--models", default="SeasonalNaive", help="the backtest's models, comma-separated")
    s.add_argument("--partition-by", default="category", help="the backtest's partitions (forecast.partition_by)")
    s.add_argument("--engines", default="local,spark", help="engines to time: local and/or spark")
    s.add_argument("--master", default="local[2]", help="the Spark master (engine.master)")
    s.add_argument("--parts", default=",".join(PARTS), help=f"what to measure: {', '.join(PARTS)}")
    s.set_defaults(run=_scale)


def _scale(args: argparse.Namespace) -> None:
    import pandas as pd

    from skulab import bench
    from skulab.bench import scale
    from skulab.errors import ConfigError

    cfg = load(args)
    parts, names = args.parts.split(","), args.engines.split(",")
    bad = [p for p in parts if p not in PARTS] + [n for n in names if n not in ("local", "spark")]
    if bad:
        raise ConfigError(f"bench scale: unknown part(s) or engine(s) {', '.join(bad)}; parts: {', '.join(PARTS)}; "
                          "engines: local, spark")
    runners = {n: "native" if n == "local" else bench.spark_runner(cfg, args.master) for n in names}
    rows: list[dict] = []
    t0 = time.perf_counter()

    def keep(row: dict) -> None:  # a long benchmark keeps what it measured so far
        rows.append(row)
        print(", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
        bench.write(pd.DataFrame(rows), "scale", cfg.root)

    data = cfg.root / "data"
    if "orders" in parts:
        scale.order_types(cfg, args.lines, runners, data, keep)
    if "rolling" in parts:
        scale.rolling(cfg, args.fdcs, runners, data, keep)
    if "backtest" in parts:
        scale.backtest(cfg, args.series, args.models.split(","), args.partition_by, runners, keep)
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"wrote {cfg.root / 'reports' / 'benchmarks' / 'scale.md'} in {time.perf_counter() - t0:.0f} s")
