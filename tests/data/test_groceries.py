"""The groceries adapter: member baskets of a 167-item catalogue through the canonical validation.

Real-data tests read the shared data (fixture `shared_data`: $SKULAB_SHARED_DATA or ../shared/data) and skip
when it is absent; the rules and the errors are checked on small files built in tmp_path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from skulab.data import SourceData, files, groceries
from skulab.errors import DataError

HEADER = "Member_number,Date,itemDescription,year,month,day,day_of_week\n"


def _steps(data: SourceData) -> dict[str, int]:
    return {rule: n for _, rule, n in data.cleaning.steps}


@pytest.fixture(scope="module")
def groceries_file(shared_data: Path) -> Path:
    path = shared_data / "groceries" / groceries.FILE_NAME
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="module")
def real(groceries_file: Path) -> SourceData:
    return groceries.load(groceries_file.parent)


def test_groceries_counts_match_source_md(real: SourceData, groceries_file: Path) -> None:
    t = real.tables
    assert real.sales_freq == "D"
    assert len(t["orders"]) == 14_963 and t["orders"]["order_id"].is_unique
    assert len(t["dim_sku"]) == 167 and t["order_line"]["sku_id"].nunique() == 167
    assert t["orders"]["customer_id"].nunique() == 3_898
    assert t["order_line"]["qty"].sum() == 38_765 and t["fact_sales"]["units"].sum() == 38_765
    assert t["orders"]["fdc_id"].notna().all() and set(t["orders"]["fdc_id"]) == {groceries.FDC_ID}
    assert set(t["fact_sales"]["store_id"]) == {groceries.STORE_ID}
    assert t["order_line"]["price"].isna().all() and t["fact_sales"]["price"].isna().all()
    assert (t["orders"]["ts"] == t["orders"]["ts"].dt.normalize()).all()  # no time of day in the source
    cal = t["dim_calendar"]
    assert (cal["date"].min(), cal["date"].max()) == (pd.Timestamp("2014-01-01"), pd.Timestamp("2015-12-30"))
    assert len(t["promotion"]) == 0 and "covariate" not in t


def test_groceries_cleaning_notes_count_what_they_changed(real: SourceData, groceries_file: Path) -> None:
    raw = pd.read_csv(groceries_file, dtype=str)
    duplicates = int(raw.duplicated(["Member_number", "Date", "itemDescription"]).sum())
    padded = int((raw["itemDescription"] != raw["itemDescription"].str.strip()).sum())
    steps = _steps(real)
    merged = [n for rule, n in steps.items() if "aggregated" in rule]
    stripped = [n for rule, n in steps.items() if "stripped" in rule]
    assert merged == [duplicates] and duplicates == 759
    assert stripped == [padded] and padded == 440
    assert len(real.tables["order_line"]) == len(raw) - duplicates


def test_groceries_tables_load_back_through_the_files_source(real: SourceData, tmp_path: Path) -> None:
    files.write(real, tmp_path, "parquet")
    back = files.load(tmp_path, locale=groceries.LOCALE, sales_freq="D")
    assert set(back.tables) == set(real.tables)
    for name, frame in real.tables.items():
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), back.tables[name].reset_index(drop=True),
                                      obj=name)


def test_groceries_rules_on_a_small_file(tmp_path: Path) -> None:
    f = tmp_path / "groceries.csv"
    f.write_text(HEADER + "1808,2015-07-21,tropical fruit,2015,7,21,1\n"
                          "1808,2015-07-21,whole milk,2015,7,21,1\n"
                          "1808,2015-07-21,whole milk,2015,7,21,1\n"
                          "1808,2015-07-22,cream cheese ,2015,7,22,2\n"
                          "2552,2015-07-21,whole milk,2015,7,21,1\n")
    data = groceries.load(tmp_path)
    assert [n for _, _, n in data.cleaning.steps] == [1, 1]  # one padded name, one duplicate line merged
    t = data.tables
    lines = t["order_line"].set_index(["order_id", "sku_id"])["qty"]
    assert lines.to_dict() == {("1808-20150721", "tropical fruit"): 1, ("1808-20150721", "whole milk"): 2,
                               ("1808-20150722", "cream cheese"): 1, ("2552-20150721", "whole milk"): 1}
    orders = t["orders"].set_index("order_id")
    assert orders.loc["1808-20150722", "ts"] == pd.Timestamp("2015-07-22")
    assert orders.loc["2552-20150721", "customer_id"] == "2552"
    sales = t["fact_sales"].set_index(["date", "sku_id"])["units"]
    assert sales[(pd.Timestamp("2015-07-21"), "whole milk")] == 3
    assert list(t["dim_sku"]["sku_id"]) == list(t["dim_sku"]["name"]) == ["cream cheese", "tropical fruit",
                                                                        "whole milk"]


def test_groceries_missing_file_or_column_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="groceries.csv: file not found"):
        groceries.load(tmp_path)
    f = tmp_path / "groceries.csv"
    f.write_text("Member_number,Date,item\n1808,2015-07-21,whole milk\n")
    with pytest.raises(DataError, match=re.escape(f"{f}: missing column(s) itemDescription (has: Member_number, "
                                                  "Date, item)")):
        groceries.load(f)


def test_groceries_bad_date_and_empty_values_name_file_column_and_row(tmp_path: Path) -> None:
    f = tmp_path / "groceries.csv"
    f.write_text(HEADER + "1808,2015-07-21,whole milk,2015,7,21,1\n"
                          "1808,21-07-2015,yogurt,2015,7,21,1\n"
                          ",2015-02-30,soda,2015,2,30,0\n")
    with pytest.raises(DataError) as err:
        groceries.load(f)
    msg = str(err.value)
    assert f"{f}: 2 unparsable value(s) in column Date at rows 2, 3 (e.g. '21-07-2015', '2015-02-30'); write them " \
           "as YYYY-MM-DD (Kaggle's original file writes DD-MM-YYYY: convert it)" in msg
    assert f"{f}: 1 missing value(s) in column Member_number at row 3" in msg


def test_groceries_ids_the_databases_would_merge_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "groceries.csv"
    f.write_text(HEADER + "1808,2015-07-21,whole milk,2015,7,21,1\n2552,2015-07-21,Whole milk,2015,7,21,1\n")
    with pytest.raises(DataError, match=re.escape(f"{f} (dim_sku): sku_id 'Whole milk' at row 1 and 'whole milk'")):
        groceries.load(f)
