"""The assortment batch job: each FDC's assortment from the latest training window, written back to the ERP.

The window is the last `train_weeks` weeks holding orders (skulab.assort.rolling.latest_window); K is
`deploy_k` (an integer or the rule's K) and the method `deploy_method`. Rows go to `fdc_assortment` (run, FDC,
SKU, method, rank, score) through skulab.erp.write_run: one transaction, idempotent per run id, the run marked
done last.
"""

from __future__ import annotations

import uuid

import pandas as pd
import sqlalchemy as sa

from skulab import erp
from skulab.assort import methods
from skulab.assort.rolling import latest_window
from skulab.config import Config
from skulab.errors import DataError


def assortments(lines: pd.DataFrame, cfg: Config, skus: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per FDC x stocked SKU: fdc_id, sku_id, method, sku_rank (1 = first), score, k, window_start."""
    a = cfg.assort
    if lines.empty:
        raise DataError("the ERP holds no order lines: there is nothing to choose an assortment from")
    latest = latest_window(lines, a, skus, k=a.deploy_k, test=False)
    fit_vectors = methods.vector_fitter(cfg, skus, [a.deploy_method])
    results = methods.run(a.deploy_method, latest.windows, [[k] for k in latest.ks], a, fit_vectors)
    frames = []
    for fdc, k, res in zip(latest.fdcs, latest.ks, results):
        rows = res[0].assortment.frame().assign(fdc_id=fdc, method=a.deploy_method, k=k, window_start=latest.start)
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def run(engine: sa.Engine, cfg: Config, run_id: str | None = None) -> tuple[str, pd.DataFrame]:
    """Compute every FDC's assortment and write it back as run `run_id` (a new id when None)."""
    run_id = run_id or f"assort-{pd.Timestamp.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    rows = assortments(erp.read_order_lines(engine), cfg, erp.read_sku_attributes(engine))
    erp.write_run(engine, "assortment", run_id, rows[["fdc_id", "sku_id", "method", "sku_rank", "score"]],
                  cfg.profile, cfg.assort.model_dump())
    return run_id, rows
