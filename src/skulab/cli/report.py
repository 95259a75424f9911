"""`skulab report`: re-execute the notebooks with a profile into reports/<profile>/; `skulab docs`: the generated
references under docs/."""

from __future__ import annotations

import argparse

from skulab.cli.options import Grammar, load


def add_commands(g: Grammar) -> None:
    """Register the report runner."""
    rep = g.sub.add_parser("report", parents=[g.profile],
                           help="re-execute notebooks/NN_*.ipynb with a profile into reports/<profile>/")
    rep.add_argument("--only", help="comma-separated notebook numbers or name prefixes, e.g. 01,03")
    rep.set_defaults(run=_report)
    docs = g.sub.add_parser("docs", help="regenerate the references under docs/ from the code")
    params = docs.add_subparsers(dest="docs_command", required=True).add_parser(
        "params", help="docs/params.md: every profile key with its type, default and meaning (from skulab.config)")
    params.add_argument("--out", help="file to write (default: docs/params.md under the project root)")
    params.set_defaults(run=_docs_params)


def _report(args: argparse.Namespace) -> None:
    from skulab import report

    cfg = load(args)
    only = args.only.split(",") if args.only else None
    for html in report.render(cfg, only):
        print(f"wrote {html}")


def _docs_params(args: argparse.Namespace) -> None:
    from skulab import params_doc

    print(f"wrote {params_doc.write(args.out)}")
