"""`skulab bench scale`: how the partitioned jobs grow with data, on this process and on Spark.

Three measurements, one table (reports/benchmarks/scale.md): order-type aggregation by SQL over an order log of
growing size (DuckDB vs Spark, lines/s), the rolling assortment evaluation by number of FDCs (FDC-folds/s), and the
forecasting backtest by number of series (series/min). The order logs are the demo generator's online orders
(`orders_scale` times the default volume) written as the partitioned parquet `skulab erp export` writes, tiled
over more FDCs until they hold the lines asked for: each tile is a genuine demo FDC's two years under a new FDC id.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skulab.bench import measure
from skulab.config import Config, override
from skulab.erp.export import write_parquet
from skulab.errors import ConfigError

ORDERS_SCALE = 10.0  # demo online volume x 10: about 1.6 M lines a tile (5 FDCs over two years)
ROLLING_LINES = 10_000_000  # the log the rolling evaluation reads its FDCs from
# the hindsight MIP is left out here: its cost per instance is `skulab bench assort`'s
ROLLING = {"methods": ["popularity", "order_greedy", "reverse_exclude", "net"], "windows": [2], "max_folds": 4,
           "k": [200], "hindsight": False}
Row = dict[str, Any]


def order_log(cfg: Config, lines: int, root: Path, orders_scale: float = ORDERS_SCALE) -> Path:
    """An order log of at least `lines` lines under root/<lines>/ (orders/ and order_line/, partitioned by fdc_id),
    written once and reused while its manifest matches (seed, lines, orders_scale)."""
    out = root / f"{lines}"
    manifest = {"lines": lines, "seed": cfg.data.seed, "orders_scale": orders_scale}
    done = out / "manifest.json"
    if done.exists() and json.loads(done.read_text()).get("request") == manifest:
        return out
    from skulab.data import demo

    t = demo.generate(seed=cfg.data.seed, orders_scale=orders_scale).tables
    if out.exists():
        shutil.rmtree(out)
    orders, order_line = t["orders"], t["order_line"]
    order_line = order_line.merge(orders[["order_id", "fdc_id"]], on="order_id")
    fdcs = sorted(orders["fdc_id"].unique())
    tiles = math.ceil(lines / len(order_line))
    written, ids = 0, []
    for tile in range(tiles):
        for fdc in fdcs:
            if written >= lines:  # the last tile stops at the FDC that reaches the size
                break
            suffix = f"T{tile:03d}"
            o = orders[orders["fdc_id"] == fdc].drop(columns="fdc_id")
            o = o.assign(order_id=o["order_id"] + suffix)
            ol = order_line[order_line["fdc_id"] == fdc].drop(columns="fdc_id")
            ol = ol.assign(order_id=ol["order_id"] + suffix)
            for table, frame in (("orders", o), ("order_line", ol)):
                folder = out / table / f"fdc_id={fdc}{suffix}"
                folder.mkdir(parents=True, exist_ok=True)
                write_parquet(frame, folder / "part-0.parquet")
            written += len(ol)
            ids.append(f"{fdc}{suffix}")
    done.write_text(json.dumps({"request": manifest, "lines": written, "fdcs": len(ids),
                                "start": str(orders["ts"].min()), "end": str(orders["ts"].max())}))
    return out


def order_types(cfg: Config, sizes: list[int], runners: dict[str, Any], root: Path,
                on_row: Callable[[Row], None]) -> None:
    """Order-type aggregation (v_j per FDC x week x SKU set) over the whole log of each size, on each runner,
    written as parquet; the runners' outputs are checked to agree (rows, orders, units)."""
    from skulab.assort import order_types_sql as sql

    for size in sizes:
        log = order_log(cfg, size, root / "orders_scale")
        facts = json.loads((log / "manifest.json").read_text())
        start, end = pd.Timestamp(facts["start"]).normalize(), pd.Timestamp(facts["end"]).normalize() + pd.Timedelta(days=1)
        totals = {}
        for name, runner in runners.items():
            out = root / "orders_scale_types" / f"{size}_{name}"
            _, seconds, peak = measure(sql.write_order_type_counts, log, start, end, out, runner)
            totals[name] = _totals(out)
            on_row({"part": "order types", "size": facts["lines"], "unit": "lines", "engine": _label(name, runner),
                    "seconds": round(seconds, 1), "rate": round(facts["lines"] / seconds), "rate_unit": "lines/s",
                    "peak_mb": round(peak), "detail": f"{totals[name][0]:,} types of {totals[name][1]:,} orders, "
                                                      f"{facts['fdcs']} FDCs"})
        if len(set(totals.values())) > 1:
            raise RuntimeError(f"order types of {size:,} lines differ between runners: {totals}")


def rolling(cfg: Config, fdcs: list[int], runners: dict[str, Any], root: Path, on_row: Callable[[Row], None]) -> None:
    """The rolling assortment evaluation (the ROLLING settings) on the first N FDCs of the ROLLING_LINES log, their
    lines read by the SQL window extraction, on each runner."""
    from skulab.assort import order_types_sql as sql
    from skulab.assort import rolling as evaluation

    log = order_log(cfg, ROLLING_LINES, root / "orders_scale")
    facts = json.loads((log / "manifest.json").read_text())
    end = pd.Timestamp(facts["end"]).normalize() + pd.Timedelta(days=1)
    weeks = max(ROLLING["windows"]) + ROLLING["max_folds"] + 1
    lines = sql.window_lines(log, end - pd.Timedelta(weeks=weeks), end)
    names = sorted(lines["fdc_id"].unique())
    if max(fdcs) > len(names):
        raise ConfigError(f"bench scale: --fdcs {max(fdcs)} but the {ROLLING_LINES:,}-line log has {len(names)} FDCs")
    a = override(cfg.assort, **ROLLING)
    for runner in runners.values():  # imports, the JVM's first jobs and torch's set-up are not timed
        evaluation.evaluate(lines[lines["fdc_id"] == names[0]], a, runner=runner)
    for n in fdcs:
        part = lines[lines["fdc_id"].isin(names[:n])]
        for name, runner in runners.items():
            ev, seconds, peak = measure(evaluation.evaluate, part, a, None, None, None, runner)
            cells = ev.folds[["fdc_id", "test_week", "window"]].drop_duplicates()
            on_row({"part": "rolling assortment", "size": n, "unit": "FDCs", "engine": _label(name, runner),
                    "seconds": round(seconds, 1), "rate": round(len(cells) / seconds, 2), "rate_unit": "FDC-folds/s",
                    "peak_mb": round(peak), "detail": f"{len(part):,} lines, {len(cells)} FDC x week x window, "
                                                      f"methods {', '.join(a.methods)}, K {a.k[0]}"})


def backtest(cfg: Config, sizes: list[int], models: list[str], partition_by: str, runners: dict[str, Any],
             on_row: Callable[[Row], None]) -> None:
    """The forecasting backtest (one window, `models`, partitioned by `partition_by`) on demo series of growing
    number, on each runner."""
    from skulab.bench.forecast import demo_sales
    from skulab.forecast import partitioned
    from skulab.forecast.features import build_panel

    sales, calendar = demo_sales(cfg, max(sizes))
    ids = (sales["store_id"].astype(str) + "|" + sales["sku_id"].astype(str)).to_numpy()
    alive = np.sort(pd.unique(ids[sales["date"] > sales["date"].max() - pd.Timedelta(days=2 * cfg.forecast.horizon)]))
    rng = np.random.default_rng(cfg.forecast.seed)
    fc = override(cfg.forecast, max_series=None, ensemble=False, models=models, windows=1, partition_by=partition_by)
    warm = build_panel(sales[np.isin(ids, alive[:20])], calendar, fc)
    for runner in runners.values():  # imports and first-call set-up are not timed
        partitioned.run(warm, fc, runner)
    for n in sizes:
        chosen = rng.choice(alive, min(n, len(alive)), replace=False)
        panel = build_panel(sales[np.isin(ids, chosen)], calendar, fc)
        for name, runner in runners.items():
            bt, seconds, peak = measure(partitioned.run, panel, fc, runner)
            series = panel.frame["item_id"].nunique()
            on_row({"part": "backtest", "size": series, "unit": "series", "engine": _label(name, runner),
                    "seconds": round(seconds, 1), "rate": round(series / seconds * 60), "rate_unit": "series/min",
                    "peak_mb": round(peak), "detail": f"{len(panel.frame):,} rows, {bt.runs['partition'].nunique()} "
                                                      f"partitions by {partition_by}, {', '.join(models)}"})


def _label(name: str, runner: Any) -> str:
    """'local' (DuckDB for the SQL), or 'spark <master>'."""
    return "local" if name == "local" else f"spark {runner.sparkContext.master}"


def _totals(out: Path) -> tuple[int, int, float]:
    """Rows, orders and units of an order-type table written as parquet (to check two runners agree)."""
    import duckdb

    with duckdb.connect() as con:
        rows, orders, units = con.execute(f"SELECT count(*), sum(orders), sum(units) FROM "
                                          f"read_parquet('{out}/**/*.parquet')").fetchone()
    return int(rows), int(orders), round(float(units), 3)
