"""The synthetic demo chain: reproducible, valid, and with the structure its ground truth promises."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pandas as pd
import pytest

from skulab.data import demo
from skulab.data.schema import INPUT_TABLES, TABLES
from skulab.data.validate import validate
from skulab.errors import ConfigError

CI = {"scale": 0.05, "days": 182}


def _checksum(tables: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(name.encode())
        h.update(pd.util.hash_pandas_object(tables[name], index=False).to_numpy().tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def ci() -> dict[str, pd.DataFrame]:
    return demo.generate(seed=7, **CI).tables


@pytest.fixture(scope="module")
def sales(ci) -> pd.DataFrame:
    """fact_sales joined to its truth (every sales row has one)."""
    return ci["fact_sales"].merge(ci["truth_demand"], on=["date", "store_id", "sku_id"], validate="1:1")


def test_same_seed_same_tables_other_seed_differs(ci):
    assert _checksum(demo.generate(seed=7, **CI).tables) == _checksum(ci)
    assert _checksum(demo.generate(seed=8, **CI).tables) != _checksum(ci)


def test_every_table_is_filled_and_valid(ci):
    source = demo.generate(seed=7, scale=0.05, days=56)
    assert source.sales_freq == "D"
    assert sorted(ci) == sorted(INPUT_TABLES)
    for name, df in ci.items():
        assert len(df) > 0, name
        assert list(df.columns) == TABLES[name].column_names, name
    validate(ci)
    assert all(len(df) for df in source.tables.values())


def test_ci_size_is_small(ci):
    assert 2_000 <= len(ci["fact_sales"]) <= 40_000
    assert 500 <= len(ci["order_line"]) <= 10_000
    knobs = demo.Knobs.from_scale(1.0)
    assert (knobs.n_regions, knobs.n_stores) == (5, 20)
    assert demo.Knobs.from_scale(4.0).n_styles == 4 * knobs.n_styles


def test_catalogue_and_network(ci):
    sku = ci["dim_sku"]
    assert sku["sku_id"].str.fullmatch(r"ST\d{4}-[A-Z]{3}-\w+").all()
    assert (sku["sku_id"].str.slice(0, 6) == sku["style_id"]).all()
    assert set(sku.loc[sku["category"] == "Accessories", "size"]) == {"OS"}
    assert set(sku.loc[sku["category"] == "Shoes", "size"].astype(int)) <= set(range(36, 45))
    assert set(sku["season"]) <= {"SS", "AW", "ALL"}
    assert (sku.groupby("style_id")[["list_price", "launch_date", "category"]].nunique() == 1).all().all()
    assert np.allclose(sku["list_price"] % 10, 9.9)
    store, fdc = ci["dim_store"], ci["dim_fdc"]
    assert store.merge(fdc, on="fdc_id", suffixes=("", "_fdc")).eval("region == region_fdc").all()
    assert set(store["segment"]) <= {"mall", "street", "outlet"}


def test_stockouts_censor_sales(sales):
    out = sales[sales["stockout"]]
    assert len(out) > 0
    assert out["units"].mean() < 0.5 * out["expected_units"].mean()
    regular = sales[~sales["stockout"]]
    assert 0.85 < regular["units"].mean() / regular["expected_units"].mean() < 1.15


def test_etl_gaps_drop_whole_store_days(ci):
    keys = ["date", "store_id", "sku_id"]
    truth = ci["truth_demand"].merge(ci["fact_sales"][keys], on=keys, how="left", indicator=True)
    missing = truth["_merge"] == "left_only"
    assert missing.any()
    per_store_day = missing.groupby([truth["date"], truth["store_id"]]).agg(["any", "all"])
    assert (per_store_day["any"] == per_store_day["all"]).all()


def test_promotions_lift_units_and_set_prices(ci, sales):
    promo = ci["promotion"]
    assert set(promo["promo_type"]) == {"pct_off", "spend_save", "bundle", "clearance", "member_day",
                                        "festival"}
    assert promo["scope"].str.fullmatch(r"all|category:\w+|style:ST\d{4}|(region:\w+|store:S\d{3})(/category:\w+)?").all()
    on = sales["promo_type"].notna()
    assert (sales["discount"].notna() == on).all()
    assert np.allclose(sales["price"], (sales["base_price"] * (1 - sales["discount"].fillna(0))).round(2))
    by_sku = sales.groupby(["sku_id", on])["units"].mean().unstack().dropna()
    assert by_sku[True].mean() > 1.3 * by_sku[False].mean()
    assert (by_sku[True] > by_sku[False]).mean() > 0.6


def test_campaigns_of_a_region_or_a_store_reach_only_their_stores_and_category():
    tables = demo.generate(seed=7, scale=0.5, days=182).tables
    promo, stores = tables["promotion"], tables["dim_store"]
    sales = (tables["fact_sales"].merge(tables["dim_sku"][["sku_id", "category"]], on="sku_id")
             .merge(stores[["store_id", "region"]], on="store_id"))
    placed = promo[promo["scope"].str.contains(r"^(?:region|store):")]
    assert placed["promo_type"].value_counts().to_dict().keys() == {"spend_save", "pct_off"}
    assert placed["scope"].str.startswith("region:").any() and placed["scope"].str.startswith("store:").any()
    for p in placed.itertuples():
        place, _, item = p.scope.partition("/")
        kind, _, name = place.partition(":")
        days = sales["date"].between(p.start_date, p.end_date)
        inside = sales[kind if kind == "region" else "store_id"] == name
        if item:
            inside &= sales["category"] == item.removeprefix("category:")
        labels = sales["promo_type"].fillna("").str.split("+")
        has = labels.apply(lambda parts, k=p.promo_type: k in parts)
        assert has[days & inside].all(), p.scope
        assert (sales.loc[days & inside, "discount"] >= p.discount - 1e-9).all()
    same_days_elsewhere = sales["promo_type"].isna()
    assert same_days_elsewhere.any()


def test_baskets_follow_intents(ci):
    lines = ci["order_line"].merge(ci["truth_order"], on="order_id").merge(
        ci["truth_sku"], on="sku_id", suffixes=("", "_sku"))
    size = lines.groupby("order_id").size()
    assert (size <= 3).mean() > 0.8 and size.max() >= 5
    assert set(ci["truth_order"]["intent"]) == {"single", "outfit", "add_on", "size_run", "haul"}
    looked = lines[lines["intent"].isin(["outfit", "add_on"])]
    assert (looked["look_id"] == looked["look_id_sku"]).all()
    runs = lines[lines["intent"] == "size_run"]
    colour_of = runs["sku_id"].str.rsplit("-", n=1).str[0]  # ST0001-NAV
    assert (colour_of.groupby(runs["order_id"]).nunique() == 1).all()
    assert (ci["order_line"]["qty"] == 1).mean() > 0.9


def test_orders_spike_on_festivals_and_follow_customers(ci):
    orders = ci["orders"]
    per_day = orders["ts"].dt.normalize().value_counts()
    assert per_day[pd.Timestamp("2023-06-18")] > 3 * per_day.median()
    assert (orders.groupby("customer_id")["fdc_id"].nunique() == 1).all()
    assert orders["ts"].is_monotonic_increasing


def test_orders_scale_grows_order_lines_only():
    base = demo.generate(seed=7, scale=0.05, days=56).tables
    more = demo.generate(seed=7, scale=0.05, days=56, orders_scale=4).tables
    assert len(more["order_line"]) > 3 * len(base["order_line"])
    assert len(more["fact_sales"]) == len(base["fact_sales"]) and len(more["dim_sku"]) == len(base["dim_sku"])
    knobs = dataclasses.replace(demo.Knobs.from_scale(0.05), orders_per_day=20.0)
    assert len(demo.generate(seed=7, days=56, knobs=knobs).tables["orders"]) > 3 * len(base["orders"])


def test_bad_arguments_are_config_errors():
    with pytest.raises(ConfigError, match="scale"):
        demo.generate(scale=0)
    with pytest.raises(ConfigError, match="days"):
        demo.generate(scale=0.05, days=7)
