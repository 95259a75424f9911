"""Load and validate a params profile into one typed object; every mistake gives one clear message.

A profile is nested by chapter (`data`, `erp`, `eda`, ...) so each module reads only its own section.
Relative paths in a profile are relative to the project root, wherever the caller runs from.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from skulab import registry
from skulab.errors import ConfigError
from skulab.registry import ASSORT_METHODS, FEATURE_GROUPS, FORECAST_MODELS, FREQ_PATTERN

SHARED_DATA_DIRS = {"online_retail": "online_retail", "frat": "breakfast_at_the_frat", "groceries": "groceries"}
AssortMethod = Literal[tuple(ASSORT_METHODS)]  # type: ignore[valid-type]
FeatureGroup = Literal[FEATURE_GROUPS]  # type: ignore[valid-type]
RULE = re.compile(r"^rule(\d{1,2})?$")
SPARK_MASTER = re.compile(r"^(local(\[(\d+|\*)(,\d+)?\])?|spark://[^/\s:,]+(:\d+)?(,[^/\s:,]+(:\d+)?)*|yarn|k8s://\S+)$")
PANDAS_DATES = (date(1678, 1, 1), date(2261, 12, 31))  # whole years inside pandas.Timestamp.min .. max
PROFILE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_STOCK_LEVEL = 100.0  # allocate.stock and --stock-level: the DC stock as a multiple of expected demand


def _no_password(url: str | None, variable: str = "SKULAB_SOURCE_URL") -> str | None:
    """A URL without a password: params files are committed, credentials belong in the environment."""
    if url and re.match(r"^[\w+]+://[^/@]*:[^/@]+@", url):
        raise ValueError(f"holds a password; put credentialed URLs in the {variable} environment variable")
    return url


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # .inf / .nan are no setting

    @field_validator("*", mode="before")
    @classmethod
    def _no_yaml_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse true/false (YAML 1.1 also reads yes/no/on/off so) where a number belongs: pydantic would take 1/0."""
        flags = value if isinstance(value, list) else [value]
        if any(isinstance(v, bool) for v in flags) and _numbers_only(cls.model_fields[info.field_name].annotation):
            raise ValueError("expected a number, got a YAML boolean (yes, no, on, off, true and false are booleans "
                             "in YAML): write the number")
        return value

    @field_validator("*")
    @classmethod
    def _pandas_dates(cls, value: Any) -> Any:
        """Refuse dates outside pandas' Timestamp range, which every date of the ERP's tables passes through."""
        if isinstance(value, date) and not PANDAS_DATES[0] <= value <= PANDAS_DATES[1]:
            raise ValueError(f"must lie between {PANDAS_DATES[0]} and {PANDAS_DATES[1]} (the dates pandas can hold)")
        return value


def _numbers_only(annotation: Any) -> bool:
    """Whether a field's type takes ints or floats but no booleans (lists and unions looked into)."""
    types = _leaf_types(annotation)
    return bool(types & {int, float}) and bool not in types


def _leaf_types(annotation: Any) -> set[Any]:
    if get_origin(annotation) is Literal:
        return set()
    args = get_args(annotation)
    return set().union(*(_leaf_types(a) for a in args)) if args else {annotation}


def _choices(names: Iterable[str]) -> dict[str, Any]:
    """Field metadata naming the values a field's validator accepts, for the reference of the keys."""
    return {"choices": list(names)}


class DataConfig(_Section):
    """Where the ERP's rows come from: the synthetic demo chain, a real data set, or the user's files.

    `seed`, `scale`, `orders_scale`, `start` and `days` shape the demo chain only; `locale` serves `files`.
    """

    source: Literal["demo", "online_retail", "frat", "groceries", "files", "sql"] = Field(
        description="Where the rows come from: `demo` generates the seeded synthetic apparel chain, "
                    "`online_retail`, `frat` and `groceries` read the shared real data sets, `files` reads your own "
                    "files (docs/data_format.md), `sql` runs your SELECTs against your own ERP "
                    "(docs/sql_source.md).")
    path: Path | None = Field(
        None,
        description="The data's folder or file, relative to the project root: required for `files`; null "
                    "reads `online_retail`, `frat` or `groceries` from the shared data folder (../shared/data or "
                    "$SKULAB_SHARED_DATA).")
    seed: int = Field(
        7, description="Seed of the demo generator: another seed draws another chain of the same size.")
    scale: float = Field(
        1.0, gt=0,
        description="Size of the demo chain as a multiple of the default (1.0: about 20 stores, 250 styles "
                    "and 100 online orders a day): lower it for quick runs, raise it to test at scale.")
    orders_scale: float = Field(
        1.0, gt=0,
        description="Multiplies the demo's online orders and customers on top of `scale`, so order lines "
                    "grow faster than store sales: raise it to load the assortment and embedding chapters.")
    start: date = Field(
        date(2023, 1, 2),
        description="First day of the demo's history (YYYY-MM-DD): move it to shift the dates and holidays.")
    days: int = Field(
        728, ge=28,
        description="Length of the demo's history in days (728 is two years): shorten it for faster runs, "
                    "keep two years for the models to see a yearly season.")
    locale: Literal["cn", "us", "uk"] = Field(
        "us",
        description="Whose holidays the calendar has that is built for `files` or `sql` data without a "
                    "dim_calendar: set it to the country the sales come from.")
    timezone: str | None = Field(
        None,
        description="IANA zone (e.g. Europe/Berlin) that time-zone-aware timestamps of `files` or `sql` data "
                    "are converted to before their zone is dropped; null refuses such timestamps, so a day "
                    "is never shifted silently.")
    url: str | None = Field(
        None,
        description="SQLAlchemy URL of your own ERP for source `sql`, read only (no password here: put a "
                    "credentialed URL in $SKULAB_SOURCE_URL, which overrides this key).")
    queries: Path | None = Field(
        None,
        description="Folder of `<table>.sql` files for source `sql`, relative to the project root: one "
                    "SELECT per canonical table, written against your own schema (docs/sql_source.md).")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is None:
            return zone
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r}; use an IANA name such as UTC or Europe/Berlin") from None
        return zone

    @field_validator("url")
    @classmethod
    def _no_source_password(cls, url: str | None) -> str | None:
        return _no_password(url)


class ErpConfig(_Section):
    """The ERP database every chapter reads from and writes back to."""

    url: str | None = Field(
        None,
        description="SQLAlchemy URL of the ERP (duckdb:///..., postgresql+psycopg://..., "
                    "mysql+pymysql://...); null is the embedded DuckDB file data/<profile>.duckdb; --db and "
                    "$SKULAB_DB_URL override it and hold any URL with a password (refused here).")

    @field_validator("url")
    @classmethod
    def _no_credentials(cls, url: str | None) -> str | None:
        return _no_password(url, "SKULAB_DB_URL")


class EdaConfig(_Section):
    """Knobs of the exploratory chapter (notebook 01)."""

    top_n: int = Field(
        15, ge=1,
        description="Rows of each top-N table and bar chart (stores, holidays, co-purchased pairs): raise "
                    "it to see further down the rankings.")
    max_order_skus: int = Field(
        100, ge=2,
        description="Orders with more distinct SKUs than this (bulk or wholesale) are left out of the "
                    "co-purchase pair counts: lower it if a few huge orders dominate the pairs.")


class ForecastConfig(_Section):
    """The forecasting chapter: frequency, horizon, backtest windows, feature groups and the model zoo.

    No time limits anywhere: `epochs`, `batches` and `tabular_rounds` fix the training length, so runs repeat.
    """

    freq: str = Field(
        "D",
        description="Period of the series: `D` (days) or `W-<day>` (weeks starting on that weekday, e.g. "
                    "W-THU): match the rhythm of the sales rows and of the decisions the forecast feeds.")
    horizon: int = Field(
        14, ge=1,
        description="Periods forecast ahead from each cutoff, in `freq` periods (14 days, 4 weeks): set it "
                    "to the lead time of the decision the forecast feeds.")
    windows: int = Field(
        4, ge=1,
        description="Backtest test windows, each one `horizon` long, the latest of the history, with a "
                    "refit at each: more windows give steadier scores and cost one fit each.")
    level: Literal["store", "region"] = Field(
        "store",
        description="Series forecast: store x SKU (what the allocation needs) or region x SKU (fewer, "
                    "smoother series).")
    features: list[FeatureGroup] = Field(
        ["calendar", "missing", "promo", "price", "covariates"],
        description="Feature groups switched on: `calendar`, `missing` (fill gaps by `impute` and "
                    "`censored`, and flag them), `promo`, `price`, `covariates` (your own, from the ERP's "
                    "covariate table; nothing when it is empty), or `raw` (price, base price and one flag per "
                    "promotion type as they come, the reference setting): leave one out to measure what it adds.")
    covariates: list[str] | None = Field(
        None,
        description="Which of your own covariates (names in the ERP's covariate table) the `covariates` group "
                    "adds; null adds all of them.")
    static: bool = Field(
        True,
        description="Add SKU and store attributes (category, region, store segment, ...) as static features "
                    "of each series; `partition_by` region or segment needs them.")
    impute: Literal["nan", "zero", "ffill", "seasonal"] = Field(
        "seasonal",
        description="How periods without a row are filled when `features` has `missing`: left to AutoGluon "
                    "(`nan`), 0, the previous value, or the mean of the last four same-weekday (daily) or "
                    "previous (weekly) observed values (`seasonal`).")
    no_row: Literal["missing", "zero"] = Field(
        "missing",
        description="What a period without a sales row means while the store sold other SKUs: `missing` (the "
                    "ERP records every SKU a store carries, zeros too, so a row-less period is unknown: filled by "
                    "`impute`, flagged, left out of the scores) or `zero` (sales are summed from transactions such "
                    "as order lines or receipts, so a SKU without one sold nothing: a true zero, kept and scored). "
                    "A period in which the store reported nothing at all stays missing either way.")
    censored: Literal["keep", "impute"] = Field(
        "impute",
        description="Stock-out periods, whose sales understate demand, when `features` has `missing`: kept "
                    "as sold, or raised to the seasonal estimate when below it.")
    models: list[str] = Field(
        ["SeasonalNaive", "ETS", "DirectTabular", "RecursiveTabular"],
        json_schema_extra=_choices(FORECAST_MODELS),
        description="The model zoo fitted at every cutoff (at least one): more models give the ensemble "
                    "more to choose from and cost a fit each.")
    ensemble: bool = Field(
        True,
        description="Add AutoGluon's WeightedEnsemble of the models (when there is more than one), weighted "
                    "on the validation windows.")
    quantiles: list[float] = Field(
        [0.1, 0.5, 0.9],
        description="Quantile levels forecast, in (0, 1), sorted; 0.1, 0.5 and 0.9 are required because the "
                    "ERP stores q10, q50 and q90.")
    recipe: Literal["manual", "auto"] = Field(
        "manual",
        description="`manual` runs the settings as written; `auto` chooses the feature groups, the imputation, the "
                    "zoo (among `models`), the ensemble and the calibration on the `recipe_windows` horizons before "
                    "the test windows (before the forecast, in the weekly job), within `recipe_fits` fits, and "
                    "falls back to AutoGluon alone with the raw columns when that scores better there.")
    recipe_windows: int = Field(
        1, ge=1,
        description="Selection windows of the `auto` recipe, each one horizon, right before the test windows: "
                    "more choose more surely and cost a fit each per candidate.")
    recipe_fits: int = Field(
        12, ge=2,
        description="Budget of the `auto` recipe in fits (a candidate costs one per selection window): the "
                    "profile's settings and the anchor come first, then feature groups and imputations until "
                    "the budget is spent.")
    recipe_series: int | None = Field(
        None, ge=1,
        description="The `auto` recipe chooses on a seeded random sample of at most this many series (of those "
                    "that sold in its selection windows) and the chosen settings then fit every series: at a chain's "
                    "size the selection costs what it costs on the sample; null chooses on every series.")
    conformal: bool = Field(
        False,
        description="Calibrate each model's q10 and q90, per horizon step and in units of each series' scale, so "
                    "that its validation windows hold 80 % of the sales, and keep its own quantiles where that "
                    "does not help on the latest validation window; needs `val_windows` of 2 or more.")
    epochs: int = Field(
        5, ge=1,
        description="Training epochs of the deep models (DeepAR, PatchTST, ...): more train longer.")
    batches: int = Field(
        50, ge=1,
        description="Batches per epoch of the deep models: with `epochs`, their fixed training length.")
    tabular_rounds: int | None = Field(
        None, ge=1,
        description="Cap on LightGBM's boosting rounds in the tabular models (early stopping after 20 "
                    "rounds without gain); null keeps AutoGluon's default of up to 10,000: set it to bound "
                    "the fit time.")
    val_windows: int = Field(
        1, ge=1,
        description="Validation windows AutoGluon holds out at the end of each fit's history (for the "
                    "ensemble weights and `conformal`): more are steadier but need longer series.")
    ablation_models: list[str] = Field(
        ["DirectTabular"], json_schema_extra=_choices(FORECAST_MODELS),
        description="Models the feature ablation refits for every variant in `ablation`: keep it small, each "
                    "variant is a whole backtest.")
    ablation: list[Literal["no covariates", "+calendar", "+promo", "+price", "all covariates", "+own covariates",
                           "all + static"]] = Field(
        ["no covariates", "+calendar", "+promo", "+price", "all covariates", "all + static"],
        description="Variants of the feature ablation: no covariates, one feature group alone, all of them, "
                    "all of them plus your own covariates (`+own covariates`), all plus static features: drop "
                    "variants to save time.")
    max_series: int | None = Field(
        None, ge=1,
        description="Forecast a seeded random sample of this many series among those that sold in the test "
                    "windows; null forecasts every series: set it to make a large chain quick.")
    partition_by: Literal["store", "region", "segment", "category"] | None = Field(
        None,
        description="Fit one zoo per store, region, store segment or category, the partitions run on the "
                    "configured `engine`; null fits one zoo for all series, in this process whatever the engine.")
    seed: int = Field(
        7, description="Seed of the model fits and of the `max_series` sample: the same seed repeats a run.")

    @model_validator(mode="after")
    def _calibration_is_checked(self) -> ForecastConfig:
        if self.conformal and self.val_windows < 2:
            raise ValueError(f"conformal: true needs val_windows of 2 or more (got {self.val_windows}): the "
                             "calibration is fitted on the earlier validation windows and checked on the latest")
        return self

    @field_validator("models", "ablation_models")
    @classmethod
    def _known_models(cls, models: list[str]) -> list[str]:
        return _known("model(s)", models or [], FORECAST_MODELS, empty_ok=False)

    @field_validator("quantiles")
    @classmethod
    def _quantiles_for_the_erp(cls, q: list[float]) -> list[float]:
        if not {0.1, 0.5, 0.9} <= set(q) or not all(0 < x < 1 for x in q):
            raise ValueError("must lie in (0, 1) and include 0.1, 0.5 and 0.9 (the ERP stores q10, q50, q90)")
        return sorted(q)

    @field_validator("freq")
    @classmethod
    def _panel_freq(cls, freq: str) -> str:
        if not FREQ_PATTERN.match(freq):
            raise ValueError("must be D (daily) or W-<day> (weekly periods starting on that day, e.g. W-MON, W-THU)")
        return freq


class EmbedConfig(_Section):
    """The SKU-embedding chapter: SKU2Vec and the gensim Word2Vec baseline, judged on later weeks.

    `threads` stays 1 by default: runs are then exactly reproducible, and on a busy 2-core machine extra
    threads of small batches wait on each other more than they compute.
    """

    dim: int = Field(
        64, ge=2,
        description="Length of every SKU vector: longer vectors hold more but need more orders to train.")
    epochs: int = Field(
        20, ge=1,
        description="The most passes over the training orders any method makes; with validation orders each "
                    "keeps its best epoch.")
    seed: int = Field(
        7,
        description="Seed of the validation split, the batches, the negative samples and the initial "
                    "weights: the same seed and `threads` give the same embeddings.")
    batch_size: int = Field(
        2048, ge=16,
        description="Leave-one-out samples (order lines) per SKU2Vec step: larger batches make an epoch "
                    "faster, smaller ones update more often.")
    lr: float = Field(
        0.01, gt=0, le=1,
        description="Adam's learning rate for SKU2Vec: lower it if the validation score jumps about, raise "
                    "it if it climbs slowly.")
    negatives: int = Field(
        256, ge=0,
        description="SKUs drawn per batch for SKU2Vec's sampled softmax; 0, or at least the vocabulary, "
                    "uses the full softmax (exact, but slow on a large catalogue).")
    patience: int = Field(
        5, ge=1, description="Epochs without improvement on the validation orders after which SKU2Vec stops.")
    side_features: list[Literal["style_id", "category", "color", "size", "season", "name_words"]] = Field(
        ["style_id", "category", "color", "size"],
        description="dim_sku columns with embeddings of their own added to each SKU's (skipped when empty "
                    "or one per SKU); `name_words` embeds the words of product names that SKUs share.")
    gensim_negative: int = Field(
        5, ge=1,
        description="Negative samples per positive in the gensim Word2Vec baseline (its `negative`).")
    gensim_alpha: float = Field(
        0.025, gt=0, le=1, description="Initial learning rate of the gensim Word2Vec baseline (its `alpha`).")
    train_weeks: int = Field(
        8, ge=1,
        description="Weeks of orders the embeddings train on, the latest before the test weeks: more weeks "
                    "see rarer SKUs but older tastes.")
    test_weeks: int = Field(
        1, ge=1, description="Weeks of orders after the training weeks on which the methods are judged.")
    valid_share: float = Field(
        0.1, ge=0, lt=0.5, description="Share of the training orders held out for validation (best epoch, "
                                       "`patience`); 0 holds none out and every method trains all `epochs`.")
    min_count: int = Field(
        1, ge=1,
        description="The fewest training order lines a SKU needs to get a vector: raise it to leave out "
                    "SKUs too rare to learn.")
    threads: int = Field(
        1, ge=1,
        description="Threads of torch and gensim workers: more may run faster on an idle machine, but only "
                    "1 is exactly reproducible.")


class AssortConfig(_Section):
    """The assortment chapter: sizes K, training windows, methods, and the rolling evaluation's knobs.

    The evaluation tests every window length in `windows` on the same weeks; `skulab assort` writes back
    `deploy_method` at `deploy_k`, trained on the latest `train_weeks`.
    """

    k: list[int | str] = Field(
        [200, 500, 1000, "rule"],
        description="Assortment sizes K (SKUs stocked per FDC) evaluated: integers and/or the rule token, "
                    "'rule' or 'rule<percent>' (the K at which popularity fills `rule_fill` of training "
                    "orders, labelled 'rule70' for 0.7; a percent disagreeing with `rule_fill` is refused).")
    rule_fill: float = Field(
        0.7, gt=0, lt=1,
        description="Share of training orders the rule token's K fills with the most popular SKUs.")
    train_weeks: int = Field(
        2, ge=1, description="Weeks of orders the write-back job (`skulab assort`) trains on.")
    test_weeks: int = Field(
        1, ge=1, description="Weeks each evaluation fold tests, right after its training window.")
    windows: list[int] = Field(
        [2, 4, 8], min_length=1,
        description="Training window lengths in weeks the evaluation compares, each tested on the same "
                    "weeks (those with a full longest window before them).")
    max_folds: int | None = Field(
        None, ge=1,
        description="Test only the latest this many weeks; null tests every week with a full longest "
                    "window: set it to bound the evaluation's time.")
    methods: list[AssortMethod] = Field(
        ["popularity", "order_greedy", "reverse_exclude", "swap_search", "mip", "net", "hybrid"],
        description="Assortment methods the evaluation runs (skulab.registry.ASSORT_METHODS says what each "
                    "does): drop slow ones (`mip`, `learned`, the `*forecast*` ones) for quick runs.")
    hindsight: bool = Field(
        True,
        description="Also solve each test week's own optimum (the out-of-sample limit) by MIP: switch off "
                    "to save its solves.")
    mip_time_limit: float = Field(
        20.0, gt=0,
        description="Seconds each exact MIP may run (its solver process is stopped at most 2 s later), the "
                    "`mip` method and the hindsight optimum alike.")
    net_epochs: int = Field(
        150, ge=1, description="Training epochs of the assortment net (`net`, `net_forecast`).")
    net_hidden: int = Field(
        32, ge=1,
        description="Hidden units of the assortment net's layer: more can fit more, and overfit sooner.")
    net_max_pairs: int = Field(
        3, ge=1,
        description="Training pairs per window of the assortment net: each of the window's latest weeks (at "
                    "most this many) is predicted from the weeks before it.")
    local_search_start: Literal["hybrid", "popularity"] = Field(
        "hybrid",
        description="Where `local_search` starts its swaps: the hybrid's or popularity's top K.")
    local_search_moves: int = Field(
        50, ge=0,
        description="The most swaps `local_search` tries (it keeps as many as the last training week "
                    "supports): more search further and slower.")
    local_search_candidates: int = Field(
        50, ge=1,
        description="Outside SKUs (by the weight of orders they alone complete), and as many cheapest "
                    "stocked SKUs, `local_search` tries on each move: more search wider and slower.")
    guard_candidates: list[AssortMethod] = Field(
        ["reverse_exclude", "net", "hybrid", "local_search"],
        description="Methods `guarded` may pick instead of popularity, each only when it beats popularity "
                    "surely on the held-out weeks (`guard_weeks`, `guard_confidence`); each costs a run per "
                    "held-out week (sku2vec an embedding fit per week and FDC, which is why it is not a default). "
                    "Reverse-Exclude learns no weights, so it can pay where baskets are too short for the "
                    "learned methods.")
    guard_weeks: int = Field(
        3, ge=1,
        description="The fewest weeks `guarded` holds out, the latest before the test, each trained on a window as "
                    "long as the method's own: more weeks make its choice surer and cost a run of every candidate "
                    "each.")
    guard_orders: int = Field(
        1500, ge=0,
        description="Held-out orders (of the FDCs decided together) `guarded` gathers, holding out earlier weeks "
                    "beyond `guard_weeks` until they hold this many, up to `guard_max_weeks`: about what a paired "
                    "test needs to be sure of a one-point gain when 3 % of orders are filled by one method alone "
                    "(0.03 x (2.24 / 0.01)^2); 0 holds out `guard_weeks` only. A leading candidate that is not sure gets "
                    "a second look on as many earlier weeks' orders, within `guard_max_weeks`.")
    guard_max_weeks: int = Field(
        13, ge=1,
        description="The most weeks `guarded` holds out (a quarter by default), and so the weeks before a "
                    "training window it reads: bounds its cost where weeks hold few orders.")
    guard_confidence: float = Field(
        0.95, gt=0.5, lt=1,
        description="How sure `guarded` must be that a candidate fills more held-out orders than popularity (a "
                    "one-sided paired test over the orders, split among the candidates; the second look tests the "
                    "leader alone) before it picks it: higher keeps popularity more often.")
    guard_margin: float = Field(
        0.0, ge=0, lt=1,
        description="How much (a share of orders filled: 0.01 is one point) a candidate's sure gain over "
                    "popularity on the held-out weeks must exceed for `guarded` to pick it.")
    learned_label_time_limit: float = Field(
        2.0, gt=0,
        description="Seconds each MIP may run that labels a past week's optimum for the `learned` method.")
    # the DirectTabular + SeasonalNaive ensemble: on the demo's training weeks (4-week windows, the 3 weeks before the
    # tested ones) it filled what popularity and DirectTabular fill at K 50 / 100 (SeasonalNaive, RecursiveTabular,
    # ADIDA, NPTS filled less; M5LightGBM cannot train on 28 days, its longest lag), and on a planted trend it weights
    # SeasonalNaive, which DirectTabular alone misses; ~25 s a fit there. The inner weeks: SeasonalNaive, the cheapest
    topk_models: list[str] = Field(
        ["DirectTabular", "SeasonalNaive"], min_length=1, json_schema_extra=_choices(FORECAST_MODELS),
        description="Models forecasting each FDC x SKU's daily orders for the week after the window "
                    "(`forecast_topk`, and the forecast `net_forecast` and `hybrid_forecast` use), one "
                    "AutoGluon fit pooled over FDCs.")
    topk_inner_models: list[str] = Field(
        ["SeasonalNaive"], min_length=1, json_schema_extra=_choices(FORECAST_MODELS),
        description="Models forecasting each inner week of a window from the weeks before it (the net's "
                    "training pairs, the hybrid's choice), one cheap fit per inner week.")
    topk_rounds: int = Field(
        100, ge=1, description="Cap on the boosting rounds of the tabular models in `topk_models` and "
                               "`topk_inner_models`.")
    bootstrap: int = Field(
        2000, ge=100,
        description="Bootstrap resamples of whole test weeks behind the 95 % intervals of each method's "
                    "difference to popularity: more give steadier interval ends.")
    deploy_method: AssortMethod = Field(
        "net", description="The method whose assortment `skulab assort` writes back to the ERP.")
    deploy_k: int | str = Field(
        "rule", description="The size K `skulab assort` writes back: an integer or the rule token (see `k`).")
    seed: int = Field(
        7, description="Seed of the learned methods (the net, `learned`, the top-K forecasts) and of the "
                       "bootstrap: the same seed repeats a run.")

    @property
    def rule_percent(self) -> int:
        """The share of training orders the rule's K fills, in percent (70 when rule_fill is 0.7)."""
        return round(self.rule_fill * 100)

    @property
    def rule_label(self) -> str:
        """The label of the rule's K in every table: 'rule70' when rule_fill is 0.7."""
        return f"rule{self.rule_percent}"

    @field_validator("topk_models", "topk_inner_models")
    @classmethod
    def _known_forecasters(cls, models: list[str]) -> list[str]:
        return ForecastConfig._known_models(models)

    @field_validator("guard_candidates")
    @classmethod
    def _not_guarded(cls, names: list[str]) -> list[str]:
        if "guarded" in names:
            raise ValueError("the guarded method cannot be its own candidate")
        return names

    @model_validator(mode="after")
    def _guard_weeks_within_the_most(self) -> AssortConfig:
        if self.guard_max_weeks < self.guard_weeks:
            raise ValueError(f"guard_max_weeks ({self.guard_max_weeks}) is below guard_weeks ({self.guard_weeks}): "
                             "the most weeks held out cannot be fewer than the fewest")
        return self

    @model_validator(mode="after")
    def _rule_tokens(self) -> AssortConfig:
        def norm(token: int | str, key: str) -> int | str:
            if isinstance(token, int):
                if token < 1:
                    raise ValueError(f"{key}: K must be at least 1, got {token}")
                return token
            m = RULE.match(token)
            if not m:
                raise ValueError(f"{key}: {token!r} is neither an integer nor the rule token 'rule' / "
                                 f"'{self.rule_label}'")
            if m.group(1) and m.group(1) != self.rule_label.removeprefix("rule"):
                raise ValueError(f"{key}: {token!r} disagrees with rule_fill {self.rule_fill}: write "
                                 f"'{self.rule_label}' or 'rule'")
            return self.rule_label

        object.__setattr__(self, "k", [norm(t, "k") for t in self.k])
        object.__setattr__(self, "deploy_k", norm(self.deploy_k, "deploy_k"))
        return self


class EngineConfig(_Section):
    """Where the partitioned jobs run: `local` (in this process) or `spark` at `master` with Spark `conf`."""

    name: Literal["local", "spark"] = Field(
        "local",
        description="The engine: `local` runs the partitions in this process, `spark` on a Spark cluster "
                    "(needs the spark extra and Java): switch to spark when one machine is too small, or to "
                    "spread the rolling evaluation's folds over the cores (local[2]). The forecast uses it only "
                    "with `forecast.partition_by`.")
    master: str = Field(
        "local[2]", description="Spark master URL: local[N], spark://host:port[,host:port], yarn or "
                                "k8s://https://host:port (spark only).")
    conf: dict[str, str | int | float | bool] = Field(
        {}, description="Spark settings passed to the session, keys starting with 'spark.' (e.g. "
                        "spark.executor.memory: 4g; spark only).")

    @field_validator("master")
    @classmethod
    def _master_url(cls, master: str) -> str:
        if not SPARK_MASTER.match(master):
            raise ValueError("is not a Spark master URL: write local[2], spark://host:7077, yarn or k8s://https://host:443")
        return master

    @field_validator("conf")
    @classmethod
    def _spark_keys(cls, conf: dict[str, str | int | float | bool]) -> dict[str, str | int | float | bool]:
        bad = [key for key in conf if not key.startswith("spark.")]
        if bad:
            raise ValueError(f"{bad[0]} is not a Spark setting (their keys start with 'spark.', e.g. spark.executor.memory)")
        return conf


class AllocateConfig(_Section):
    """Store allocation (skulab.allocate): costs, the DC's stock, the policy and the rolling simulation's knobs.

    Costs are money per unit, all in one currency.
    """

    margin: float = Field(
        10.0, gt=0,
        description="Margin earned on a unit sold: with `holding` it sets the newsvendor's service level "
                    "margin / (margin + holding).")
    holding: float = Field(
        2.0, ge=0, description="Cost of a unit left over at a store at the end of the week.")
    transfer_fixed: float = Field(
        25.0, ge=0,
        description="Fixed cost of each transfer between stores (or from the DC) after the fact, on top of "
                    "`transfer_unit` per unit.")
    transfer_unit: float = Field(
        1.0, ge=0, description="Cost per unit moved by a transfer after the fact.")
    wave_fixed: float = Field(
        5.0, ge=0,
        description="Cost of a line (one store, one SKU) on the mid-week replenishment wave of the two-wave policy "
                    "(`replenish`): a unit costs the same in either wave, so only the line is extra; a line is sent "
                    "only when its units earn more.")
    dc: Literal["central", "fdc"] = Field(
        "central",
        description="Which DC serves a store: `central` (one DC for every store) or `fdc` (its own FDC).")
    model: str = Field(
        "WeightedEnsemble",
        description="The forecast model whose first week the allocation job allocates (a model of the "
                    "latest forecast run).")
    models: list[str] | None = Field(
        None, description="Forecast models the simulation backtests; null takes `forecast.models`.")
    stock: float = Field(
        1.0, gt=0, le=MAX_STOCK_LEVEL,
        description="The DC's stock as a multiple of the forecast's expected demand (unless a --stock file "
                    "gives it): below 1 to study shortage, above 1 plenty.")
    policy: Literal["newsvendor", "proportional", "equal"] = Field(
        "newsvendor",
        description="How the job splits the stock: the newsvendor optimum, or the planners' baselines in "
                    "proportion to recent sales or in equal shares.")
    history_weeks: int = Field(
        4, ge=1, description="Weeks of recent sales the proportional baseline splits by.")
    shares: Literal["auto", "style", "forecast"] = Field(
        "auto",
        description="How the forecast-driven policies split a SKU's week among stores: `style` (the forecast's "
                    "week total for the DC, split in proportion to each store's sales of the SKU's style over the "
                    "last `share_weeks` weeks: a style's sizes pooled give steadier shares than one SKU's few "
                    "units; the SKU itself when SKUs have no style), `forecast` (each store's own forecast), or "
                    "`auto`: the simulation takes the one whose one push would have cost less on the "
                    "`selection_windows` backtest windows before its weeks; the allocation job, which has no "
                    "backtest to choose on, takes the forecast's own.")
    share_weeks: int = Field(
        8, ge=1, description="With shares `style` or `auto`: weeks of sales before the allocation the store shares "
                             "come from.")
    selection_windows: int = Field(
        1, ge=1,
        description="With shares `auto`: backtest windows (each `forecast.horizon` long) before the simulated weeks "
                    "on which the two splits are compared, the realised sales standing in for demand.")
    push_all: bool = Field(
        True,
        description="The one-push newsvendor sends the DC's whole stock, split by the newsvendor's marginal values "
                    "(the forecast's week total raised to the stock where it is lower), as the planners' rules do; "
                    "false keeps at the DC what exceeds the stores' critical-fractile quantities. The two-wave "
                    "policy always keeps that back for its mid-week wave.")
    stock_levels: list[float] = Field(
        [0.8, 1.1], min_length=1,
        description="DC stock levels the simulation tests, as fractions of the week's expected demand.")
    weeks: int = Field(
        8, ge=1, description="Weeks the simulation tests, the latest, refitting the forecast at each.")
    distribution: Literal["quantiles", "errors"] = Field(
        "quantiles",
        description="The simulation's weekly demand per store: `quantiles` (negative binomials fitted to the "
                    "forecast's q10 / q50 / q90 per day, summed) or `errors` (the same mean with the forecast's bias "
                    "removed and its spread measured from its errors on the weeks observed by each cutoff).")
    error_windows: int = Field(
        2, ge=0,
        description="With distribution `errors`: backtest windows before the simulated weeks whose errors set the "
                    "first weeks' mean and spread (later weeks add the errors seen by their cutoff); 0 leaves the "
                    "first window as the quantiles give it.")
    error_prior: float = Field(
        4.0, ge=0,
        description="With distribution `errors`: weeks of an average series with which a series' own errors are "
                    "shrunk toward the pooled ones: more trust the pool, 0 each series alone.")
    draws: int = Field(
        20, ge=1, description="Demand draws per simulated week: more give steadier costs.")
    skus: int = Field(
        40, ge=1,
        description="SKUs sampled for the simulation among those sold at two or more stores (every store of "
                    "each): more are more representative and slower.")
    bootstrap: int = Field(
        1000, ge=100, description="Bootstrap resamples behind the simulation's intervals.")
    seed: int = Field(
        7, description="Seed of the SKU sample, the demand draws and the bootstrap.")


class ReconcileConfig(_Section):
    """Regional and category trends: base forecasts at every level of the hierarchy, reconciled.

    Per level the reconciler with the lowest WQL on the selection window (the horizon before the `windows` test
    windows) is chosen, and `skulab trends` writes the region x category rows of the chosen one.
    """

    models: list[str] = Field(
        ["SeasonalNaive", "ETS", "DirectTabular"], json_schema_extra=_choices(FORECAST_MODELS),
        description="Models forecasting every level's series, each level fitted on its own: fewer keep the "
                    "many fits cheap.")
    ensemble: bool = Field(
        True, description="Add the weighted ensemble of the models (when there is more than one).")
    methods: list[str] = Field(
        ["bottom_up", "mint_shrink"], min_length=1, json_schema_extra=_choices(registry.RECONCILE_METHODS),
        description="Reconcilers tried besides the base forecasts (skulab.registry.RECONCILE_METHODS).")
    windows: int = Field(
        2, ge=1, description="Test windows, each one `forecast.horizon` long, after the selection window.")
    levels: list[str] = Field(
        list(registry.HIERARCHY_LEVELS), json_schema_extra=_choices(registry.HIERARCHY_LEVELS),
        description="Levels of the hierarchy, top to bottom; region, region/category and store/sku are "
                    "required (the trend figure, the ERP table and the bottom series).")

    @field_validator("models")
    @classmethod
    def _known_models(cls, models: list[str]) -> list[str]:
        return ForecastConfig._known_models(models)

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, methods: list[str]) -> list[str]:
        return _known("method(s)", methods, registry.RECONCILE_METHODS)

    @field_validator("levels")
    @classmethod
    def _known_levels(cls, levels: list[str]) -> list[str]:
        _known("level(s)", levels, registry.HIERARCHY_LEVELS)
        needed = [n for n in ("region", "region/category", "store/sku") if n not in levels]
        if needed:
            raise ValueError(f"must include {', '.join(needed)} (the trend figure, the ERP table and the bottom "
                             "series read them)")
        return [n for n in registry.HIERARCHY_LEVELS if n in levels]


def _known(what: str, names: list[str], known: dict[str, str], empty_ok: bool = True) -> list[str]:
    """`names` when each is a key of `known` (and, unless `empty_ok`, there is one), else a ValueError naming the
    unknown ones, the closest and the known."""
    unknown = [n for n in names if n not in known]
    if unknown or not (names or empty_ok):
        close = [difflib.get_close_matches(n, known, n=1) for n in unknown]
        hint = "; ".join(f"did you mean '{c[0]}' for '{n}'" for n, c in zip(unknown, close) if c)
        raise ValueError(f"unknown {what} {', '.join(unknown) or '(none given)'}{' (' + hint + ')' if hint else ''}; "
                         f"known: {', '.join(known)}")
    return names


class Config(_Section):
    """A validated profile plus where it came from."""

    profile: str = Field(
        description="Name of the profile, by convention its file's name: it names the default ERP file "
                    "data/<profile>.duckdb and the reports folder reports/<profile>.")
    data: DataConfig = Field(description="Where the ERP's rows come from.")
    erp: ErpConfig = Field(ErpConfig(), description="The ERP database.")
    eda: EdaConfig = Field(EdaConfig(), description="The exploratory chapter.")
    forecast: ForecastConfig = Field(ForecastConfig(), description="The forecasting chapter.")
    embed: EmbedConfig = Field(EmbedConfig(), description="The SKU-embedding chapter.")
    assort: AssortConfig = Field(AssortConfig(), description="The assortment chapter.")
    engine: EngineConfig = Field(EngineConfig(), description="Where the partitioned jobs run.")
    allocate: AllocateConfig = Field(AllocateConfig(), description="Store allocation.")
    reconcile: ReconcileConfig = Field(ReconcileConfig(), description="Regional and category trends.")
    root: Path = Field(
        exclude=True,
        description="The project root relative paths resolve against (set by load, not a profile key).")
    source_file: Path = Field(
        exclude=True,
        description="The profile file this config was read from (set by load, not a profile key).")

    @field_validator("profile")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        if not PROFILE_NAME.match(name):
            raise ValueError("must be letters, digits, '_' or '-' only (it names data/<profile>.duckdb and "
                             "reports/<profile>/, so no '/', '..' or spaces): rename it, e.g. after its file")
        return name

    @property
    def data_path(self) -> Path:
        """The source's files: the profile's path, else the shared data folder for real sources."""
        if self.data.path is not None:
            return _under(self.root, self.data.path)
        if self.data.source in SHARED_DATA_DIRS:
            return shared_data_dir(self.root) / SHARED_DATA_DIRS[self.data.source]
        raise ConfigError(f"{self.source_file}: data.path is required for source '{self.data.source}'")

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports" / self.profile


def project_root() -> Path:
    """The repository root: $SKULAB_ROOT, else the nearest folder above cwd with params/ and src/skulab."""
    if os.environ.get("SKULAB_ROOT"):
        return Path(os.environ["SKULAB_ROOT"]).resolve()
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "params").is_dir() and (folder / "src" / "skulab").is_dir():
            return folder
    return Path(__file__).resolve().parents[2]


def shared_data_dir(root: Path | None = None) -> Path:
    """The shared real data: $SKULAB_SHARED_DATA, else ../shared/data beside the repository."""
    if os.environ.get("SKULAB_SHARED_DATA"):
        return Path(os.environ["SKULAB_SHARED_DATA"])
    return (root or project_root()).parent / "shared" / "data"


def load(path: str | Path) -> Config:
    """Read a params YAML file (relative to cwd or the project root) into a validated Config."""
    root = project_root()
    file = Path(path)
    if not file.exists() and not file.is_absolute() and (root / file).exists():
        file = root / file
    if file.is_dir():
        profiles = sorted(p.name for p in file.glob("*.y*ml"))
        raise ConfigError(f"{path}: is a folder, not a params file: give a .yaml file"
                          + (f" such as {Path(path) / profiles[0]} (it holds {', '.join(profiles)})" if profiles else ""))
    if not file.is_file():
        profiles = sorted(p.name for p in (root / "params").glob("*.yaml"))
        raise ConfigError(f"{path}: params file not found (profiles in {root / 'params'}: {', '.join(profiles)})")
    try:
        raw = yaml.load(_utf8(file), Loader=UniqueKeyLoader) or {}
    except DuplicateKeyError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{file}: not valid YAML{at} ({problem}): fix the file there") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: a profile is a mapping of sections (profile, data, erp, ...), got {type(raw).__name__}")
    return parse(raw, root=root, source_file=file)


class DuplicateKeyError(yaml.YAMLError):
    """A key given twice in one mapping of a YAML file."""


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key given twice in one mapping is an error (PyYAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base` may be overridden on purpose
                continue
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if isinstance(key, str | int | float | bool | date) and key in lines:
                raise DuplicateKeyError(f"key {key!r} is given twice in one mapping (lines {lines[key]} and {line}; "
                                        "YAML would keep the last silently): keep one of them")
            lines.setdefault(key, line)
        return super().construct_mapping(node, deep=deep)


def _utf8(file: Path) -> str:
    """The text of a params file; a ConfigError naming the line of the first byte that is not UTF-8."""
    data = file.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{file}: not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}): save the file as "
                          "UTF-8") from None


def parse(raw: dict[str, Any], root: Path, source_file: Path) -> Config:
    """Validate a profile mapping; one ConfigError names every bad key with a fix."""
    try:
        return Config(**raw, root=root, source_file=source_file)
    except ValidationError as exc:
        raise ConfigError(f"{source_file}: " + "; ".join(_explain(e) for e in exc.errors())) from None


S = TypeVar("S", bound=_Section)


def override(cfg: S, section: str | None = None, **changes: Any) -> S:
    """A copy with some settings changed, validated again like a profile (one ConfigError names every bad key).

    `override(cfg, "assort", windows=[2])` changes a section of a whole Config; `override(cfg.forecast,
    horizon=7)` changes a section on its own. The one way to vary a profile: `--set`, CLI flags, notebooks.
    """
    if isinstance(cfg, Config):
        raw = cfg.model_dump()
        if section is None:
            raw.update(changes)
        elif section not in raw or not isinstance(raw[section], dict):
            sections = [k for k, v in raw.items() if isinstance(v, dict)]
            close = difflib.get_close_matches(section, sections, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"sections: {', '.join(sections)}"
            raise ConfigError(f"{cfg.source_file}: {section} is not a section of a profile ({hint})")
        else:
            raw[section] = {**raw[section], **changes}
        return parse(raw, root=cfg.root, source_file=cfg.source_file)  # type: ignore[return-value]
    name = next(k for k, f in Config.model_fields.items() if f.annotation is type(cfg))
    try:
        return type(cfg)(**{**cfg.model_dump(), **changes})
    except ValidationError as exc:
        raise ConfigError("; ".join(_explain(e, (name,)) for e in exc.errors())) from None


def assignments(items: list[str], section: str, where: str) -> dict[str, Any]:
    """`key=value` pairs (YAML values) from the command line, e.g. ["features=[raw]", "static=false"]."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{where}: --set takes key=value for the {section} section, got {item!r}")
        try:
            out[key.strip()] = yaml.load(value, Loader=UniqueKeyLoader)
        except yaml.YAMLError:
            raise ConfigError(f"{where}: --set {key.strip()}: {value!r} is not a YAML value") from None
    return out


def _explain(error: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    error = {**error, "loc": (*prefix, *error["loc"])}
    loc = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        known = _known_keys(error["loc"][:-1])
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
        return f"{loc} is not a known key ({hint})"
    if error["type"] == "missing":
        return f"{loc} is required"
    msg = error["msg"].removeprefix("Value error, ")
    if error["type"] == "finite_number":
        msg = "must be a finite number (.inf and .nan are no setting): write a number"
    if isinstance(error["input"], dict):  # a check across a section's keys names the key in its message
        return f"{loc}.{msg}"
    secret = error["loc"][-1] == "url"  # never echo a URL that may hold a password
    got = f"got {error['input']}" if isinstance(error["input"], date) else f"got {error['input']!r}"
    if error["type"] == "literal_error":  # a mistyped choice: name the closest one
        close = difflib.get_close_matches(str(error["input"]), re.findall(r"'([^']*)'", error["ctx"]["expected"]), n=1)
        got += f"; did you mean '{close[0]}'?" if close else ""
    return f"{loc}: {msg}" if secret else f"{loc}: {msg} ({got})"


def _known_keys(section: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Config
    for part in section:
        model = model.model_fields[str(part)].annotation  # type: ignore[assignment]
    return [k for k in model.model_fields if k not in ("root", "source_file")]


def _under(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else root / path
