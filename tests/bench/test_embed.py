"""The embedding benchmark: order lines cut at whole orders for each size it times."""

import pandas as pd

from skulab.bench import embed as benchmark


def test_bench_cuts_at_order_boundaries() -> None:
    lines = pd.DataFrame({"order_id": ["o1", "o1", "o2", "o3", "o3", "o3"], "sku_id": list("abcdef")})
    assert len(benchmark.first_lines(lines, 2)) == 2
    assert len(benchmark.first_lines(lines, 4)) == 6
    assert len(benchmark.first_lines(lines, 100)) == 6
