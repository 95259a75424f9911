"""Profiles load into one validated object; every mistake is one message naming the key or path."""

from pathlib import Path

import pytest
import yaml

from skulab import config
from skulab.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, raw: dict | str) -> Path:
    p = tmp_path / "p.yaml"
    p.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw))
    return p


@pytest.mark.parametrize("profile", sorted(p.name for p in (ROOT / "params").glob("*.yaml")))
def test_every_shipped_profile_loads(profile: str) -> None:
    cfg = config.load(ROOT / "params" / profile)
    assert cfg.profile == profile.removesuffix(".yaml")


def test_relative_profile_path_resolves_from_project_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT / "notebooks")
    assert config.load("params/ci.yaml").data.scale == pytest.approx(0.05)


def test_unknown_key_names_it_and_suggests_the_right_one(tmp_path: Path) -> None:
    p = _write(tmp_path, {"profile": "x", "data": {"source": "demo", "sede": 3}})
    with pytest.raises(ConfigError, match=r"p\.yaml: data\.sede is not a known key \(did you mean 'seed'\?\)"):
        config.load(p)


def test_wrong_types_are_all_reported_in_one_message(tmp_path: Path) -> None:
    p = _write(tmp_path, {"profile": "x", "data": {"source": "demo", "days": "many", "scale": -1}})
    with pytest.raises(ConfigError) as err:
        config.load(p)
    assert "data.days" in str(err.value) and "data.scale" in str(err.value) and "\n" not in str(err.value)


def test_unknown_source_lists_the_choices(tmp_path: Path) -> None:
    p = _write(tmp_path, {"profile": "x", "data": {"source": "sap"}})
    with pytest.raises(ConfigError, match="data.source.*'demo', 'online_retail', 'frat', 'groceries', 'files' or 'sql'"):
        config.load(p)


def test_missing_file_lists_the_profiles() -> None:
    with pytest.raises(ConfigError, match=r"params/nope\.yaml: params file not found .*ci\.yaml"):
        config.load("params/nope.yaml")


def test_malformed_yaml_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        config.load(_write(tmp_path, "profile: [unclosed"))


def test_password_in_profile_url_is_refused_and_not_echoed(tmp_path: Path) -> None:
    p = _write(tmp_path, {"profile": "x", "data": {"source": "demo"},
                          "erp": {"url": "mysql+pymysql://root:hunter2@db/erp"}})
    with pytest.raises(ConfigError, match="SKULAB_DB_URL") as err:
        config.load(p)
    assert "hunter2" not in str(err.value)


def test_real_sources_default_to_the_shared_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKULAB_SHARED_DATA", str(tmp_path))
    assert config.load(ROOT / "params" / "frat.yaml").data_path == tmp_path / "breakfast_at_the_frat"
