"""The regional hierarchy and its reconciliation: S on a hand-made frame, coherence, MinT on a planted case, the
choice on the selection window, and a store in no region refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skulab import config
from skulab.errors import ConfigError, DataError
from skulab.forecast.features import Panel
from skulab.trends import hierarchy, reconcile

DAYS = pd.date_range("2024-03-01", periods=7)


def _attrs() -> pd.DataFrame:
    """Four series: S1 and S2 in East, S3 in West; SKU A a top, SKU B a shoe."""
    sales = pd.DataFrame({"store_id": ["S1", "S1", "S2", "S3"], "sku_id": ["A", "B", "A", "A"],
                          "region": ["East", "East", "East", "West"], "category": ["Tops", "Shoes", "Tops", "Tops"]})
    return hierarchy.attributes(sales)


def _rows(h: hierarchy.Hierarchy, node: str) -> list[float]:
    return h.S.set_index("unique_id").loc[node].tolist()


def test_hierarchy_nodes_and_summing_matrix_on_a_small_frame() -> None:
    h = hierarchy.hierarchy(_attrs())
    assert list(h.tags) == ["total", "category", "region", "region/category", "region/sku", "store/sku"]
    assert {k: len(v) for k, v in h.tags.items()} == {"total": 1, "category": 2, "region": 2, "region/category": 3,
                                                      "region/sku": 3, "store/sku": 4}
    assert list(h.S.columns) == ["unique_id", "S1|A", "S1|B", "S2|A", "S3|A"]
    assert _rows(h, "total") == [1, 1, 1, 1]
    assert _rows(h, "region:East") == [1, 1, 1, 0]
    assert _rows(h, "category:Tops") == [1, 0, 1, 1]
    assert _rows(h, "region/category:East/Tops") == [1, 0, 1, 0]
    assert _rows(h, "region/sku:East/A") == [1, 0, 1, 0]
    assert np.array_equal(h.S.iloc[-4:, 1:].to_numpy(), np.eye(4))  # bottom rows last, as hierarchicalforecast wants
    assert list(h.S["unique_id"].iloc[-4:]) == list(h.bottom)


def test_levels_can_be_left_out_but_the_bottom_stays() -> None:
    h = hierarchy.hierarchy(_attrs(), ["region", "region/category"])
    assert h.levels == ["region", "region/category", "store/sku"]
    assert len(h.S) == 2 + 3 + 4


def test_aggregate_sums_children_and_scores_when_any_child_is_scored() -> None:
    attrs = _attrs()
    h = hierarchy.hierarchy(attrs)
    frame = pd.DataFrame({"item_id": np.repeat(attrs.index.to_numpy(), 2), "timestamp": np.tile(DAYS[:2], 4),
                          "target": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                          "actual": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                          "scored": [False, False, True, False, False, False, False, True],
                          "promo_depth": [0.0, 0.2, 0.4, 0.0, 0.2, 0.0, 0.0, 0.0]})
    panel = Panel(frame=frame, known=["promo_depth"], past=[], static=None, rules=pd.DataFrame(), freq="D",
                  horizon=1, history_end=DAYS[1])
    up = hierarchy.aggregate(panel, h).frame.set_index(["item_id", "timestamp"])
    east = up.loc[("region:East", DAYS[0])]
    assert east["target"] == 1 + 3 + 5 and east["actual"] == 1 + 3 + 5 and bool(east["scored"])
    assert east["promo_depth"] == pytest.approx(0.2)
    assert up.loc[("region:East", DAYS[1]), "actual"] == 4 + 6  # a missing child's actual counts as nothing
    assert not up.loc[("region:East", DAYS[1]), "scored"]
    assert up.loc[("total", DAYS[1]), "target"] == 2 + 4 + 6 + 8 and up.loc[("total", DAYS[1]), "scored"]
    assert hierarchy.aggregate(panel, h).static is None


def test_store_in_no_region_is_reported_with_its_id() -> None:
    sales = pd.DataFrame({"store_id": ["S1", "S2", "S3"], "sku_id": ["A", "A", "A"], "region": ["East", None, " "],
                          "category": ["Tops"] * 3})
    with pytest.raises(DataError, match=r"dim_store gives no region for store_id S2, S3: .* fill dim_store.region"):
        hierarchy.attributes(sales)


def test_sku_in_no_category_is_reported() -> None:
    sales = pd.DataFrame({"store_id": ["S1"], "sku_id": ["A"], "region": ["East"], "category": [None]})
    with pytest.raises(DataError, match="dim_sku gives no category for sku_id A"):
        hierarchy.attributes(sales)


def _planted(rng: np.random.Generator, bottom_sd: float, upper_sd: float, n: int = 7,
             level: float = 20.0) -> tuple[hierarchy.Hierarchy, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """True means per node and period, base forecasts = truth + noise (bottom_sd at the bottom, upper_sd above), and
    validation errors drawn the same way."""
    stores = [f"S{i}" for i in range(1, 7)]
    sales = pd.DataFrame({"store_id": np.repeat(stores, 2), "sku_id": ["A", "B"] * 6,
                          "region": np.repeat(["East", "East", "West", "West", "North", "North"], 2),
                          "category": ["Tops", "Shoes"] * 6})
    h = hierarchy.hierarchy(hierarchy.attributes(sales))
    S = h.S.drop(columns="unique_id").to_numpy()
    nodes = h.S["unique_id"].to_numpy()
    sd = np.where(np.isin(nodes, h.bottom), bottom_sd, upper_sd)[:, None]

    def draw(stamps: pd.DatetimeIndex) -> tuple[pd.DataFrame, np.ndarray]:
        truth = S @ rng.uniform(0.5, 1.5, (S.shape[1], len(stamps))) * level
        noisy = np.maximum(truth + rng.normal(0, 1, truth.shape) * sd, 0.0)  # forecasts are clipped at 0
        long = pd.DataFrame({"node": np.repeat(nodes, len(stamps)), "timestamp": np.tile(stamps, len(nodes)),
                             "target": truth.ravel(), "mean": noisy.ravel()})
        return long, truth

    errors, _ = draw(pd.date_range("2024-02-01", periods=28))
    base, truth = draw(DAYS[:n])
    base = base.drop(columns="target").assign(q10=lambda b: b["mean"] * 0.7, q50=lambda b: b["mean"],
                                              q90=lambda b: b["mean"] * 1.3)
    truth = pd.DataFrame({"node": np.repeat(nodes, n), "timestamp": np.tile(DAYS[:n], len(nodes)),
                          "actual": truth.ravel()})
    return h, base, errors, truth


@pytest.mark.parametrize("method", ["bottom_up", "mint_shrink", "wls_struct"])
def test_reconciled_means_are_coherent_and_non_negative(method: str) -> None:
    h, base, errors, _ = _planted(np.random.default_rng(1), bottom_sd=15.0, upper_sd=5.0)
    out = reconcile.reconcile(base, errors, h, method)
    assert reconcile.coherence_gap(out, h)[method] < 1e-6
    assert reconcile.coherence_gap(base.assign(method="base"), h)["base"] > 1.0  # the base forecasts were not
    assert (out[["mean", "q10", "q50", "q90"]] >= 0).all().all()
    assert (out["q10"] <= out["q50"]).all() and (out["q50"] <= out["q90"]).all()
    assert out[["node", "timestamp"]].equals(base[["node", "timestamp"]])


def test_quantiles_keep_the_base_spread_around_the_reconciled_mean() -> None:
    h, base, errors, _ = _planted(np.random.default_rng(2), bottom_sd=3.0, upper_sd=1.0, level=100.0)
    out = reconcile.reconcile(base, errors, h, "mint_shrink")
    assert np.allclose(out["q90"] - out["mean"], base["q90"] - base["mean"])


def test_mint_beats_bottom_up_when_the_upper_levels_forecast_better() -> None:
    h, base, errors, truth = _planted(np.random.default_rng(3), bottom_sd=6.0, upper_sd=0.5)
    rmse = {}
    for method in ("bottom_up", "mint_shrink"):
        out = reconcile.reconcile(base, errors, h, method).merge(truth, on=["node", "timestamp"])
        top = out[~out["node"].isin(h.bottom)]
        rmse[method] = float(np.sqrt(((top["mean"] - top["actual"]) ** 2).mean()))
    assert rmse["mint_shrink"] < 0.5 * rmse["bottom_up"], rmse


def test_choice_follows_the_selection_window_never_the_test_windows() -> None:
    rows = []
    for role, wql in (("selection", {"total": (0.3, 0.5, 0.4), "region": (0.6, 0.5, 0.4),
                                     "store/sku": (0.8, 0.8, 0.9)}),
                      ("test", {"total": (0.1, 0.9, 0.9), "region": (0.1, 0.9, 0.9), "store/sku": (0.1, 0.9, 0.9)})):
        for level, (base, bu, mint) in wql.items():
            rows += [{"role": role, "window": 0 if role == "selection" else 1, "level": level, "method": m, "WQL": v}
                     for m, v in (("base", base), ("bottom_up", bu), ("mint_shrink", mint))]
    scores = pd.DataFrame(rows)
    chosen = reconcile.choose(scores[scores["role"] == "selection"], ["bottom_up", "mint_shrink"])
    assert chosen.to_dict() == {"total": "base", "region": "mint_shrink", "store/sku": "bottom_up"}  # a tie: coherent
    summary = reconcile.before_after(scores, chosen).set_index("level")
    assert summary.loc["region", "base_WQL"] == 0.1 and summary.loc["region", "chosen_WQL"] == 0.9
    assert not summary.loc["region", "not_worse"] and summary.loc["total", "not_worse"]


def test_unknown_method_or_level_names_the_known_ones(ci_config: config.Config) -> None:
    with pytest.raises(ConfigError, match=r"reconcile.methods: unknown method\(s\) mint_shrnk \(did you mean "
                                          r"'mint_shrink'.*known: bottom_up, mint_shrink"):
        config.override(ci_config, "reconcile", methods=["mint_shrnk"])
    with pytest.raises(ConfigError, match="reconcile.levels: must include region/category"):
        config.override(ci_config, "reconcile", levels=["total", "region", "store/sku"])
