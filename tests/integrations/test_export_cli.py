"""``govstd export``: every format from a registry reference, the report of what was (not) exported,
and the ODCS contract's dimension mapping."""

from __future__ import annotations

import json
from pathlib import Path

import messy
import pytest
import yaml

from conftest import govstd
from govstd.commands.export import _FORMATS
from govstd.export import FORMATS
from govstd.export.odcs import DIMENSIONS
from govstd.registry.store import Registry
from govstd.standards.loader import load_file
from govstd.standards.models import QualityDimension


@pytest.fixture(scope="module")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry holding the messy dataset's schema, as is: its service-item standard (a candidate,
    no standard version yet) resolves by range in a registry as in the library."""
    folder = tmp_path_factory.mktemp("export-registry")
    url = f"sqlite:///{folder / 'registry.sqlite'}"
    with Registry(url) as reg:
        reg.init(actor="test")
        reg.publish(load_file(messy.SCHEMA), actor="test")
    return url


def test_cli_offers_every_registered_format() -> None:
    assert set(_FORMATS) == set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_from_a_registry_reference(fmt: str, registry_url: str, tmp_path: Path) -> None:
    out, report = tmp_path / f"export{FORMATS[fmt].suffix}", tmp_path / "report.json"
    proc = govstd("export", fmt, "510100-00001@^1", "--registry", registry_url, "--out", str(out),
                  "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 1000
    items = json.loads(report.read_text(encoding="utf-8"))["items"]
    assert {i["status"] for i in items} <= {"exact", "approximate", "not_exported"}
    assert all(i["note"] for i in items if i["status"] != "exact")  # every gap says why
    assert f"{fmt}: {len(items)} checks" in proc.stderr
    if fmt == "gx":  # with the registry, the registered-service-item rule is derived, and listed as not exported
        assert "not exported: rules.item_registered" in proc.stderr


def test_odcs_contract_maps_the_dimensions(tmp_path: Path) -> None:
    proc = govstd("export", "odcs", "--schema-file", str(messy.SCHEMA), "-q")
    assert proc.returncode == 0, proc.stderr
    contract = yaml.safe_load(proc.stdout)
    assert contract["apiVersion"] == "v3.1.0" and contract["kind"] == "DataContract"
    props = {p["name"]: p for p in contract["schema"][0]["properties"]}
    rules = {r["name"]: r for p in props.values() for r in p.get("quality", [])}
    rules |= {r["name"]: r for r in contract["schema"][0].get("quality", [])}
    assert rules["name.not_null"]["metric"] == "nullValues" and rules["name.not_null"]["dimension"] == "completeness"
    assert rules["key.unique"]["dimension"] == "uniqueness"  # 数据唯一性: ODCS has its own dimension
    assert rules["id_number.checksum"]["dimension"] == "accuracy"
    assert rules["region.code_set"]["dimension"] == "conformity"
    assert rules["rules.fresh"]["dimension"] == "timeliness"
    assert props["id_number"]["classification"] == "restricted"
    assert DIMENSIONS[QualityDimension.ACCESSIBILITY] is None


def test_bad_reference_is_exit_2(tmp_path: Path) -> None:
    proc = govstd("export", "gx", "no-such-schema@^1", "--registry", f"sqlite:///{tmp_path / 'r.sqlite'}")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
