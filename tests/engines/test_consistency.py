"""Cross-department consistency (``consistent_with``): a hand-built pair of datasets with exact counts, the
same on DuckDB, PostgreSQL and Spark, whatever format the other department's file is in.

This dataset is a 民政 roster (id_no, name, birth, region, status); the other is a 公安 extract with its
own schema and Chinese headers (公民身份号码 SFZH, 姓名 XM, 出生日期 CSRQ, 户籍地 HJDZ, 状态 ZT). Each row
of ``THIS`` carries one situation, noted beside it; ``EXPECTED`` holds (evaluated, failed) per check.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from engine_testlib import assert_same, load_table
from messy import FULLWIDTH, make_id

from govstd.standards.loader import load_file
from govstd.standards.models import CatalogueSchema
from govstd.validators import api
from govstd.validators.results import ValidationResult

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

ID = [make_id(r, dt.date(1960 + i, 1 + i, 1 + i), 10 + i)
      for i, r in enumerate(["110101", "310101", "440305", "510104", "510105", "510106", "510107", "110102",
                             "440305", "310101"])]
COLUMNS = ["id_no", "name", "birth", "region", "status"]
THIS = [
    [ID[0], "张三", "1990-05-06", "110101", "1"],  # agrees (there: spaced name, 8-digit date, 12-digit region)
    [ID[1], "李四", "1985-01-02", "310101", "1"],                 # name and status disagree
    [ID[2].translate(FULLWIDTH), "王五", "1970/01/02", "440305", "1"],  # key normalised; birth disagrees
    [ID[3], "赵六", "1980-01-01", "510104", "1"],                 # key absent from the other dataset
    [ID[4], "孙七", "1981-02-03", "510105", "1"],  # other repeats the key: 孙七 / 孙柒 (agrees, ambiguous)
    [ID[5], "周捌", "1982-03-04", "510106", "1"],                 # other repeats the key, both 周八: name disagrees
    ["", "吴九", "1983-04-05", "510107", "1"],                    # no key: not compared
    [ID[6], "", "1984-05-06", "510107", "1"],                     # no name here: name not compared
    [ID[7], "郑十", "1986-07-08", "440305", "1"],                 # no name there; region disagrees (110102)
    [ID[8], "冯一", "1990-13-45", "440305", "1"],                 # birth not a date here: not compared
]
OTHER_HEADER = ["公民身份号码", "姓名", "出生日期", "户籍地", "状态"]
OTHER = [
    [ID[0], "张 三", "19900506", "110101000000", "1"],
    [ID[1], "李思", "1985-01-02", "310101", "2"],
    [ID[2], "王五", "1970-01-01", "440305", "1"],
    [ID[4], "孙七", "1981-02-03", "510105", "1"],
    [ID[4], "孙柒", "1981-02-03", "510105", "1"],
    [ID[5], "周八", "1982-03-04", "510106", "1"],
    [ID[5], "周八", "1982-03-04", "510106", "1"],
    [ID[6], "钱二", "1984-05-06", "510107", "1"],
    [ID[7], "", "1986-07-08", "110102", "1"],
    [ID[8], "冯一", "1990-01-01", "440305", "1"],
    [ID[9], "陈三", "1991-01-01", "310101", "1"],                 # only there: never looked at
]
#: rule id → (evaluated, failed).
EXPECTED = {
    "rules.same_person.key_found": (9, 1),
    "rules.same_person.name": (6, 2),
    "rules.same_person.birth": (7, 1),
    "rules.same_person.region": (8, 1),
    "rules.same_person.status": (8, 1),
    "rules.same_person.ambiguous": (8, 1),
}

OTHER_SCHEMA = """\
kind: catalogue_schema
id: 510100-00099
version: 1.0.0
name_zh: 某市户籍人口信息
provider: {name: 某市公安局}
share: {share_type: conditional}
fields:
  - {name: SFZH, name_zh: 公民身份号码, standard: GB11643@^1, key: true}
  - {name: XM, name_zh: 姓名}
  - {name: CSRQ, name_zh: 出生日期, data_type: date}
  - {name: HJDZ, name_zh: 户籍地}
  - {name: ZT, name_zh: 状态}
"""


def this_schema(other_schema: Path, other: Path | str, extra: str = "") -> str:
    return f"""\
kind: catalogue_schema
id: 510100-00098
version: 1.0.0
name_zh: 某区低保对象名册
provider: {{name: 某区民政局}}
share: {{share_type: conditional}}
fields:
  - {{name: id_no, name_zh: 身份证号, standard: GB11643@^1}}
  - {{name: name, name_zh: 姓名}}
  - {{name: birth, name_zh: 出生日期, data_type: date}}
  - {{name: region, name_zh: 户籍地}}
  - {{name: status, name_zh: 状态}}
rules:
  - kind: consistent_with
    id: same_person
    other: {{schema: {json.dumps(str(other_schema))}, source: {json.dumps(str(other))}{extra}}}
    key: {{this: id_no, other: SFZH}}
    compare:
      - {{this: name, other: XM, as: name}}
      - {{this: birth, other: CSRQ, as: date}}
      - {{this: region, other: HJDZ, as: region}}
      - {{this: status, other: ZT, as: code}}
"""


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def write_parquet(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({h: pa.array([r[i] or None for r in rows], type=pa.string())
                             for i, h in enumerate(header)}), path)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["某市户籍人口信息（2025年6月）"])  # a title row above the header, as departments send
    for row in [header, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def consistency(result: ValidationResult) -> dict[str, tuple[int, int]]:
    return {c.rule_id: (c.evaluated, c.failed) for c in result.checks if c.rule == "consistent_with"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("consistency")
    (d / "other.yaml").write_text(OTHER_SCHEMA, encoding="utf-8")
    return {
        "other_schema": d / "other.yaml",
        "gb18030": write_csv(d / "other_gb18030.csv", OTHER_HEADER, OTHER, encoding="gb18030"),
        "parquet": write_parquet(d / "other.parquet", OTHER_HEADER, OTHER),
        "xlsx": write_xlsx(d / "other.xlsx", OTHER_HEADER, OTHER),
        "this_csv": write_csv(d / "this.csv", COLUMNS, THIS),
        "this_parquet": write_parquet(d / "this.parquet", COLUMNS, THIS),
        "dir": d,
    }


def schema_for(files: dict[str, Path], other: str, name: str = "this.yaml") -> Path:
    path = files["dir"] / name
    path.write_text(this_schema(files["other_schema"], files[other]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def on_duckdb(files: dict[str, Path]) -> ValidationResult:
    return api.validate(files["this_csv"], schema_for(files, "gb18030"))


def test_exact_counts_on_duckdb_with_a_gb18030_csv(on_duckdb: ValidationResult) -> None:
    assert consistency(on_duckdb) == EXPECTED
    by_id = {c.rule_id: c for c in on_duckdb.checks}
    assert by_id["rules.same_person.name"].severity == "error"
    assert by_id["rules.same_person.key_found"].severity == "info"
    assert by_id["rules.same_person.ambiguous"].severity == "info"
    assert by_id["rules.same_person.birth"].details["compared_as"] == "date"


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_the_other_dataset_in_any_format_gives_the_same_result(files: dict[str, Path], fmt: str,
                                                                on_duckdb: ValidationResult) -> None:
    result = api.validate(files["this_csv"], schema_for(files, fmt, f"this_{fmt}.yaml"))
    assert consistency(result) == EXPECTED
    by_id = {c.rule_id: c for c in result.checks}
    assert by_id["rules.same_person.name"].samples == {c.rule_id: c for c in on_duckdb.checks}[
        "rules.same_person.name"].samples


def test_samples_are_the_disagreeing_rows_with_the_id_masked(on_duckdb: ValidationResult) -> None:
    by_id = {c.rule_id: c for c in on_duckdb.checks}
    name = by_id["rules.same_person.name"]
    assert [s.row for s in name.samples] == [2, 6]
    assert [s.values["name"] for s in name.samples] == ["李四", "周捌"]
    assert [s.row for s in by_id["rules.same_person.key_found"].samples] == [4]
    assert [s.row for s in by_id["rules.same_person.ambiguous"].samples] == [5]
    dumped = on_duckdb.model_dump_json()
    for number in ID:
        assert number not in dumped
    assert all("*" in s.values["id_no"] for s in name.samples)


OTHER_LABEL = {name: f"{name} (510100-00099)" for name in ("XM", "CSRQ", "HJDZ", "ZT")}


def test_samples_show_the_other_departments_values_for_the_key(on_duckdb: ValidationResult) -> None:
    by_id = {c.rule_id: c for c in on_duckdb.checks}
    # Each disagreement beside the value there, as written there (a repeated key: every distinct value).
    assert [(s.values["name"], s.values[OTHER_LABEL["XM"]]) for s in by_id["rules.same_person.name"].samples] == [
        ("李四", "李思"), ("周捌", "周八")]
    assert [(s.values["birth"], s.values[OTHER_LABEL["CSRQ"]])
            for s in by_id["rules.same_person.birth"].samples] == [("1970/01/02", "1970-01-01")]
    assert [s.values[OTHER_LABEL["HJDZ"]] for s in by_id["rules.same_person.region"].samples] == ["110102"]
    assert [s.values[OTHER_LABEL["ZT"]] for s in by_id["rules.same_person.status"].samples] == ["2"]
    (ambiguous,) = by_id["rules.same_person.ambiguous"].samples
    assert ambiguous.values[OTHER_LABEL["XM"]] == "孙七; 孙柒"
    assert ambiguous.values[OTHER_LABEL["ZT"]] == "1"
    # An absent key has nothing there to show.
    assert set(by_id["rules.same_person.key_found"].samples[0].values) == {"id_no"}


def _pii_other(files: dict[str, Path]) -> Path:
    """This schema against an other schema whose XM is personal data (masked), this name not."""
    other = files["dir"] / "other_pii.yaml"
    other.write_text(OTHER_SCHEMA.replace("{name: XM, name_zh: 姓名}", "{name: XM, name_zh: 姓名, pii: name}"),
                     encoding="utf-8")
    path = files["dir"] / "this_pii.yaml"
    path.write_text(this_schema(other, files["gb18030"]), encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_other_value_is_masked_by_the_safer_rule_of_the_pair(files: dict[str, Path], engine: str,
                                                                request: pytest.FixtureRequest) -> None:
    schema = _pii_other(files)
    if engine == "postgres":
        pg_url = request.getfixturevalue("pg_url")
        load_table(pg_url, "roster_pii", COLUMNS, [[v or None for v in r] for r in THIS])
        source: Any = pg_url
        options: dict[str, Any] = {"table": "roster_pii", "engine": "postgres"}
    else:
        source, options = files["this_csv"], {}
    masked = api.validate(source, schema, **options).check("rules.same_person.name").samples
    assert [s.values["name"] for s in masked] == ["李四", "周捌"]  # not personal data here
    shown = [s.values[OTHER_LABEL["XM"]] for s in masked]
    assert all(v is not None and "*" in v for v in shown) and "李思" not in shown and "周八" not in shown
    revealed = api.validate(source, schema, show_values=True, **options).check("rules.same_person.name").samples
    assert [s.values[OTHER_LABEL["XM"]] for s in revealed] == ["李思", "周八"]


def test_the_fix_list_and_the_reports_show_the_other_value_masked(files: dict[str, Path], tmp_path: Path) -> None:
    from govstd.validators.report import finish

    fixes = tmp_path / "fixes.csv"
    result = api.validate(files["this_csv"], _pii_other(files), fix_list=fixes)
    text = fixes.read_text(encoding="utf-8-sig")
    line = next(r for r in csv.reader(text.splitlines()) if r[3] == "rules.same_person.name")
    assert f"{OTHER_LABEL['XM']}=" in line[7] and "name=李四" in line[7]
    region = next(r for r in csv.reader(text.splitlines()) if r[3] == "rules.same_person.region")
    assert f"{OTHER_LABEL['HJDZ']}=110102" in region[7]
    assert "李思" not in text and "周八" not in text
    reports = finish(result, out_dir=tmp_path / "out", formats=["html", "json"]).written
    html = reports["html"].read_text(encoding="utf-8")
    assert f"<th>{OTHER_LABEL['HJDZ']}</th>" in html and "李思" not in html
    card = json.loads(reports["json"].read_text(encoding="utf-8"))
    (name,) = [c for c in card["checks"] if c["rule_id"] == "rules.same_person.name"]
    assert all("*" in s["values"][OTHER_LABEL["XM"]] for s in name["samples"])


def test_the_terminal_shows_the_other_value(files: dict[str, Path]) -> None:
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "govstd", "--lang", "en", "validate", str(files["this_csv"]), "--schema",
         str(schema_for(files, "gb18030", "this_cli.yaml")), "--samples", "3"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "400"})
    assert proc.returncode == 1, proc.stderr
    line = next(t for t in proc.stdout.splitlines() if "rules.same_person.region" in t)
    assert "440305, 110102" in line  # this row's region, then the other department's
    assert not any(number in proc.stdout for number in ID)


def test_relative_paths_resolve_from_the_schema_files_folder(files: dict[str, Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from govstd.commands.lint import lint_paths

    folder = files["dir"] / "relative"
    folder.mkdir(exist_ok=True)
    (folder / "other.yaml").write_text(OTHER_SCHEMA, encoding="utf-8")
    write_csv(folder / "公安.csv", OTHER_HEADER, OTHER, encoding="gb18030")
    schema = folder / "this.yaml"
    schema.write_text(this_schema(Path("other.yaml"), Path("公安.csv")), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # neither file is here: only the schema's folder holds them
    assert consistency(api.validate(files["this_csv"], schema)) == EXPECTED
    assert lint_paths([schema]) == []
    (folder / "other.yaml").rename(folder / "moved.yaml")
    try:
        (finding,) = lint_paths([schema])
        assert str(folder / "other.yaml") in finding.message or finding.path == str(folder / "other.yaml")
    finally:
        (folder / "moved.yaml").rename(folder / "other.yaml")


def test_warnings_of_reading_the_other_dataset_are_in_the_result_redacted(files: dict[str, Path]) -> None:
    # An XLSX with a title row above the header, and a column no field takes whose header is an ID number.
    other = write_xlsx(files["dir"] / "other_extra.xlsx", [*OTHER_HEADER, ID[9]], [[*r, "x"] for r in OTHER])
    path = files["dir"] / "this_extra.yaml"
    path.write_text(this_schema(files["other_schema"], other), encoding="utf-8")
    result = api.validate(files["this_csv"], path)
    assert consistency(result) == EXPECTED
    about = [w for w in result.warnings if w.startswith("510100-00099@1.0.0 (")]
    assert any("header found on row 2" in w for w in about), result.warnings
    (unmatched,) = [w for w in about if "not in the schema" in w]
    assert ID[9] not in unmatched and ID[9][:6] in unmatched


@pytest.mark.parametrize("fmt", ["sql", "gx", "jsonschema", "frictionless"])
def test_exporters_leave_the_comparison_out_and_say_why(files: dict[str, Path], fmt: str) -> None:
    from govstd.export import export, load_source

    exported = export(fmt, load_source(schema_file=schema_for(files, "gb18030", f"this_{fmt}_export.yaml")))
    items = {i.rule_id: i for i in exported.items}
    ours = [rid for rid in items if rid.startswith("rules.same_person.")]
    assert sorted(ours) == sorted(EXPECTED)
    for rid in ours:
        assert items[rid].status == "not_exported"
        assert "another department's dataset (510100-00099@1.0.0" in (items[rid].note or "")
        assert "govstd validate" in (items[rid].note or "")
    assert "other_rules_same_person" not in exported.text  # no artifact names the table only a run stages
    assert items["id_no.checksum"].status != "not_exported" or fmt == "frictionless"


def test_an_exported_note_names_a_database_source_masked(files: dict[str, Path]) -> None:
    from govstd.export import export, load_source

    url = "postgresql://u:p@ss5ecret@db.example/x?password=pw5ecret"
    path = files["dir"] / "this_db_export.yaml"
    path.write_text(this_schema(files["other_schema"], url), encoding="utf-8")
    exported = export("sql", load_source(schema_file=path))
    notes = " ".join(i.note or "" for i in exported.items) + exported.text
    assert "u:***@db.example/x?password=***" in notes and "5ecret" not in notes


def test_the_sql_export_runs_on_duckdb_without_the_other_dataset(files: dict[str, Path]) -> None:
    import duckdb

    from govstd.export import export, load_source

    script = export("sql", load_source(schema_file=schema_for(files, "gb18030", "this_sql_run.yaml"))).text
    assert "rules.same_person.name: compares with another department's dataset" in script
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE data AS SELECT * FROM read_csv({str(files['this_csv'])!r}, all_varchar = true)")
        statements = [s for s in script.split(";\n")
                      if any(t.strip() and not t.startswith("--") for t in s.splitlines())]
        *setup, last = statements
        for statement in setup:
            con.execute(statement)
        rows = con.execute(last).fetchall()
    counted = {r[0]: (r[2], r[3]) for r in rows}
    baseline = api.validate(files["this_csv"], schema_for(files, "gb18030", "this_sql_run.yaml"))
    assert counted == {c.rule_id: (c.evaluated, c.failed) for c in baseline.checks if c.rule != "consistent_with"}


def test_the_odcs_contract_points_at_govstd_validate(files: dict[str, Path]) -> None:
    from govstd.export import export, load_source

    exported = export("odcs", load_source(schema_file=schema_for(files, "gb18030", "this_odcs.yaml")))
    assert "implementation: 'govstd validate: rule rules.same_person.name'" in exported.text or \
        "govstd validate: rule rules.same_person.name" in exported.text
    assert "other_rules_same_person" not in exported.text


def test_a_warning_severity_and_a_missing_other_column(files: dict[str, Path]) -> None:
    text = this_schema(files["other_schema"], files["gb18030"]).replace(
        "    key: {this: id_no, other: SFZH}", "    severity: warning\n    key: {this: id_no, other: SFZH}")
    path = files["dir"] / "warning.yaml"
    path.write_text(text, encoding="utf-8")
    result = api.validate(files["this_csv"], path)
    assert {c.rule_id: c.severity for c in result.checks if c.rule == "consistent_with"}[
        "rules.same_person.name"] == "warning"
    bad = files["dir"] / "bad_other.yaml"
    bad.write_text(this_schema(files["other_schema"], files["gb18030"]).replace("other: XM", "other: NOPE"),
                   encoding="utf-8")
    from govstd.errors import InputError

    with pytest.raises(InputError, match="has no field 'NOPE'"):
        api.validate(files["this_csv"], bad)


def test_the_rule_model_refuses_a_compared_key_and_a_repeated_column(files: dict[str, Path]) -> None:
    text = this_schema(files["other_schema"], files["gb18030"])
    assert isinstance(load_file_text(files, text), CatalogueSchema)
    from govstd.errors import GovstdError

    for broken in (text.replace("this: name, other: XM", "this: id_no, other: XM"),
                   text.replace("this: birth, other: CSRQ", "this: name, other: CSRQ"),
                   text.replace("this: name, other: XM", "this: nope, other: XM"),
                   text.replace("as: code", "as: colour")):
        with pytest.raises(GovstdError):
            load_file_text(files, broken)


def load_file_text(files: dict[str, Path], text: str) -> Any:
    path = files["dir"] / "model.yaml"
    path.write_text(text, encoding="utf-8")
    (entry,) = load_file(path)
    return entry


@pytest.mark.postgres
def test_postgres_gives_the_same_counts(pg_url: str, files: dict[str, Path], on_duckdb: ValidationResult) -> None:
    load_table(pg_url, "roster", COLUMNS, [[v or None for v in r] for r in THIS])
    schema = schema_for(files, "gb18030", "this_pg.yaml")
    duck = api.validate(pg_url, schema, table="roster")
    pushed = api.validate(pg_url, schema, table="roster", engine="postgres")
    assert pushed.engine == "postgres"
    assert consistency(pushed) == EXPECTED
    assert_same(duck, pushed)


@pytest.mark.postgres
def test_the_other_dataset_may_be_a_postgres_table(pg_url: str, files: dict[str, Path]) -> None:
    load_table(pg_url, "hukou", OTHER_HEADER, [[v or None for v in r] for r in OTHER])
    text = this_schema(files["other_schema"], Path(pg_url), extra=", table: hukou").replace(
        json.dumps(str(Path(pg_url))), json.dumps(pg_url))
    path = files["dir"] / "this_pg_other.yaml"
    path.write_text(text, encoding="utf-8")
    assert consistency(api.validate(files["this_csv"], path)) == EXPECTED


@pytest.mark.spark
def test_spark_gives_the_same_counts(spark: Any, files: dict[str, Path]) -> None:
    schema = schema_for(files, "parquet", "this_spark.yaml")
    duck = api.validate(files["this_parquet"], schema)
    on_spark = api.validate(files["this_parquet"], schema, engine="spark")
    assert consistency(on_spark) == EXPECTED
    assert_same(duck, on_spark)


def test_lint_names_the_file_of_a_bad_rule(files: dict[str, Path]) -> None:
    from govstd.commands.lint import lint_paths

    good = files["dir"] / "lint" / "good.yaml"
    good.parent.mkdir()
    good.write_text(this_schema(files["other_schema"], files["gb18030"]), encoding="utf-8")
    assert lint_paths([good]) == []
    unknown = good.with_name("unknown.yaml")
    unknown.write_text(good.read_text(encoding="utf-8").replace("other: ZT", "other: STATUS"), encoding="utf-8")
    (finding,) = lint_paths([unknown])
    assert finding.path == str(unknown) and finding.level == "error"
    assert "no field 'STATUS'" in finding.message
    wrong = good.with_name("wrong.yaml")
    wrong.write_text(good.read_text(encoding="utf-8").replace("as: code", "as: colour"), encoding="utf-8")
    (finding,) = lint_paths([wrong])
    line = 1 + next(i for i, t in enumerate(wrong.read_text(encoding="utf-8").splitlines()) if "colour" in t)
    assert (finding.path, finding.line) == (str(wrong), line)
    assert "'name', 'date', 'region', 'code' or 'text'" in finding.message


def test_report_files_mask_the_other_value_even_with_show_values(files: dict[str, Path], tmp_path: Path) -> None:
    """--show-values reveals values in the terminal only: every file written (reports in each format, the
    fix list) masks the other department's personal value by the rule of its label, as for a field."""
    import os
    import subprocess
    import sys

    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "govstd", "--lang", "en", "validate", str(files["this_csv"]), "--schema",
         str(_pii_other(files)), "--show-values", "--out", str(out), "--fix-list", str(out / "fixes.csv"),
         *[a for f in ("json", "html", "md", "junit") for a in ("--format", f)]],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "400"})
    assert proc.returncode == 1, proc.stderr
    assert "李思" in proc.stdout, "the terminal shows the values --show-values asked for"
    written = {p.name: p.read_text(encoding="utf-8-sig") for p in out.iterdir()}
    assert set(written) == {"scorecard.json", "scorecard.html", "scorecard.md", "scorecard.junit.xml", "fixes.csv"}
    for name, text in written.items():
        assert "李思" not in text and "周八" not in text, name
        assert not any(number in text for number in ID), name
    card = json.loads(written["scorecard.json"])
    (check,) = [c for c in card["checks"] if c["rule_id"] == "rules.same_person.name"]
    masked = api.validate(files["this_csv"], _pii_other(files)).check("rules.same_person.name").samples
    expected = [s.values[OTHER_LABEL["XM"]] for s in masked]
    assert all("*" in (v or "") for v in expected)
    assert [s["values"][OTHER_LABEL["XM"]] for s in check["samples"]] == expected  # as a run without show_values
    assert '<a href="fixes.csv">' in written["scorecard.html"]
