"""Chapter reports: notebooks re-executed with a profile into reports/<profile>/ (HTML pages and an index), and
what a chapter keeps of its run (tables, figures, its conclusion) recorded in a manifest the index reads."""

from skulab.report.index import write_index
from skulab.report.render import notebooks, profile_parameter, render
from skulab.report.saving import conclude, excerpt, key_figures, save_figure, save_table

__all__ = ["conclude", "excerpt", "key_figures", "notebooks", "profile_parameter", "render", "save_figure", "save_table",
           "write_index"]
