"""Order types by SQL on DuckDB over the exported parquet: the same window lines and v_j counts as pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from skulab import config, erp
from skulab.assort import order_types_sql
from skulab.assort.order_types import from_lines, week_start
from skulab.erp.export import export
from skulab.errors import DataError

ROOT = Path(__file__).resolve().parents[2]


def pandas_counts(lines: pd.DataFrame) -> pd.DataFrame:
    """The v_j table built the pandas way (order_types.from_lines per FDC and week), for comparison."""
    rows = []
    for (fdc, week), part in lines.assign(week=week_start(lines["ts"])).groupby(["fdc_id", "week"]):
        types = from_lines(part)
        sets = ["|".join(sorted(types.sku_ids[types.matrix[i].indices])) for i in range(types.n_types)]
        rows.append(pd.DataFrame({"fdc_id": fdc, "week": week, "sku_set": sets, "orders": types.weights.astype("int64"),
                                  "units": types.units.sum(axis=1).A1}))
    return (pd.concat(rows).astype({"week": "datetime64[ns]"})
            .sort_values(["fdc_id", "week", "sku_set"], kind="stable").reset_index(drop=True))


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, sa.Engine]:
    """The ci profile's ERP exported as partitioned parquet."""
    cfg = config.load(ROOT / "params" / "ci.yaml")
    db, _ = erp.build(cfg, f"duckdb:///{tmp_path_factory.mktemp('erp')}/ci.duckdb")
    out = tmp_path_factory.mktemp("lake")
    export(db, out)
    return out, db


def test_duckdb_window_lines_are_the_packaged_query_on_the_erp(lake: tuple[Path, sa.Engine]) -> None:
    root, db = lake
    lines = erp.read_order_lines(db)
    start, end = lines["ts"].min().normalize() + pd.Timedelta(days=10), lines["ts"].max().normalize()
    got = order_types_sql.window_lines(root, start, end)
    want = lines[(lines["ts"] >= start) & (lines["ts"] < end)].drop(columns="price", errors="ignore")
    want = want.assign(**{c: want[c].astype(object) for c in ("fdc_id", "order_id", "customer_id", "sku_id")})
    assert 0 < len(got) < len(lines)
    pd.testing.assert_frame_equal(got, want[got.columns].sort_values(["ts", "order_id", "sku_id"], kind="stable")
                                  .reset_index(drop=True), check_dtype=False)


def test_duckdb_order_type_counts_equal_the_pandas_order_types(lake: tuple[Path, sa.Engine]) -> None:
    root, db = lake
    lines = erp.read_order_lines(db)
    start = week_start(lines["ts"]).min()
    end = start + pd.Timedelta(weeks=6)
    counts = order_types_sql.order_type_counts(root, start, end)
    want = pandas_counts(lines[(lines["ts"] >= start) & (lines["ts"] < end)])
    assert counts["week"].nunique() == 6 and counts["fdc_id"].nunique() == lines["fdc_id"].nunique()
    assert (counts["orders"] > 1).any()  # some SKU sets repeat: types merge orders
    pd.testing.assert_frame_equal(counts, want, check_exact=False, rtol=1e-9)


def test_a_folder_without_an_export_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no exported orders table here \(write one with skulab erp export"):
        order_types_sql.order_type_counts(tmp_path, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"))
