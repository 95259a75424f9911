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
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from skulab.errors import ConfigError

SHARED_DATA_DIRS = {"online_retail": "online_retail", "frat": "breakfast_at_the_frat"}


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
    """The forecasting chapter: frequency, horizon, backtest windows, feature groups and the model zoo."""

    freq: str = "D"
    horizon: int = Field(14, ge=1)
    windows: int = Field(4, ge=1)
    features: list[Literal["calendar", "missing", "promo", "price"]] = ["calendar", "missing", "promo", "price"]
    models: list[str] = ["SeasonalNaive", "ETS", "DirectTabular", "RecursiveTabular"]
    max_series: int | None = Field(None, ge=1)
    seed: int = 7


class EmbedConfig(_Section):
    """The SKU-embedding chapter: SKU2Vec and the gensim Word2Vec baseline."""

    dim: int = Field(64, ge=2)
    epochs: int = Field(20, ge=1)
    seed: int = 7


class AssortConfig(_Section):
    """The assortment chapter: sizes K (integers or 'rule70') and the rolling train/test windows in weeks."""

    k: list[int | Literal["rule70"]] = [200, 500, 1000, "rule70"]
    train_weeks: int = Field(2, ge=1)
    test_weeks: int = Field(1, ge=1)
    seed: int = 7


class Config(_Section):
    """A validated profile plus where it came from."""

    profile: str
    data: DataConfig
    erp: ErpConfig = ErpConfig()
    eda: EdaConfig = EdaConfig()
    forecast: ForecastConfig = ForecastConfig()
    embed: EmbedConfig = EmbedConfig()
    assort: AssortConfig = AssortConfig()
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
        raise ConfigError(f"{file}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: a profile is a mapping of sections (profile, data, erp, ...), got {type(raw).__name__}")
    return parse(raw, root=root, source_file=file)


def parse(raw: dict[str, Any], root: Path, source_file: Path) -> Config:
    """Validate a profile mapping; one ConfigError names every bad key with a fix."""
    try:
        return Config(**raw, root=root, source_file=source_file)
    except ValidationError as exc:
        raise ConfigError(f"{source_file}: " + "; ".join(_explain(e) for e in exc.errors())) from None


def _explain(error: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        known = _known_keys(error["loc"][:-1])
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
        return f"{loc} is not a known key ({hint})"
    if error["type"] == "missing":
        return f"{loc} is required"
    msg = error["msg"].removeprefix("Value error, ")
    secret = error["loc"][-1] == "url"  # never echo a URL that may hold a password
    return f"{loc}: {msg}" if secret else f"{loc}: {msg} (got {error['input']!r})"


def _known_keys(section: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Config
    for part in section:
        model = model.model_fields[str(part)].annotation  # type: ignore[assignment]
    return [k for k in model.model_fields if k not in ("root", "source_file")]


def _under(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else root / path
