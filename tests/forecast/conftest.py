"""Fixtures of the forecasting tests: a small daily panel with promotions."""

import numpy as np
import pandas as pd
import pytest

from skulab.data.calendar import build_calendar


@pytest.fixture
def small_panel_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six daily series of 70 days with weekly rhythm and promotions, and one series of 10 days."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    rows = []
    for k in range(6):
        promo = rng.random(len(days)) < 0.15
        units = rng.poisson(3 + 2 * (days.weekday >= 5) + 4 * promo)
        rows += [(d, "S1", f"K{k}", float(u), 8.0 if p else 10.0, "pct_off" if p else None, False)
                 for d, u, p in zip(days, units, promo)]
    rows += [(d, "S1", "NEW", 2.0, 10.0, None, False) for d in days[-10:]]
    sales = pd.DataFrame(rows, columns=["date", "store_id", "sku_id", "units", "price", "promo_type", "stockout"])
    sales = sales.assign(base_price=10.0, discount=np.where(sales["promo_type"].notna(), 0.2, np.nan),
                         category="Tops", list_price=10.0)
    return sales, build_calendar(days[0], days[-1] + pd.Timedelta(days=30), "cn")
