"""`skulab trends`: reconciled region x category forecasts of the next horizon written to the ERP."""

from __future__ import annotations

import argparse

from skulab.cli.options import Grammar, add_run_id, load


def add_commands(g: Grammar) -> None:
    """Register the regional trends job."""
    job = g.sub.add_parser("trends", parents=[g.profile, g.database],
                           help="forecast every level of the region / category hierarchy, reconcile, write the "
                                "region x category forecasts back")
    add_run_id(job, "trends-<profile>-<last sales period>")
    job.set_defaults(run=_trends)


def _trends(args: argparse.Namespace) -> None:
    from skulab import erp, trends

    cfg = load(args)
    engine = erp.connect(cfg, args.db)
    result = trends.run(cfg, engine, run_id=args.run_id)
    rows = result.rows
    print(f"reconciliation run {result.run_id} written to {engine.url.render_as_string(hide_password=True)} in "
          f"{result.seconds:.1f} s: {len(rows):,} region x category rows, {rows['date'].min()} .. {rows['date'].max()}")
    print("method per level (chosen on the last horizon of the history): "
          + ", ".join(f"{level} {method}" for level, method in result.chosen.items()))
    print(rows.groupby("region")["mean"].sum().round(1).to_string())
