"""`skulab ...` commands: the batch jobs and the report runner. Input errors print one line and exit 2.

The grammar is built here once: `--params` and `--db` come from shared parent parsers, and each chapter's
`commands` module adds its sub-commands (their functions import heavy libraries only when they run).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import NoReturn

from skulab.errors import SkulabError


@dataclass(frozen=True)
class Grammar:
    """Where chapters add commands: top level, `bench`, `evaluate`, and the shared --params / --db options."""

    sub: argparse._SubParsersAction
    bench: argparse._SubParsersAction
    evaluate: argparse._SubParsersAction
    profile: argparse.ArgumentParser
    database: argparse.ArgumentParser


def _erp_build(args: argparse.Namespace) -> None:
    from skulab import config, erp

    cfg = config.load(args.params)
    t0 = time.perf_counter()
    engine, source = erp.build(cfg, args.db)
    seconds = time.perf_counter() - t0
    print(f"ERP built from source '{cfg.data.source}' into {engine.url.render_as_string(hide_password=True)} "
          f"in {seconds:.1f} s")
    print(erp.table_counts(engine).to_string(index=False))
    steps = source.cleaning.frame()
    if len(steps):
        print("\ncleaning steps (rows removed or changed):")
        print(steps.to_string(index=False))


def _erp_export(args: argparse.Namespace) -> None:
    from pathlib import Path

    from skulab import config, erp
    from skulab.erp.export import export

    cfg = config.load(args.params)
    t0 = time.perf_counter()
    table = export(erp.connect(cfg, args.db), Path(args.to))
    print(f"exported the ERP's input tables as partitioned parquet to {args.to} in {time.perf_counter() - t0:.1f} s")
    print(table.to_string(index=False))


def _report(args: argparse.Namespace) -> None:
    from skulab import config, report

    cfg = config.load(args.params)
    only = args.only.split(",") if args.only else None
    for html in report.render(cfg, only):
        print(f"wrote {html}")


def parser() -> argparse.ArgumentParser:
    """The command-line grammar; each sub-command names the profile with --params."""
    from skulab.allocate import commands as allocate_commands
    from skulab.assort import commands as assort_commands
    from skulab.bench import commands as bench_commands
    from skulab.embed import commands as embed_commands
    from skulab.forecast import commands as forecast_commands
    from skulab.forecast import trends_commands

    profile = argparse.ArgumentParser(add_help=False)
    profile.add_argument("--params", required=True, help="params profile, e.g. params/demo.yaml")
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--db", help="SQLAlchemy URL overriding SKULAB_DB_URL and the profile's erp.url")

    p = _Parser(prog="skulab", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    erp_p = sub.add_parser("erp", help="the ERP database")
    erp_sub = erp_p.add_subparsers(dest="erp_command", required=True)
    build = erp_sub.add_parser("build", parents=[profile, database],
                               help="create the ERP and fill it from the profile's data source")
    build.set_defaults(run=_erp_build)
    export = erp_sub.add_parser("export", parents=[profile, database],
                                help="write the input tables as partitioned parquet (order lines per FDC, sales per store)")
    export.add_argument("--to", required=True, help="folder that receives one sub-folder per table")
    export.set_defaults(run=_erp_export)

    rep = sub.add_parser("report", parents=[profile],
                         help="re-execute notebooks/NN_*.ipynb with a profile into reports/<profile>/")
    rep.add_argument("--only", help="comma-separated notebook numbers or name prefixes, e.g. 01,03")
    rep.set_defaults(run=_report)

    bench = sub.add_parser("bench", help="benchmarks: figures go to reports/benchmarks/")
    evaluate = sub.add_parser("evaluate", help="rolling evaluations: tables go to reports/<profile>/")
    g = Grammar(sub=sub, bench=bench.add_subparsers(dest="bench_command", required=True),
                evaluate=evaluate.add_subparsers(dest="evaluate_command", required=True),
                profile=profile, database=database)
    for chapter in (forecast_commands, embed_commands, assort_commands, allocate_commands, trends_commands,
                    bench_commands):
        chapter.add_commands(g)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `skulab` console script; an input error is one line `error: ...` and exit status 2."""
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except SkulabError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)  # one line, whatever a message quotes
        return 2
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse whose usage mistakes are one line like every other input error (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def iso_date(text: str) -> str:
    """An argparse type: a calendar date YYYY-MM-DD, e.g. --test-end 2024-12-30."""
    import datetime

    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def int_list(text: str) -> list[int]:
    """An argparse type: comma-separated positive integers, e.g. --windows 2,4,8."""
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers such as 2,4,8, got {text!r}")
    return values


if __name__ == "__main__":
    sys.exit(main())
