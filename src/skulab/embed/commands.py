"""`skulab embed` (train and judge the profile's embeddings) and `skulab bench embed` (throughput, memory)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction, bench_sub: argparse._SubParsersAction) -> None:
    """Register `skulab embed` and `skulab bench embed`."""
    embed = sub.add_parser("embed", help="train SKU2Vec and the gensim baselines on the profile's orders, "
                                         "judge them on the following week, write embeddings and metrics")
    embed.add_argument("--params", required=True, help="params profile, e.g. params/demo.yaml")
    embed.add_argument("--db", help="SQLAlchemy URL overriding SKULAB_DB_URL and the profile's erp.url")
    embed.add_argument("--test-end", help="Monday ending the test window (exclusive); default: after the "
                                          "last complete week")
    embed.set_defaults(run=_embed)

    b = bench_sub.add_parser("embed", help="SKU2Vec vs gensim: samples per second and peak memory at growing "
                                           "order counts (demo orders x10, about 1.6 M lines)")
    b.add_argument("--params", required=True, help="params profile whose embed section sets dim, negatives")
    b.add_argument("--sizes", default=",".join(str(s) for s in _default_sizes()),
                   help="comma-separated order-line counts")
    b.add_argument("--threads", default="1,2", help="comma-separated thread counts (torch, gensim workers)")
    b.add_argument("--epochs", type=int, default=2, help="epochs per timed run")
    b.set_defaults(run=_bench)


def _default_sizes() -> tuple[int, ...]:
    return (10_000, 100_000, 300_000, 1_000_000, 1_600_000)


def _embed(args: argparse.Namespace) -> None:
    from skulab import config, erp
    from skulab.embed import compare

    cfg = config.load(args.params)
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
    from skulab.embed import benchmark
    from skulab.errors import ConfigError

    cfg = config.load(args.params)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        raise ConfigError(f"--sizes and --threads take comma-separated integers, got '{args.sizes}' and "
                          f"'{args.threads}'") from None
    if args.epochs < 1 or min(sizes) < 1 or min(threads) < 1:
        raise ConfigError("--epochs, --sizes and --threads must be positive")
    lines, skus = benchmark.demo_orders(cfg.data.seed)
    frame = benchmark.throughput(lines, skus, cfg.embed, sizes, threads, args.epochs, verbose=True)
    path = bench.write(frame, "embed", cfg.root)
    print(frame.to_string(index=False))
    print(f"wrote {path} and {path.with_suffix('.md')}")
