"""Volume: an empty (or truncated) delivery fails the share gate unless the schema allows it.

Every check passes vacuously on zero rows, so without a row-count expectation a header-only CSV or an
empty Parquet file would be waved through. These run the real CLI on real files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from govstd import demo
from govstd.standards.models import CatalogueSchema, Volume


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COLUMNS": "120"})


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("volume")
    records, _ = demo.generate(20, seed=3)
    full = demo.write_csv(records, root / "full.csv")
    header = full.read_bytes().splitlines(keepends=True)[0]  # the demo writes GB18030, as departments do
    header_only = root / "header_only.csv"
    header_only.write_bytes(header)
    empty_parquet = root / "empty.parquet"
    pq.write_table(pa.table({name: pa.array([], pa.string()) for name in records[0]}), empty_parquet)
    schema = demo.schema_yaml("conditional")
    out = {"full": full, "header_only": header_only, "empty_parquet": empty_parquet}
    for name, volume in {"default": "", "may_be_empty": "volume: {min_rows: 0}\n",
                         "at_most_10": "volume: {min_rows: 1, max_rows: 10}\n"}.items():
        path = root / f"{name}.yaml"
        path.write_text(schema.replace("\nfields:\n", f"\n{volume}fields:\n", 1), encoding="utf-8")
        out[name] = path
    return out


def verdict(out: Path) -> dict[str, object]:
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    result: dict[str, object] = card["verdict"]
    return result


@pytest.mark.parametrize("data", ["header_only", "empty_parquet"])
def test_an_empty_extract_fails_the_gate(files: dict[str, Path], data: str, tmp_path: Path) -> None:
    proc = run("validate", files[data], "--schema-file", files["default"], "--out", tmp_path)
    assert proc.returncode == 1, proc.stderr
    gate = verdict(tmp_path)
    assert gate["verdict"] == "FAIL"
    reasons = gate["reasons"]
    assert isinstance(reasons, list)
    assert reasons[0]["code"] == "volume" and reasons[0]["value"] == 0 and reasons[0]["level"] == "fail"
    assert "没有任何记录" in reasons[0]["message_zh"]


def test_a_schema_may_allow_an_empty_delivery(files: dict[str, Path], tmp_path: Path) -> None:
    proc = run("validate", files["header_only"], "--schema-file", files["may_be_empty"], "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    gate = verdict(tmp_path)
    assert gate["verdict"] == "PASS"
    assert [r["code"] for r in gate["reasons"]] == ["volume"]  # type: ignore[union-attr]


def test_more_rows_than_allowed_fails(files: dict[str, Path], tmp_path: Path) -> None:
    proc = run("validate", files["full"], "--schema-file", files["at_most_10"], "--out", tmp_path)
    assert proc.returncode == 1, proc.stderr
    reasons = verdict(tmp_path)["reasons"]
    assert isinstance(reasons, list)
    volume = [r for r in reasons if r["code"] == "volume"]
    assert volume and volume[0]["value"] == 20 and volume[0]["threshold"] == 10


def test_a_full_delivery_has_no_volume_reason(files: dict[str, Path], tmp_path: Path) -> None:
    run("validate", files["full"], "--schema-file", files["default"], "--out", tmp_path)
    reasons = verdict(tmp_path)["reasons"]
    assert isinstance(reasons, list)
    assert all(r["code"] != "volume" for r in reasons)


def test_volume_bounds_are_checked_when_the_schema_loads() -> None:
    assert Volume().min_rows == 1
    with pytest.raises(ValueError, match="max_rows must be >= min_rows"):
        Volume(min_rows=5, max_rows=2)
    schema = CatalogueSchema.model_validate({
        "id": "T-1", "version": "1.0.0", "name_zh": "测试", "provider": {"name": "测试局"},
        "share": {"share_type": "conditional"}, "fields": [{"name": "a"}]})
    assert schema.volume.min_rows == 1 and schema.volume.max_rows is None
