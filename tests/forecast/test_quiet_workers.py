"""AutoGluon's local models predict in joblib worker processes: the warnings skulab silences in its own process
(empty-slice means on all-missing windows) must stay out of the chapter pages from the workers too."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import numpy as np
from joblib import Parallel, delayed
from skulab.forecast.fitting import _captured_log
{wrap}
    Parallel(n_jobs=2)(delayed(np.nanmean)(np.array([np.nan])) for _ in range(4))
"""


def _stderr(wrap: str) -> str:
    return subprocess.run([sys.executable, "-c", SCRIPT.format(wrap=wrap)], capture_output=True, text=True,
                          check=True).stderr


def test_worker_processes_started_during_a_fit_do_not_print_the_silenced_warnings() -> None:
    assert "Mean of empty slice" in _stderr("if True:")  # the workers' warning reaches stderr without the guard
    assert "Mean of empty slice" not in _stderr("with _captured_log():")
