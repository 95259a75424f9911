"""Order types by SQL: a window's order lines and the v_j counts (orders per distinct SKU set, per FDC and week).

One query text runs on DuckDB in this process and as Spark SQL on a cluster, over the parquet tables that
`skulab erp export` writes (orders/ and order_line/, partitioned by fdc_id); only the expression that joins an
order's SKUs into its set differs between the two dialects. Both return the same table, so an order log too large
for pandas is reduced to its types where it lives. DuckDB runs the query once per FDC partition: its list
aggregates do not spill to disk (one query over the 100 M-line bench log was killed at 18 GB; per FDC it holds
under 200 MB). Spark's aggregation spills, so Spark runs the query whole.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from skulab.errors import DataError

# an order's distinct SKUs, sorted and joined by '|': the key of its type
SKU_SET = {"duckdb": "array_to_string(array_sort(array_agg(DISTINCT sku_id)), '|')",
           "spark": "array_join(array_sort(collect_set(sku_id)), '|')"}
COLUMNS = ["fdc_id", "week", "sku_set", "orders", "units"]

# the packaged query order_lines.sql on the exported tables: returned and zero-quantity lines left out
WINDOW_SQL = """
SELECT o.fdc_id, o.order_id, o.ts, o.customer_id, l.sku_id, l.qty
FROM orders o JOIN order_line l ON l.order_id = o.order_id AND l.fdc_id = o.fdc_id
WHERE o.ts >= TIMESTAMP '{start}' AND o.ts < TIMESTAMP '{end}' AND l.qty > 0
"""

# weeks start on Monday (date_trunc('week') on both engines, as order_types.week_start)
TYPES_SQL = """
WITH per_order AS (
  SELECT fdc_id, date_trunc('week', ts) AS week, order_id, {sku_set} AS sku_set, sum(qty) AS units
  FROM ({window}) w
  GROUP BY fdc_id, date_trunc('week', ts), order_id)
SELECT fdc_id, week, sku_set, count(*) AS orders, sum(units) AS units
FROM per_order
GROUP BY fdc_id, week, sku_set
"""


def window_sql(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """The order lines of [start, end): fdc_id, order_id, ts, customer_id, sku_id, qty (both dialects)."""
    return WINDOW_SQL.format(start=pd.Timestamp(start).isoformat(sep=" "), end=pd.Timestamp(end).isoformat(sep=" "))


def types_sql(dialect: str, start: pd.Timestamp, end: pd.Timestamp) -> str:
    """The v_j counts of [start, end) in `dialect` ('duckdb' or 'spark'): one row per FDC x week x SKU set."""
    if dialect not in SKU_SET:
        raise DataError(f"order types SQL: unknown dialect {dialect!r}; known: {', '.join(SKU_SET)}")
    return TYPES_SQL.format(sku_set=SKU_SET[dialect], window=window_sql(start, end))


def fdc_partitions(root: Path) -> list[str]:
    """The FDC ids of the exported order log under `root` (its orders/fdc_id=<id> folders), sorted."""
    folder = _folder(root, "orders")
    return sorted(d.name.split("=", 1)[1] for d in folder.iterdir() if d.is_dir() and d.name.startswith("fdc_id="))


def duckdb_connection(root: Path, fdc: str | None = None) -> Any:
    """An in-memory DuckDB with views `orders` and `order_line` over the exported parquet under `root` (one FDC's
    partition only when `fdc` is given)."""
    import duckdb

    con = duckdb.connect()
    files = "**/*.parquet" if fdc is None else f"fdc_id={fdc}/*.parquet"
    for table in ("orders", "order_line"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{_folder(root, table)}/{files}', "
                    "hive_partitioning = true, hive_types_autocast = false)")
    return con


def _duckdb_per_fdc(root: Path) -> Iterator[tuple[str, Any]]:
    """(fdc_id, a DuckDB over that FDC's partition) for each FDC of the exported log, each closed after use."""
    for fdc in fdc_partitions(root):
        with duckdb_connection(root, fdc) as con:
            yield fdc, con


def spark_views(session: Any, root: Path) -> Any:
    """Temporary views `orders` and `order_line` in a Spark session over the exported parquet under `root`."""
    session.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")  # fdc_id stays text
    for table in ("orders", "order_line"):
        session.read.parquet(str(_folder(root, table))).createOrReplaceTempView(table)
    return session


def order_type_counts(root: Path, start: pd.Timestamp, end: pd.Timestamp, runner: Any = None) -> pd.DataFrame:
    """The v_j counts of the exported order log under `root`, weeks [start, end), on DuckDB (runner None or
    "native") or a SparkSession: fdc_id, week, sku_set, orders, units, sorted by the first three."""
    if runner is None or isinstance(runner, str):
        parts = [con.execute(types_sql("duckdb", start, end)).df() for _, con in _duckdb_per_fdc(root)]
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    else:
        out = spark_views(runner, root).sql(types_sql("spark", start, end)).toPandas()
    return _canonical(out)


def write_order_type_counts(root: Path, start: pd.Timestamp, end: pd.Timestamp, out: Path,
                            runner: Any = None) -> Path:
    """The v_j counts of `order_type_counts` written as parquet under `out` (replaced) instead of collected: how a
    cluster reduces an order log whose types do not fit the driver (DuckDB writes one file per FDC, Spark one per
    task)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    out.mkdir(parents=True)
    if runner is None or isinstance(runner, str):
        for fdc, con in _duckdb_per_fdc(root):
            con.execute(f"COPY ({types_sql('duckdb', start, end)}) TO '{out / f'fdc-{fdc}.parquet'}' (FORMAT parquet)")
    else:
        spark_views(runner, root).sql(types_sql("spark", start, end)).write.mode("overwrite").parquet(str(out))
    return out


def window_lines(root: Path, start: pd.Timestamp, end: pd.Timestamp, runner: Any = None) -> pd.DataFrame:
    """The order lines of [start, end) from the exported order log (the rolling evaluation's input), on DuckDB or
    a SparkSession, sorted as the packaged query sorts them (ts, order_id, sku_id)."""
    if runner is None or isinstance(runner, str):
        with duckdb_connection(root) as con:
            out = con.execute(window_sql(start, end)).df()
    else:
        out = spark_views(runner, root).sql(window_sql(start, end)).toPandas()
    out["ts"] = pd.to_datetime(out["ts"]).astype("datetime64[ns]")
    out["qty"] = out["qty"].astype(float)
    for c in ("fdc_id", "order_id", "customer_id", "sku_id"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out.sort_values(["ts", "order_id", "sku_id"], kind="stable").reset_index(drop=True)


def _folder(root: Path, table: str) -> Path:
    folder = Path(root) / table
    if not folder.is_dir():
        raise DataError(f"{folder}: no exported {table} table here (write one with skulab erp export --to {root})")
    return folder


def _canonical(out: pd.DataFrame) -> pd.DataFrame:
    """One set of dtypes and one row order whichever engine ran the query."""
    out = out[COLUMNS].copy()
    out["fdc_id"] = out["fdc_id"].astype(str)
    out["sku_set"] = out["sku_set"].astype(str)
    out["week"] = pd.to_datetime(out["week"]).astype("datetime64[ns]")
    out["orders"] = out["orders"].astype("int64")
    out["units"] = out["units"].astype(float)
    return out.sort_values(["fdc_id", "week", "sku_set"], kind="stable").reset_index(drop=True)
