"""Reports: JSON against its shipped schema, determinism, JUnit, Markdown, self-contained HTML in a real
browser, and privacy — no report, in any format, holds a full ID or phone number.

The scorecards are built from hand-made ValidationResults (the engine is tested on its own).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from govstd.errors import InputError
from govstd.standards.models import CatalogueSchema, QualityDimension
from govstd.validators import scorecard as sc
from govstd.validators.report import (
    FORMATS,
    html_report,
    json_report,
    markdown_report,
    render,
    write_outputs,
    write_scorecard,
)
from govstd.validators.report import schema as report_schema
from govstd.validators.report.console_report import print_summary
from govstd.validators.results import CheckResult, DatasetInfo, Sample, ValidationResult

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
T0 = dt.datetime(2025, 3, 1, 9, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# Synthetic people: valid-looking IDs (correct check characters) and phones that must never appear whole.
IDS = ["11010519491231002X", "440524188001010014", "110101199003078515"]
PHONES = ["13912345678", "18600001111"]


def make_schema(share_type: str = "unconditional") -> CatalogueSchema:
    return CatalogueSchema.model_validate({
        "id": "TEST-0002", "version": "2.0.0", "name_zh": "低保对象名册", "name_en": "Subsistence allowance register",
        "provider": {"name": "某市民政局"}, "share": {"share_type": share_type},
        "fields": [
            {"name": "id_number", "name_zh": "公民身份号码", "standard": "GB11643@^1", "key": True},
            {"name": "name", "name_zh": "姓名", "pii": "name"},
            {"name": "phone", "name_zh": "联系电话", "standard": "mobile_phone@^1"},
            {"name": "amount", "name_zh": "发放金额", "data_type": "decimal"},
        ],
    })


def _check(rule_id: str, dimension: str, evaluated: int, failed: int, columns: list[str], *,
           rule: str | None = None, severity: str = "error", samples: list[Sample] | None = None) -> CheckResult:
    return CheckResult(rule_id=rule_id, rule=rule or rule_id.rsplit(".", 1)[-1],
                       dimension=QualityDimension(dimension), columns=columns,
                       description=f"{rule_id}: values follow the standard", evaluated=evaluated, failed=failed,
                       severity=severity, samples=samples or [])


def make_result(*, extra_checks: int = 0, leaky: bool = False, minutes: int = 0) -> ValidationResult:
    """A run with failing, passing, info and unevaluated checks; ``leaky`` puts raw values in samples."""
    id_value = IDS[0] if leaky else "110105********002X"
    phone_value = PHONES[0] if leaky else "139****5678"
    checks = [
        _check("id_number.checksum", "accuracy", 1000, 12, ["id_number"], samples=[
            Sample(row=3, values={"id_number": id_value}), Sample(row=9, values={"id_number": IDS[1] if leaky
                                                                                 else "440524********0014"})]),
        _check("id_number.format", "conformity", 1000, 0, ["id_number"]),
        _check("phone.pattern", "conformity", 980, 30, ["phone"],
               samples=[Sample(row=5, values={"phone": phone_value, "name": "王小明" if leaky else "王**"})]),
        _check("name.not_null", "completeness", 1000, 4, ["name"], samples=[Sample(row=77, values={"name": None})]),
        _check("pii_exposure.id_number", "conformity", 1000, 2, ["id_number"], rule="pii_exposure"),
        _check("id_number.normalised", "conformity", 1000, 40, ["id_number"], severity="info"),
        _check("amount.range", "accuracy", 0, 0, ["amount"]),
        *[_check(f"bulk{i:05d}.pattern", "consistency", 100, i % 3, ["amount"]) for i in range(extra_checks)],
    ]
    start = T0 + dt.timedelta(minutes=minutes)
    return ValidationResult(
        dataset=DatasetInfo(source="people.csv", format="csv", rows=1000,
                            columns=["id_number", "name", "phone", "amount"], encoding="gb18030",
                            sha256="a" * 64, sm3="b" * 64, bytes=54321),
        schema_ref="TEST-0002@2.0.0", engine="duckdb", tool_version="0.1.0",
        registry="postgresql://steward:pw@db.example/registry",
        started_at=start, finished_at=start + dt.timedelta(seconds=3), checks=checks,
        warnings=[f"row 12: {PHONES[1]} has a +86 prefix"] if leaky else [],
    )


@pytest.fixture
def card() -> sc.Scorecard:
    return sc.build(make_result(), make_schema())


# --------------------------------------------------------------------------- JSON


def test_json_validates_against_the_shipped_schema(card: sc.Scorecard) -> None:
    data = json.loads(json_report.render(card))
    schema = report_schema.shipped_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["$schema"] == schema["$id"] == sc.SCORECARD_SCHEMA_ID
    assert sc.SCORECARD_SCHEMA_VERSION in schema["$id"]
    # What the issue asks the JSON to hold.
    assert data["dataset"]["sha256"] == "a" * 64 and data["dataset"]["sm3"] == "b" * 64
    assert data["dataset"]["rows"] == 1000 and data["dataset"]["columns"] == ["id_number", "name", "phone", "amount"]
    assert data["schema"]["ref"] == "TEST-0002@2.0.0"
    assert data["tool_version"] == "0.1.0" and data["registry"] == "postgresql://steward:***@db.example/registry"
    assert data["started_at"].startswith("2025-03-01T09:00:00")
    first = data["checks"][0]
    assert {"rule_id", "columns", "dimension", "evaluated", "failed", "samples"} <= set(first)
    assert [d["dimension"] for d in data["dimensions"]] == [d.value for d in QualityDimension]
    assert data["verdict"]["verdict"] == "FAIL" and data["verdict"]["pii_exposures"] == 2


def test_shipped_schema_is_up_to_date() -> None:
    shipped = Path(report_schema.__file__).with_name(report_schema.SCHEMA_FILE).read_text(encoding="utf-8")
    assert shipped == report_schema.render(), "regenerate: python -m govstd.validators.report.schema"


def test_schema_rejects_a_broken_scorecard(card: sc.Scorecard) -> None:
    data = json.loads(json_report.render(card))
    data["verdict"]["verdict"] = "MAYBE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema.shipped_schema())


def test_json_is_deterministic_but_for_times() -> None:
    a = json_report.render(sc.build(make_result(), make_schema()))
    b = json_report.render(sc.build(make_result(), make_schema()))
    assert a == b
    later = json.loads(json_report.render(sc.build(make_result(minutes=90), make_schema())))
    first = json.loads(a)
    assert later != first
    for field in json_report.TIME_FIELDS:
        later.pop(field)
        first.pop(field)
    assert later == first


def test_json_round_trips_into_the_model(card: sc.Scorecard) -> None:
    again = sc.Scorecard.model_validate_json(json_report.render(card))
    assert again == card


# --------------------------------------------------------------------------- JUnit and Markdown


def test_junit_xml(card: sc.Scorecard) -> None:
    root = ET.fromstring(render(card, "junit"))
    assert root.tag == "testsuites"
    gate, checks = root.findall("testsuite")
    assert gate.get("name") == "govstd.gate" and gate.get("failures") == "1"  # FAIL verdict (PII exposure)
    cases = checks.findall("testcase")
    assert len(cases) == len(card.checks) == int(checks.get("tests", "0"))
    failed = [c for c in cases if c.find("failure") is not None]
    # Counted checks with failures: id_number.checksum, phone.pattern, name.not_null, pii_exposure.id_number.
    assert sorted(c.get("name", "").split()[0] for c in failed) == [
        "id_number.checksum", "name.not_null", "phone.pattern", "pii_exposure.id_number"]
    assert checks.get("failures") == "4" == str(card.totals.failing)
    assert root.get("failures") == "5"
    assert checks.get("skipped") == "1"  # amount.range evaluated nothing
    info = next(c for c in cases if c.get("name", "").startswith("id_number.normalised"))
    assert info.find("failure") is None and "40 of 1,000" in (info.findtext("system-out") or "")
    text = next(c for c in failed if c.get("name", "").startswith("id_number.checksum")).findtext("failure") or ""
    assert "row 3: id_number=110105********002X" in text
    assert next(c for c in cases if c.get("name", "").startswith("id_number.checksum")).get(
        "classname") == "govstd.accuracy"


def test_junit_passing_gate_and_control_characters() -> None:
    result = make_result()
    result.checks = [c for c in result.checks if c.rule != "pii_exposure"]
    result.checks[0].samples[0].values["id_number"] = "bad\x00\x1b value"
    card = sc.build(result, make_schema("not_shared"))
    root = ET.fromstring(render(card, "junit"))
    assert root.find("testsuite").get("failures") == "0"  # type: ignore[union-attr]
    assert root.get("failures") == "3"


def test_markdown_summary(card: sc.Scorecard) -> None:
    md = markdown_report.render(card)
    assert md.startswith("## ❌ 数据质量评分卡 Data quality scorecard: **FAIL 不通过**")
    assert "| 准确性 Accuracy |" in md and "未测量 not measured" in md
    assert "<code>id&#95;number.checksum</code>" in md and "12 / 1,000" in md
    assert "发现 2 处未脱敏的个人信息" in md
    assert "110105" not in md  # no sample values in CI logs at all
    many = markdown_report.render(sc.build(make_result(extra_checks=200), make_schema()))
    assert f"worst {markdown_report.MAX_CHECKS} of" in many
    assert many.count("\n| <code>") == markdown_report.MAX_CHECKS


# --------------------------------------------------------------------------- HTML (static)


def test_html_is_self_contained(card: sc.Scorecard) -> None:
    page = html_report.render(card)
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    assert "default-src 'none'" in page  # the page may not fetch anything
    # No external resources: no src/href to anything but data: or fragments, no CSS url() or @import.
    for attr in re.findall(r'\b(?:src|href)="([^"]*)"', page):
        assert attr.startswith(("data:", "#")), attr
    assert "url(" not in page and "@import" not in page and "<link rel=\"stylesheet\"" not in page
    assert 'id="dimension-chart"' in page and page.count('class="dim-bar"') == 3  # 3 measured dimensions
    assert "不通过" in page and "FAIL" in page and "质量维度" in page and "Quality dimensions" in page
    assert "440524********0014" in page  # masked samples are shown


def test_html_escapes_what_it_shows() -> None:
    result = make_result()
    result.checks[0].description = '<script>alert("x")</script>'
    result.checks[0].columns = ["id<b>"]
    page = html_report.render(sc.build(result, make_schema()))
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "id<b>" not in page


def test_html_with_thousands_of_checks_stays_small() -> None:
    big = sc.build(make_result(extra_checks=5000), make_schema())
    page = html_report.render(big)
    assert len(page) < 12_000_000
    assert 'id="failing-list"' in page and 'id="failing-filter"' in page  # paged and filterable


# --------------------------------------------------------------------------- files and registry


def test_write_outputs(tmp_path: Path) -> None:
    card, paths = write_outputs(make_result(), make_schema(), tmp_path / "out", ["json", "html", "md", "junit"])
    assert set(paths) == set(FORMATS)
    assert {p.name for p in paths.values()} == {"scorecard.json", "scorecard.html", "scorecard.md",
                                                "scorecard.junit.xml"}
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["verdict"]["verdict"] == card.verdict.verdict.value
    assert not list((tmp_path / "out").glob(".*.tmp"))
    with pytest.raises(InputError, match="unknown report format"):
        write_scorecard(card, tmp_path, ["pdf"])
    assert set(write_scorecard(card, tmp_path / "alias", ["markdown", "xml"])) == {"md", "junit"}


def test_no_report_leaks_personal_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The engine should mask samples; even when a result arrives unmasked, no output holds a full number."""
    result = make_result(leaky=True)
    card, paths = write_outputs(result, make_schema(), tmp_path, list(FORMATS))
    print_summary(card, paths)
    captured = capsys.readouterr()
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths.values()}
    texts["console"] = captured.out + captured.err
    for name, text in texts.items():
        for secret in [*IDS, *PHONES, "王小明", "steward:pw@"]:
            assert secret not in text, f"{secret} leaked into {name}"
    assert "110105********002X" in texts["scorecard.json"]


# --------------------------------------------------------------------------- HTML in a real browser


def _chromium() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, as .ci/run "
                    "does) — the browser tests must run, not skip")
    return CHROMIUM


def open_in_browser(path: Path, screenshot: Path, action: Any = None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type in {"error", "warning"} else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            page.screenshot(path=str(screenshot), full_page=True)
            out = {
                "verdict": page.locator("#verdict .badge").inner_text(),
                "data_verdict": page.locator("#verdict").get_attribute("data-verdict"),
                "bars": page.locator("#dimension-chart rect.dim-bar").count(),
                "chart_box": page.locator("#dimension-chart").bounding_box(),
                "title": page.title(),
            }
            if action is not None:
                out.update(action(page))
        finally:
            browser.close()
    out["errors"] = errors
    out["requests"] = [u for u in requests if not u.startswith(("file:", "data:"))]
    return out


@pytest.mark.browser
def test_html_renders_in_chromium(tmp_path: Path) -> None:
    _, paths = write_outputs(make_result(), make_schema(), tmp_path, ["html"])
    shot = tmp_path / "scorecard.png"
    seen = open_in_browser(paths["html"], shot)
    assert seen["errors"] == [] and seen["requests"] == []
    assert "不通过" in seen["verdict"] and "FAIL" in seen["verdict"] and seen["data_verdict"] == "FAIL"
    assert seen["bars"] == 3
    box = seen["chart_box"]
    assert box is not None and box["width"] > 400 and box["height"] > 150
    assert shot.stat().st_size > 20_000


@pytest.mark.browser
def test_html_with_thousands_of_checks_in_chromium(tmp_path: Path) -> None:
    _, paths = write_outputs(make_result(extra_checks=4000), make_schema("conditional"), tmp_path, ["html"])

    def page_through(page: Any) -> dict[str, Any]:
        visible = page.locator("#failing-list > li:visible").count()
        info = page.locator("#failing-info").inner_text()
        page.click("#failing-next")
        second = page.locator("#failing-info").inner_text()
        page.fill("#failing-filter", "bulk00004")
        filtered = page.locator("#failing-list > li:visible").count()
        return {"visible": visible, "info": info, "second": second, "filtered": filtered}

    seen = open_in_browser(paths["html"], tmp_path / "big.png", page_through)
    assert seen["errors"] == []
    assert seen["visible"] == html_report.PAGE_SIZE
    failing = sum(1 for i in range(4000) if i % 3) + 4  # bulk checks failing, plus the four failing above
    assert seen["info"] == f"1–{html_report.PAGE_SIZE} / {failing}"
    assert seen["second"].startswith(f"{html_report.PAGE_SIZE + 1}–")
    assert seen["filtered"] == 1


# --------------------------------------------------------------------------- finish (what `validate` calls)


def test_finish_writes_or_renders_and_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from govstd.validators.report import finish

    done = finish(make_result(), make_schema("unconditional"), out_dir=tmp_path / "o", formats=["md", "junit"])
    assert done.scorecard.verdict.verdict == sc.Verdict.FAIL  # PII exposures under unconditional sharing
    assert sorted(p.name for p in done.written.values()) == ["scorecard.junit.xml", "scorecard.md"]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["scorecard.junit.xml", "scorecard.md"]
    assert done.texts == {}
    # No directory: every format asked for comes back as text; the command decides where it goes.
    rendered = finish(make_result(), make_schema("not_shared"), formats=["json", "md"])
    assert rendered.written == {} and sorted(rendered.texts) == ["json", "md"]
    gate = json.loads(rendered.texts["json"])["verdict"]
    # amount.range evaluated no row: that warns (unmeasured_check) rather than passing as 0/0.
    assert gate["verdict"] == "WARN" and [r["code"] for r in gate["reasons"]] == ["unmeasured_check", "not_measured"]
    assert capsys.readouterr() == ("", "")
    # The schema the run resolved travels in the result; without it there is nothing to judge by.
    carried = make_result().model_copy(update={"catalogue": make_schema("not_shared")})
    assert finish(carried).scorecard.verdict.verdict == sc.Verdict.WARN  # judged by the carried schema
    with pytest.raises(InputError, match="does not carry the catalogue schema"):
        finish(make_result())


def test_report_writes_prints_and_returns_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from govstd.commands.validate import report

    code = report(make_result(), make_schema("unconditional"), out_dir=tmp_path / "o", formats=["md", "junit"])
    assert code == 1  # FAIL: PII exposures under unconditional sharing
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["scorecard.junit.xml", "scorecard.md"]
    out = capsys.readouterr().out
    assert "不通过 FAIL" in out and "scorecard.md" in out
    # amount.range evaluated none of the rows: every report says so, with its reason, never 0/0 as a pass.
    markdown = (tmp_path / "o" / "scorecard.md").read_text()
    assert "- <code>amount.range</code>: unmeasured — no row the check applies to" in markdown
    assert 'message="unmeasured — no row the check applies to"' in (tmp_path / "o" / "scorecard.junit.xml").read_text()
    assert "unmeasured — no row the check applies to" in out
    assert report(make_result(), make_schema("not_shared"), out_dir=tmp_path / "d") == 0
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["scorecard.html", "scorecard.json"]
    capsys.readouterr()
    # One format and no --out: the report on stdout, the summary on stderr — pipeable.
    assert report(make_result(), make_schema("not_shared"), formats=["json"]) == 0
    captured = capsys.readouterr()
    card_json = json.loads(captured.out)
    assert card_json["verdict"]["verdict"] == "WARN" and "WARN" in captured.err  # the unmeasured amount.range
    (blind,) = [c for c in card_json["checks"] if c["unmeasured_reason"]]
    assert blind["rule_id"] == "amount.range" and blind["unmeasured_reason"] == "no row the check applies to"
    with pytest.raises(InputError, match="need --out"):
        report(make_result(), make_schema(), formats=["json", "html"])
    with pytest.raises(InputError, match="--json already uses"):
        report(make_result(), make_schema(), formats=["md"], stdout_taken=True)


def test_report_fail_on_warn() -> None:
    from govstd.commands.validate import report

    result = make_result()
    result.checks = [c for c in result.checks if c.rule != "pii_exposure"]
    result.checks[2].failed = 100  # phone.pattern: 880 / 980 = 89.8%, between conditional's 80 and 95: WARN
    card = sc.build(result, make_schema("conditional"))
    assert card.verdict.verdict == sc.Verdict.WARN
    assert report(result, make_schema("conditional"), quiet=True) == 0
    assert report(result, make_schema("conditional"), quiet=True, fail_on="warn") == 1
    strict = {"gate": {"conditional": {"min_check": 95, "warn_check": 99}}}
    assert report(result, make_schema("conditional"), quiet=True, policy=strict) == 1


def test_the_scorecard_judges_by_the_schema_the_run_resolved(tmp_path: Path) -> None:
    """The result carries the schema object the run used: the report neither reloads a file nor
    resolves a range again (which a publish in between could have moved)."""
    from govstd.registry.store import Registry
    from govstd.standards.loader import load_text
    from govstd.validators.api import validate
    from govstd.validators.report import finish

    yaml_text = (
        "kind: catalogue_schema\nid: TEST-0002\nversion: 2.0.0\nname_zh: 低保对象名册\nprovider: {name: 某市民政局}\n"
        "share: {share_type: conditional}\nfields:\n  - {name: id_number, standard: 'GB11643@^1'}\n"
    )
    data = tmp_path / "data.csv"
    data.write_text("id_number\n11010519491231002X\n", encoding="utf-8")
    path = tmp_path / "schema.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    from_file = validate(data, path)
    path.unlink()  # the report needs the file no more
    assert finish(from_file).scorecard.schema_info.share_type.value == "conditional"
    assert from_file.catalogue is not None and from_file.catalogue.ref == "TEST-0002@2.0.0"
    assert "catalogue" not in from_file.model_dump(mode="json")  # the object stays out of the JSON
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    with Registry(url) as registry:
        registry.init()
        registry.publish(load_text(yaml_text), actor="test")
        result = validate(data, "TEST-0002@^2", registry=registry)
        later = yaml_text.replace("version: 2.0.0", "version: 2.1.0").replace("低保对象名册", "低保对象名册（新）")
        registry.publish(load_text(later), actor="test")
        assert registry.resolve("TEST-0002@^2").version == "2.1.0"
    # ^2 now resolves to 2.1.0 (renamed); the run used 2.0.0, and so does its scorecard.
    card = finish(result).scorecard
    assert (card.schema_info.version, card.schema_info.name_zh) == ("2.0.0", "低保对象名册")


def test_the_result_records_the_bindings_and_masking_the_run_decided(tmp_path: Path) -> None:
    from govstd.standards import library
    from govstd.validators.api import validate

    path = tmp_path / "schema.yaml"
    path.write_text(
        "kind: catalogue_schema\nid: TEST-0003\nname_zh: 测试\nprovider: {name: 某局}\n"
        "share: {share_type: conditional}\n"
        "fields:\n  - {name: id_number, standard: 'GB11643@^1'}\n  - {name: amount, data_type: decimal}\n",
        encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text("id_number,amount\n11010519491231002X,1.5\n", encoding="utf-8")
    result = validate(data, path)
    element = library.lookup("GB11643@^1").entry
    bound = result.bindings["id_number"]
    assert bound.standard == f"{element.id}@{element.version}" and bound.algorithm == "gb11643"
    assert bound.pii.value == "id_number" and bound.masking == element.masking and bound.masking is not None
    assert result.masking == {"id_number": element.masking, "amount": None}
    dumped = result.model_dump(mode="json")
    assert dumped["bindings"]["amount"] == {"standard": None, "code_set": None, "algorithm": None, "pii": "none",
                                            "masking": None}
    assert ValidationResult.model_validate(dumped).bindings == result.bindings  # the JSON reads back
