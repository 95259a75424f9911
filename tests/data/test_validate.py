"""Validation names every bad row in one message and never drops anything silently."""

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skulab.data import files
from skulab.data.calendar import build_calendar
from skulab.data.schema import INPUT_TABLES, TABLES, text_width
from skulab.data.validate import Cleaning, validate
from skulab.erp.schema import SA_TABLES
from skulab.errors import DataError


def test_valid_tables_come_back_in_canonical_dtypes(small_tables: dict) -> None:
    again = validate(small_tables)
    assert again["fact_sales"]["date"].dtype.kind == "M" and again["fact_sales"]["stockout"].dtype == "boolean"
    assert list(again["dim_sku"].columns)[:2] == ["sku_id", "style_id"]


def test_unknown_sku_in_order_lines_is_reported(small_tables: dict) -> None:
    lines = pd.concat([small_tables["order_line"], pd.DataFrame({"order_id": ["o3"], "sku_id": ["ZZ"], "qty": [1.0]})])
    with pytest.raises(DataError, match=r"order_line: 1 row\(s\) with sku_id not in dim_sku .*'ZZ'.* at row 5"):
        validate(small_tables | {"order_line": lines})


def test_every_problem_is_in_one_message(small_tables: dict) -> None:
    lines = small_tables["order_line"].astype(object).copy()
    lines.loc[0, "qty"] = -2
    sales = small_tables["fact_sales"].astype(object).copy()
    sales.loc[1, "date"] = "2024-13-45"
    with pytest.raises(DataError) as err:
        validate(small_tables | {"order_line": lines, "fact_sales": sales})
    msg = str(err.value)
    assert "order_line: 1 qty value(s) not positive at row 1" in msg
    assert "fact_sales: 1 unparsable date value(s) in date at row 2 (e.g. '2024-13-45')" in msg
    assert "\n" not in msg


def test_duplicate_keys_are_reported_with_the_key(small_tables: dict) -> None:
    sku = pd.concat([small_tables["dim_sku"], small_tables["dim_sku"].iloc[[0]]])
    with pytest.raises(DataError, match=r"dim_sku: 1 duplicate key\(s\) on \(sku_id\) at row 4 \(e.g. sku_id=A-S\)"):
        validate(small_tables | {"dim_sku": sku})


def test_missing_required_column_and_unknown_table_are_reported(small_tables: dict) -> None:
    with pytest.raises(DataError, match=r"unknown table\(s\) order_lines.*orders: missing column\(s\) ts"):
        validate(small_tables | {"order_lines": small_tables["order_line"],
                                 "orders": small_tables["orders"].drop(columns="ts")})


def test_errors_name_the_file_the_rows_came_from(small_tables: dict) -> None:
    bad = small_tables["dim_store"].assign(fdc_id="F9")
    with pytest.raises(DataError, match=r"stores\.csv \(dim_store\): 2 row\(s\) with fdc_id not in dim_fdc"):
        validate(small_tables | {"dim_store": bad}, origin={"dim_store": "stores.csv"})


def test_cleaning_counts_what_each_rule_dropped() -> None:
    df = pd.DataFrame({"qty": [1, -1, 0, 3]})
    cleaning = Cleaning()
    kept = cleaning.drop("order_line", df, df["qty"] <= 0, "non-positive quantity")
    assert len(kept) == 2
    assert cleaning.frame().to_dict("records") == [{"table": "order_line", "rule": "non-positive quantity", "rows": 2}]


# data values (issue 21): each input is loaded as given or refused naming the column and rows

def _one_row(table: str) -> dict[str, str]:
    """One row of text for `table`, every column filled with a value of its kind."""
    sample = {"id": "x1", "str": "s", "date": "2024-01-01", "timestamp": "2024-01-01 10:00", "int": "1",
              "float": "0.5", "bool": "false"}
    return {c.name: sample[c.kind] for c in TABLES[table].columns}


NUMBERS = [(t, c.name) for t in INPUT_TABLES for c in TABLES[t].columns if c.kind in ("int", "float")]
TEXTS = [(t, c.name) for t in INPUT_TABLES for c in TABLES[t].columns if c.kind in ("id", "str")]


@pytest.mark.parametrize(("table", "column"), NUMBERS, ids=[f"{t}.{c}" for t, c in NUMBERS])
@pytest.mark.parametrize(("value", "rule"), [("inf", "non-finite"), ("-inf", "non-finite"), ("nan", "non-finite"),
                                             ("NaN", "non-finite"), ("1e400", "out-of-range")])
def test_non_finite_and_overflowing_numbers_are_refused_in_every_numeric_column(table: str, column: str, value: str,
                                                                                rule: str) -> None:
    df = pd.DataFrame([_one_row(table) | {column: value}])
    with pytest.raises(DataError, match=rf"{table}: 1 {rule} \w* ?value\(s\) in {column} at row 1 \(e.g. '{value}'\)"):
        validate({table: df})


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, c in NUMBERS if TABLES[t].column(c).kind == "int"])
@pytest.mark.parametrize("value", ["3000000000", "-2147483649", "99999999999999999999999"])
def test_int_values_beyond_the_databases_integer_are_refused(table: str, column: str, value: str) -> None:
    df = pd.DataFrame([_one_row(table) | {column: value}])
    with pytest.raises(DataError, match=rf"{table}: 1 out-of-range int value\(s\) in {column} at row 1 .*2147483647"):
        validate({table: df})


@pytest.mark.parametrize(("table", "column"), TEXTS, ids=[f"{t}.{c}" for t, c in TEXTS])
def test_a_nul_byte_is_refused_in_every_text_column(table: str, column: str) -> None:
    df = pd.DataFrame([_one_row(table) | {column: "a\x00b"}])
    with pytest.raises(DataError, match=rf"{table}: 1 value\(s\) with a NUL byte \(\\x00\) in {column} at row 1"):
        validate({table: df})


def test_widths_match_the_database_columns() -> None:
    for name, table in TABLES.items():
        for col in table.columns:
            length = getattr(SA_TABLES[name].c[col.name].type, "length", None)
            assert text_width(table, col) == length, (name, col.name)


def test_ids_longer_than_the_database_column_are_refused(small_tables: dict) -> None:
    sku = small_tables["dim_sku"].assign(name=["n" * 255, "n" * 256, None])
    sku.loc[2, "style_id"] = "s" * 65
    with pytest.raises(DataError) as err:
        validate(small_tables | {"dim_sku": sku})
    assert "dim_sku: 1 value(s) longer than 64 characters in style_id at row 3" in str(err.value)
    assert "dim_sku: 1 value(s) longer than 255 characters in name at row 2" in str(err.value)


@pytest.mark.parametrize(("a", "b"), [("A-S", "a-s"), ("caf\u00e9", "cafe\u0301"), ("Ecole", "\u00c9cole")])
def test_ids_that_differ_only_in_case_accents_or_unicode_form_are_refused(small_tables: dict, a: str, b: str) -> None:
    orders = small_tables["orders"].assign(customer_id=[a, "c2", b])
    with pytest.raises(DataError, match=r"orders: customer_id .* at row 1 and .* at row 3 differ only in case"):
        validate(small_tables | {"orders": orders})


def test_id_spellings_are_compared_across_tables(small_tables: dict) -> None:
    lines = small_tables["order_line"].astype(object)
    lines.loc[3, "sku_id"] = "b"
    with pytest.raises(DataError, match=r"dim_sku: sku_id 'B' at row 3 and 'b' at order_line row 4 differ only"):
        validate(small_tables | {"order_line": lines})


@pytest.mark.parametrize("whole", [1001.0, Decimal("1001.00")])
def test_whole_float_ids_are_read_as_integer_text(small_tables: dict, whole: object) -> None:
    orders = small_tables["orders"].assign(customer_id=pd.Series([whole, None, "1001"], dtype=object))
    again = validate(small_tables | {"orders": orders})
    assert again["orders"]["customer_id"].tolist() == ["1001", pd.NA, "1001"]


@pytest.mark.parametrize("bad", [1001.5, np.inf, 2.0**60, Decimal("1001.5")])
def test_other_float_ids_are_refused(small_tables: dict, bad: float) -> None:
    orders = small_tables["orders"].assign(customer_id=pd.Series([1001.0, bad, 7], dtype=object))
    with pytest.raises(DataError, match=r"orders: 1 non-integral or non-finite float id value\(s\) in customer_id at "
                                        r"row 2 .*store ids as text"):
        validate(small_tables | {"orders": orders})


AWARE = ["2024-01-01 09:30+02:00", "2024-01-02T20:05:00Z", "2024-01-03 12:00:00-05:00"]


def test_aware_times_are_converted_to_the_zone_then_made_naive(small_tables: dict) -> None:
    orders = small_tables["orders"].assign(ts=AWARE)
    again = validate(small_tables | {"orders": orders}, timezone="Europe/Berlin")
    assert again["orders"]["ts"].dtype == "datetime64[ns]"
    assert again["orders"]["ts"].astype(str).tolist() == ["2024-01-01 08:30:00", "2024-01-02 21:05:00",
                                                          "2024-01-03 18:00:00"]


def test_aware_parquet_times_are_converted_like_text(small_tables: dict) -> None:
    ts = pd.to_datetime(pd.Series(AWARE), format="ISO8601", utc=True).dt.tz_convert("Asia/Tokyo")
    again = validate(small_tables | {"orders": small_tables["orders"].assign(ts=ts)}, timezone="UTC")
    assert again["orders"]["ts"].astype(str).tolist()[0] == "2024-01-01 07:30:00"
    with pytest.raises(DataError, match=r"orders: 3 time-zone-aware timestamp value\(s\) in ts .*data.timezone"):
        validate(small_tables | {"orders": small_tables["orders"].assign(ts=ts)})


def test_aware_times_without_a_zone_are_refused(small_tables: dict) -> None:
    with pytest.raises(DataError, match=r"orders: 3 time-zone-aware timestamp value\(s\) in ts at rows 1, 2, 3 "
                                        r"\(e.g. '2024-01-01 09:30\+02:00'.*set data.timezone"):
        validate(small_tables | {"orders": small_tables["orders"].assign(ts=AWARE)})


def test_mixed_aware_and_naive_times_are_refused_even_with_a_zone(small_tables: dict) -> None:
    orders = small_tables["orders"].assign(ts=[AWARE[0], "2024-01-02 20:05", AWARE[2]])
    with pytest.raises(DataError, match=r"orders: 2 time-zone-aware timestamp value\(s\) in ts at rows 1, 3 .*"
                                        r"\(e.g. row 2: '2024-01-02 20:05'\), so the column mixes"):
        validate(small_tables | {"orders": orders}, timezone="UTC")


def test_naive_times_are_taken_as_given_whatever_the_zone(small_tables: dict) -> None:
    again = validate(small_tables, timezone="America/New_York")
    assert again["orders"]["ts"].astype(str).tolist()[0] == "2024-01-01 09:30:00"


def test_a_time_of_day_in_a_date_column_is_refused_but_midnight_is_a_date(small_tables: dict) -> None:
    sales = small_tables["fact_sales"].astype(object)
    sales.loc[0, "date"] = "2024-01-01 00:00:00"
    assert validate(small_tables | {"fact_sales": sales})["fact_sales"]["date"].iloc[0] == pd.Timestamp("2024-01-01")
    sales.loc[1, "date"] = "2024-01-02 13:00"
    with pytest.raises(DataError, match=r"fact_sales: 1 date value\(s\) with a time of day in date at row 2"):
        validate(small_tables | {"fact_sales": sales})


@pytest.mark.parametrize("dates", [[20240101, 20240102, 20240103, 20240101, 20240102],
                                   pd.Series([1704067200, "2024-01-02", "2024-01-03", "2024-01-01", "2024-01-02"],
                                             dtype=object)])
def test_numeric_dates_are_refused(small_tables: dict, dates: object) -> None:
    sales = small_tables["fact_sales"].assign(date=dates)
    with pytest.raises(DataError, match=r"fact_sales: \d numeric date value\(s\) in date at row.*as a date type or as "
                                        r"YYYY-MM-DD text"):
        validate(small_tables | {"fact_sales": sales})


@pytest.mark.parametrize("text", ["2024", "2024-01", "20240101", "2024-1-8", "2024-01-08T10Z"])
def test_dates_in_other_forms_are_unparsable(small_tables: dict, text: str) -> None:
    orders = small_tables["orders"].assign(ts=[text, "2024-01-02 20:05", "2024-01-03 12:00"])
    with pytest.raises(DataError, match=r"orders: 1 unparsable timestamp value\(s\) in ts at row 1 .*YYYY-MM-DD"):
        validate(small_tables | {"orders": orders})


@pytest.mark.parametrize("late", ["2500-01-01", "0001-01-01"])
def test_dates_pandas_cannot_hold_are_refused(small_tables: dict, late: str) -> None:
    sales = small_tables["fact_sales"].astype(object)
    sales.loc[2, "date"] = late
    with pytest.raises(DataError, match=r"fact_sales: 1 date value\(s\) outside 1677-09-22 .. 2262-04-11 in date at "
                                        "row 3"):
        validate(small_tables | {"fact_sales": sales})


def test_parquet_times_pandas_cannot_hold_are_refused(small_tables: dict) -> None:
    stamps = pd.Series(np.array(["2024-01-01T09:30", "2500-01-02", "2024-01-03"], dtype="datetime64[us]"))
    with pytest.raises(DataError, match=r"orders: 1 timestamp value\(s\) outside .* in ts at row 2"):
        validate(small_tables | {"orders": small_tables["orders"].assign(ts=stamps)})


def test_a_sales_date_a_century_away_is_refused(small_tables: dict) -> None:
    sales = small_tables["fact_sales"].astype(object)
    sales.loc[4, "date"] = "1924-01-02"
    with pytest.raises(DataError, match=r"fact_sales: 1 date value\(s\) more than 5 years away from the other sales "
                                        r"dates at row 5 \(e.g. 1924-01-02; the rest run 2024-01-01 .. 2024-01-03\)"):
        validate(small_tables | {"fact_sales": sales})


def test_long_unbroken_sales_histories_are_kept(small_tables: dict) -> None:
    days = pd.date_range("2000-01-03", "2024-12-30", freq="W-MON")
    sales = pd.DataFrame({"date": days, "store_id": "S1", "sku_id": "A-S", "units": 1.0})
    calendar = build_calendar(days[0], days[-1] + pd.Timedelta(days=6), "us")
    assert len(validate(small_tables | {"fact_sales": sales, "dim_calendar": calendar})["fact_sales"]) == len(days)


def test_calendar_columns_must_agree_with_the_date(small_tables: dict) -> None:
    calendar = small_tables["dim_calendar"].copy()
    calendar.loc[1, "weekday"] = 9
    calendar.loc[2, "month"] = 13
    calendar.loc[3, "week_start"] = pd.Timestamp("2024-01-08")
    with pytest.raises(DataError) as err:
        validate(small_tables | {"dim_calendar": calendar})
    msg = str(err.value)
    assert "dim_calendar: 1 weekday value(s) that disagree with the date at row 2 (e.g. 2024-01-02 has 9" in msg
    assert "1 month value(s) that disagree with the date at row 3" in msg
    assert "1 week_start value(s) that disagree with the date at row 4" in msg


def test_promotions_end_after_they_start_and_discounts_are_shares(small_tables: dict) -> None:
    promo = pd.DataFrame({"promo_id": ["P1", "P2", "P3"], "promo_type": "pct_off",
                          "start_date": ["2024-01-01", "2024-01-03", "2024-01-01"],
                          "end_date": ["2024-01-02", "2024-01-01", "2024-01-07"], "discount": [0.2, -0.1, 1.0]})
    with pytest.raises(DataError) as err:
        validate(small_tables | {"promotion": promo})
    msg = str(err.value)
    assert "promotion: 1 promotion(s) ending before they start at row 2 (e.g. promo_id P2: 2024-01-03 .. 2024-01-01)" in msg
    assert "promotion: 2 discount value(s) not [0, 1) at rows 2, 3" in msg


def test_promotion_scopes_are_places_items_or_a_places_item(small_tables: dict) -> None:
    readable = ["all", None, "region:East", "store:S1/category:Tops", "region:East/sku:A", "style:ST1"]
    promo = pd.DataFrame({"promo_id": [f"P{i}" for i in range(9)], "promo_type": "pct_off",
                          "start_date": "2024-01-01", "end_date": "2024-01-02", "discount": 0.2,
                          "scope": [*readable, "aisle:3", "Store:S1", "Tops"]})
    with pytest.raises(DataError) as err:
        validate(small_tables | {"promotion": promo})
    assert "promotion: 3 scope(s) skulab cannot read at rows 7, 8, 9 (e.g. 'aisle:3'); write all, region:<name>" in str(
        err.value)
    validate(small_tables | {"promotion": promo.head(len(readable))})


def test_sales_discounts_are_below_one_but_may_be_negative(small_tables: dict) -> None:
    sales = small_tables["fact_sales"].assign(discount=[None, -0.05, 0.2, None, None])
    assert validate(small_tables | {"fact_sales": sales})["fact_sales"]["discount"].iloc[1] == -0.05
    with pytest.raises(DataError, match=r"fact_sales: 1 discount value\(s\) not below 1 at row 3 \(e.g. 1\)"):
        validate(small_tables | {"fact_sales": sales.assign(discount=[None, None, 1.0, None, None])})


def test_a_nul_byte_in_a_csv_names_the_file_column_and_row(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    text = (tmp_path / "dim_store.csv").read_text().replace("S2", "S\x002")
    (tmp_path / "dim_store.csv").write_text(text)
    with pytest.raises(DataError, match=r"dim_store.csv \(dim_store\): NUL byte \(\\x00\) in column store_id at row 2"):
        files.load(tmp_path)


def test_a_utf16_csv_is_named_as_such(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    f = tmp_path / "dim_fdc.csv"
    f.write_bytes(f.read_text().encode("utf-16"))
    with pytest.raises(DataError, match=r"dim_fdc.csv: not UTF-8 text .*it is UTF-16\); save it as UTF-8 CSV"):
        files.load(tmp_path)
    f.write_bytes(f.read_bytes()[2:])  # no byte-order mark: the header is full of NUL bytes
    with pytest.raises(DataError, match=r"dim_fdc.csv: NUL bytes \(\\x00\) in the header, as in UTF-16 text"):
        files.load(tmp_path)


def test_files_load_converts_aware_parquet_times_with_a_timezone(small_tables: dict, tmp_path: Path) -> None:
    files.write(small_tables, tmp_path)
    (tmp_path / "orders.csv").unlink()
    orders = small_tables["orders"].assign(ts=small_tables["orders"]["ts"].dt.tz_localize("Europe/Berlin"))
    orders.to_parquet(tmp_path / "orders.parquet")
    with pytest.raises(DataError, match=r"orders.parquet \(orders\): 3 time-zone-aware timestamp value\(s\) in ts"):
        files.load(tmp_path)
    loaded = files.load(tmp_path, timezone="Europe/London")
    assert loaded.tables["orders"]["ts"].iloc[0] == pd.Timestamp("2024-01-01 08:30")
