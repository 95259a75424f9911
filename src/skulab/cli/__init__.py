"""`skulab ...` commands: the batch jobs and the report runner. Input errors print one line and exit 2.

The grammar is built here once: `--params` and `--db` come from the shared parent parsers of
skulab.cli.options, and one module per command group (erp, report, forecast, embed, assort, allocate, trends,
bench) adds its sub-commands; their functions import the chapters, and heavy libraries, only when they run.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import NoReturn

from skulab import scratch
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
    """Entry point of the `skulab` console script; an input error is one line `error: ...` and exit status 2, a
    Ctrl-C one line and exit status 130; the job's temporary folders are removed either way."""
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except SkulabError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)  # one line, whatever a message quotes
        return 2
    except BrokenPipeError:  # stdout's reader went away (`skulab erp build | head`): quiet, as other tools are
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except BaseException as exc:
        if not _is_interrupt(exc):
            raise
        print(f"error: {_interrupted(args)}", file=sys.stderr)
        return 130
    finally:
        scratch.remove_all()
    return 0


def _is_interrupt(exc: BaseException | None) -> bool:
    """Whether a Ctrl-C caused `exc`: one arriving mid-import comes wrapped (e.g. RuntimeError from __set_name__)."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _interrupted(args: argparse.Namespace) -> str:
    """What a Ctrl-C left: runs reach the ERP in one transaction at their end, so an unfinished one is not there."""
    command = " ".join(v for k, v in vars(args).items() if k.endswith("command") and isinstance(v, str))
    kept = "; the rows measured so far are in reports/benchmarks/" if args.command == "bench" else ""
    return (f"interrupted: skulab {command} stopped before it finished, and the run it was making was not written "
            f"(the ERP's latest runs are unchanged{kept}): run it again")


class _Parser(argparse.ArgumentParser):
    """argparse whose usage mistakes are one line like every other input error (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")
