"""Re-execute every numbered notebook with one profile (papermill) into reports/<profile>/ as .ipynb and an HTML
page, then the index. Each chapter's kernel draws its figures inline and keeps progress bars out of the page."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from skulab.config import Config
from skulab.errors import SkulabError
from skulab.report import manifest
from skulab.report.index import write_index

# what each chapter's kernel gets: figures inline (whatever MPLBACKEND the caller has), no library progress bars
# (noise on a static page), and the chapter's name for the manifest
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "TQDM_DISABLE": "1"}


def notebooks(root: Path) -> list[Path]:
    """The study's chapters: notebooks/NN_*.ipynb in number order (no hand-kept list)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def render(cfg: Config, only: list[str] | None = None) -> list[Path]:
    """Execute the notebooks (all, or those whose number or name starts with an entry of `only`) and write HTML.

    A failing notebook stops the run with an error naming the notebook, the cell and the exception;
    its partially executed copy stays in the report folder for inspection. The injected PROFILE is the
    profile's path relative to the project root, so reports carry no machine paths. index.html is written last.
    """
    import papermill as pm

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
        title, question = heading(nb)
        manifest.start_chapter(out_dir, nb.stem, title=title, question=question)
        t0 = time.perf_counter()
        try:
            with environ({**KERNEL_ENV, manifest.CHAPTER_ENV: nb.stem}):  # kernels inherit them
                pm.execute_notebook(nb, out, parameters={"PROFILE": profile}, cwd=str(nb.parent),
                                    kernel_name="python3", language="python", progress_bar=True)
        except pm.PapermillExecutionError as exc:
            raise SkulabError(f"{nb.name} failed in cell {exc.cell_index} (execution {exc.exec_count}): "
                              f"{exc.ename}: {exc.evalue}; the partial run is in {out}") from None
        manifest.update_chapter(out_dir, nb.stem, seconds=round(time.perf_counter() - t0, 1),
                                finished=datetime.now().astimezone().isoformat(timespec="seconds"))
        written.append(write_page(out))
    written.append(write_index(cfg))
    return written


def profile_parameter(source_file: Path, root: Path) -> str:
    """The profile as the notebooks receive it: relative to the project root (where config.load looks), or
    absolute when the file lies outside the project."""
    try:
        return source_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(source_file.resolve())


def heading(notebook: Path) -> tuple[str, str]:
    """A chapter's title (its first Markdown heading) and its question (the paragraph after **Question.**)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    lines = first.splitlines()
    title = re.sub(r"[*`]", "", lines[0].lstrip("# ")).strip() if lines and lines[0].startswith("#") else notebook.stem
    asked = re.search(r"\*\*Question\.\*\*\s*(.+?)(?:\n\s*\n|$)", first, re.DOTALL)
    question = " ".join(asked.group(1).split()) if asked else ""
    return title, question


def write_page(executed: Path) -> Path:
    """The executed notebook as an HTML page: wide tables scroll inside their box, a link back to the index."""
    import nbformat
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    page = page.replace("</head>", f"<style>{PAGE_CSS}</style>\n</head>", 1)
    page = re.sub(r"(<body[^>]*>)", r'\1\n<nav class="skulab-nav"><a href="index.html">&larr; all chapters</a></nav>',
                  page, count=1)
    out = executed.with_suffix(".html")
    out.write_text(page, encoding="utf-8")
    return out


PAGE_CSS = (".jp-OutputArea-output{overflow-x:auto;max-width:100%}"
            ".jp-RenderedHTMLCommon table{table-layout:auto}"
            ".jp-RenderedHTMLCommon td,.jp-RenderedHTMLCommon th{max-width:none;white-space:normal;"
            "overflow:visible;text-overflow:clip}"
            ".jp-RenderedImage img{max-width:100%;height:auto}"
            ".skulab-nav{font-family:sans-serif;padding:.4em 1em}")


@contextmanager
def environ(changes: dict[str, str | None]) -> Iterator[None]:
    """Set (a value) or unset (None) environment variables for the duration of the block, then restore them."""
    saved = {k: os.environ.get(k) for k in changes}
    try:
        _apply(changes)
        yield
    finally:
        _apply(saved)


def _apply(values: dict[str, str | None]) -> None:
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
