"""`skulab assort`, `skulab evaluate assortment` and `skulab bench assort`."""

from __future__ import annotations

import argparse
import time

from skulab.cli.options import Grammar, add_engine, add_run_id, int_list, load, positive_int


def add_commands(g: Grammar) -> None:
    """Register the assortment chapter's commands and its benchmark."""
    job = g.sub.add_parser("assort", parents=[g.profile, g.database], help="choose each FDC's assortment from the latest window and write it back")
    add_run_id(job)
    add_engine(job, "the FDCs' partitions")
    job.set_defaults(run=_assort)

    ev = g.evaluate.add_parser(
        "assortment", parents=[g.profile, g.database], help="rolling evaluation of the assortment methods: per-fold CSV and summary JSON")
    ev.add_argument("--max-folds", type=positive_int, help="test only the latest N weeks (overrides assort.max_folds)")
    ev.add_argument("--methods", help="comma-separated methods (overrides assort.methods), e.g. popularity,sku2vec")
    ev.add_argument("--windows", type=int_list, help="comma-separated training windows in weeks (overrides assort.windows)")
    ev.add_argument("--name", default="assortment", help="file prefix: <name>_folds.csv, <name>_summary.json")
    add_engine(ev, "the folds")
    ev.set_defaults(run=_evaluate)

    bench = g.bench.add_parser("assort", parents=[g.profile], help="scoring throughput; methods, MIP and bound at growing SKU counts")
    bench.add_argument("--sizes", type=int_list, default=[1000, 3000, 10000, 50000], help="SKU counts (orders = 10 x SKUs)")
    bench.add_argument("--scoring-orders", type=int, default=1_000_000, help="orders of the scoring benchmark")
    bench.add_argument("--mip-time-limit", type=float, default=60.0, help="seconds for each MIP")
    bench.add_argument("--baskets", default="small,large", help="instance families: small and/or large baskets")
    bench.add_argument("--large-sizes", type=int_list, default=[1000, 3000, 10000, 50000], help="SKU counts of the large-basket family")
    bench.set_defaults(run=_bench)


def _assort(args: argparse.Namespace) -> None:
    from skulab import assort, erp
    from skulab.runner import make_runner

    cfg = load(args)
    runner = make_runner(cfg.engine)  # before the ERP: a master that does not answer fails fast
    engine = erp.connect(cfg, args.db)
    t0 = time.perf_counter()
    result = assort.run(cfg, engine, runner=runner, run_id=args.run_id)
    rows = result.rows
    per_fdc = rows.groupby("fdc_id").agg(skus=("sku_id", "size"), k=("k", "first"), method=("method", "first"),
                                          window_start=("window_start", "first"))
    print(f"assortment run {result.run_id} written to {engine.url.render_as_string(hide_password=True)} "
          f"in {time.perf_counter() - t0:.1f} s ({len(rows):,} rows)")
    print(per_fdc.to_string())


def _evaluate(args: argparse.Namespace) -> None:
    from skulab import config, erp
    from skulab.assort import methods, rolling
    from skulab.runner import make_runner

    cfg = load(args)
    changes = {"max_folds": args.max_folds, "methods": args.methods and args.methods.split(","),
               "windows": args.windows}
    cfg = config.override(cfg, "assort", **{k: v for k, v in changes.items() if v})
    a = cfg.assort
    runner = make_runner(cfg.engine)  # before the ERP: a master that does not answer fails fast
    engine = erp.connect(cfg, args.db)
    skus = erp.read_sku_attributes(engine)
    fit_vectors = methods.vector_fitter(cfg, skus, a.methods)
    t0 = time.perf_counter()
    ev = rolling.evaluate(erp.read_order_lines(engine), a, skus, fit_vectors, progress=lambda msg: print(msg, flush=True),
                          runner=runner)
    csv, js = ev.write(cfg.reports_dir, args.name)
    print(f"rolling evaluation in {time.perf_counter() - t0:.0f} s: {csv} ({len(ev.folds):,} rows), {js}")
    shown = ev.summary[["window", "k_label", "method", "folds", "k_mean", "test_fill", "diff_vs_popularity",
                        "diff_lo", "diff_hi", "gap_closed", "seconds"]]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


def _bench(args: argparse.Namespace) -> None:
    import pandas as pd

    from skulab import bench, config
    from skulab.bench import assort as benchmark

    cfg = load(args)
    a = config.override(cfg, "assort", mip_time_limit=args.mip_time_limit).assort
    scoring = benchmark.scoring(args.scoring_orders)
    print(scoring.to_string(index=False))
    sizes = {"small": args.sizes, "large": args.large_sizes}
    def show(row: dict) -> None:
        print(f"{row['baskets']} baskets, {row['skus']:,} SKUs, K {row['k']:,}: {row['method']} {row['seconds']:.1f} s, "
              f"covers {row['covered']:.2%}" + (f" ({row['status']})" if isinstance(row.get("status"), str) else ""),
              flush=True)

    table = pd.concat([benchmark.methods_by_size(sizes[family], a, baskets=family,
                                                 on_row=show)
                       for family in args.baskets.split(",")], ignore_index=True)
    print(table.to_string(index=False))
    bench.write(scoring, "assort_scoring", cfg.root)
    print(f"wrote {bench.write(table, 'assort', cfg.root)}")
