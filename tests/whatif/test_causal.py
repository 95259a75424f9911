"""The promotion uplift read from the history: a planted uplift and price elasticity are recovered, a promotion that
always runs chain-wide on the same dates is flagged, not estimated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skulab.errors import DataError
from skulab.whatif import causal

UPLIFT, ELASTICITY, DEPTH = 1.4, 1.5, 0.2
FESTIVAL_UPLIFT = 1.8


def _sales(seed: int = 3, stores: int = 6, styles: int = 12, sizes: int = 3, days: int = 730,
           festival_dates_move: bool = False, stockouts: float = 0.01) -> pd.DataFrame:
    """Daily store x SKU sales with store x day shocks, a weekly season per style group, a style-scoped promotion
    ('flash', random styles and dates, a price cut of DEPTH) and a chain-wide one ('festival', every series, on
    June 1-7 each year, or on dates that move when `festival_dates_move`), multiplicative as in the demo."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=days, freq="D")
    store_day = rng.lognormal(0, 0.3, (stores, days)) * (1 + 0.3 * (dates.dayofweek >= 5))
    flash, kept = np.zeros((styles, days), bool), np.ones((styles, days))
    for s in range(styles):
        for start in rng.choice(days - 10, 8, replace=False):
            end = start + rng.integers(3, 8)
            flash[s, start:end] = True
            kept[s, start:end] = 1 - rng.choice([DEPTH - 0.1, DEPTH, DEPTH + 0.1])  # depths vary around DEPTH
        for start in rng.choice(days - 20, 2, replace=False):  # a price cut without a promotion
            kept[s, start:start + 14] = np.where(flash[s, start:start + 14], kept[s, start:start + 14], 0.85)
    if festival_dates_move:
        festival = np.zeros(days, bool)
        for year_start in (0, 365):
            start = year_start + int(rng.integers(100, 300))
            festival[start:start + 7] = True
    else:
        festival = (dates.month == 6) & (dates.day <= 7)
    rows = []
    for st in range(stores):
        for s in range(styles):
            level = rng.lognormal(0, 0.5)
            for z in range(sizes):
                share = rng.uniform(0.5, 1.5)
                price_kept = kept[s]
                mu = (2.0 * level * share * store_day[st] * np.where(flash[s], UPLIFT, 1.0) * price_kept ** -ELASTICITY
                      * np.where(festival, FESTIVAL_UPLIFT, 1.0))
                units = rng.poisson(mu * rng.gamma(2.0, 0.5, days))
                label = np.where(flash[s] & festival, "festival+flash",
                                 np.where(flash[s], "flash", np.where(festival, "festival", None)))
                rows.append(pd.DataFrame({
                    "date": dates, "store_id": f"S{st}", "sku_id": f"K{s}-{z}", "style_id": f"ST{s}",
                    "category": "Tops" if s % 2 else "Shoes", "units": units.astype(float),
                    "price": 100.0 * price_kept, "base_price": 100.0, "promo_type": label,
                    "stockout": rng.random(days) < stockouts}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return causal.estimate(causal.uplift_frame(_sales()))


def test_a_planted_uplift_and_elasticity_are_recovered_with_the_price_held_apart(table: pd.DataFrame) -> None:
    flash = table.set_index("name").loc["flash"]
    assert flash["identifiable"] and flash["own_lo"] <= UPLIFT <= flash["own_hi"]
    assert abs(flash["own"] - UPLIFT) / (UPLIFT - 1) < 0.15  # within 15 % of the uplift itself
    assert flash["discount"] == pytest.approx(DEPTH)
    at_depth = UPLIFT * (1 - DEPTH) ** -ELASTICITY  # the promotion with its price cut, at its median depth
    assert flash["lo"] <= at_depth <= flash["hi"] and abs(flash["estimate"] - at_depth) / (at_depth - 1) < 0.15
    elasticity = table[table["term"] == "elasticity"]
    assert (elasticity["lo"] <= ELASTICITY).all() and (elasticity["hi"] >= ELASTICITY).all()


def test_summing_a_styles_sizes_gives_the_sku_rows_own_estimate() -> None:
    """On a complete panel (no size out of stock) the pooled fit is the SKU rows' fit, also when one style's sizes
    are once promoted apart (that style keeps its rows); with sizes out of stock on some days it stays within a
    hair of it."""
    complete = causal.uplift_frame(_sales(stores=3, styles=6, days=400, stockouts=0.0))
    assert len(causal.pool(complete, ["promo_flash", "log_price_ratio"])) * 3 == len(complete)
    pooled, rows = causal.estimate(complete), causal.estimate(complete, pooled=False)
    for column in ("estimate", "lo", "hi", "own"):
        np.testing.assert_allclose(pooled[column], rows[column], rtol=1e-4)
    apart = _sales(stores=3, styles=6, days=400, stockouts=0.0)
    alone = (apart["sku_id"] == "K0-0") & (apart["date"].dt.day == 15) & apart["promo_type"].isna()
    apart.loc[alone, "promo_type"] = "flash"  # one size promoted without its style: that style keeps its SKU rows
    split = causal.uplift_frame(apart)
    summed = causal.pool(split, ["promo_flash", "log_price_ratio"])
    assert len(summed) == len(split) - 2 * (len(split) // 3 - len(split) // 18)  # 5 of 6 styles summed
    np.testing.assert_allclose(causal.estimate(split)["estimate"], causal.estimate(split, pooled=False)["estimate"],
                               rtol=1e-6)
    gaps = causal.uplift_frame(_sales(stores=3, styles=6, days=400, stockouts=0.05))
    summed = causal.pool(gaps, ["promo_flash", "log_price_ratio"])
    assert summed["units"].sum() == gaps["units"].sum() and len(summed) < len(gaps) / 2
    np.testing.assert_allclose(causal.estimate(gaps)["estimate"], causal.estimate(gaps, pooled=False)["estimate"],
                               rtol=0.02)


def test_a_chain_wide_promotion_on_the_same_dates_every_year_is_flagged_not_estimated(table: pd.DataFrame) -> None:
    festival = table.set_index("name").loc["festival"]
    assert not festival["identifiable"] and np.isnan(festival["estimate"])
    assert festival["why"] == "chain-wide on the same dates every year: inseparable from the calendar"


def test_a_chain_wide_promotion_on_moving_dates_is_flagged_for_what_it_is() -> None:
    table = causal.estimate(causal.uplift_frame(_sales(stores=3, styles=6, festival_dates_move=True)))
    festival = table.set_index("name").loc["festival"]
    assert not festival["identifiable"]
    assert festival["why"] == "chain-wide: no unpromoted series on its days to compare with"


def test_names_a_real_export_carries_reach_the_table_as_written() -> None:
    sales = _sales(stores=3, styles=6)
    sales["category"] = sales["category"].map({"Tops": "BAG SNACKS", "Shoes": "COLD-CEREAL (kg)"})
    sales["promo_type"] = sales["promo_type"].str.replace("flash", "20% off")
    table = causal.estimate(causal.uplift_frame(sales))
    assert table.set_index("name").loc["20% off", "identifiable"]
    assert set(table.loc[table["term"] == "elasticity", "category"]) == {"BAG SNACKS", "COLD-CEREAL (kg)"}
    assert table.loc[table["term"] == "elasticity", "estimate"].notna().all()


def test_sales_without_a_promotion_column_say_which_one_is_missing() -> None:
    with pytest.raises(DataError, match="lack column\\(s\\) promo_type"):
        causal.uplift_frame(_sales(stores=1, styles=1, days=30).drop(columns="promo_type"))
