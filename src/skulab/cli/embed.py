"""`skulab embed` (train and judge the profile's embeddings) and `skulab bench embed` (throughput, memory)."""

from __future__ import annotations

import argparse

from skulab.cli.options import Grammar, int_list, iso_date, load


def add_commands(g: Grammar) -> None:
    """Register `skulab embed` and `skulab bench embed`."""
    embed = g.sub.add_parser("embed", parents=[g.profile, g.database], help="train SKU2Vec and the gensim baselines on the profile's orders, "
                                         "judge them on the following week, write embeddings and metrics")
    embed.add_argument("--test-end", type=iso_date, help="Monday ending the test window (exclusive); default: after the "
                                          "last complete week")
    embed.set_defaults(run=_embed)

    b = g.bench.add_parser("embed", parents=[g.profile], help="SKU2Vec vs gensim: samples per second and peak memory at growing "
                                           "order counts (demo orders x10, about 1.6 M lines, by default)")
    b.add_argument("--sizes", type=int_list, default=list(_default_sizes()),
                   help="comma-separated order-line counts")
    b.add_argument("--threads", type=int_list, default=[1], help="comma-separated thread counts (torch, gensim workers)")
    b.add_argument("--epochs", type=int, default=2, help="epochs per timed run")
    b.add_argument("--repeats", type=int, default=1, help="timed runs per cell; the fastest counts")
    b.add_argument("--orders", choices=["demo", "profile"], default="demo",
                   help="demo: the demo chain with 10x its orders; profile: the profile's own ERP orders")
    b.add_argument("--negatives", type=int, help="override embed.negatives of the profile (0: full softmax)")
    b.set_defaults(run=_bench)


def _default_sizes() -> tuple[int, ...]:
    return (10_000, 100_000, 300_000, 1_000_000, 1_600_000)


def _embed(args: argparse.Namespace) -> None:
    from skulab import erp
    from skulab.embed import compare

    cfg = load(args)
    engine = erp.connect(cfg, args.db)
    lines, skus, truth = compare.load_inputs(engine)
    result = compare.run(lines, cfg.embed, skus, truth, args.test_end)
    path = compare.write(result, cfg.reports_dir)
    print(result.split.describe())
    print(result.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if result.looks is not None:
        print(result.looks.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"wrote {path} and {cfg.reports_dir / 'models' / 'embed'}/*.parquet")


def _bench(args: argparse.Namespace) -> None:
    from skulab import bench, config
    from skulab.bench import embed as benchmark
    from skulab.errors import ConfigError

    cfg = load(args)
    sizes, threads = args.sizes, args.threads
    if min(args.epochs, args.repeats) < 1 or (args.negatives or 0) < 0:
        raise ConfigError("--epochs and --repeats must be positive, --negatives >= 0")
    embed = cfg.embed if args.negatives is None else config.override(cfg, "embed", negatives=args.negatives).embed
    if args.orders == "demo":
        lines, skus = benchmark.demo_orders(cfg.data.seed)
        name = "embed"
    else:
        from skulab import erp
        from skulab.embed import compare

        lines, skus, _ = compare.load_inputs(erp.connect(cfg))
        name = f"embed_{cfg.profile}"
    if args.negatives is not None:
        name += f"_negatives{args.negatives}"
    frame = benchmark.throughput(lines, skus, embed, sizes, threads, args.epochs, args.repeats, verbose=True)
    path = bench.write(frame, name, cfg.root)
    print(frame.to_string(index=False))
    print(f"wrote {path} and {path.with_suffix('.md')}")
