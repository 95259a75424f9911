"""Write the demo chain into a database under a foreign ERP schema, to try the sql source without your own ERP.

    python examples/sql_source/make_source.py URL [--params params/ci.yaml]

URL is any SQLAlchemy URL (duckdb:///data/foreign_erp.duckdb, mysql+pymysql://root@127.0.0.1/shop_erp,
postgresql+psycopg://postgres@127.0.0.1/shop_erp; the database must exist on a server). The tables it creates
(and replaces) are an apparel ERP's own: `articles`, `depots`, `shops`, `promo_codes`, `campaigns`,
`daily_sales`, `web_orders`, `web_order_lines`, with integer article and shop numbers, percentages, a
promotion code per sale and a 'Y'/'N' sold-out flag. The queries beside this script map them to skulab's tables.
"""

from __future__ import annotations

import argparse

import pandas as pd
import sqlalchemy as sa

from skulab import config
from skulab.data import demo
from skulab.erp.connect import make_engine

meta = sa.MetaData()
ARTICLES = sa.Table(
    "articles", meta,
    sa.Column("article_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("model_code", sa.String(20), nullable=False), sa.Column("descr", sa.String(120)),
    sa.Column("product_group", sa.String(40)), sa.Column("colour", sa.String(30)),
    sa.Column("size_label", sa.String(10)), sa.Column("season_code", sa.String(4)),
    sa.Column("first_sale", sa.Date), sa.Column("retail_price", sa.Numeric(10, 2)))
DEPOTS = sa.Table(
    "depots", meta, sa.Column("depot_code", sa.String(10), primary_key=True),
    sa.Column("depot_name", sa.String(60)), sa.Column("area", sa.String(40)))
SHOPS = sa.Table(
    "shops", meta, sa.Column("shop_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("shop_name", sa.String(60)), sa.Column("area", sa.String(40)), sa.Column("town", sa.String(40)),
    sa.Column("depot_code", sa.String(10)), sa.Column("shop_format", sa.String(20)), sa.Column("sqm", sa.Integer))
PROMO_CODES = sa.Table(
    "promo_codes", meta, sa.Column("promo_code", sa.String(12), primary_key=True),
    sa.Column("mechanic", sa.String(60), nullable=False))
CAMPAIGNS = sa.Table(
    "campaigns", meta, sa.Column("campaign_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("mechanic", sa.String(40)), sa.Column("valid_from", sa.Date), sa.Column("valid_to", sa.Date),
    sa.Column("pct_off", sa.Numeric(5, 2)), sa.Column("applies_to", sa.String(80)))
DAILY_SALES = sa.Table(
    "daily_sales", meta, sa.Column("sale_date", sa.Date, primary_key=True),
    sa.Column("shop_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("article_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("qty", sa.Numeric(12, 3), nullable=False), sa.Column("unit_price", sa.Numeric(10, 2)),
    sa.Column("promo_code", sa.String(12)), sa.Column("sold_out", sa.String(1)))
WEB_ORDERS = sa.Table(
    "web_orders", meta, sa.Column("order_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("placed_at", sa.DateTime, nullable=False), sa.Column("customer_no", sa.Integer),
    sa.Column("depot_code", sa.String(10), nullable=False))
WEATHER_DAILY = sa.Table(
    "weather_daily", meta, sa.Column("area", sa.String(40), primary_key=True),
    sa.Column("obs_date", sa.Date, primary_key=True), sa.Column("temp_anomaly", sa.Numeric(4, 1)))
SHOP_EVENTS = sa.Table(
    "shop_events", meta, sa.Column("shop_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("event_date", sa.Date, primary_key=True))
WEB_ORDER_LINES = sa.Table(
    "web_order_lines", meta, sa.Column("order_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("article_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("qty", sa.Integer), sa.Column("price", sa.Numeric(10, 2)))


def foreign_tables(tables: dict[str, pd.DataFrame]) -> dict[sa.Table, pd.DataFrame]:
    """The canonical demo tables under the foreign schema's names, numbering and conventions."""
    sku, store, sales = tables["dim_sku"], tables["dim_store"], tables["fact_sales"]
    article = {s: 10001 + i for i, s in enumerate(sku["sku_id"])}
    shop = {s: 101 + i for i, s in enumerate(store["store_id"])}
    order = {o: 5_000_001 + i for i, o in enumerate(tables["orders"]["order_id"])}
    customer = tables["orders"]["customer_id"].str.removeprefix("C").astype("Int64")
    kinds = sorted(sales["promo_type"].dropna().unique())
    code = {k: f"PC{i + 1:03d}" for i, k in enumerate(kinds)}
    promo = tables["promotion"]
    cov = tables["covariate"]
    weather = cov[cov["name"] == "temperature_anomaly"]
    events = cov[(cov["name"] == "local_event") & (cov["value"] == 1)]
    return {
        ARTICLES: pd.DataFrame({
            "article_no": sku["sku_id"].map(article), "model_code": sku["style_id"], "descr": sku["name"],
            "product_group": sku["category"], "colour": sku["color"], "size_label": sku["size"],
            "season_code": sku["season"], "first_sale": sku["launch_date"].dt.date, "retail_price": sku["list_price"]}),
        DEPOTS: tables["dim_fdc"].rename(columns={"fdc_id": "depot_code", "name": "depot_name", "region": "area"}),
        SHOPS: pd.DataFrame({
            "shop_no": store["store_id"].map(shop), "shop_name": store["name"], "area": store["region"],
            "town": store["city"], "depot_code": store["fdc_id"], "shop_format": store["segment"],
            "sqm": store["area_sqm"].round().astype("Int64")}),
        PROMO_CODES: pd.DataFrame({"promo_code": list(code.values()), "mechanic": list(code)}),
        CAMPAIGNS: pd.DataFrame({
            "campaign_no": range(1, len(promo) + 1), "mechanic": promo["promo_type"],
            "valid_from": promo["start_date"].dt.date, "valid_to": promo["end_date"].dt.date,
            "pct_off": (promo["discount"] * 100).round(2), "applies_to": promo["scope"]}),
        DAILY_SALES: pd.DataFrame({
            "sale_date": sales["date"].dt.date, "shop_no": sales["store_id"].map(shop),
            "article_no": sales["sku_id"].map(article), "qty": sales["units"], "unit_price": sales["price"],
            "promo_code": sales["promo_type"].map(code),
            # stock-outs were not recorded in the first four weeks: NULL, as in an ERP that added the flag later
            "sold_out": sales["stockout"].map({True: "Y", False: "N"}).where(
                sales["date"] >= sales["date"].min() + pd.Timedelta(days=28))}),
        WEATHER_DAILY: pd.DataFrame({"area": weather["scope"].str.removeprefix("region:"),
                                     "obs_date": weather["date"].dt.date, "temp_anomaly": weather["value"]}),
        SHOP_EVENTS: pd.DataFrame({"shop_no": events["scope"].str.removeprefix("store:").map(shop),
                                   "event_date": events["date"].dt.date}),
        WEB_ORDERS: pd.DataFrame({
            "order_no": tables["orders"]["order_id"].map(order), "placed_at": tables["orders"]["ts"],
            "customer_no": customer, "depot_code": tables["orders"]["fdc_id"]}),
        WEB_ORDER_LINES: pd.DataFrame({
            "order_no": tables["order_line"]["order_id"].map(order),
            "article_no": tables["order_line"]["sku_id"].map(article),
            "qty": tables["order_line"]["qty"].round().astype("Int64"), "price": tables["order_line"]["price"]}),
    }


def write(url: str, params: str = "params/ci.yaml") -> dict[str, int]:
    """Replace the foreign schema's tables in `url` with the demo chain of profile `params`; rows per table."""
    d = config.load(params).data
    source = demo.generate(seed=d.seed, scale=d.scale, start=str(d.start), days=d.days, orders_scale=d.orders_scale)
    engine = make_engine(url)
    try:
        meta.drop_all(engine)
        meta.create_all(engine)
        with engine.begin() as conn:
            for table, df in foreign_tables(source.tables).items():
                rows = df.astype(object).where(df.notna(), None).to_dict("records")
                conn.execute(table.insert(), rows)
    finally:
        engine.dispose()
    return {t.name: len(df) for t, df in foreign_tables(source.tables).items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the database to write the foreign ERP into")
    parser.add_argument("--params", default="params/ci.yaml", help="demo profile whose chain is written")
    args = parser.parse_args()
    for name, n in write(args.url, args.params).items():
        print(f"{name:16} {n:>8,} rows")
