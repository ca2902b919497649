"""``govstd demo``: the synthetic dataset, and the whole pipeline run as a user runs it.

The end-to-end test runs ``python -m govstd demo --out DIR`` in a subprocess and checks what a new
user gets. It is also the privacy test the issue asks for: the dataset is synthetic people, and no
output file, and nothing on the console, may hold any of their full ID or phone numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from govstd import demo
from govstd.standards.loader import load_text
from govstd.standards.models import CatalogueSchema
from govstd.standards.numbers import gb11643, gbt2260

TODAY = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def generated() -> tuple[list[dict[str, str]], demo.Defects]:
    return demo.generate(today=TODAY)


def test_generation_is_deterministic(generated: tuple[list[dict[str, str]], demo.Defects]) -> None:
    again, _ = demo.generate(today=TODAY)
    assert again == generated[0]
    other, _ = demo.generate(seed=1, today=TODAY)
    assert other != generated[0]


def test_defects_are_injected_as_declared(generated: tuple[list[dict[str, str]], demo.Defects]) -> None:
    records, defects = generated
    assert len(records) == demo.DEFAULT_ROWS
    assert {k: defects.count(k) for k in demo.DEFECT_RATES} == demo.DEFECT_RATES
    row = {kind: [records[n - 1] for n in rows] for kind, rows in defects.rows.items()}
    assert all(r["id_number"].endswith("x") for r in row["id_lowercase_x"])
    assert all(re.fullmatch("[０-９Ｘ]{18}", r["id_number"]) for r in row["id_fullwidth"])
    assert all(re.fullmatch(r"[0-9]\.[0-9]{5}E\+17", r["id_number"]) for r in row["id_excel"])
    assert all(len(r["id_number"]) == 15 for r in row["id_legacy_15"])
    assert all(r["name"] == "" for r in row["name_blank"]) and all(r["id_number"] == "" for r in row["id_blank"])
    assert all(r["finished_at"] < r["accepted_at"] for r in row["finished_before_accepted"])
    keys = [r["case_no"] for r in records]
    assert len(keys) - len(set(keys)) == defects.count("duplicate")
    for r in row["id_wrong_check"]:
        assert gb11643.calc_check_digit(r["id_number"][:17]) != r["id_number"][17]
    for r in row["sex_mismatch"]:
        assert (int(r["id_number"][16]) % 2 == 1) != (r["sex"] == "1")


def test_clean_rows_are_valid_people(generated: tuple[list[dict[str, str]], demo.Defects]) -> None:
    records, defects = generated
    defective = {n for rows in defects.rows.values() for n in rows}
    clean = [r for n, r in enumerate(records, start=1) if n not in defective]
    assert len(clean) == demo.DEFAULT_ROWS - sum(demo.DEFECT_RATES.values())  # one defect per row at most
    for r in clean:
        assert gb11643.is_valid(r["id_number"], today=TODAY), r["id_number"]
        info = gb11643.parse(r["id_number"], today=TODAY)
        assert info.birth_date.isoformat() == r["birth_date"]
        assert (info.sex == "male") == (r["sex"] == "1")
        assert gbt2260.is_current(r["region"])
        assert re.fullmatch(r"1[3-9][0-9]{9}", r["phone"])
        assert r["finished_at"] == "" or r["finished_at"] >= r["accepted_at"]
    newest = max(r["accepted_at"] for r in records)
    assert newest.startswith(TODAY.isoformat())  # fresh for a monthly update cycle


def test_csv_is_a_windows_gb18030_export(tmp_path: Path, generated: tuple[list[dict[str, str]], demo.Defects]
                                         ) -> None:
    path = demo.write_csv(generated[0], tmp_path / "d.csv")
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == len(generated[0]) + 1
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    assert "𠇔" in text or "𡒄" in text or "𬌗" in text  # four-byte GB18030 characters, as in real registers
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["id_number"] for r in rows] == [r["id_number"] for r in generated[0]]


def test_schema_yaml_is_a_valid_catalogue_schema() -> None:
    (schema,) = load_text(demo.schema_yaml(), path="demo.yaml")
    assert isinstance(schema, CatalogueSchema)
    assert schema.ref == f"{demo.SCHEMA_ID}@{demo.SCHEMA_VERSION}"
    assert [f.name for f in schema.fields] == list(demo.COLUMNS)
    assert schema.share.share_type.value == "conditional"


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("demo") / "govstd-demo"
    proc = subprocess.run([sys.executable, "-m", "govstd", "demo", "--out", str(out)], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "COLUMNS": "120"})
    return out, proc


def test_demo_writes_a_scorecard(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, proc = demo_run
    assert proc.returncode == 0, proc.stderr
    for name in ("scorecard.html", "scorecard.json", "scorecard.md", demo.DATA_FILE, demo.SCHEMA_FILE,
                 demo.REGISTRY_FILE):
        assert (out / name).is_file(), name
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    from govstd.validators.report.schema import shipped_schema

    jsonschema.validate(card, shipped_schema())
    assert card["schema"]["ref"] == f"{demo.SCHEMA_ID}@{demo.SCHEMA_VERSION}"
    assert card["dataset"]["rows"] == demo.DEFAULT_ROWS
    assert re.fullmatch("[0-9a-f]{64}", card["dataset"]["sha256"])
    assert card["dataset"]["sm3"] is None  # opt-in: govstd validate --fingerprint sha256,sm3
    assert card["score"] is not None and card["verdict"]["verdict"] in {"PASS", "WARN", "FAIL"}
    assert any(c["failed"] > 0 for c in card["checks"])
    # The summary and where the files are.
    assert "数据质量评分卡" in proc.stdout and card["verdict"]["verdict"] in proc.stdout
    assert "scorecard.html" in proc.stdout and "file://" in proc.stdout


def test_demo_registry_holds_the_schema(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    from govstd.registry.store import Registry

    out, _ = demo_run
    with Registry(f"sqlite:///{out / demo.REGISTRY_FILE}") as registry:
        schema = registry.resolve(f"{demo.SCHEMA_ID}@^1")
        assert schema.version == demo.SCHEMA_VERSION
        assert registry.resolve("GB11643").id == "GB11643"  # initialised with the national library


def test_demo_finds_the_injected_defects(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = demo_run
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    failed_columns = {col for c in card["checks"] if c["counted"] and c["failed"] for col in c["columns"]}
    # Every column a defect was injected into has a failing check.
    assert {"id_number", "name", "phone", "region", "finished_at", "sex", "birth_date", "case_no"} <= failed_columns
    assert card["verdict"]["verdict"] != "PASS"


def test_demo_leaks_no_personal_numbers(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """No output file (nor the registry, nor the console) holds a full ID or phone number of the people."""
    out, proc = demo_run
    text = (out / demo.DATA_FILE).read_bytes().decode("gb18030")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    secrets = {r["id_number"] for r in rows if len(r["id_number"]) >= 15 and "E+" not in r["id_number"]}
    secrets |= {re.sub(r"[^0-9０-９]", "", r["phone"]) for r in rows}
    secrets |= {re.sub(r"[^0-9]", "", r["phone"]) for r in rows}
    secrets |= {s.upper() for s in secrets} | {s.translate({0xFF10 + i: 0x30 + i for i in range(10)}) for s in secrets}
    secrets = {s for s in secrets if len(s) >= 10}
    assert len(secrets) > 3000
    outputs = {p.name: p.read_bytes().decode("utf-8", errors="replace") for p in out.iterdir()
               if p.is_file() and p.name != demo.DATA_FILE}
    outputs["registry (raw bytes)"] = (out / demo.REGISTRY_FILE).read_bytes().decode("latin-1")
    outputs["stdout"] = proc.stdout
    outputs["stderr"] = proc.stderr
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    for name, content in outputs.items():
        hit = pattern.search(content)
        assert hit is None, f"a full personal number leaked into {name}"
    # The samples are there, masked.
    assert "********" in outputs["scorecard.json"]


def test_same_input_gives_the_same_json_but_for_times(demo_run: tuple[Path, subprocess.CompletedProcess[str]]
                                                       ) -> None:
    """Through the real engine: two validations of the same file give byte-identical JSON but for times."""
    import govstd
    from govstd.validators import scorecard
    from govstd.validators.report import json_report

    out, _ = demo_run
    (schema,) = load_text(demo.schema_yaml(), path="demo.yaml")
    assert isinstance(schema, CatalogueSchema)
    runs = []
    today = dt.date.today()  # the same reference day: freshness is measured against it
    for _ in range(2):
        result = govstd.validate(out / demo.DATA_FILE, schema, today=today)
        data = json.loads(json_report.render(scorecard.build(result, schema)))
        for field in json_report.TIME_FIELDS:
            data.pop(field)
        runs.append(json.dumps(data, sort_keys=True, ensure_ascii=False))
    assert runs[0] == runs[1]
