"""The masked copy's note, end to end: ``govstd mask`` writes ``<copy>.govstd-mask.json``; ``govstd
validate`` on the copy reports it (JSON, HTML, Markdown, terminal) and expects the masked fields masked.

Real parts: the demo export (2 000 rows with defects), the real CLI in a subprocess, CSV and Parquet.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html as html_lib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import govstd
from govstd import demo
from govstd.steward.mask import mask_dataset
from govstd.validators.scorecard import masked_copy as mc

TODAY = dt.date(2025, 1, 15)
KEY = b"0123456789abcdef0123456789abcdef"
SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, demo.Defects]:
    folder = tmp_path_factory.mktemp("note")
    records, defects = demo.generate(2000, today=TODAY)
    data = demo.write_csv(records, folder / "cases.csv")
    schema = folder / "schema.yaml"
    schema.write_text(demo.schema_yaml("conditional"), encoding="utf-8")
    return data, schema, defects


def _govstd(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", "--lang", "en", *args], capture_output=True, text=True,
                          cwd=cwd, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin", "COLUMNS": "200"}, timeout=600)


def _checks(card: Any) -> dict[str, Any]:
    return {c.rule_id: c for c in card.checks}


def test_mask_writes_the_note_and_validate_reports_it(files: tuple[Path, Path, demo.Defects], tmp_path: Path) -> None:
    data, schema, defects = files
    out = tmp_path / "masked.csv"
    masked = _govstd("mask", str(data), "--schema-file", str(schema), "--out", str(out), "--json", cwd=tmp_path)
    assert masked.returncode == 0, masked.stderr
    side = tmp_path / "masked.csv.govstd-mask.json"
    assert json.loads(masked.stdout)["note"] == str(side)
    note = mc.MaskedCopy.model_validate_json(side.read_bytes())
    assert note.source.name == "cases.csv" and note.source.sha256 == hashlib.sha256(data.read_bytes()).hexdigest()
    assert note.source.bytes == data.stat().st_size
    assert note.copy_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert note.rows == 2000 and not note.pseudonymised and note.key_id is None
    treatments = {c.column: c.treatment for c in note.columns}
    assert [c.column for c in note.columns] == list(demo.COLUMNS)
    assert treatments["id_number"] == treatments["phone"] == treatments["name"] == "masked"
    assert treatments["case_no"] == "as_is"
    raw = {n for n in defects.id_numbers | defects.phones if n and len(n) >= 11}
    assert not [n for n in raw if n in side.read_text(encoding="utf-8")]  # the note holds fingerprints only

    report = tmp_path / "report"
    run = _govstd("validate", str(out), "--schema-file", str(schema), "--today", TODAY.isoformat(), "--out",
                  str(report), "--format", "json", "--format", "html", "--format", "md", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    card = json.loads((report / "scorecard.json").read_text(encoding="utf-8"))
    assert card["masked_copy"]["source"]["sha256"] == note.source.sha256
    assert card["masked_copy"]["columns"] == json.loads(side.read_text(encoding="utf-8"))["columns"]
    html = (report / "scorecard.html").read_text(encoding="utf-8")
    assert 'id="masked-copy"' in html and 'data-pseudonymised="false"' in html
    assert f"脱敏副本 masked copy of cases.csv (SHA-256 {note.source.sha256[:16]}…" in html
    md = html_lib.unescape((report / "scorecard.md").read_text(encoding="utf-8"))  # Markdown escapes ( and _
    assert "> 🔒 脱敏副本 masked copy of cases.csv" in md and "no keyed pseudonymisation" in md
    assert "<code>id_number</code> 脱敏 masked (id_number)" in md
    assert "masked copy of cases.csv" in run.stdout  # the terminal headline
    for text in (html, md, run.stdout):
        assert not [n for n in raw if n in text]


def test_masked_fields_are_expected_masked(files: tuple[Path, Path, demo.Defects], tmp_path: Path) -> None:
    """With the note, masked values are what the field declares (info), not a warning about masked values
    in a field not declared masked; without it (the note removed), they are."""
    data, schema, _ = files
    out = tmp_path / "masked.csv"
    mask_dataset(data, schema, out)
    with_note = govstd.validate(str(out), str(schema), today=TODAY).scorecard
    assert with_note is not None and with_note.masked_copy is not None
    checks = _checks(with_note)
    for name in ("id_number", "phone"):
        assert checks[f"{name}.masked"].severity == "info" and checks[f"{name}.masked"].failed > 1900
        # Declared masked: every value must be masked, whatever the share type; the copy's are.
        assert checks[f"{name}.pii_exposure"].failed == 0 and checks[f"{name}.pii_exposure"].evaluated > 1900
    # A masked ID's checksum cannot be measured, by design: one info reason, not an unmeasured warning;
    # the rule reading the birth date inside the ID is left out.
    codes = {r.code: r.level for r in with_note.verdict.reasons}
    assert codes.get("unmeasured_masked") == "info" and "unmeasured_check" not in codes
    assert not [r for r in checks if r.startswith("rules.id_agrees")]
    mc.sidecar_path(out).unlink()
    plain = govstd.validate(str(out), str(schema), today=TODAY).scorecard
    assert plain is not None and plain.masked_copy is None
    checks = _checks(plain)
    assert checks["id_number.masked"].severity == "warning" and checks["id_number.masked"].failed > 1900
    assert "id_number.pii_exposure" not in checks  # a conditional share asks no masking of an ordinary file
    assert {r.code: r.level for r in plain.verdict.reasons}.get("unmeasured_check") == "warn"
    assert [r for r in checks if r.startswith("rules.id_agrees")]


def test_an_unmasked_value_in_a_masked_copy_is_an_error(files: tuple[Path, Path, demo.Defects],
                                                         tmp_path: Path) -> None:
    """A note vouching for a column that holds a raw ID: the copy fails its share gate on it."""
    data, schema, _ = files
    out = tmp_path / "masked.csv"
    mask_dataset(data, schema, out)
    rows = list(csv.reader(out.read_bytes().decode("utf-8-sig").splitlines()))
    rows[1][rows[0].index("id_number")] = "11010519491231002X"  # GB 11643's worked example: valid
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    side = mc.sidecar_path(out)
    stale = mc.MaskedCopy.model_validate_json(side.read_bytes())

    # Edited after mask: the note no longer matches, says so, and is otherwise ignored.
    result = govstd.validate(str(out), str(schema), today=TODAY)
    assert result.scorecard is not None and result.scorecard.masked_copy is None
    assert any("does not match masked.csv" in w for w in result.scorecard.warnings)

    # A matching note (as if mask had written this file): the raw ID is an exposure error.
    side.write_text(stale.model_copy(update={"copy_sha256": mc.file_sha256(out)}).model_dump_json(), "utf-8")
    result = govstd.validate(str(out), str(schema), today=TODAY)
    card = result.scorecard
    assert card is not None and card.masked_copy is not None
    assert _checks(card)["id_number.pii_exposure"].failed == 1
    # The gate weighs exposures by the share type: a conditional share warns (an unconditional one fails).
    assert result.verdict == "WARN" and card.verdict.pii_exposures == 1
    assert any(r.code == "pii_exposure" and r.level == "warn" for r in card.verdict.reasons)


def test_pseudonymised_copy(files: tuple[Path, Path, demo.Defects], tmp_path: Path) -> None:
    data, schema, defects = files
    out = tmp_path / "pseudo.parquet"
    mask_dataset(data, schema, out, key=KEY)
    note = mc.MaskedCopy.model_validate_json(mc.sidecar_path(out).read_bytes())
    assert note.pseudonymised and note.key_id == mc.key_id(KEY) and len(note.key_id) == 16
    assert {c.column: c.treatment for c in note.columns}["id_number"] == "pseudonymised"
    original = govstd.validate(str(data), str(schema), today=TODAY).scorecard
    card = govstd.validate(str(out), str(schema), today=TODAY).scorecard
    assert card is not None and original is not None and card.masked_copy is not None
    checks = _checks(card)
    # The pseudonym column is checked as what it holds: 64 hex digits, present where the ID was.
    assert checks["id_number.pattern"].failed == 0 and checks["id_number.pattern"].evaluated > 1900
    assert not [r for r in checks if r.startswith("id_number.") and r.endswith(("checksum", "region"))]
    # Pseudonyms are as unique as the numbers: the key's duplicates are the original's.
    assert checks["key.unique"].failed == _checks(original)["key.unique"].failed > 0
    # A rule reading the ID's embedded birth date cannot hold on a pseudonym: left out.
    assert not [r for r in checks if "consisten" in r], sorted(checks)
    assert f"key id {note.key_id}" in mc.headline(card.masked_copy)
    assert defects.id_numbers  # the demo has raw IDs to hide
