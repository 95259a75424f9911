"""`skulab allocate`: the DC's stock of each SKU allocated to its stores from the latest forecast run."""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from skulab.cli.options import Grammar, add_run_id, load


def add_commands(g: Grammar) -> None:
    """Register the allocation job."""
    job = g.sub.add_parser("allocate", parents=[g.profile, g.database],
                           help="allocate each DC's stock to its stores from the latest forecast run, write it back")
    add_run_id(job)
    job.add_argument("--stock-level", type=stock_level, metavar="FRACTION",
                     help="DC stock as a fraction of the forecast's expected demand (overrides allocate.stock)")
    job.add_argument("--stock", type=Path, metavar="FILE", help="CSV of the DC stock: sku_id,units (and dc_id)")
    job.add_argument("--policy", help="newsvendor, proportional or equal (overrides allocate.policy)")
    job.set_defaults(run=_allocate)


def stock_level(text: str) -> float:
    """An argparse type: the DC stock as a finite multiple of expected demand in (0, MAX_STOCK_LEVEL], like
    allocate.stock."""
    from skulab.config import MAX_STOCK_LEVEL

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_STOCK_LEVEL):
        raise argparse.ArgumentTypeError(f"expected a number above 0 and at most {MAX_STOCK_LEVEL:g} (the DC stock as "
                                         f"a multiple of expected demand, e.g. 0.8), got {text!r}")
    return value


def _allocate(args: argparse.Namespace) -> None:
    from skulab import allocate, config, erp

    cfg = load(args)
    changes = {"stock": args.stock_level, "policy": args.policy}
    cfg = config.override(cfg, "allocate", **{k: v for k, v in changes.items() if v is not None})
    engine = erp.connect(cfg, args.db)
    t0 = time.perf_counter()
    result = allocate.run(cfg, engine, run_id=args.run_id, stock_file=args.stock)
    rows = result.rows
    print(f"allocation run {result.run_id} ({cfg.allocate.policy}, forecast run {result.forecast_run}, week of "
          f"{result.period:%Y-%m-%d}) written to {engine.url.render_as_string(hide_password=True)} in "
          f"{time.perf_counter() - t0:.1f} s: {len(rows):,} rows, {rows['units'].sum():,} of "
          f"{result.stock['units'].sum():,} units sent, the rest kept at the DC")
    print(rows.groupby("dc_id").agg(skus=("sku_id", "nunique"), stores=("store_id", "nunique"),
                                    units=("units", "sum")).to_string())
