"""Synthetic order lines at any scale, for benchmarks and tests: popular SKUs, shopping intents, small baskets.

SKU popularity follows a Zipf law; SKUs are grouped into intents of about `intent_size` SKUs (an outfit,
a recipe); an order picks an intent by its total popularity, draws Geometric(`p_more`) SKUs from it by
popularity (repeats merge), and with probability `p_stray` one more SKU from anywhere. With the defaults
an order holds 1.8 SKUs on average and 55 % of orders hold one SKU, close to the demo chain (1.8, 53 %);
`p_more=0.05, intent_size=60` gives baskets of 8 SKUs on average, nearer Online Retail's large ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skulab.assort.windows import Window, window, with_weeks


def order_lines(n_skus: int, n_orders: int, seed: int = 7, zipf: float = 1.0, intent_size: int = 10,
                p_more: float = 0.3, p_stray: float = 0.1, weeks: int = 2, start: str = "2024-01-01",
                fdc_id: str = "F1") -> pd.DataFrame:
    """Canonical order lines (fdc_id, order_id, ts, customer_id, sku_id, qty): `n_orders` orders over
    `n_skus` SKUs, spread uniformly over `weeks` weeks from Monday `start`, all served by one FDC."""
    rng = np.random.default_rng(seed)
    pop = 1.0 / np.arange(1, n_skus + 1) ** zipf
    pop = pop[rng.permutation(n_skus)]
    intent = rng.permutation(n_skus) // intent_size
    n_intents = int(intent.max()) + 1
    weight = np.bincount(intent, weights=pop, minlength=n_intents)
    chosen = rng.choice(n_intents, size=n_orders, p=weight / weight.sum())
    sizes = np.minimum(rng.geometric(p_more, size=n_orders), intent_size)
    # draw each order's SKUs within its intent by popularity (repeats merge, so a few orders come out smaller)
    by_intent = np.argsort(intent, kind="stable")
    share = pop[by_intent] / weight[intent[by_intent]]
    ladder = intent[by_intent] + _within(share, intent[by_intent])
    order_of = np.repeat(np.arange(n_orders), sizes)
    draws = np.searchsorted(ladder, chosen[order_of] + rng.random(len(order_of)) * (1 - 1e-12))
    orders, skus = [order_of], [by_intent[np.minimum(draws, n_skus - 1)]]
    stray = np.flatnonzero(rng.random(n_orders) < p_stray)
    orders.append(stray)
    skus.append(rng.choice(n_skus, size=len(stray), p=pop / pop.sum()))
    lines = pd.DataFrame({"order_id": np.concatenate(orders), "sku": np.concatenate(skus)}).drop_duplicates()
    ts = pd.Timestamp(start) + pd.to_timedelta(rng.random(n_orders) * weeks * 7, unit="D")
    return pd.DataFrame({"fdc_id": fdc_id, "order_id": "O" + lines["order_id"].astype(str).str.zfill(8),
                         "ts": ts[lines["order_id"].to_numpy()], "customer_id": None,
                         "sku_id": "S" + lines["sku"].astype(str).str.zfill(6), "qty": 1.0}).reset_index(drop=True)


def baskets(week: str, orders: list[list[str]], prefix: str, fdc_id: str = "F1") -> pd.DataFrame:
    """Canonical order lines of hand-written baskets, all on Monday `week`: order ids `<prefix>0000`, ..."""
    rows = [(f"{prefix}{n:04d}", sku) for n, basket in enumerate(orders) for sku in basket]
    return pd.DataFrame({"fdc_id": fdc_id, "order_id": [r[0] for r in rows], "ts": pd.Timestamp(week),
                         "customer_id": None, "sku_id": [r[1] for r in rows], "qty": 1.0})


def whole_window(lines: pd.DataFrame, fdc_id: str = "F1") -> Window:
    """The training window of one FDC spanning every week of `lines`."""
    lines = with_weeks(lines)
    return window(lines, fdc_id, lines["week"].min(), lines["week"].max() + pd.Timedelta(weeks=1))


def _within(share: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Cumulative shares restarting at each group (groups are contiguous and sorted)."""
    total = np.cumsum(share)
    start = np.flatnonzero(np.diff(group, prepend=-1))
    offset = np.concatenate([[0.0], total])[start]
    return total - np.repeat(offset, np.diff(np.append(start, len(group))))
