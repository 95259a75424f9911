"""Write a batch job's results back to the ERP: one transaction per run, idempotent per run id.

A run row ('forecast_run' or 'assortment_run') and its result rows are replaced together; the run is
marked done last, so the `*_latest` views never show a half-written run, and a failure changes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

import duckdb
import pandas as pd
import sqlalchemy as sa

from skulab.data.schema import TABLES
from skulab.erp.load import insert_frame
from skulab.erp.schema import SA_TABLES, create_schema
from skulab.errors import DataError

RUN_TABLES = {"forecast": ("forecast_run", "sales_forecast"), "assortment": ("assortment_run", "fdc_assortment"),
              "allocation": ("allocation_run", "store_allocation"),
              "reconciliation": ("reconciliation_run", "region_category_forecast")}


def write_run(engine: sa.Engine, kind: Literal["forecast", "assortment", "allocation", "reconciliation"], run_id: str, rows: pd.DataFrame,
              profile: str, params: dict) -> None:
    """Replace run `run_id` and its rows; re-running the same id leaves the tables exactly as after the first run."""
    run_table, row_table = RUN_TABLES[kind]
    missing = [c for c in TABLES[row_table].column_names if c != "run_id" and c not in rows.columns
               and not TABLES[row_table].column(c).nullable]
    if missing:
        raise DataError(f"{row_table}: result rows lack column(s) {', '.join(missing)}")
    rows = rows.assign(run_id=run_id).reindex(columns=TABLES[row_table].column_names)
    create_schema(engine)
    now = datetime.now().replace(microsecond=0)
    run = pd.DataFrame({"run_id": [run_id], "created_at": [now], "finished_at": [None], "status": ["running"],
                        "profile": [profile], "params": [json.dumps(params, default=str, sort_keys=True)]})
    runs, results = SA_TABLES[run_table], SA_TABLES[row_table]
    try:
        with engine.begin() as conn:
            conn.execute(results.delete().where(results.c.run_id == run_id))
            conn.execute(runs.delete().where(runs.c.run_id == run_id))
            insert_frame(conn, run_table, run)
            if len(rows):
                insert_frame(conn, row_table, rows)
            conn.execute(runs.update().where(runs.c.run_id == run_id)
                         .values(status="done", finished_at=datetime.now().replace(microsecond=0)))
    except (sa.exc.DBAPIError, duckdb.Error) as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DataError(f"writing {kind} run {run_id} failed, so nothing was changed: {reason}") from None
