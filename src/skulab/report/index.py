"""reports/<profile>/index.html: the run (profile, data size, settings, date, commit, time per chapter), then per
chapter its question, computed conclusion, key figures and pictures, all read from the manifest."""

from __future__ import annotations

import html
import subprocess
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from skulab.report import manifest

if TYPE_CHECKING:
    from skulab.config import Config

KEY_FIGURES = "key_figures"  # a saved table whose name ends so is a chapter's key figures


def write_index(cfg: Config) -> Path:
    """Write the index of cfg's report folder from its manifest and the chapter pages present; return its path."""
    out_dir = cfg.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    chapters = manifest.load(out_dir)["chapters"]
    pages = sorted(out_dir.glob("[0-9][0-9]_*.html"))
    sections = [_chapter(page, chapters.get(page.stem, {}), out_dir) for page in pages]
    body = "\n".join(sections) or "<p>No chapter has been rendered for this profile yet.</p>"
    title = f"skulab reports: {html.escape(cfg.profile)}"
    out = out_dir / "index.html"
    out.write_text(f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
                   f"<style>{CSS}</style></head><body>\n<h1>{title}</h1>\n{_run(cfg, pages, chapters)}\n{body}\n"
                   "</body></html>\n", encoding="utf-8")
    return out


def format_value(value: Any) -> str:
    """One format per kind of number: whole numbers with thousands separators, others to 4 significant digits;
    text (already formatted by its chapter, e.g. '87.5%') as it is."""
    if isinstance(value, str):
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            return value
        value = number
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if pd.isna(value):
            return "n/a"
        if float(value).is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.4g}" if abs(value) >= 1e-3 else f"{value:.2e}"
    return str(value)


def describe_profile(cfg: Config) -> list[tuple[str, str]]:
    """What data and which settings a run used, as (what, value) rows for the index's header."""
    d = cfg.data
    source = {"demo": f"synthetic demo chain (seed {d.seed}, scale {d.scale:g}, {d.days} days from {d.start})",
              "files": f"your files in {d.path}",
              "sql": f"your ERP read by the queries in {d.queries}"}.get(d.source, f"{d.source} (real data)")
    fc, a = cfg.forecast, cfg.assort
    rows = [("profile", f"{cfg.profile} ({cfg.source_file.name})"), ("data", source)]
    rows.append(("forecasting", (f"freq {fc.freq}, horizon {fc.horizon}, {fc.windows} backtest windows, "
                                 f"features {', '.join(fc.features) or 'none'}, models {', '.join(fc.models)}")))
    rows.append(("assortment", (f"K {', '.join(map(str, a.k))}, training windows {', '.join(map(str, a.windows))} "
                                f"weeks, {len(a.methods)} methods")))
    return rows


def _run(cfg: Config, pages: list[Path], chapters: dict[str, dict]) -> str:
    """The header: the profile, the ERP's size, the date, the commit and the time per chapter."""
    rows = describe_profile(cfg)
    size = _erp_size(cfg)
    if size:
        rows.insert(2, ("ERP rows", size))
    finished = [c["finished"] for c in chapters.values() if c.get("finished")]
    if finished:
        rows.append(("rendered", datetime.fromisoformat(max(finished)).strftime("%Y-%m-%d %H:%M %Z").strip()))
    rows.append(("commit", _commit(cfg.root)))
    seconds = {p.stem: chapters.get(p.stem, {}).get("seconds") for p in pages}
    timed = {k: v for k, v in seconds.items() if v is not None}
    if timed:
        rows.append(("time per chapter", ", ".join(f"{k[:2]}: {_duration(v)}" for k, v in timed.items())
                     + f"; total {_duration(sum(timed.values()))}"))
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="run">{cells}</table>'


def _chapter(page: Path, entry: dict, out_dir: Path) -> str:
    """One chapter: title linked to its page, question, conclusion, key figures, figures, other tables."""
    title = entry.get("title") or page.stem
    parts = [f'<section id="{page.stem}"><h2><a href="{page.name}">{html.escape(title)}</a></h2>']
    if entry.get("question"):
        parts.append(f'<p class="question"><b>Question.</b> {html.escape(entry["question"])}</p>')
    if entry.get("conclusion"):
        import mistune

        parts.append(f'<div class="conclusion"><b>What this run shows.</b> {mistune.html(entry["conclusion"])}</div>')
    tables = [t for t in entry.get("tables", []) if (out_dir / f"{t}.csv").is_file()]
    for name in (t for t in tables if t.endswith(KEY_FIGURES)):
        key = pd.read_csv(out_dir / f"{name}.csv", index_col=0)
        cells = "".join(f"<tr><th>{html.escape(str(i))}</th>"
                        + "".join(f"<td>{html.escape(format_value(v))}</td>" for v in row) + "</tr>"
                        for i, row in zip(key.index, key.itertuples(index=False)))
        parts.append(f'<table class="key">{cells}</table>')
    figures = [f for f in entry.get("figures", []) if (out_dir / "figures" / f"{f}.png").is_file()]
    if figures:
        parts.append('<div class="figures">' + "".join(
            f'<figure class="{"wide" if f in entry.get("wide", []) else "single"}">'
            f'<a href="figures/{f}.png" title="full size">'
            f'<img src="figures/{f}.png" alt="{html.escape(f)}"></a><figcaption>{html.escape(f)} (click for the full '
            "size)</figcaption></figure>" for f in figures) + "</div>")
    others = [t for t in tables if not t.endswith(KEY_FIGURES)]
    if others:
        parts.append("<p>Tables (CSV): " + ", ".join(f'<a href="{t}.csv">{html.escape(t)}</a>' for t in others)
                     + "</p>")
    if entry.get("seconds") is not None:
        parts.append(f'<p class="took">Ran in {_duration(entry["seconds"])}.</p>')
    return "\n".join([*parts, "</section>"])


def _erp_size(cfg: Config) -> str:
    """Rows of the ERP's main tables when its database answers without being built; '' otherwise."""
    import sqlalchemy as sa

    from skulab import erp
    from skulab.errors import SkulabError

    try:
        counts = erp.table_counts(erp.connect(cfg, build_if_empty=False))
    except (SkulabError, sa.exc.SQLAlchemyError):  # a database that does not answer: the index says less
        return ""
    main = counts[counts["rows"] > 0]
    return ", ".join(f"{t} {n:,}" for t, n in zip(main["table"], main["rows"]))


def _commit(root: Path) -> str:
    """The commit the run used, marked when the tree had uncommitted changes."""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=False, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{head} (with uncommitted changes)" if dirty else head


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


CSS = ("body{font-family:system-ui,sans-serif;max-width:78em;margin:2em auto;padding:0 1em;line-height:1.45}"
       "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;"
       "vertical-align:top}th{background:#f6f6f6;font-weight:600}table.key td{font-variant-numeric:tabular-nums}"
       "table.run th{width:11em}section{border-top:1px solid #ddd;margin-top:1.8em}"
       ".question{font-style:italic}.conclusion{background:#f4f8fc;border-left:4px solid #4a7fb5;padding:.3em .9em}"
       ".conclusion p{margin:.4em 0}.figures{display:flex;flex-wrap:wrap;gap:1em}"
       "figure{margin:0;width:36em}figure.wide{width:100%}figure img{width:100%;border:1px solid #ddd}"
       "figcaption{font-size:.85em;color:#555}.took{color:#666;font-size:.9em}")
