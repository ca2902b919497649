"""The privacy sweep beyond the data's cells: names, errors, database URLs, schema text, the debug output.

``test_privacy`` puts personal numbers in a dataset's cells and header. Here they are where a department
puts them without thinking of them as data: in the file's name and folder (``138…/110101…_申请表.csv``),
the fix list's and the reports' paths, an XLSX sheet name, a JSON Lines key, the schema's name; in a cell
that breaks the reader (the error quotes what it found); in a database URL's password; and in the
traceback ``GOVSTD_DEBUG=1`` prints. Every output — stdout, stderr, every file written, the Python API's
result — is searched for every raw value as written and with separators removed (``privacy_testlib``).

The CLI runs in this process (``main``), as a user's shell would run it but without the start-up
of a new interpreter per command; the debug traceback needs a patched command, so it runs in a
subprocess like ``test_cli_json``'s internal error.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import govstd
from govstd.cli import main
from govstd.standards.masking import redact
from privacy_testlib import SCHEMA_YAML, bad_id, govstd_cli, leaks, make_id, patched_pythonpath

TODAY = "2025-06-02"
PHONE = "13812345678"
#: The person a file is named after, and the people in its cells.
NAMED, *PEOPLE = (make_id(i) for i in range(20, 27))
RAW = [NAMED, PHONE, *PEOPLE]
HEADER = ["id_number", "phone", "employer_uscc", "sex", "birth_date", "remark"]


def cli(*args: str | Path, stdout: list[str] | None = None) -> tuple[int, str]:
    """``govstd ARGS`` as a user runs it: the exit code and everything printed (stdout + stderr);
    stdout alone is appended to ``stdout`` if given."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    assert isinstance(code, int), code
    if stdout is not None:
        stdout.append(out.getvalue())
    return code, out.getvalue() + err.getvalue()


def _row(i: int, *, bad: bool = True) -> list[str]:
    person = bad_id(40 + i) if bad else make_id(40 + i)
    return [person, f"139{i:04d}{i:04d}", "", str(1 + int(person[16]) % 2), f"{person[6:10]}-{person[10:12]}-"
            f"{person[12:14]}", "ok"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder named after a phone, holding the schema; each test writes its files under it."""
    here = tmp_path_factory.mktemp("names") / f"{PHONE}_材料"
    here.mkdir()
    (here / "schema.yaml").write_text(SCHEMA_YAML, encoding="utf-8")
    return here


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def _files(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file())


def _clean(outputs: dict[str, str], raw: list[str] = RAW) -> None:
    for name, text in outputs.items():
        assert text.strip(), name
        assert leaks(text, raw) == [], (name, text[-2000:])


# --------------------------------------------------------------------------- 1. names and paths


def test_a_file_named_after_a_person_is_masked_in_every_output(folder: Path, tmp_path: Path) -> None:
    """The data file, the fix list and the reports' folder are each named after a person: the terminal,
    ``--json``, the four reports, the fix list and the API's result name them masked."""
    data = _csv(folder / f"{NAMED}_申请表.csv", [_row(1), _row(2)])
    schema = folder / "schema.yaml"
    base = ("validate", data, "--schema-file", schema, "--today", TODAY)
    out = tmp_path / f"{PEOPLE[4]}_报告"
    outputs: dict[str, str] = {}
    code, outputs["terminal"] = cli(*base, "--fix-list", tmp_path / f"整改{PEOPLE[5]}.csv")
    assert code == 1
    document: list[str] = []
    code, outputs["json"] = cli(*base, "--json", "--fix-list", tmp_path / f"整改{PEOPLE[5]}.csv", stdout=document)
    assert code == 1
    # The fix list beside the reports: the reports link to it by a name relative to their folder.
    code, outputs["--out"] = cli(*base, "--out", out, "--fix-list", out / f"{PHONE} 整改.csv",
                                 *[a for f in ("json", "html", "junit", "md") for a in ("--format", f)])
    assert code == 1 and len(list(out.iterdir())) == 5
    outputs["report files"] = _files(out)
    for fmt in ("json", "html", "junit", "md"):
        outputs[f"--format {fmt}"] = cli(*base, "--format", fmt)[1]
    result = govstd.validate(data, schema, today=dt.date(2025, 6, 2), fix_list=tmp_path / f"{PEOPLE[5]}.csv")
    outputs["api"] = json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + str(result)
    _clean(outputs)
    # The search finds what is there: the names are shown, masked.
    assert f"{PHONE[:3]}****{PHONE[-4:]}_材料/{NAMED[:6]}********{NAMED[-4:]}_申请表.csv" in outputs["json"]
    assert json.loads(document[0])["fix_list"]["path"].endswith(f"整改{redact(PEOPLE[5])}.csv")
    assert result.fix_list is not None and result.fix_list.path.endswith(f"{redact(PEOPLE[5])}.csv")
    assert f"{redact(PEOPLE[4])}_报告" in outputs["--out"]
    assert f"{redact(PHONE)} 整改.csv" in outputs["report files"]


# --------------------------------------------------------------------------- 2. sheet names and keys


def test_sheet_names_json_keys_and_a_second_sheet_header_are_masked(folder: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = PHONE
    first.append(HEADER)
    first.append(_row(1))
    second = workbook.create_sheet(PEOPLE[0][:12] + "…")  # 31 characters at most: a sheet name holds 12 digits
    second.append([PEOPLE[1], PEOPLE[2], *HEADER[2:]])
    second.append(_row(2))
    book = folder / f"{NAMED}.xlsx"
    workbook.save(book)
    lines = folder / f"{NAMED}.jsonl"
    record = dict(zip(HEADER, _row(3), strict=True)) | {PEOPLE[3]: "x"}
    lines.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    schema = folder / "schema.yaml"
    outputs = {}
    for name, extra in {"xlsx": (book,), "xlsx json": (book, "--json"), "sheet 1": (book, "--sheet", "1"),
                        "sheet 1 json": (book, "--sheet", "1", "--json"), "no such sheet": (book, "--sheet", PHONE[1:]),
                        "jsonl": (lines,), "jsonl json": (lines, "--json")}.items():
        _, outputs[name] = cli("validate", *extra, "--schema-file", schema, "--today", TODAY)
    # The first 12 digits of an ID are shaped like nothing personal: the sheet name is searched as written.
    _clean(outputs, [*RAW, PEOPLE[0][:12]])  # twelve digits in a row: masked like a long number
    assert redact(PHONE) in outputs["no such sheet"] and "sheet" in outputs["no such sheet"]


# --------------------------------------------------------------------------- 3. read errors


def test_a_value_that_breaks_the_reader_is_masked_in_the_error(folder: Path) -> None:
    """Each broken file is named after a person and breaks its reader at a value holding another: the
    error, on the terminal and as ``--json``'s one document, names both masked."""
    broken: dict[str, Path] = {}
    broken["unclosed quote"] = folder / f"{NAMED}_引号.csv"
    broken["unclosed quote"].write_text(",".join(HEADER) + f'\n{PEOPLE[0]},"{PHONE} 未闭合,,1,1990-01-01,'
                                        f'"a"b"{PEOPLE[1]}\n{PEOPLE[2]},1,2,3,4,5\n', encoding="utf-8")
    broken["too long a line"] = folder / f"{NAMED}_长行.csv"
    broken["too long a line"].write_text(",".join(HEADER) + f"\n{PEOPLE[0]},{PHONE},,1,1990-01-01,"
                                         + f"备注{PEOPLE[1]}" * 150_000 + "\n", encoding="utf-8")
    broken["bad encoding"] = folder / f"{NAMED}_编码.csv"
    broken["bad encoding"].write_bytes(f"{','.join(HEADER)}\n{PEOPLE[0]},{PHONE},,1,1990-01-01,".encode()
                                       + b"\xff\xfe\x80" + PEOPLE[1].encode() + b"\n")
    broken["broken JSON line"] = folder / f"{NAMED}.jsonl"
    broken["broken JSON line"].write_text(f'{{"id_number": "{PEOPLE[0]}", "phone": {PHONE}x\n', encoding="utf-8")
    table = folder / f"{NAMED}_table.parquet"
    pq.write_table(pa.table({"id_number": [PEOPLE[0]], "phone": [PHONE]}), table)
    broken["cut Parquet"] = folder / f"{NAMED}.parquet"
    broken["cut Parquet"].write_bytes(table.read_bytes()[:200] + PEOPLE[1].encode())
    broken["not a workbook"] = folder / f"{NAMED}.xlsx"
    broken["not a workbook"].write_bytes(b"PK\x03\x04" + PEOPLE[1].encode() * 20)
    outputs = {"missing file": cli("validate", folder / f"{PEOPLE[3]}.csv", "--schema-file", folder / "schema.yaml")}
    for name, path in broken.items():
        for extra in ((), ("--json",)):
            outputs[f"{name} {extra}"] = cli("validate", path, "--schema-file", folder / "schema.yaml", *extra)
    for name, (code, text) in outputs.items():
        assert code == 2, (name, text)
        assert redact(NAMED) in text or redact(PEOPLE[3]) in text, (name, text)
    _clean({name: text for name, (_, text) in outputs.items()})


# --------------------------------------------------------------------------- 4. database passwords


@pytest.mark.parametrize("url", [
    "postgresql://127.0.0.1:1/db?user=u&password=s3cretPW",
    "postgresql:///db?host=/nonexistent&sslpassword=s3cretPW",
    "host=127.0.0.1 port=1 password=s3cretPW",
])
def test_a_password_given_as_a_parameter_is_masked_in_errors(url: str, tmp_path: Path) -> None:
    """A password in a URL's query or in libpq's keyword form, as a registry or as the data: every error
    shows ``password=***``."""
    (tmp_path / "schema.yaml").write_text(SCHEMA_YAML, encoding="utf-8")
    outputs = {
        "registry": cli("registry", "--registry", url, "show", "GB11643"),
        "registry json": cli("registry", "--registry", url, "show", "GB11643", "--json"),
        "validate --registry": cli("validate", tmp_path / "x.csv", "--schema", "510100-99999@1", "--registry", url),
        "data": cli("validate", url, "--table", "t", "--schema-file", tmp_path / "schema.yaml"),
        "data json": cli("validate", url, "--table", "t", "--schema-file", tmp_path / "schema.yaml", "--json"),
        "data postgres": cli("validate", url, "--table", "t", "--engine", "postgres",
                             "--schema-file", tmp_path / "schema.yaml"),
    }
    for name, (code, text) in outputs.items():
        assert code == 2, (name, text)
    _clean({name: text for name, (_, text) in outputs.items()}, ["s3cretPW"])
    assert "password=***" in redact(url) and "s3cretPW" not in redact(url)


@pytest.mark.postgres
def test_a_database_url_with_a_password_never_shows_it(postgres_database: str, tmp_path: Path) -> None:
    """A run over a PostgreSQL table read with ``user:password@`` (the cluster trusts, so any password
    connects): the terminal, ``--json``, every report and the API's result show ``user:***@``."""
    import psycopg

    plain = postgres_database.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("CREATE TABLE people (id_number text, phone text, employer_uscc text, sex text, "
                     "birth_date text, remark text)")
        conn.execute("INSERT INTO people VALUES (%s, %s, %s, %s, %s, %s)", _row(1))
    url = plain.replace("postgres@", "postgres:s3cretPW@")
    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA_YAML, encoding="utf-8")
    outputs: dict[str, str] = {}
    for engine in ("duckdb", "postgres"):
        base = ("validate", url, "--table", "people", "--schema-file", schema, "--today", TODAY, "--engine", engine)
        outputs[f"{engine} terminal"] = cli(*base)[1]
        outputs[f"{engine} json"] = cli(*base, "--json")[1]
        out = tmp_path / engine
        cli(*base, "-q", "--out", out, *[a for f in ("json", "html", "junit", "md") for a in ("--format", f)])
        outputs[f"{engine} reports"] = _files(out)
        outputs[f"{engine} no such table"] = cli(*base[:3], "nobody", *base[4:])[1]
    result = govstd.validate(url, schema, table="people", today=dt.date(2025, 6, 2))
    outputs["api"] = json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + str(result)
    _clean(outputs, ["s3cretPW", *RAW])
    assert "postgres:***@" in outputs["duckdb json"] and "postgres:***@" in outputs["postgres reports"]


# --------------------------------------------------------------------------- 5. schema text


def test_schema_text_holding_a_personal_number_is_masked(folder: Path, tmp_path: Path) -> None:
    """The schema's name, English name, provider and a field's 名称 hold numbers (an author's contact
    phone, a sample ID): the scorecard and every report show them masked; so does lint, of a schema
    file named after a person."""
    text = (SCHEMA_YAML.replace("name_zh: 隐私测试", f"name_zh: 隐私测试{PHONE}\nname_en: test {PEOPLE[0]}")
            .replace("name: 测试局", f"name: 测试局{PEOPLE[1]}")
            .replace("name_zh: 备注", f"name_zh: 备注如{PEOPLE[2]}"))
    schema = folder / f"{NAMED}_目录.yaml"
    schema.write_text(text, encoding="utf-8")
    data = _csv(tmp_path / "data.csv", [_row(1)])
    base = ("validate", data, "--schema-file", schema, "--today", TODAY)
    out = tmp_path / "out"
    outputs = {"terminal": cli(*base)[1], "json": cli(*base, "--json")[1],
               "reports": cli(*base, "-q", "--out", out, *[a for f in ("json", "html", "junit", "md")
                                                           for a in ("--format", f)])[1] + _files(out)}
    card = govstd.validate(data, schema, today=dt.date(2025, 6, 2)).scorecard
    assert card is not None
    outputs["scorecard"] = card.model_dump_json()
    bad = folder / f"{NAMED}_坏.yaml"
    bad.write_text(text.replace("rules:", f"extra_{PEOPLE[3]}: 1\nrules:"), encoding="utf-8")
    broken = folder / f"{NAMED}_断.yaml"
    broken.write_text(text.replace("fields:", f"fields: [{PEOPLE[3]}\n  x: :"), encoding="utf-8")
    for path in (schema, bad, broken):
        outputs[f"lint {path.name}"] = cli("lint", path)[1]
        outputs[f"lint --json {path.name}"] = cli("lint", path, "--json")[1]
    _clean(outputs)
    assert f"隐私测试{redact(PHONE)}" in outputs["reports"]
    assert card.schema_info.provider == f"测试局{redact(PEOPLE[1])}"
    assert redact(NAMED) in outputs[f"lint {bad.name}"] and "extra_" in outputs[f"lint {bad.name}"]


# --------------------------------------------------------------------------- 6. the debug traceback


def test_the_debug_traceback_is_masked(folder: Path, tmp_path: Path) -> None:
    """``GOVSTD_DEBUG=1``, the most the CLI says: a bug's traceback (here a reader patched to fail with a
    library's message quoting a cell and the file) is printed, masked, and the exit code stays 3."""
    data = _csv(folder / f"{NAMED}_调试.csv", [_row(1)])
    path = patched_pythonpath(tmp_path, (
        "import govstd.validators.api as api\n"
        "def boom(engine, source, *a, **k):\n"
        f"    raise RuntimeError(f'cannot convert {{source}}: value {PEOPLE[0]} at postgresql://u:s3cretPW@h/db')\n"
        "api.run = boom\n"))
    for extra in ((), ("--json",)):
        proc = govstd_cli("validate", str(data), "--schema-file", str(folder / "schema.yaml"), *extra,
                          env={**os.environ, "PYTHONPATH": path, "GOVSTD_DEBUG": "1"})
        assert proc.returncode == 3, proc.stderr
        assert "Traceback (most recent call last)" in proc.stderr and "RuntimeError: cannot convert" in proc.stderr
        assert redact(PEOPLE[0]) in proc.stderr and "u:***@h" in proc.stderr
        _clean({"stdout+stderr": proc.stdout + proc.stderr}, [*RAW, "s3cretPW"])


# --------------------------------------------------------------------------- the steward's commands


def test_schema_infer_and_mask_name_a_person_masked(folder: Path, tmp_path: Path) -> None:
    """``schema infer`` drafts the schema's id, name and summary from the file's name; ``mask`` names the
    copy it wrote and writes the copy's header and its note (both made to be shared): all masked. The
    masked copy still validates as one (its note matches its header)."""
    data = folder / f"{NAMED}_原始.csv"
    with data.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([[*HEADER, PEOPLE[0]], [*_row(1, bad=False), PEOPLE[1]]])
    schema = folder / "schema.yaml"
    copy = tmp_path / f"{PEOPLE[2]}_脱敏.csv"
    outputs = {"infer": cli("schema", "infer", data)[1], "infer json": cli("schema", "infer", data, "--json")[1],
               "infer --out": cli("schema", "infer", data, "--out", folder / f"{PEOPLE[3]}.yaml", "--json")[1],
               "mask": cli("mask", data, "--schema-file", schema, "--out", copy)[1]}
    copy.unlink()
    outputs["mask json"] = cli("mask", data, "--schema-file", schema, "--out", copy, "--json")[1]
    outputs["copy and its note"] = _files(tmp_path) + (folder / f"{PEOPLE[3]}.yaml").read_text(encoding="utf-8")
    _clean(outputs, [*RAW, make_id(41)])
    assert f"name_zh: {redact(NAMED)}_原始" in outputs["infer"]
    assert redact(PEOPLE[0]) in outputs["copy and its note"] and redact(PEOPLE[2]) in outputs["mask"]
    code, text = cli("validate", copy, "--schema-file", schema, "--today", TODAY, "--json")
    assert code == 0 and "masked copy" in text, text[-1500:]
