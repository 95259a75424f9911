"""docs/params.md, the reference of every profile key, is rendered from the config schema and kept in step.

The schema is walked here independently of skulab.params_doc, so a key the generator missed fails too.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from pydantic import BaseModel

from skulab import config, params_doc

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "params.md"
HEADER = "| key | type | default | meaning |"
REGENERATE = f"docs/params.md is out of step with src/skulab/config.py: run `{params_doc.COMMAND}`"


def _schema_keys(model: type[BaseModel] = config.Config, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, field) of every field of every section, nested sections included."""
    for key, info in model.model_fields.items():
        yield prefix + key, info
        for t in (info.annotation, *get_args(info.annotation)):
            if isinstance(t, type) and issubclass(t, BaseModel):
                yield from _schema_keys(t, f"{prefix}{key}.")


def _documented_keys(doc: str) -> set[str]:
    """The key column of every key table in the reference."""
    found, in_table = set(), False
    for line in doc.splitlines():
        if line == HEADER:
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and line.startswith("| `"):
            found.add(line.split("|")[1].strip().strip("`"))
    return found


def _profile_keys(raw: dict[str, Any], sections: set[str], prefix: str = "") -> Iterator[str]:
    """Every key a profile writes, as 'forecast.horizon'; a mapping under a key that is no section
    (engine.conf) is a value, not keys."""
    for key, value in raw.items():
        yield prefix + key
        if isinstance(value, dict) and prefix + key in sections:
            yield from _profile_keys(value, sections, f"{prefix}{key}.")


def test_docs_params_md_is_the_rendered_reference() -> None:
    on_disk = DOC.read_text() if DOC.is_file() else ""
    assert on_disk == params_doc.render(), REGENERATE


def test_every_key_of_every_section_has_a_description() -> None:
    missing = [key for key, info in _schema_keys() if not (info.description or "").strip()]
    assert missing == [], (f"{', '.join(missing)}: give each a Field(..., description=...) in "
                           "src/skulab/config.py (what it means, its unit, why change it), then run "
                           f"`{params_doc.COMMAND}`")


def test_every_schema_key_has_a_row() -> None:
    written = {key for key, info in _schema_keys() if not info.exclude}
    assert _documented_keys(params_doc.render()) == written


@pytest.mark.parametrize("profile", sorted(p.name for p in (ROOT / "params").glob("*.yaml")))
def test_every_key_a_shipped_profile_uses_is_documented(profile: str) -> None:
    sections = {key for key, info in _schema_keys() if isinstance(info.annotation, type)
                and issubclass(info.annotation, BaseModel)}
    used = set(_profile_keys(yaml.safe_load((ROOT / "params" / profile).read_text()), sections))
    assert used - _documented_keys(DOC.read_text()) == set(), REGENERATE


def test_types_and_defaults_read_as_a_profile_writes_them() -> None:
    fields = dict(params_doc.keys())
    assert params_doc.type_text(fields["forecast.horizon"]) == "int >= 1"
    assert params_doc.type_text(fields["embed.lr"]) == "0 < float <= 1"
    assert params_doc.type_text(fields["data.path"]) == "path or null"
    partition_by = params_doc.type_text(fields["forecast.partition_by"])
    assert partition_by == "one of: store, region, segment, category, null"
    assert params_doc.type_text(fields["forecast.models"]).startswith("list of: SeasonalNaive, Naive, ")
    assert params_doc.type_text(fields["assort.windows"]) == "non-empty list of int"
    assert params_doc.default_text(fields["data.source"]) == "**required**"
    assert params_doc.default_text(fields["data.start"]) == "`2023-01-02`"
    assert params_doc.default_text(fields["forecast.quantiles"]) == "`[0.1, 0.5, 0.9]`"
    assert params_doc.default_text(fields["erp.url"]) == "`null`"


def test_the_docs_command_writes_the_reference(tmp_path: Path) -> None:
    from skulab.cli import main

    out = tmp_path / "docs" / "params.md"
    assert main(["docs", "params", "--out", str(out)]) == 0
    assert out.read_text() == params_doc.render()
