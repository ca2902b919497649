"""No personal number leaves govstd unmasked: every command that outputs data, over generated IDs,
phones and USCCs in ID columns, phone columns, a free-text 备注 column and a header name.

Each output — stdout, stderr and every file written — is searched for every raw value, as written
and with separators removed; none may be found. Then ``--show-values`` must reveal them (so the
search would find a leak), and a few single points: birth dates beside an ID, escaping in reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

import govstd
from govstd.standards.loader import load_file, load_text
from govstd.standards.models import CatalogueSchema
from govstd.standards.numbers import gb32100
from govstd.validators.privacy import redact_row
from govstd.validators.report import markdown_report
from govstd.validators.scorecard import build
from privacy_testlib import SCHEMA_YAML, govstd_cli
from privacy_testlib import bad_id as _bad_id
from privacy_testlib import leaks as _leaks
from privacy_testlib import make_id as _id

TODAY = "2025-06-02"
SEPARATORS = ["", " ", "\u00a0", "\u3000", "\u200b", "-", ".", "\ufeff"]


def _uscc(i: int) -> str:
    first17 = f"91{['110101', '350100'][i % 2]}{'MA0' + f'{i:06d}'}"
    return first17 + gb32100.calc_check_digit(first17)


def _spaced(value: str, sep: str) -> str:
    return sep.join([value[:3], value[3:7], value[7:]])


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """A CSV whose every row leaks (bad checksums, wrong sex, long remarks), its schema, the raw values."""
    tmp = tmp_path_factory.mktemp("privacy")
    header_id = _id(99)
    raw = [header_id]
    rows = []
    for i in range(12):
        person, phone, uscc = (_bad_id(i) if i % 2 else _id(i)), f"1{3 + i % 7}{8123 + i:05d}{5678 + i:04d}", _uscc(i)
        born = dt.date(int(person[6:10]), int(person[10:12]), int(person[12:14]))
        sep = SEPARATORS[i % len(SEPARATORS)]
        remark = f"联系TEL{_spaced(phone, sep)}证件{_spaced(person, sep)}abc 单位{uscc}x 生于{born:%Y年%m月%d日}"
        rows.append({"id_number": person, "phone": phone, "employer_uscc": uscc,
                     "sex": str(1 + int(person[16]) % 2),  # the wrong sex: the ID check shows ID and birth date
                     "birth_date": born.isoformat(), "remark": remark, header_id: person})
        raw += [person, phone, uscc]
    data = tmp / "people.csv"
    with data.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, rows[0]])  # a repeated key: its sample shows an ID beside its birth date
    schema = tmp / "schema.yaml"
    schema.write_text(SCHEMA_YAML, encoding="utf-8")
    return data, schema, raw


def _catalogue(path: Path) -> CatalogueSchema:
    (schema,) = [e for e in load_file(path) if isinstance(e, CatalogueSchema)]
    return schema


def _files(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file())


def test_no_command_prints_or_writes_a_raw_value(dataset: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    data, schema, raw = dataset
    base = ("validate", str(data), "--schema-file", str(schema), "--today", TODAY)
    outputs: dict[str, str] = {}
    for name, extra in {"terminal": (), "quiet": ("-q",), "json": ("--json",)}.items():
        proc = govstd_cli(*base, *extra)
        assert proc.returncode == 1, proc.stderr
        outputs[name] = proc.stdout + proc.stderr
    for fmt in ("json", "html", "junit", "md"):
        proc = govstd_cli(*base, "--format", fmt)
        outputs[f"format {fmt}"] = proc.stdout + proc.stderr
    out_dir = tmp_path / "out"
    proc = govstd_cli(*base, "-q", "--out", str(out_dir), *[a for f in ("json", "html", "junit", "md")
                                                           for a in ("--format", f)])
    outputs["--out"] = proc.stdout + proc.stderr + _files(out_dir)
    result = govstd.validate(data, schema, today=dt.date(2025, 6, 2))
    outputs["api"] = json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + str(result)
    outputs["check"] = (lambda p: p.stdout + p.stderr)(govstd_cli("check", "GB11643", *raw[:5]))
    outputs["check --json"] = (lambda p: p.stdout + p.stderr)(
        govstd_cli("check", "GBT2261.1", "--json", stdin="\n".join(raw[:6]) + "\n"))
    for name, text in outputs.items():
        assert text.strip(), name
        assert _leaks(text, raw) == [], name
    # The search finds what is there: the remark's samples are shown, and --show-values reveals them.
    assert "联系TEL" in outputs["json"] and "证件" in outputs["json"] and "****" in outputs["json"]
    shown = govstd_cli(*base, "--json", "--show-values").stdout
    assert _leaks(shown, raw), "--show-values must show the values as they are"
    assert _leaks(json.dumps(govstd.validate(data, schema, today=dt.date(2025, 6, 2), show_values=True)
                             .model_dump(mode="json"), ensure_ascii=False), raw)


def test_birth_date_beside_an_id_is_masked(dataset: tuple[Path, Path, list[str]]) -> None:
    data, schema, _ = dataset
    result = govstd.validate(data, schema, today=dt.date(2025, 6, 2))
    samples = [s for c in result.checks if "birth_date" in c.columns and c.failed for s in c.samples]
    rows = [s.values for s in samples if s.values.get("id_number") and s.values.get("birth_date")]
    assert rows, "the key check shows an ID beside its birth date"
    for values in rows:
        assert set(values["birth_date"] or "") <= set("*-"), values
    remarks = [s.values["remark"] or "" for s in result.check("remark.max_length").samples]
    assert remarks and all("生于****年**月**日" in r for r in remarks), remarks


def test_redact_row_masks_bound_columns_free_text_and_birth_dates() -> None:
    person = _id(3)
    born = f"{person[6:10]}-{person[10:12]}-{person[12:14]}"
    from govstd.standards.masking import DEFAULT_RULE

    shown = redact_row({"id_number": person, "birth_date": born, "other_day": "2024-01-01",
                        "remark": f"联系13812345678 证件{person} 生于{born}"}, {"id_number": DEFAULT_RULE})
    assert shown["id_number"] == person[:6] + "*" * 8 + person[-4:]
    assert shown["birth_date"] == "****-**-**" and shown["other_day"] == "2024-01-01"
    assert shown["remark"] == f"联系138****5678 证件{person[:6]}********{person[-4:]} 生于****-**-**"


def test_header_that_is_an_id_is_masked_in_warnings_and_scorecard(dataset: tuple[Path, Path, list[str]]) -> None:
    data, schema, raw = dataset
    result = govstd.validate(data, schema, today=dt.date(2025, 6, 2))
    header = raw[0]
    assert any("not checked" in w for w in result.warnings)
    assert header not in json.dumps(result.model_dump(mode="json"))
    card = build(result, _catalogue(schema))
    assert header not in card.model_dump_json()


def test_markdown_summary_escapes_html_and_markdown(dataset: tuple[Path, Path, list[str]]) -> None:
    data, schema, _ = dataset
    hostile = '<img src=x onerror=alert(1)> [click](javascript:alert(1)) `code` **bold** | cell'
    loaded = _catalogue(schema)
    loaded = loaded.model_copy(update={"name_zh": hostile})
    result = govstd.validate(data, loaded, today=dt.date(2025, 6, 2))
    md = markdown_report.render(build(result, loaded))
    assert "<img" not in md and "](javascript" not in md and "`code`" not in md and "**bold**" not in md
    assert "&#60;img src=x onerror=alert&#40;1&#41;&#62;" in md


def test_the_scorecard_masks_a_label_by_the_rule_the_run_carried() -> None:
    """A result read back from JSON keeps ``label_masking``: its scorecard masks another department's value
    under a label (``XM (510100-00099)``) by that rule, and still masks the schema's own fields."""
    from govstd.standards.masking import DEFAULT_RULE
    from govstd.validators.results import CheckResult, DatasetInfo, Sample, ValidationResult

    (schema,) = load_text(SCHEMA_YAML)
    assert isinstance(schema, CatalogueSchema)
    label = "XM (510100-00099)"
    person = _id(5)
    sample = Sample(row=1, values={"id_number": person, label: "欧阳娜娜"})  # as show_values=True left them
    check = CheckResult(rule_id="rules.same.name", rule="consistent_with", dimension="consistency",
                        columns=["id_number"], description="agrees", evaluated=3, failed=1, samples=[sample])
    now = dt.datetime(2025, 6, 2, tzinfo=dt.UTC)
    result = ValidationResult(
        dataset=DatasetInfo(source="x.csv", format="csv", rows=3, columns=["id_number"]), schema_ref=schema.ref,
        engine="duckdb", tool_version="0", started_at=now, finished_at=now, checks=[check],
        label_masking={label: DEFAULT_RULE})
    back = ValidationResult.model_validate_json(result.model_dump_json())
    assert back.label_masking == {label: DEFAULT_RULE}
    (shown,) = build(back, schema).check("rules.same.name").samples
    assert "欧阳娜娜" not in str(shown.values[label]) and "*" in str(shown.values[label])
    assert person not in str(shown.values["id_number"]) and "*" in str(shown.values["id_number"])
