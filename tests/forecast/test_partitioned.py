"""The partitioned backtest: one zoo per partition, each the backtest of that partition's series alone."""

import pandas as pd
import pytest

from skulab import forecast
from skulab.config import Config, ForecastConfig, override
from skulab.errors import DataError
from skulab.forecast import partitioned
from skulab.forecast.features import build_panel

FAST = {"models": ["SeasonalNaive", "Naive"], "epochs": 1, "batches": 2, "static": False, "freq": "D",
        "horizon": 7, "windows": 2, "features": ["missing", "promo"]}


@pytest.fixture
def two_categories(small_panel_inputs: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    sales, calendar = small_panel_inputs
    return sales.assign(category=sales["sku_id"].map(lambda s: "Tops" if s in ("K0", "K1", "K2") else "Pants")), calendar


def test_one_partition_gives_the_pooled_backtest(two_categories: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cfg = ForecastConfig(**FAST)
    panel = build_panel(*two_categories, cfg)

    pooled = forecast.backtest(panel, cfg)
    one = partitioned.run(panel, cfg)

    cols = ["window", "model", "item_id", "timestamp"]
    pd.testing.assert_frame_equal(one.forecasts.sort_values(cols).reset_index(drop=True),
                                  pooled.forecasts[one.forecasts.columns].sort_values(cols).reset_index(drop=True),
                                  rtol=1e-9)
    pd.testing.assert_frame_equal(one.scores, pooled.scores, rtol=1e-9)
    assert one.runs["partition"].eq("all").all() and len(one.runs) == 2


def test_each_partition_is_the_backtest_of_its_own_series(two_categories: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cfg = ForecastConfig(**FAST, partition_by="category")
    sales, calendar = two_categories
    panel = build_panel(sales, calendar, cfg)

    bt = partitioned.run(panel, cfg)

    assert sorted(bt.runs["partition"].unique()) == ["Pants", "Tops"] and len(bt.runs) == 2 * 2
    active = [panel.frame.loc[panel.frame["timestamp"] <= c, "item_id"].nunique() for c in forecast.cutoffs(panel, 2)]
    assert bt.runs.groupby("window")["series"].sum().tolist() == active
    tops = build_panel(sales[sales["category"] == "Tops"], calendar, cfg)
    alone = forecast.backtest(tops, cfg).forecasts
    got = bt.forecasts[bt.forecasts["item_id"].isin(tops.frame["item_id"])]
    cols = ["window", "model", "item_id", "timestamp"]
    pd.testing.assert_frame_equal(got.sort_values(cols).reset_index(drop=True),
                                  alone[got.columns].sort_values(cols).reset_index(drop=True), rtol=1e-9)
    assert set(bt.scores["model"]) == {"SeasonalNaive", "Naive", "WeightedEnsemble"}


def test_partitioning_by_an_attribute_the_series_lack_is_refused(two_categories: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    cfg = ForecastConfig(**FAST, partition_by="region")
    panel = build_panel(*two_categories, cfg)
    with pytest.raises(DataError, match="partition_by: region is not an attribute"):
        partitioned.run(panel, cfg)


def test_without_partition_by_the_forecast_stays_in_process_whatever_the_engine(ci_config: Config) -> None:
    # a profile may run its rolling evaluation's folds on Spark; its pooled forecast has nothing to spread there
    cfg = ci_config
    assert partitioned.runner_for(override(cfg, "engine", name="spark", master="local[2]")) is None
    assert partitioned.runner_for(override(cfg, "forecast", partition_by="category")) == "native"
