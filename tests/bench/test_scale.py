"""The scale benchmark's order log: demo FDCs tiled under new ids, in the export's layout, cut at the size asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from skulab import config
from skulab.assort import order_types_sql
from skulab.bench import scale

ROOT = Path(__file__).resolve().parents[2]


def test_the_order_log_tiles_demo_fdcs_until_it_holds_the_lines_asked_for(tmp_path: Path) -> None:
    cfg = config.load(ROOT / "params" / "ci.yaml")
    log = scale.order_log(cfg, 40_000, tmp_path, orders_scale=0.1)
    facts = json.loads((log / "manifest.json").read_text())
    lines = pd.read_parquet(log / "order_line")
    orders = pd.read_parquet(log / "orders")
    assert facts["lines"] == len(lines) >= 40_000
    assert facts["fdcs"] == lines["fdc_id"].nunique() > 5  # more FDCs than one demo chain has
    assert orders["order_id"].is_unique and set(lines["order_id"]) == set(orders["order_id"])
    # every tile of an FDC holds the same orders under new ids
    per_fdc = lines.groupby("fdc_id", observed=True).size()
    assert per_fdc["FDC01T000"] == per_fdc["FDC01T001"]
    written = (log / "manifest.json").stat().st_mtime_ns
    assert scale.order_log(cfg, 40_000, tmp_path, orders_scale=0.1) == log
    assert (log / "manifest.json").stat().st_mtime_ns == written  # reused, not rewritten
    counts = order_types_sql.order_type_counts(log, pd.Timestamp(facts["start"]).normalize(),
                                               pd.Timestamp(facts["end"]) + pd.Timedelta(days=1))
    assert counts["orders"].sum() == len(orders)


def test_an_unknown_part_or_engine_is_one_line(skulab_cli: Callable) -> None:
    out = skulab_cli("bench", "scale", "--params", "params/ci.yaml", "--parts", "orders,rolings", "--engines", "local")
    assert out.returncode == 2 and "unknown part(s) or engine(s) rolings; parts: orders, rolling, backtest" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
