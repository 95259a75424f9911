"""`skulab ...` commands: the batch jobs and the report runner. Input errors print one line and exit 2.

The grammar is built here once: `--params` and `--db` come from the shared parent parsers of
skulab.cli.options, and one module per command group (erp, report, forecast, embed, assort, allocate, trends,
bench) adds its sub-commands; their functions import the chapters, and heavy libraries, only when they run.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import NoReturn

from skulab.cli import allocate, assort, bench, embed, erp, forecast, options, report, trends
from skulab.errors import SkulabError

TOOLS = (erp, report)  # listed first, then the `bench` and `evaluate` hubs, then the chapters' commands
CHAPTERS = (forecast, embed, assort, allocate, trends, bench)


def parser() -> argparse.ArgumentParser:
    """The command-line grammar; each sub-command names the profile with --params."""
    p = _Parser(prog="skulab", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = options.Grammar(sub=sub, profile=options.profile_parent(), database=options.database_parent())
    for group in TOOLS:
        group.add_commands(g)
    hubs = {name: sub.add_parser(name, help=text).add_subparsers(dest=f"{name}_command", required=True)
            for name, text in (("bench", "benchmarks: figures go to reports/benchmarks/"),
                               ("evaluate", "rolling evaluations: tables go to reports/<profile>/"))}
    g = dataclasses.replace(g, **hubs)
    for group in CHAPTERS:
        group.add_commands(g)
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
