"""The options command groups share, declared once: --params and --db as parent parsers, --run-id, --engine and
--set as helpers that add them where a command lists them, the argparse types, and the profile a command runs on.
"""

from __future__ import annotations

import argparse
import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from skulab.config import Config

ENGINES = ["local", "spark"]
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # run_id is VARCHAR(64) in the ERP


@dataclass(frozen=True)
class Grammar:
    """Where command groups add commands: top level, `bench`, `evaluate` (None until skulab.cli.parser adds those
    hubs, after the erp and report commands), and the shared --params / --db parent parsers."""

    sub: argparse._SubParsersAction
    profile: argparse.ArgumentParser
    database: argparse.ArgumentParser
    bench: argparse._SubParsersAction | None = None
    evaluate: argparse._SubParsersAction | None = None


def profile_parent() -> argparse.ArgumentParser:
    """The parent parser of --params: every command reads a profile."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--params", required=True, help="params profile, e.g. params/demo.yaml")
    return parent


def database_parent() -> argparse.ArgumentParser:
    """The parent parser of --db: the commands that read or write the ERP."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", type=database, help="SQLAlchemy URL overriding SKULAB_DB_URL and the profile's erp.url")
    return parent


def add_run_id(parser: argparse.ArgumentParser, default: str = "a new id", text: str | None = None) -> None:
    """--run-id of a job that writes a run: `default` names the id a run gets without it (`text`: the whole help)."""
    parser.add_argument("--run-id", type=run_id, help=text or f"run id to write (re-running an id replaces that run); default: "
                                                 f"{default}")


def add_engine(parser: argparse.ArgumentParser, what: str, note: str = "") -> None:
    """--engine: where `what` runs, this process or Spark (overrides the profile's engine.name; see `load`)."""
    parser.add_argument("--engine", choices=ENGINES, help=f"where {what} run (overrides engine.name{note})")


def add_settings(parser: argparse.ArgumentParser, section: str, example: str) -> None:
    """--set KEY=VALUE (repeatable): a setting of the profile's `section` changed for this run (see `settings`)."""
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help=f"change a {section} setting for this run, e.g. --set '{example}' (repeatable)")


def load(args: argparse.Namespace) -> Config:
    """The profile of --params, with --engine as its engine.name when the command has the option and it was given."""
    from skulab import config

    cfg = config.load(args.params)
    engine = getattr(args, "engine", None)
    return config.override(cfg, "engine", name=engine) if engine else cfg


def settings(cfg: Config, args: argparse.Namespace, section: str) -> Config:
    """The profile with the --set assignments applied to `section` (validated like a profile)."""
    from skulab import config

    return config.override(cfg, section, **config.assignments(args.set or [], section, args.params))


def iso_date(text: str) -> str:
    """An argparse type: a calendar date YYYY-MM-DD, e.g. --test-end 2024-12-30."""
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


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1, e.g. --max-folds 3."""
    return _whole(text, 1)


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number of at least 0, e.g. --skip 0."""
    return _whole(text, 0)


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least {least}, got {text!r}")
    return value


def out_file(text: str) -> Path:
    """An argparse type: a file to write whose folder exists, checked before the command does any work."""
    path = Path(text)
    if not text or path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file name, got the folder {text!r}: add a file name to it")
    if not path.absolute().parent.is_dir():
        raise argparse.ArgumentTypeError(f"folder {str(path.parent)!r} of {text!r} does not exist: create it first "
                                         "(skulab does not create it for you)")
    return path


def database(text: str) -> str:
    """An argparse type: a non-empty --db (an empty one would fall back to $SKULAB_DB_URL and erp.url unseen)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: give a SQLAlchemy URL such as duckdb:///data/ci.duckdb, or leave "
                                         "--db out to use $SKULAB_DB_URL or the profile's erp.url")
    return text


def run_id(text: str) -> str:
    """An argparse type: a run id of at most 64 letters, digits, '_', '-' or '.' (the ERP's run_id column)."""
    if not RUN_ID.match(text):
        raise argparse.ArgumentTypeError(f"expected at most 64 letters, digits, '_', '-' or '.' starting with a letter "
                                         f"or digit, got {text if len(text) <= 40 else text[:37] + '...'!r} "
                                         f"({len(text)} characters)")
    return text
