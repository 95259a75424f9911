"""`skulab ...` commands: the batch jobs and the report runner. Input errors print one line and exit 2."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from skulab.errors import SkulabError


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


def _report(args: argparse.Namespace) -> None:
    from skulab import config, report

    cfg = config.load(args.params)
    only = args.only.split(",") if args.only else None
    for html in report.render(cfg, only):
        print(f"wrote {html}")


def parser() -> argparse.ArgumentParser:
    """The command-line grammar; each sub-command names the profile with --params."""
    p = argparse.ArgumentParser(prog="skulab", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    erp_p = sub.add_parser("erp", help="the ERP database")
    erp_sub = erp_p.add_subparsers(dest="erp_command", required=True)
    build = erp_sub.add_parser("build", help="create the ERP and fill it from the profile's data source")
    build.add_argument("--params", required=True, help="params profile, e.g. params/demo.yaml")
    build.add_argument("--db", help="SQLAlchemy URL overriding SKULAB_DB_URL and the profile's erp.url")
    build.set_defaults(run=_erp_build)

    rep = sub.add_parser("report", help="re-execute notebooks/NN_*.ipynb with a profile into reports/<profile>/")
    rep.add_argument("--params", required=True, help="params profile, e.g. params/demo.yaml")
    rep.add_argument("--only", help="comma-separated notebook numbers or name prefixes, e.g. 01,03")
    rep.set_defaults(run=_report)

    bench = sub.add_parser("bench", help="benchmarks: figures go to reports/benchmarks/")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    for name in _CHAPTER_COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a chapter still being written
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        module.add_commands(sub, bench_sub)
    return p


# Each chapter's commands module has add_commands(sub, bench_sub): its own sub-commands and benchmarks.
# It must import heavy libraries (AutoGluon, torch, gensim) inside the command functions, not at the top.
_CHAPTER_COMMANDS = ("skulab.forecast.commands", "skulab.embed.commands", "skulab.assort.commands")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `skulab` console script."""
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except SkulabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
