"""`skulab erp export`: the ERP's input tables as partitioned parquet that read back to the same rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from skulab import erp
from skulab.data.schema import TABLES
from skulab.erp.export import export


def _two_fdcs(tables: dict) -> dict:
    """The small ERP with a second FDC that serves one more order."""
    return tables | {
        "dim_fdc": pd.concat([tables["dim_fdc"], pd.DataFrame({"fdc_id": ["F/2"], "name": ["West"], "region": ["West"]})],
                             ignore_index=True),
        "orders": pd.concat([tables["orders"], pd.DataFrame({"order_id": ["o4"], "customer_id": ["c3"],
                                                             "fdc_id": ["F/2"], "ts": [pd.Timestamp("2024-01-04 10:00")]})],
                            ignore_index=True),
        "order_line": pd.concat([tables["order_line"], pd.DataFrame({"order_id": ["o4", "o4"], "sku_id": ["A-S", "B"],
                                                                     "qty": [1.0, 3.0], "price": [99.0, 29.9]})],
                                ignore_index=True),
    }


def _canonical(df: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    df = df.assign(**{c: df[c].astype(str) for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    return df.sort_values(list(key)).reset_index(drop=True)


def test_export_reads_back_to_the_erp_rows_partitioned(engine: sa.Engine, small_tables: dict, tmp_path: Path) -> None:
    erp.replace_tables(engine, _two_fdcs(small_tables))
    summary = export(engine, tmp_path / "lake").set_index("table")
    assert sorted(p.name for p in (tmp_path / "lake" / "order_line").iterdir()) == ["fdc_id=F%2F2", "fdc_id=F1"]
    assert sorted(p.name for p in (tmp_path / "lake" / "fact_sales").iterdir()) == ["store_id=S1", "store_id=S2"]
    assert summary.loc["order_line", "partitions"] == 2 and summary.loc["order_line", "rows"] == 6
    for name, table in TABLES.items():
        if table.group != "erp":
            continue
        stored = erp.read_query(engine, f"SELECT * FROM {name}")
        back = pd.read_parquet(tmp_path / "lake" / name)
        if name == "order_line":  # each line carries its order's FDC, the partition
            fdc = erp.read_query(engine, "SELECT order_id, fdc_id FROM orders")
            stored = stored.merge(fdc, on="order_id")
        key = table.key or tuple(stored.columns)
        pd.testing.assert_frame_equal(_canonical(back[list(stored.columns)], key), _canonical(stored, key),
                                      check_dtype=False)
    export(engine, tmp_path / "lake")  # a second export replaces the first
    assert len(pd.read_parquet(tmp_path / "lake" / "order_line")) == 6
