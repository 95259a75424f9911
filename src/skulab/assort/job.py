"""The assortment batch job: each FDC's assortment from the latest training window, written back to the ERP.

The window is the last `train_weeks` weeks holding orders (skulab.assort.rolling.latest_window); K is
`deploy_k` (an integer or the rule's K) and the method `deploy_method`. The assortments are computed on the
configured runner (skulab.runner): one partition per FDC for the methods that see one FDC's orders
(methods.PER_FDC), one partition for the chain for those that learn across FDCs (the net, the hybrid, ...). Rows
go to `fdc_assortment` (run, FDC, SKU, method, rank, score) through skulab.erp.write_run on the driver: one
transaction, idempotent per run id, the run marked done last.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from skulab import erp
from skulab.assort import methods
from skulab.assort.rolling import latest_window, restore
from skulab.assort.windows import history_weeks, window, with_weeks
from skulab.config import Config
from skulab.errors import DataError
from skulab.runner import collected, make_runner, schema

COLUMNS = {"fdc_id": "str", "sku_id": "str", "method": "str", "sku_rank": "long", "score": "double", "k": "long",
           "window_start": "datetime"}


@dataclass
class JobResult:
    """What one run wrote: its id and the rows (fdc_id, sku_id, method, sku_rank, score, k, window_start)."""

    run_id: str
    rows: pd.DataFrame


def assortments(lines: pd.DataFrame, cfg: Config, skus: pd.DataFrame | None = None, runner: Any = None) -> pd.DataFrame:
    """One row per FDC x stocked SKU: fdc_id, sku_id, method, sku_rank (1 = first), score, k, window_start; computed
    on `runner` (what skulab.runner.make_runner returns; None runs the partitions in this process)."""
    import fugue  # only here: importing the chapter stays light

    a = cfg.assort
    if lines.empty:
        raise DataError("the ERP holds no order lines: there is nothing to choose an assortment from")
    latest = latest_window(lines, a, skus, k=a.deploy_k, test=False)
    weeks = with_weeks(lines)
    first = latest.start - pd.Timedelta(weeks=history_weeks(a, [a.deploy_method]))
    span = weeks[(weeks["week"] >= first) & (weeks["week"] < latest.end) & weeks["fdc_id"].isin(latest.fdcs)]
    dtypes = span.dtypes.to_dict()
    part = span["fdc_id"].astype(str) if a.deploy_method in methods.PER_FDC else "chain"
    frame = span.assign(line=np.arange(len(span)), partition=part)
    rows = fugue.transform(frame, fdc_partition, schema=schema(COLUMNS), partition={"by": ["partition"]},
                           engine=runner if runner is not None else "native", as_local=True,
                           params={"cfg": cfg, "skus": skus, "ks": dict(zip(latest.fdcs, latest.ks)),
                                   "start": latest.start, "end": latest.end, "dtypes": dtypes})
    rows = collected(rows, COLUMNS)
    return rows.sort_values(["fdc_id", "sku_rank"], kind="stable").reset_index(drop=True)


def fdc_partition(part: pd.DataFrame, cfg: Config, skus: pd.DataFrame | None, ks: Mapping[str, int],
                  start: pd.Timestamp, end: pd.Timestamp, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """The deployed method on one partition's FDCs (one FDC, or the chain), each at its K: the job's rows."""
    a = cfg.assort
    lines = restore(part, dtypes)
    fdcs = sorted(lines["fdc_id"].unique())
    wins = [window(lines, f, start, end, skus, history_weeks(a, [a.deploy_method])) for f in fdcs]
    fit_vectors = methods.vector_fitter(cfg, skus, [a.deploy_method])
    results = methods.run(a.deploy_method, wins, [[ks[f]] for f in fdcs], a, fit_vectors)
    frames = [res[0].assortment.frame().assign(fdc_id=f, method=a.deploy_method, k=ks[f], window_start=start)
              for f, res in zip(fdcs, results)]
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]


def run(cfg: Config, engine: sa.Engine, *, runner: Any = None, run_id: str | None = None) -> JobResult:
    """Compute every FDC's assortment on `runner` (None: the profile's, skulab.runner.make_runner) and write it
    back to the ERP `engine` as run `run_id` (a new id when None)."""
    runner = runner if runner is not None else make_runner(cfg.engine)
    run_id = run_id or f"assort-{pd.Timestamp.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    rows = assortments(erp.read_order_lines(engine), cfg, erp.read_sku_attributes(engine), runner)
    erp.write_run(engine, "assortment", run_id, rows[["fdc_id", "sku_id", "method", "sku_rank", "score"]],
                  cfg.profile, cfg.assort.model_dump())
    return JobResult(run_id=run_id, rows=rows)
