"""`skulab bench assort`: scoring throughput, and the time of every method, the exact MIP and the bound as SKUs grow.

Instances are synthetic (skulab.assort.synthetic): n SKUs and 10 n orders over two weeks, Zipf popularity,
shopping intents; "small" baskets hold 1.8 SKUs on average (like the demo and JD's FDCs), "large" ones about
8 (intents of 60 SKUs, nearer Online Retail's wholesale baskets). K is the 70 % rule's (popularity fills 70 %
of the orders). Each method's covered weight is reported with its certified gap to the best bound.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from skulab.assort import bound, methods, synthetic
from skulab.assort.heuristics import covered_weight
from skulab.assort.metrics import coverage, stocked_mask
from skulab.assort.order_types import from_lines
from skulab.assort.rolling import resolve_k
from skulab.assort.windows import window, with_weeks
from skulab.bench import measure
from skulab.config import AssortConfig
from skulab.registry import ASSORT_METHODS

# SKU2Vec needs real orders to embed; guarded and learned re-run the benchmarked methods on past weeks of a window
# (their cost is theirs times the candidates or labelled weeks), which a synthetic instance does not have; the
# forecast-driven methods fit AutoGluon on the window's daily SKU counts (their cost is the forecast's)
BENCH_METHODS = tuple(m for m in ASSORT_METHODS if m not in ("sku2vec", "guarded", "learned", "forecast_topk",
                                                                   "net_forecast", "hybrid_forecast"))
BASKETS = {"small": {}, "large": {"p_more": 0.05, "intent_size": 60}}


def scoring(n_orders: int = 1_000_000, n_skus: int = 50_000, seed: int = 7) -> pd.DataFrame:
    """Time to build order types from lines, and to score one assortment (fill, split, missed, units) over them."""
    lines = synthetic.order_lines(n_skus, n_orders, seed)
    types, build_s, build_mb = measure(from_lines, lines)
    stocked = stocked_mask(types, types.sku_ids[np.argsort(-types.popularity)[: n_skus // 10]])
    _, score_s, _ = measure(coverage, types, stocked)
    return pd.DataFrame([{"orders": n_orders, "skus": n_skus, "order_types": types.n_types,
                          "build_seconds": build_s, "build_mb": build_mb, "score_seconds": score_s,
                          "orders_per_second": n_orders / max(score_s, 1e-9)}])


def methods_by_size(sizes: list[int], cfg: AssortConfig, names: tuple[str, ...] = BENCH_METHODS,
                    seed: int = 7, baskets: str = "small", on_row: Callable[[dict], None] | None = None
                    ) -> pd.DataFrame:
    """Per size: each method's seconds, peak memory, covered share and certified gap; the bound's seconds.

    The certified gap is measured to the tightest bound at hand (min cut, or the MIP's dual bound when lower);
    on the bound's own row it says how far the min-cut bound lies above that. `on_row` sees each row as it is
    measured (progress on a long run).
    """
    rows = []
    for n in sizes:
        lines = with_weeks(synthetic.order_lines(n, 10 * n, seed, **BASKETS[baskets]))
        win = window(lines, "F1", lines["week"].min(), lines["week"].max() + pd.Timedelta(weeks=1))
        types = win.types
        k = resolve_k(types, [cfg.rule_label], cfg.rule_fill)[0]
        b, b_s, b_mb = measure(bound.lagrangian_bound, types, k)
        base = {"baskets": baskets, "skus": n, "orders": int(types.total), "order_types": types.n_types,
                "skus_per_order": lines.groupby("order_id").size().mean(), "k": k}
        rows.append(base | {"method": "bound (min cut)", "seconds": b_s, "peak_mb": b_mb, "covered": b.value / types.total,
                            "status": f"{b.cuts} cuts" + (", attained" if b.exact else "")})
        if on_row is not None:
            on_row(rows[-1])
        best = b.value
        for name in names:
            res, s, mb = measure(methods.run, name, [win], [[k]], cfg)
            a = res[0][0].assortment
            covered = covered_weight(types, a.top(k))
            extra = {}
            if name == "mip":
                extra = {"status": a.info["status"], "mip_gap": a.info["gap"]}
                best = min(best, a.info["dual_bound"])
            rows.append(base | {"method": name, "seconds": s, "peak_mb": mb, "covered": covered / types.total} | extra)
            if on_row is not None:
                on_row(rows[-1])
        for row in rows[-(len(names) + 1):]:  # gaps to the tightest bound: min cut, or the MIP's dual bound
            row["best_bound"] = best / types.total
            row["certified_gap"] = abs(best / types.total - row["covered"]) / (best / types.total)
    return pd.DataFrame(rows)

