"""`skulab assort`, `skulab evaluate assortment` and `skulab bench assort`."""

from __future__ import annotations

import argparse
import time


def add_commands(sub: argparse._SubParsersAction, bench_sub: argparse._SubParsersAction) -> None:
    """Register the assortment chapter's commands and its benchmark."""
    job = sub.add_parser("assort", help="choose each FDC's assortment from the latest window and write it back")
    job.add_argument("--params", required=True, help="params profile, e.g. params/demo.yaml")
    job.add_argument("--db", help="SQLAlchemy URL overriding SKULAB_DB_URL and the profile's erp.url")
    job.add_argument("--run-id", help="run id to write (re-running an id replaces that run); default: a new id")
    job.set_defaults(run=_assort)

    ev = _evaluate_parsers(sub).add_parser(
        "assortment", help="rolling evaluation of the assortment methods: per-fold CSV and summary JSON")
    ev.add_argument("--params", required=True, help="params profile, e.g. params/demo.yaml")
    ev.add_argument("--db", help="SQLAlchemy URL overriding SKULAB_DB_URL and the profile's erp.url")
    ev.add_argument("--max-folds", type=int, help="test only the latest N weeks (overrides assort.max_folds)")
    ev.add_argument("--methods", help="comma-separated methods (overrides assort.methods), e.g. popularity,sku2vec")
    ev.add_argument("--windows", help="comma-separated training windows in weeks (overrides assort.windows)")
    ev.add_argument("--name", default="assortment", help="file prefix: <name>_folds.csv, <name>_summary.json")
    ev.set_defaults(run=_evaluate)

    bench = bench_sub.add_parser("assort", help="scoring throughput; methods, MIP and bound at growing SKU counts")
    bench.add_argument("--params", default="params/demo.yaml", help="profile whose assort section sets the knobs")
    bench.add_argument("--sizes", default="1000,3000,10000,50000", help="SKU counts (orders = 10 x SKUs)")
    bench.add_argument("--scoring-orders", type=int, default=1_000_000, help="orders of the scoring benchmark")
    bench.add_argument("--mip-time-limit", type=float, default=60.0, help="seconds for each MIP")
    bench.add_argument("--baskets", default="small,large", help="instance families: small and/or large baskets")
    bench.add_argument("--large-sizes", default="1000,3000,10000,50000", help="SKU counts of the large-basket family")
    bench.set_defaults(run=_bench)


def _evaluate_parsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-commands of `skulab evaluate`, shared with other chapters (created by whoever comes first)."""
    parent = sub.choices.get("evaluate")
    if parent is None:
        parent = sub.add_parser("evaluate", help="rolling evaluations: tables go to reports/<profile>/")
        return parent.add_subparsers(dest="evaluate_command", required=True)
    return next(a for a in parent._actions if isinstance(a, argparse._SubParsersAction))


def _assort(args: argparse.Namespace) -> None:
    from skulab import config, erp
    from skulab.assort import job

    cfg = config.load(args.params)
    engine = erp.connect(cfg, args.db)
    t0 = time.perf_counter()
    run_id, rows = job.run(engine, cfg, args.run_id)
    per_fdc = rows.groupby("fdc_id").agg(skus=("sku_id", "size"), k=("k", "first"), method=("method", "first"),
                                          window_start=("window_start", "first"))
    print(f"assortment run {run_id} written to {engine.url.render_as_string(hide_password=True)} "
          f"in {time.perf_counter() - t0:.1f} s ({len(rows):,} rows)")
    print(per_fdc.to_string())


def _evaluate(args: argparse.Namespace) -> None:
    from skulab import config, erp
    from skulab.assort import methods, rolling
    from skulab.assort.order_types import read_order_skus

    cfg = config.load(args.params)
    changes = {"max_folds": args.max_folds, "methods": args.methods and args.methods.split(","),
               "windows": args.windows and [int(w) for w in args.windows.split(",")]}
    cfg = config.parse({**cfg.model_dump(), "assort": {**cfg.assort.model_dump(),
                                                       **{k: v for k, v in changes.items() if v}}},
                       root=cfg.root, source_file=cfg.source_file)
    a = cfg.assort
    engine = erp.connect(cfg, args.db)
    skus = erp.read_sql(engine, "sku_attributes")
    fit_vectors = methods.vector_fitter(cfg, skus) if "sku2vec" in a.methods else None
    t0 = time.perf_counter()
    ev = rolling.evaluate(read_order_skus(engine), a, skus, fit_vectors, progress=lambda msg: print(msg, flush=True))
    csv, js = ev.write(cfg.reports_dir, args.name)
    print(f"rolling evaluation in {time.perf_counter() - t0:.0f} s: {csv} ({len(ev.folds):,} rows), {js}")
    shown = ev.summary[["window", "k_label", "method", "folds", "k_mean", "test_fill", "diff_vs_popularity",
                        "diff_lo", "diff_hi", "gap_closed", "seconds"]]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


def _bench(args: argparse.Namespace) -> None:
    import pandas as pd

    from skulab import bench, config
    from skulab.assort import benchmark

    cfg = config.load(args.params)
    a = cfg.assort.model_copy(update={"mip_time_limit": args.mip_time_limit})
    scoring = benchmark.scoring(args.scoring_orders)
    print(scoring.to_string(index=False))
    sizes = {"small": args.sizes, "large": args.large_sizes}
    def show(row: dict) -> None:
        print(f"{row['baskets']} baskets, {row['skus']:,} SKUs, K {row['k']:,}: {row['method']} {row['seconds']:.1f} s, "
              f"covers {row['covered']:.2%}" + (f" ({row['status']})" if isinstance(row.get("status"), str) else ""),
              flush=True)

    table = pd.concat([benchmark.methods_by_size([int(n) for n in sizes[family].split(",")], a, baskets=family,
                                                 on_row=show)
                       for family in args.baskets.split(",")], ignore_index=True)
    print(table.to_string(index=False))
    bench.write(scoring, "assort_scoring", cfg.root)
    print(f"wrote {bench.write(table, 'assort', cfg.root)}")
