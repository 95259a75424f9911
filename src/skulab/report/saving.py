"""What a chapter keeps of its run: result tables as CSV, figures as PNG, and its computed conclusion.

Wall times are facts about the machine, not results: a column or row whose name says "seconds" is kept in the
git-ignored timings/<name>.csv, and floats are written to 10 significant digits (skulab.report.stable), so
re-running a chapter with unchanged results leaves the committed CSVs as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from skulab.report import manifest
from skulab.report.stable import write_csv

if TYPE_CHECKING:
    import matplotlib.figure
    from IPython.display import Markdown
    from pandas.io.formats.style import Styler

    from skulab.config import Config


def save_figure(fig: matplotlib.figure.Figure, cfg: Config, name: str) -> Path:
    """Keep a key figure as reports/<profile>/figures/<name>.png; the index shows it under its chapter."""
    out = cfg.reports_dir / "figures" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90, bbox_inches="tight", metadata={"Software": None})
    width, height = fig.get_size_inches()
    panels = sum(ax.get_visible() for ax in fig.axes)
    manifest.add(cfg.reports_dir, "figures", name, wide=panels > 1 and width / height > 1.8)
    return out


def save_table(frame: pd.DataFrame, cfg: Config, name: str) -> Path:
    """Keep a result table as reports/<profile>/<name>.csv (with its wall times in timings/<name>.csv)."""
    out = write_csv(frame, cfg.reports_dir / f"{name}.csv")
    manifest.add(cfg.reports_dir, "tables", name)
    return out


def key_figures(key: dict[str, object], cfg: Config, name: str) -> Styler:
    """Keep a chapter's key figures (what -> value) as reports/<profile>/<name>.csv and show them whole (a plain
    DataFrame would cut texts longer than pandas' display.max_colwidth)."""
    frame = pd.Series(key, name="value").to_frame()
    save_table(frame, cfg, name)
    return frame.style.set_properties(**{"text-align": "left"})


def excerpt(shown: pd.DataFrame, full: pd.DataFrame, cfg: Config, file: str, what: str) -> pd.DataFrame:
    """Say which rows of a long table are shown and link the saved full table `file`; return the rows to display.

    `what` says which rows the text discusses, e.g. "the 70 %-rule K at every window".
    """
    from IPython.display import Markdown, display

    link = file if manifest.current_chapter() else f"../reports/{cfg.profile}/{file}"
    display(Markdown(f"Showing {len(shown):,} of {len(full):,} rows ({what}); the full table: [{file}]({link})."))
    return shown


def conclude(text: str, cfg: Config) -> Markdown:
    """Show a chapter's computed conclusion and keep it for the index."""
    from IPython.display import Markdown

    chapter = manifest.current_chapter()
    if chapter is not None:
        manifest.update_chapter(cfg.reports_dir, chapter, conclusion=text)
    return Markdown(text)
