"""Load and validate a params profile into one typed object; every mistake gives one clear message.

A profile is nested by chapter (`data`, `erp`, `eda`, ...) so each module reads only its own section.
Relative paths in a profile are relative to the project root, wherever the caller runs from.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from skulab import registry
from skulab.errors import ConfigError
from skulab.registry import ASSORT_METHODS, FEATURE_GROUPS, FORECAST_MODELS, FREQ_PATTERN

SHARED_DATA_DIRS = {"online_retail": "online_retail", "frat": "breakfast_at_the_frat"}
AssortMethod = Literal[tuple(ASSORT_METHODS)]  # type: ignore[valid-type]
FeatureGroup = Literal[FEATURE_GROUPS]  # type: ignore[valid-type]
RULE = re.compile(r"^rule(\d{1,2})?$")
SPARK_MASTER = re.compile(r"^(local(\[(\d+|\*)(,\d+)?\])?|spark://[^/\s:,]+(:\d+)?(,[^/\s:,]+(:\d+)?)*|yarn|k8s://\S+)$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Section):
    """Where the ERP's rows come from: the synthetic demo chain, a real data set, or the user's files.

    For the demo: `seed`, `scale` (stores, styles and orders), `orders_scale` (orders only), `start`, `days`.
    For `files`: `path` and the `locale` of the calendar built when the files have none.
    """

    source: Literal["demo", "online_retail", "frat", "files"]
    path: Path | None = None
    seed: int = 7
    scale: float = Field(1.0, gt=0)
    orders_scale: float = Field(1.0, gt=0)
    start: date = date(2023, 1, 2)
    days: int = Field(728, ge=28)
    locale: Literal["cn", "us", "uk"] = "us"


class ErpConfig(_Section):
    """The ERP database: a SQLAlchemy URL; None means an embedded DuckDB file data/<profile>.duckdb."""

    url: str | None = None

    @field_validator("url")
    @classmethod
    def _no_credentials(cls, url: str | None) -> str | None:
        if url and re.match(r"^[\w+]+://[^/@]*:[^/@]+@", url):
            raise ValueError("holds a password; put credentialed URLs in the SKULAB_DB_URL environment variable")
        return url


class EdaConfig(_Section):
    """Knobs of the exploratory chapter."""

    top_n: int = Field(15, ge=1)
    max_order_skus: int = Field(100, ge=2)


class ForecastConfig(_Section):
    """The forecasting chapter: frequency, horizon, backtest windows, feature groups and the model zoo.

    `level` forecasts store x SKU or region x SKU series; `features` switches the feature groups ('raw' is
    price, base price and one flag per promotion type as they come, the reference setting); `impute` names
    how periods without a row are filled and `censored` what happens to stock-out periods; `static` adds
    SKU and store attributes; `epochs` and `batches` fix the deep models' training length and
    `tabular_rounds` caps LightGBM's boosting rounds (no time limits anywhere). `conformal` moves each model's
    q10 and q90 so that its validation window holds 80 % of the sales (skulab.forecast.calibration).
    `partition_by` fits one zoo per store, region, store segment or category instead of one for all series
    (skulab.forecast.partitioned: the partitions run on the configured engine).
    """

    freq: str = "D"
    horizon: int = Field(14, ge=1)
    windows: int = Field(4, ge=1)
    level: Literal["store", "region"] = "store"
    features: list[FeatureGroup] = ["calendar", "missing", "promo", "price"]
    static: bool = True
    impute: Literal["nan", "zero", "ffill", "seasonal"] = "seasonal"
    censored: Literal["keep", "impute"] = "impute"
    models: list[str] = ["SeasonalNaive", "ETS", "DirectTabular", "RecursiveTabular"]
    ensemble: bool = True
    quantiles: list[float] = [0.1, 0.5, 0.9]
    conformal: bool = False
    epochs: int = Field(5, ge=1)
    batches: int = Field(50, ge=1)
    tabular_rounds: int | None = Field(None, ge=1)
    val_windows: int = Field(1, ge=1)
    ablation_models: list[str] = ["DirectTabular"]
    ablation: list[Literal["no covariates", "+calendar", "+promo", "+price", "all covariates", "all + static"]] = [
        "no covariates", "+calendar", "+promo", "+price", "all covariates", "all + static"]
    max_series: int | None = Field(None, ge=1)
    partition_by: Literal["store", "region", "segment", "category"] | None = None
    seed: int = 7

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
    """The SKU-embedding chapter: SKU2Vec and the gensim Word2Vec baseline, judged on the week after training.

    `epochs` is the most any method trains; with validation orders (`valid_share` of the training orders)
    every method keeps its best epoch and SKU2Vec stops after `patience` epochs without improvement.
    SKU2Vec steps over `batch_size` leave-one-out samples (order lines) with `negatives` SKUs drawn per
    batch for a sampled softmax (0, or at least the vocabulary: the full softmax), Adam at rate `lr`.
    `side_features` are dim_sku columns with embeddings of their own (skipped when empty or one per SKU);
    `name_words` embeds the words of product names that SKUs share.
    `gensim_negative` and `gensim_alpha` configure the Word2Vec baseline. `train_weeks` of orders train
    and the following `test_weeks` test; `min_count` is the fewest training lines a SKU needs. `threads`
    (torch threads, gensim workers) stays 1 by default: runs are then exactly reproducible, and on a busy
    2-core machine extra threads of small batches wait on each other more than they compute.
    """

    dim: int = Field(64, ge=2)
    epochs: int = Field(20, ge=1)
    seed: int = 7
    batch_size: int = Field(2048, ge=16)
    lr: float = Field(0.01, gt=0, le=1)
    negatives: int = Field(256, ge=0)
    patience: int = Field(5, ge=1)
    side_features: list[Literal["style_id", "category", "color", "size", "season", "name_words"]] = [
        "style_id", "category", "color", "size"]
    gensim_negative: int = Field(5, ge=1)
    gensim_alpha: float = Field(0.025, gt=0, le=1)
    train_weeks: int = Field(8, ge=1)
    test_weeks: int = Field(1, ge=1)
    valid_share: float = Field(0.1, ge=0, lt=0.5)
    min_count: int = Field(1, ge=1)
    threads: int = Field(1, ge=1)


class AssortConfig(_Section):
    """The assortment chapter: sizes K, training windows, methods, and the rolling evaluation's knobs.

    `k` holds integers and/or the rule token, 'rule' or 'rule<percent>' (the K at which popularity fills
    `rule_fill` of training orders); it is labelled after `rule_fill` ('rule70' for 0.7), and a token whose
    percent disagrees with `rule_fill` is refused.
    `train_weeks` is the window of the write-back job; `windows` are the windows the evaluation studies,
    each tested on the same weeks (the latest `max_folds`, or every week with a full longest window).
    `deploy_method` and `deploy_k` choose what `skulab assort` writes back.
    `local_search_*`: the start (hybrid or popularity), the most swaps and the candidates tried on each side.
    `guard_candidates` are the methods the guarded method may pick instead of popularity, each only when it beats
    popularity's fill of the last training week by more than `guard_margin` (a share: 0.01 is one point).
    `learned_label_time_limit` bounds each MIP that labels a past week's optimum for the learned method.
    `topk_models` forecast each FDC x SKU's daily orders for the week after the window (forecast_topk, and the
    forecast fed to net_forecast and hybrid_forecast), one AutoGluon fit pooled over FDCs; `topk_inner_models`
    forecast each inner week from the weeks before it (the net's training pairs, the hybrid's choice), one
    cheap fit per inner week; `topk_rounds` caps the tabular models' boosting rounds.
    """

    k: list[int | str] = [200, 500, 1000, "rule"]
    rule_fill: float = Field(0.7, gt=0, lt=1)
    train_weeks: int = Field(2, ge=1)
    test_weeks: int = Field(1, ge=1)
    windows: list[int] = Field([2, 4, 8], min_length=1)
    max_folds: int | None = Field(None, ge=1)
    methods: list[AssortMethod] = ["popularity", "order_greedy", "reverse_exclude", "swap_search", "mip", "net",
                                   "hybrid"]
    hindsight: bool = True
    mip_time_limit: float = Field(20.0, gt=0)
    net_epochs: int = Field(150, ge=1)
    net_hidden: int = Field(32, ge=1)
    net_max_pairs: int = Field(3, ge=1)
    local_search_start: Literal["hybrid", "popularity"] = "hybrid"
    local_search_moves: int = Field(50, ge=0)
    local_search_candidates: int = Field(50, ge=1)
    guard_candidates: list[AssortMethod] = ["net", "hybrid", "sku2vec", "local_search"]
    guard_margin: float = Field(0.0, ge=0, lt=1)
    learned_label_time_limit: float = Field(2.0, gt=0)
    # the DirectTabular + SeasonalNaive ensemble: on the demo's training weeks (4-week windows, the 3 weeks before the
    # tested ones) it filled what popularity and DirectTabular fill at K 50 / 100 (SeasonalNaive, RecursiveTabular,
    # ADIDA, NPTS filled less; M5LightGBM cannot train on 28 days, its longest lag), and on a planted trend it weights
    # SeasonalNaive, which DirectTabular alone misses; ~25 s a fit there. The inner weeks: SeasonalNaive, the cheapest
    topk_models: list[str] = Field(["DirectTabular", "SeasonalNaive"], min_length=1)
    topk_inner_models: list[str] = Field(["SeasonalNaive"], min_length=1)
    topk_rounds: int = Field(100, ge=1)
    bootstrap: int = Field(2000, ge=100)
    deploy_method: AssortMethod = "net"
    deploy_k: int | str = "rule"
    seed: int = 7

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
    """Where the partitioned jobs run: `local` (in this process) or `spark` at `master` with Spark `conf`.

    `master` is a Spark master URL: local[N], spark://host:port[,host:port], yarn or k8s://https://host:port;
    `conf` holds spark.* settings (spark.executor.memory, ...). Only `spark` needs the spark extra.
    """

    name: Literal["local", "spark"] = "local"
    master: str = "local[2]"
    conf: dict[str, str | int | float | bool] = {}

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
    """Store allocation: costs, the DC's stock, the baselines and the rolling simulation (skulab.allocate).

    Costs per unit: `margin` on a unit sold, `holding` on a unit left over; a transfer between stores (or from
    the DC) after the fact costs `transfer_fixed` plus `transfer_unit` per unit. `dc` is `central` (one DC
    serves every store) or `fdc` (each store's FDC serves it). The job allocates the forecast's first week of
    `model` with the DC holding `stock` x the forecast's expected demand (or a --stock file) by `policy`;
    the proportional baseline uses the last `history_weeks` weeks of sales. The simulation backtests `models`
    (default: forecast.models) and tests `weeks` weeks
    at each of `stock_levels` (fractions of the week's expected demand) with `draws` demand draws a week, on
    `skus` sampled SKUs sold at two or more stores (every store of each), intervals from `bootstrap` resamples.
    """

    margin: float = Field(10.0, gt=0)
    holding: float = Field(2.0, ge=0)
    transfer_fixed: float = Field(25.0, ge=0)
    transfer_unit: float = Field(1.0, ge=0)
    dc: Literal["central", "fdc"] = "central"
    model: str = "WeightedEnsemble"
    models: list[str] | None = None
    stock: float = Field(1.0, gt=0)
    policy: Literal["newsvendor", "proportional", "equal"] = "newsvendor"
    history_weeks: int = Field(4, ge=1)
    stock_levels: list[float] = Field([0.8, 1.1], min_length=1)
    weeks: int = Field(8, ge=1)
    draws: int = Field(20, ge=1)
    skus: int = Field(40, ge=1)
    bootstrap: int = Field(1000, ge=100)
    seed: int = 7


class ReconcileConfig(_Section):
    """Regional and category trends (skulab.forecast.reconcile): base forecasts at every level, reconciled.

    `models` (with the weighted ensemble when `ensemble` and more than one) forecast every level's series, each
    level fitted on its own; `levels` are the hierarchy's levels (store/sku, the bottom, always; region and
    region/category always, for the trend figure and the ERP table). `methods` are the reconcilers tried besides
    the base forecasts; per level the one with the lowest WQL on the selection window (the horizon before the
    `windows` test windows) is chosen, and `skulab trends` writes the region x category rows of the chosen one.
    """

    models: list[str] = ["SeasonalNaive", "ETS", "DirectTabular"]
    ensemble: bool = True
    methods: list[str] = Field(["bottom_up", "mint_shrink"], min_length=1)
    windows: int = Field(2, ge=1)
    levels: list[str] = list(registry.HIERARCHY_LEVELS)

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

    profile: str
    data: DataConfig
    erp: ErpConfig = ErpConfig()
    eda: EdaConfig = EdaConfig()
    forecast: ForecastConfig = ForecastConfig()
    embed: EmbedConfig = EmbedConfig()
    assort: AssortConfig = AssortConfig()
    engine: EngineConfig = EngineConfig()
    allocate: AllocateConfig = AllocateConfig()
    reconcile: ReconcileConfig = ReconcileConfig()
    root: Path = Field(exclude=True)
    source_file: Path = Field(exclude=True)

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
    if not file.is_file() and not file.is_absolute() and (root / file).is_file():
        file = root / file
    if not file.is_file():
        profiles = sorted(p.name for p in (root / "params").glob("*.yaml"))
        raise ConfigError(f"{path}: params file not found (profiles in {root / 'params'}: {', '.join(profiles)})")
    try:
        raw = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{file}: not valid YAML{at} ({problem}): fix the file there") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: a profile is a mapping of sections (profile, data, erp, ...), got {type(raw).__name__}")
    return parse(raw, root=root, source_file=file)


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
            out[key.strip()] = yaml.safe_load(value)
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
    if isinstance(error["input"], dict):  # a check across a section's keys names the key in its message
        return f"{loc}.{msg}"
    secret = error["loc"][-1] == "url"  # never echo a URL that may hold a password
    got = f"got {error['input']!r}"
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
