"""Re-execute every numbered notebook with one profile (papermill) into reports/<profile>/ as .ipynb and HTML,
and an index.html that links every chapter with its key figures."""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib.figure
import nbformat
import pandas as pd
import papermill as pm
from nbconvert import HTMLExporter

from skulab.config import Config
from skulab.errors import SkulabError


def notebooks(root: Path) -> list[Path]:
    """The study's chapters: notebooks/NN_*.ipynb in number order (no hand-kept list)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def render(cfg: Config, only: list[str] | None = None) -> list[Path]:
    """Execute the notebooks (all, or those whose number or name starts with an entry of `only`) and write HTML.

    A failing notebook stops the run with an error naming the notebook, the cell and the exception;
    its partially executed copy stays in the report folder for inspection. The injected PROFILE is the
    profile's path relative to the project root, so reports carry no machine paths. index.html is written last.
    """
    chosen = [nb for nb in notebooks(cfg.root) if not only or any(nb.name.startswith(o) for o in only)]
    unknown = [o for o in only or [] if not any(nb.name.startswith(o) for nb in notebooks(cfg.root))]
    if not chosen or unknown:
        names = ", ".join(nb.stem for nb in notebooks(cfg.root)) or "none"
        raise SkulabError(f"--only {','.join(unknown or only or [])}: no notebook in {cfg.root / 'notebooks'} "
                          f"starts with that (notebooks: {names}); give numbers or name prefixes, e.g. --only 01,03")
    out_dir = cfg.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = profile_parameter(cfg.source_file, cfg.root)
    written = []
    for i, nb in enumerate(chosen, 1):
        out = out_dir / nb.name
        print(f"[{i}/{len(chosen)}] {nb.name} -> {out}", flush=True)
        try:
            pm.execute_notebook(nb, out, parameters={"PROFILE": profile},
                                cwd=str(nb.parent), kernel_name="python3", language="python", progress_bar=True)
        except pm.PapermillExecutionError as exc:
            raise SkulabError(f"{nb.name} failed in cell {exc.cell_index} (execution {exc.exec_count}): "
                              f"{exc.ename}: {exc.evalue}; the partial run is in {out}") from None
        page, _ = HTMLExporter().from_notebook_node(nbformat.read(out, as_version=4))
        out.with_suffix(".html").write_text(page, encoding="utf-8")
        written.append(out.with_suffix(".html"))
    written.append(write_index(out_dir, cfg.profile))
    return written


def profile_parameter(source_file: Path, root: Path) -> str:
    """The profile as the notebooks receive it: relative to the project root (where config.load looks), or
    absolute when the file lies outside the project."""
    try:
        return source_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(source_file.resolve())


def write_index(out_dir: Path, profile: str) -> Path:
    """reports/<profile>/index.html: each executed chapter's HTML, its key figures table and its PNG figures.

    A chapter's tables and figures are those its executed notebook saves with `save_table` / `save_figure`;
    its key figures are the saved tables whose name ends in 'key_figures'. Links are relative to the folder.
    """
    sections = [_chapter_section(page, out_dir) for page in sorted(out_dir.glob("[0-9][0-9]_*.html"))]
    body = "\n".join(sections) or "<p>No chapter has been rendered for this profile yet.</p>"
    title = f"skulab reports: {html.escape(profile)}"
    out = out_dir / "index.html"
    out.write_text(f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
                   f"<style>{_INDEX_CSS}</style></head><body>\n<h1>{title}</h1>\n{body}\n</body></html>\n",
                   encoding="utf-8")
    return out


def save_figure(fig: matplotlib.figure.Figure, cfg: Config, name: str) -> Path:
    """Keep a key figure as reports/<profile>/figures/<name>.png (the README shows some of them)."""
    out = cfg.reports_dir / "figures" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90, bbox_inches="tight")
    return out


def save_table(frame: pd.DataFrame, cfg: Config, name: str) -> Path:
    """Keep a result table as reports/<profile>/<name>.csv, the small summaries that are committed."""
    out = cfg.reports_dir / f"{name}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out)
    return out


_SAVED = re.compile(r"save_(table|figure)\(.*?,\s*cfg,\s*[\"']([^\"']+)[\"']\s*\)", re.DOTALL)
_INDEX_CSS = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
              "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;"
              "text-align:left}img{max-height:14em;margin:.3em;border:1px solid #eee}"
              "section{border-top:1px solid #ddd;margin-top:1.5em}")


def _chapter_section(page: Path, out_dir: Path) -> str:
    """One chapter in the index: its title linked to its HTML, its key figures, its figures and other tables."""
    title, tables, figures = page.stem, [], []
    executed = page.with_suffix(".ipynb")
    if executed.is_file():
        nb = nbformat.read(executed, as_version=4)
        heading = next((c.source for c in nb.cells if c.cell_type == "markdown"), "").splitlines()
        if heading and heading[0].startswith("#"):
            title = re.sub(r"[*`]", "", heading[0].lstrip("# ")).strip()
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            for kind, name in _SAVED.findall(cell.source):
                (tables if kind == "table" else figures).append(name)
    parts = [f'<section><h2><a href="{page.name}">{html.escape(title)}</a></h2>']
    for name in dict.fromkeys(tables):
        if name.endswith("key_figures") and (out_dir / f"{name}.csv").is_file():
            key = pd.read_csv(out_dir / f"{name}.csv", index_col=0)
            parts.append(f'<p><a href="{name}.csv">{html.escape(name)}.csv</a></p>' + key.to_html(border=0))
    for name in dict.fromkeys(figures):
        if (out_dir / "figures" / f"{name}.png").is_file():
            parts.append(f'<a href="figures/{name}.png"><img src="figures/{name}.png" alt="{html.escape(name)}"></a>')
    others = [n for n in dict.fromkeys(tables) if not n.endswith("key_figures") and (out_dir / f"{n}.csv").is_file()]
    if others:
        parts.append("<p>Tables: " + ", ".join(f'<a href="{n}.csv">{html.escape(n)}</a>' for n in others) + "</p>")
    return "\n".join([*parts, "</section>"])
