"""Validation names every bad row in one message and never drops anything silently."""

import pandas as pd
import pytest

from skulab.data.validate import Cleaning, validate
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
