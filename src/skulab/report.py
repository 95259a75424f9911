"""Re-execute every numbered notebook with one profile (papermill) into reports/<profile>/ as .ipynb and HTML."""

from __future__ import annotations

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
    its partially executed copy stays in the report folder for inspection.
    """
    chosen = [nb for nb in notebooks(cfg.root) if not only or any(nb.name.startswith(o) for o in only)]
    if not chosen:
        raise SkulabError(f"no notebook in {cfg.root / 'notebooks'} matches {only}")
    out_dir = cfg.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, nb in enumerate(chosen, 1):
        out = out_dir / nb.name
        print(f"[{i}/{len(chosen)}] {nb.name} -> {out}", flush=True)
        try:
            pm.execute_notebook(nb, out, parameters={"PROFILE": str(cfg.source_file.resolve())},
                                cwd=str(nb.parent), kernel_name="python3", language="python", progress_bar=True)
        except pm.PapermillExecutionError as exc:
            raise SkulabError(f"{nb.name} failed in cell {exc.cell_index} (execution {exc.exec_count}): "
                              f"{exc.ename}: {exc.evalue}; the partial run is in {out}") from None
        html, _ = HTMLExporter().from_notebook_node(nbformat.read(out, as_version=4))
        out.with_suffix(".html").write_text(html, encoding="utf-8")
        written.append(out.with_suffix(".html"))
    return written


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
