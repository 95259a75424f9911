"""The packaged readers behind notebook 04: runs and their rows, the latest run's series, one forecast, one history."""

import pandas as pd
import sqlalchemy as sa

from skulab import erp
from skulab.erp.load import insert_frame


def _two_runs(engine: sa.Engine) -> None:
    """Run r1 (done) with two series, run r2 (failed) with one row: the latest view shows r1."""
    runs = pd.DataFrame({"run_id": ["r1", "r2"], "status": ["done", "failed"],
                         "created_at": pd.to_datetime(["2024-01-08", "2024-01-15"]),
                         "finished_at": pd.to_datetime(["2024-01-08 01:00", None]), "profile": "ci", "params": "{}"})
    rows = pd.DataFrame({"run_id": ["r1"] * 4 + ["r2"], "sku_id": ["A-S", "A-S", "B", "B", "B"],
                         "store_id": ["S1", "S1", "S2", "S2", "S2"],
                         "forecast_date": pd.to_datetime(["2024-01-05", "2024-01-04", "2024-01-04", "2024-01-05",
                                                          "2024-01-04"]),
                         "model": "ETS", "mean": [1.0, 2.0, 4.0, 5.0, 99.0], "q10": [0.5, 1.0, 3.0, 4.0, 9.0],
                         "q50": None, "q90": [2.0, 3.0, 5.0, 6.0, 199.0]})
    with engine.begin() as conn:
        insert_frame(conn, "forecast_run", runs)
        insert_frame(conn, "sales_forecast", rows)


def test_forecast_runs_count_the_rows_each_run_holds(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    erp.create_schema(engine)
    _two_runs(engine)
    runs = erp.read_forecast_runs(engine).set_index("run_id")
    assert runs["forecast_rows"].to_dict() == {"r1": 4, "r2": 1}
    assert runs.loc["r1", "status"] == "done" and pd.isna(runs.loc["r2", "finished_at"])


def test_forecast_series_come_from_the_latest_finished_run_largest_first(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    erp.create_schema(engine)
    _two_runs(engine)
    series = erp.read_forecast_series(engine)
    assert series[["sku_id", "store_id"]].values.tolist() == [["B", "S2"], ["A-S", "S1"]]
    assert series["forecast_units"].tolist() == [9.0, 3.0]
    assert (series["forecast_date"] == pd.Timestamp("2024-01-04")).all()


def test_one_forecast_is_read_day_by_day(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    erp.create_schema(engine)
    _two_runs(engine)
    path = erp.read_forecast(engine, "A-S", "S1", "ETS")
    assert path["forecast_date"].tolist() == list(pd.to_datetime(["2024-01-04", "2024-01-05"]))
    assert path["mean"].tolist() == [2.0, 1.0] and path["q90"].tolist() == [3.0, 2.0]


def test_one_sales_history_is_read_in_date_order(engine: sa.Engine, small_tables: dict) -> None:
    erp.replace_tables(engine, small_tables)
    history = erp.read_sales_history(engine, "A-S", "S1")
    assert history["units"].tolist() == [3.0, 0.0, 1.0]
    assert pd.api.types.is_datetime64_any_dtype(history["date"]) and history["stockout"].tolist() == [False, False, True]


def test_training_rows_are_read_one_partition_at_a_time_and_their_keys_without_the_rows(
        engine: sa.Engine, small_tables: dict) -> None:
    from skulab.config import ForecastConfig

    erp.replace_tables(engine, small_tables)
    cfg = ForecastConfig()
    whole = erp.read_training(engine, cfg).sales
    category = min(whole["category"].unique())

    part = erp.read_training(engine, cfg, where=("category", category)).sales
    keys = erp.read_training_keys(engine, cfg, ["store_id", "sku_id", "category"], whole["date"].min().date())

    unset = erp.read_training(engine, cfg, where=("category", None)).sales  # the partition without a value

    expected = whole[whole["category"] == category]
    assert unset.empty and list(unset.columns) == list(whole.columns)
    assert len(part) == len(expected) > 0 and set(part["category"]) == {category}
    assert sorted(map(tuple, keys.values.tolist())) == sorted(
        map(tuple, whole[["store_id", "sku_id", "category"]].drop_duplicates().values.tolist()))
