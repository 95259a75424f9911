"""The canonical tables out of the ERP as partitioned parquet (hive layout), for a cluster to read.

The role of the seed system's Glue job (ERP -> object storage): order lines go out per FDC (with their order's
fdc_id), orders per FDC, daily sales per store, the small tables whole. Each partition is one query, so memory
holds the largest partition, never the whole table; results come back through the one-transaction write-back.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from skulab.data.schema import TABLES
from skulab.erp.extract import read_query

PARTITIONS = {"order_line": "fdc_id", "orders": "fdc_id", "fact_sales": "store_id"}
QUERIES = {"order_line": "SELECT l.*, o.fdc_id FROM order_line l JOIN orders o ON o.order_id = l.order_id"}
KEYS = {"order_line": "SELECT DISTINCT fdc_id FROM orders", "orders": "SELECT DISTINCT fdc_id FROM orders",
        "fact_sales": "SELECT DISTINCT store_id FROM fact_sales"}


def export(engine: sa.Engine, out_dir: Path) -> pd.DataFrame:
    """Write every ERP input table to out_dir/<table>/ (replacing what an earlier export wrote there); one row per
    table: its rows, partitions and partition column."""
    rows = []
    for name in (n for n, t in TABLES.items() if t.group == "erp"):
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        sql = QUERIES.get(name, f"SELECT * FROM {name}")
        column = PARTITIONS.get(name)
        if column is None:
            frame = read_query(engine, sql)
            write_parquet(frame, target / "part-0.parquet")
            rows.append({"table": name, "rows": len(frame), "partitions": 1, "partitioned_by": ""})
            continue
        keys = read_query(engine, KEYS[name])[column].dropna().sort_values().tolist()
        count = 0
        for key in keys:
            frame = read_query(engine, f"SELECT * FROM ({sql}) t WHERE {column} = :key", key=key)
            folder = target / f"{column}={quote(str(key), safe='')}"
            folder.mkdir()
            write_parquet(frame.drop(columns=column), folder / "part-0.parquet")
            count += len(frame)
        rows.append({"table": name, "rows": count, "partitions": len(keys), "partitioned_by": column})
    return pd.DataFrame(rows)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One parquet file with microsecond timestamps (Spark refuses nanoseconds, pandas' default)."""
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, coerce_timestamps="us")
