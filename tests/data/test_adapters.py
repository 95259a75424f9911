"""Real-data adapters (online_retail, frat) and the bring-your-own-files format.

Real-data tests read the shared data (fixture `shared_data`: $SKULAB_SHARED_DATA or ../shared/data) and
skip when it is absent; everything else runs on small tables built in tmp_path.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skulab.data import SourceData, files, frat, online_retail
from skulab.data.schema import TABLES
from skulab.data.validate import Cleaning
from skulab.errors import DataError

ROOT = Path(__file__).resolve().parents[2]


def _steps(data: SourceData) -> dict[str, int]:
    return {rule: n for _, rule, n in data.cleaning.steps}


# --------------------------------------------------------------------------------------------------
# online_retail


@pytest.fixture(scope="module")
def retail_dir(shared_data: Path) -> Path:
    path = shared_data / "online_retail"
    if not (path / online_retail.FILE_NAME).is_file():
        pytest.skip(f"{path / online_retail.FILE_NAME} not found")
    return path


@pytest.fixture(scope="module")
def retail(retail_dir: Path) -> SourceData:
    return online_retail.load(retail_dir)


@pytest.mark.slow
def test_online_retail_counts_after_invalid_lines_match_source_md(retail_dir: Path) -> None:
    raw = online_retail.read_raw(retail_dir)
    assert len(raw) == 541_909
    cleaning = Cleaning()
    lines = online_retail.drop_invalid(raw, cleaning)
    assert (len(lines), lines["InvoiceNo"].nunique(), lines["StockCode"].nunique()) == (530_104, 19_960, 3_922)
    assert [n for _, _, n in cleaning.steps] == [9_288, 1_336, 1_181]
    non_product = online_retail.is_non_product(lines["StockCode"])
    assert int(non_product.sum()) == 2_346
    assert lines.loc[non_product, "StockCode"].nunique() == 15
    assert not lines.loc[~non_product, "StockCode"].str.upper().isin(online_retail.NON_PRODUCT_CODES).any()
    assert lines.loc[~non_product, "StockCode"].str.startswith("DCGS").any()  # real products, kept


@pytest.mark.slow
def test_online_retail_cleaning_report_lists_every_rule_with_its_count(retail: SourceData) -> None:
    steps = _steps(retail)
    expected = {
        "cancellation": 9_288, "Quantity <= 0": 1_336, "UnitPrice <= 0": 1_181, "unparsable InvoiceDate": 0,
        "non-product StockCode": 2_346, "upper-cased": 1_942, "ts = earliest": 42, "aggregated": 10_471,
    }
    for fragment, n in expected.items():
        match = [count for rule, count in steps.items() if fragment in rule]
        assert match == [n], (fragment, steps)
    frame = retail.cleaning.frame()
    assert list(frame.columns) == ["table", "rule", "rows"] and len(frame) == len(expected)


@pytest.mark.slow
def test_online_retail_tables(retail: SourceData) -> None:
    t = retail.tables
    assert retail.sales_freq == "D"
    sizes = {name: len(df) for name, df in t.items()}
    assert sizes == {"dim_sku": 3_798, "dim_fdc": 1, "dim_store": 1, "dim_calendar": 374, "promotion": 0,
                     "fact_sales": 274_482, "orders": 19_773, "order_line": 517_287}
    # 530,104 lines - 2,346 non-product lines - 10,471 merged duplicates
    assert 530_104 - 2_346 - 10_471 == len(t["order_line"])
    assert t["order_line"]["sku_id"].nunique() == len(t["dim_sku"])
    assert set(t["orders"]["fdc_id"]) == {"UK"} and set(t["fact_sales"]["store_id"]) == {"online"}
    # daily sales are the order lines summed by day
    assert t["fact_sales"]["units"].sum() == pytest.approx(t["order_line"]["qty"].sum())
    revenue = (t["order_line"]["qty"] * t["order_line"]["price"]).sum()
    assert (t["fact_sales"]["units"] * t["fact_sales"]["price"]).sum() == pytest.approx(revenue)
    assert t["fact_sales"]["promo_type"].isna().all() and t["fact_sales"]["stockout"].isna().all()
    sku = t["dim_sku"].set_index("sku_id")
    assert sku.loc["85123A", "name"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert (sku.index == sku["style_id"]).all()
    cal = t["dim_calendar"]
    assert cal["date"].min() == pd.Timestamp("2010-12-01") and cal["date"].max() == pd.Timestamp("2011-12-09")
    assert "Christmas" in set(cal["holiday"].dropna()) and "Boxing Day" in set(cal["holiday"].dropna())


def _raw_retail(**changes) -> pd.DataFrame:
    rows = [
        # InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID
        ("1001", "85123A", "HEART HOLDER", 2, "2011-01-03 10:00", 2.5, 17850.0),
        ("1001", "85123a", "HEART HOLDER", 4, "2011-01-03 10:00", 1.0, 17850.0),  # merged, qty-weighted
        ("1001", "POST", "POSTAGE", 1, "2011-01-03 10:00", 18.0, 17850.0),
        ("1002", "22423", "CAKESTAND", 1, "2011-01-03 11:00", 12.75, np.nan),
        ("1002", "gift_0001_10", "VOUCHER", 1, "2011-01-03 11:01", 8.33, np.nan),
        ("C1003", "22423", "CAKESTAND", -1, "2011-01-04 09:00", 12.75, 13047.0),
        ("1004", "22423", "damaged", -5, "2011-01-04 09:30", 0.0, np.nan),
        ("1005", "22423", "?", 3, "2011-01-04 09:40", 0.0, np.nan),
        ("A1006", "B", "Adjust bad debt", 1, "2011-01-04 09:50", -11062.06, np.nan),
        ("1007", "22423", "CAKESTAND", 2, "not a date", 12.75, 13047.0),
        ("1008", "22423", "CAKESTAND", 2, "2011-01-04 12:00", 10.0, 13047.0),
    ]
    df = pd.DataFrame(rows, columns=online_retail.RAW_COLUMNS[:-1]).assign(Country="United Kingdom")
    return df.assign(**changes)


def test_online_retail_rules_on_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "online_retail.parquet"
    _raw_retail().to_parquet(path)
    data = online_retail.load(path)
    steps = [(rule.split(" ")[0], n) for _, rule, n in data.cleaning.steps]
    assert steps == [("cancellation", 1), ("Quantity", 1), ("UnitPrice", 2), ("unparsable", 1),
                     ("non-product", 2), ("StockCode", 1), ("invoice", 0), ("duplicate", 1)]
    lines = data.tables["order_line"].set_index(["order_id", "sku_id"])
    assert lines.loc[("1001", "85123A"), "qty"] == 6
    assert lines.loc[("1001", "85123A"), "price"] == pytest.approx((2 * 2.5 + 4 * 1.0) / 6)
    orders = data.tables["orders"].set_index("order_id")
    assert orders.loc["1001", "customer_id"] == "17850" and pd.isna(orders.loc["1002", "customer_id"])
    assert orders.loc["1002", "ts"] == pd.Timestamp("2011-01-03 11:00")
    sales = data.tables["fact_sales"].set_index(["date", "sku_id"])
    assert sales.loc[(pd.Timestamp("2011-01-03"), "22423"), "units"] == 1
    assert sales.loc[(pd.Timestamp("2011-01-04"), "22423"), "price"] == 10.0
    assert sales.loc[(pd.Timestamp("2011-01-04"), "22423"), "base_price"] == pytest.approx(11.375)  # median


def test_online_retail_missing_file_or_column_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="online_retail.parquet: file not found"):
        online_retail.load(tmp_path)
    _raw_retail().drop(columns="UnitPrice").to_parquet(tmp_path / "online_retail.parquet")
    with pytest.raises(DataError, match=r"online_retail.parquet: missing column\(s\) UnitPrice"):
        online_retail.load(tmp_path)


# --------------------------------------------------------------------------------------------------
# frat


@pytest.fixture(scope="module")
def frat_data(shared_data: Path) -> SourceData:
    path = shared_data / "breakfast_at_the_frat"
    if not (path / "transactions.parquet").is_file():
        pytest.skip(f"{path / 'transactions.parquet'} not found")
    return frat.load(path)


@pytest.mark.slow
def test_frat_loads_3909_weekly_series(frat_data: SourceData) -> None:
    t = frat_data.tables
    sales = t["fact_sales"]
    assert frat_data.sales_freq == "W-THU"
    assert {name: len(df) for name, df in t.items()} == {
        "dim_sku": 58, "dim_fdc": 9, "dim_store": 77, "dim_calendar": 1_092, "promotion": 0, "fact_sales": 524_950}
    assert sales.groupby(["store_id", "sku_id"]).ngroups == 3_909
    assert sales["sku_id"].nunique() == 55 and sales["date"].nunique() == 156
    assert (sales["date"].dt.weekday == 3).all()  # Thursdays: the week ends on a Wednesday
    assert sales["date"].min() == pd.Timestamp("2009-01-08") and sales["date"].max() == pd.Timestamp("2011-12-29")
    assert t["dim_calendar"]["date"].max() == pd.Timestamp("2012-01-04")  # the last week's Wednesday
    weeks = pd.date_range(sales["date"].min(), sales["date"].max(), freq=frat_data.sales_freq)
    assert len(weeks) == 156 and set(sales["date"]) == set(weeks)


@pytest.mark.slow
def test_frat_promotions_prices_and_dimensions(frat_data: SourceData) -> None:
    t = frat_data.tables
    sales = t["fact_sales"]
    counts = sales["promo_type"].value_counts(dropna=False).to_dict()
    assert set(counts) == {pd.NA, "feature", "display", "feature+display", "tpr"}
    assert counts["tpr"] == 70_734 and counts["feature"] + counts["feature+display"] == 44_251
    promo = sales["promo_type"].notna()
    assert sales.loc[~promo, "discount"].isna().all()
    both = promo & sales["price"].notna() & sales["base_price"].notna()
    expected = 1 - sales.loc[both, "price"] / sales.loc[both, "base_price"]
    assert np.allclose(sales.loc[both, "discount"], expected)
    assert sales["price"].isna().sum() == 24 and sales["base_price"].isna().sum() == 185
    assert (sales["units"] == 0).sum() == 5 and sales["stockout"].isna().all()
    steps = _steps(frat_data)
    assert steps["units missing or negative"] == 0 and steps["duplicate (week, store_id, upc_id) rows"] == 0
    assert steps["price <= 0 set to missing"] == 1 and steps["units == 0 kept as observed zero sales"] == 5
    sku = t["dim_sku"].set_index("sku_id")
    assert sku.loc["1600027564", "style_id"] == "1600027528"  # GM CHEERIOS 12 OZ and 18 OZ: one style
    assert set(t["dim_sku"]["category"]) == {"BAG SNACKS", "COLD CEREAL", "FROZEN PIZZA", "ORAL HYGIENE PRODUCTS"}
    store = t["dim_store"].set_index("store_id")
    assert store.loc["389", "area_sqm"] == pytest.approx(46_073 * 0.09290304)
    assert store.loc["389", "fdc_id"] == "17140" and set(store["segment"]) == {"VALUE", "MAINSTREAM", "UPSCALE", "MAINSTREAM_UPSCALE"}


def _small_frat(directory: Path) -> Path:
    directory.mkdir()
    tx = pd.DataFrame({
        "week_end_date": pd.to_datetime(["2009-01-14", "2009-01-21", "2009-01-21", "2009-01-14", "2009-01-21"]),
        "store_id": ["1", "1", "1", "2", "2"], "upc_id": ["10", "10", "10", "10", "10"],
        "units": [3.0, 4.0, 4.0, -1.0, 2.0], "price": [1.0, 0.8, 0.8, 1.0, 0.0],
        "base_price": [1.0, 1.0, 1.0, 1.0, np.nan], "feature": [0.0, 1.0, 1.0, 0.0, 0.0],
        "display": [0.0, 1.0, 1.0, 0.0, 0.0], "tpr_only": [0.0, 0.0, 0.0, 0.0, 1.0],
    })
    tx.to_parquet(directory / "transactions.parquet")
    pd.DataFrame({"upc_id": ["10"], "description": ["PRETZELS"], "manufacturer": ["M"], "category": ["BAG SNACKS"],
                  "sub_category": ["PRETZELS"], "product_size": ["16 OZ"]}).to_csv(directory / "products.csv", index=False)
    pd.DataFrame({"store_id": ["1", "2"], "store_name": ["A", "B"], "address_city_name": ["X", "Y"],
                  "address_state_prov_code": ["OH", "OH"], "msa_code": ["17140.0", "17140.0"],
                  "seg_value_name": ["VALUE", "UPSCALE"], "sales_area_size_num": ["1000", ""]}
                 ).to_csv(directory / "stores.csv", index=False)
    return directory


def test_frat_rules_on_a_small_directory(tmp_path: Path) -> None:
    data = frat.load(_small_frat(tmp_path / "frat"))
    steps = _steps(data)
    assert steps["units missing or negative"] == 1 and steps["duplicate (week, store_id, upc_id) rows"] == 1
    assert steps["price <= 0 set to missing"] == 1
    sales = data.tables["fact_sales"]
    assert list(sales["promo_type"].fillna("-")) == ["-", "feature+display", "tpr"]
    assert sales["discount"].iloc[1] == pytest.approx(0.2) and pd.isna(sales["discount"].iloc[2])
    assert list(data.tables["dim_fdc"]["fdc_id"]) == ["17140"]


def test_frat_missing_files_are_listed_together(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        frat.load(tmp_path)
    assert all(f"{name}: file not found" in str(err.value) for name in frat.FILES)


# --------------------------------------------------------------------------------------------------
# bring your own files


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert set(a) == set(b)
    for name, frame in a.items():
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), b[name].reset_index(drop=True),
                                      check_dtype=True, obj=name)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_files_round_trip(small_tables: dict, tmp_path: Path, fmt: str) -> None:
    written = files.write(small_tables, tmp_path, fmt)
    assert sorted(p.name for p in written) == sorted(f"{name}.{fmt}" for name in small_tables)
    data = files.load(tmp_path)
    _assert_same(small_tables, data.tables)
    assert data.sales_freq == "D" and data.cleaning.steps == []


def test_files_orders_only_keep_ids_as_text(small_tables: dict, tmp_path: Path) -> None:
    sku = small_tables["dim_sku"].assign(sku_id=["007", "0070", "B"])
    lines = small_tables["order_line"].assign(sku_id=["007", "B", "0070", "B"])
    files.write({"dim_sku": sku, "dim_fdc": small_tables["dim_fdc"], "orders": small_tables["orders"],
                 "order_line": lines}, tmp_path)
    (tmp_path / "promotion.csv").write_text(",".join(TABLES["promotion"].column_names) + "\n")  # header only
    data = files.load(tmp_path)
    assert list(data.tables["order_line"]["sku_id"]) == ["007", "B", "0070", "B"]
    assert len(data.tables["promotion"]) == 0 and "fact_sales" not in data.tables
    cal = data.tables["dim_calendar"]
    assert (cal["date"].min(), cal["date"].max()) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-03"))


@pytest.mark.slow
def test_files_round_trip_real_data(frat_data: SourceData, tmp_path: Path) -> None:
    files.write(frat_data, tmp_path, "parquet")
    back = files.load(tmp_path)
    _assert_same(frat_data.tables, back.tables)
    assert back.sales_freq == frat_data.sales_freq


def test_files_build_the_calendar_when_absent(small_tables: dict, tmp_path: Path) -> None:
    files.write({k: v for k, v in small_tables.items() if k != "dim_calendar"}, tmp_path)
    cal = files.load(tmp_path, locale="uk").tables["dim_calendar"]
    assert list(cal.columns) == TABLES["dim_calendar"].column_names
    assert (cal["date"].min(), cal["date"].max()) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-03"))
    assert cal.loc[cal["date"] == "2024-01-01", "holiday"].item() == "New Year"


def test_files_infer_weekly_frequency(small_tables: dict, tmp_path: Path) -> None:
    sales = small_tables["fact_sales"].copy()
    sales["date"] = pd.to_datetime(["2024-01-04", "2024-01-11", "2024-01-25", "2024-01-04", "2024-01-11"])
    files.write({"dim_sku": small_tables["dim_sku"], "dim_store": small_tables["dim_store"],
                 "dim_fdc": small_tables["dim_fdc"], "fact_sales": sales}, tmp_path)
    data = files.load(tmp_path)
    assert data.sales_freq == "W-THU"
    assert data.tables["dim_calendar"]["date"].max() == pd.Timestamp("2024-01-31")  # last week's Wednesday
    assert files.load(tmp_path, sales_freq="D").sales_freq == "D"
    with pytest.raises(DataError, match=r"fact_sales.csv \(fact_sales\): sales_freq W-MON needs every date on a "
                                        r"Mon; 5 date\(s\) are not, e.g. row 1 \(2024-01-04\)"):
        files.load(tmp_path, sales_freq="W-MON")


def _edit(directory: Path, table: str, edit) -> Path:
    """Rewrite <table>.csv after `edit(frame of text)`; return its path."""
    f = directory / f"{table}.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df = edit(df)
    df.to_csv(f, index=False)
    return f


def _set(row: int, col: str, value: str):
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[row, col] = value
        return df
    return edit


BAD_INPUTS = {
    "unparsable date": ("fact_sales", _set(1, "date", "2024-02-30"),
                        r"1 unparsable date value\(s\) in date at row 2 \(e.g. '2024-02-30'\)"),
    "negative qty": ("order_line", _set(2, "qty", "-1"), r"1 qty value\(s\) not positive at row 3 \(e.g. -1\)"),
    "duplicate key": ("fact_sales", _set(1, "date", "2024-01-01"),
                      (r"1 duplicate key\(s\) on \(date, store_id, sku_id\) at row 2 "
                       r"\(e.g. date=2024-01-01 00:00:00, store_id=S1, sku_id=A-S\)")),
    "unknown sku": ("order_line", _set(3, "sku_id", "ZZ"),
                    r"1 row\(s\) with sku_id not in dim_sku \(1 distinct, e.g. 'ZZ'\) at row 4"),
    "missing column": ("fact_sales", lambda df: df.drop(columns="units"), r"missing column\(s\) units \(has: date, "),
    "missing required value": ("orders", _set(0, "fdc_id", ""),
                               r"1 missing value\(s\) in required column fdc_id at row 1"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_files_bad_input_names_file_problem_and_row(small_tables: dict, tmp_path: Path, case: str) -> None:
    table, edit, problem = BAD_INPUTS[case]
    files.write(small_tables, tmp_path)
    f = _edit(tmp_path, table, edit)
    with pytest.raises(DataError) as err:
        files.load(tmp_path)
    assert re.search(re.escape(f"{f} ({table}): ") + problem, str(err.value)), str(err.value)


def test_files_every_problem_in_one_message(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    for table, edit, _ in BAD_INPUTS.values():
        if table != "fact_sales":
            _edit(tmp_path, table, edit)
    _edit(tmp_path, "fact_sales", _set(1, "date", "2024-02-30"))
    (tmp_path / "order_lines.csv").write_text("order_id,sku_id,qty\n")
    with pytest.raises(DataError) as err:
        files.load(tmp_path)
    msg = str(err.value)
    for needle in ("unparsable date", "qty value(s) not positive", "sku_id not in dim_sku",
                   "required column fdc_id", "did you mean order_line?"):
        assert needle in msg, (needle, msg)


def test_files_unknown_table_file_gets_a_suggestion(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    (tmp_path / "order_line.csv").rename(tmp_path / "order_lines.csv")
    (tmp_path / "README.md").write_text("ignored")
    with pytest.raises(DataError) as err:
        files.load(tmp_path)
    msg = str(err.value)
    assert f"{tmp_path / 'order_lines.csv'}: unknown table 'order_lines'; did you mean order_line?" in msg
    assert "README" not in msg


def test_files_unknown_column_gets_a_suggestion(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    f = _edit(tmp_path, "fact_sales", lambda df: df.rename(columns={"price": "prcie"}))
    with pytest.raises(DataError, match=re.escape(f"{f}: unknown column 'prcie' in fact_sales; did you mean price?")):
        files.load(tmp_path)


def test_files_malformed_csv_names_the_file(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    f = tmp_path / "dim_fdc.csv"
    f.write_text("fdc_id,name,region\nF1,East FDC,East,extra,fields\nF2,West\n")
    g = tmp_path / "dim_store.csv"
    g.write_bytes("store_id,region\nS1,\xe9ast\n".encode("latin-1"))
    with pytest.raises(DataError) as err:
        files.load(tmp_path)
    msg = str(err.value)
    assert f"{f}: malformed CSV, the header has 3 fields but line 2 has 5, line 3 has 2" in msg
    assert f"{g}: not UTF-8 text" in msg
    f.unlink()
    (tmp_path / "dim_fdc.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataError, match=re.escape(f"{tmp_path / 'dim_fdc.parquet'}: cannot read as parquet (")):
        files.load(tmp_path)


def test_files_required_and_referenced_tables(small_tables: dict, tmp_path: Path) -> None:
    files.write({"fact_sales": small_tables["fact_sales"], "orders": small_tables["orders"]}, tmp_path)
    with pytest.raises(DataError) as err:
        files.load(tmp_path)
    msg = str(err.value)
    assert "dim_sku.csv or dim_sku.parquet is required" in msg
    assert f"{tmp_path / 'fact_sales.csv'}: column store_id refers to dim_store, but {tmp_path} has no " in msg
    assert f"{tmp_path / 'orders.csv'}: column fdc_id refers to dim_fdc" in msg


def test_files_table_given_twice_and_output_tables(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    files.write({"orders": small_tables["orders"]}, tmp_path, "parquet")
    (tmp_path / "sales_forecast.csv").write_text("run_id\n")
    with pytest.raises(DataError) as err:
        files.load(tmp_path)
    msg = str(err.value)
    assert "table orders is given twice (orders.csv, orders.parquet)" in msg
    assert "sales_forecast is an output table" in msg


def test_files_calendar_must_cover_the_data(small_tables: dict, tmp_path: Path) -> None:
    cal = small_tables["dim_calendar"]
    files.write(small_tables | {"dim_calendar": cal[cal["date"] != "2024-01-02"]}, tmp_path)
    with pytest.raises(DataError, match=r"dim_calendar.csv \(dim_calendar\): 1 date\(s\) .* missing: 2024-01-02"):
        files.load(tmp_path)


def test_files_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not a directory"):
        files.load(tmp_path / "nowhere")


# --------------------------------------------------------------------------------------------------
# documentation


def test_data_format_doc_names_every_table_and_column() -> None:
    doc = (ROOT / "docs" / "data_format.md").read_text(encoding="utf-8")
    sections = re.split(r"^### ", doc, flags=re.MULTILINE)
    by_table = {}
    for section in sections[1:]:
        m = re.match(r"`(\w+)`", section)
        if m:
            by_table[m.group(1)] = section
    missing = []
    for name, table in TABLES.items():
        if name not in by_table:
            missing.append(f"section ### `{name}`")
            continue
        missing += [f"{name}.{col}" for col in table.column_names if f"`{col}`" not in by_table[name]
                    and f"| {col} |" not in by_table[name]]
    assert not missing, f"docs/data_format.md lacks: {', '.join(missing)}"
    assert set(by_table) <= set(TABLES), set(by_table) - set(TABLES)
