"""`skulab erp build` (create the ERP and fill it from the profile's data source) and `skulab erp export`."""

from __future__ import annotations

import argparse
import time

from skulab.cli.options import Grammar, load


def add_commands(g: Grammar) -> None:
    """Register the ERP's commands."""
    erp_p = g.sub.add_parser("erp", help="the ERP database")
    erp_sub = erp_p.add_subparsers(dest="erp_command", required=True)
    build = erp_sub.add_parser("build", parents=[g.profile, g.database],
                               help="create the ERP and fill it from the profile's data source")
    build.add_argument("--allow-empty", type=_input_tables, default=[], metavar="TABLES",
                       help="comma-separated input tables (or 'all') that may end empty although the ERP holds "
                            "rows in them, e.g. --allow-empty promotion; without it such a build is refused")
    build.set_defaults(run=_build)
    export = erp_sub.add_parser("export", parents=[g.profile, g.database],
                                help="write the input tables as partitioned parquet (order lines per FDC, sales per store)")
    export.add_argument("--to", required=True, help="folder that receives one sub-folder per table")
    export.set_defaults(run=_export)


def _build(args: argparse.Namespace) -> None:
    from skulab import erp

    cfg = load(args)
    t0 = time.perf_counter()
    engine, source = erp.build(cfg, args.db, args.allow_empty)
    seconds = time.perf_counter() - t0
    print(f"ERP built from source '{cfg.data.source}' into {engine.url.render_as_string(hide_password=True)} "
          f"in {seconds:.1f} s")
    print(erp.table_counts(engine).to_string(index=False))
    steps = source.cleaning.frame()
    if len(steps):
        print("\ncleaning steps (rows removed or changed):")
        print(steps.to_string(index=False))


def _input_tables(text: str) -> list[str]:
    """An argparse type: comma-separated canonical input tables, or 'all'."""
    import difflib

    from skulab.data.schema import INPUT_TABLES

    names = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in names if t != "all" and t not in INPUT_TABLES]
    if not names or unknown:
        hint = difflib.get_close_matches(unknown[0], INPUT_TABLES, n=1) if unknown else []
        raise argparse.ArgumentTypeError(
            f"expected input tables such as fact_sales,promotion or 'all', got {text!r}"
            + (f" (did you mean {hint[0]!r}?)" if hint else f"; tables: {', '.join(INPUT_TABLES)}"))
    return names


def _export(args: argparse.Namespace) -> None:
    from pathlib import Path

    from skulab import erp
    from skulab.erp.export import export

    cfg = load(args)
    t0 = time.perf_counter()
    table = export(erp.connect(cfg, args.db), Path(args.to))
    print(f"exported the ERP's input tables as partitioned parquet to {args.to} in {time.perf_counter() - t0:.1f} s")
    print(table.to_string(index=False))
