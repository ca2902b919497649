"""Bad input: a clear InputError (what, where, what was expected), CLI exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import messy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.errors import GovstdError, InputError
from govstd.validators.api import validate

SCHEMA = str(messy.SCHEMA)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", "validate", *args], capture_output=True, text=True,
                          timeout=120)


def assert_exit_2(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "error:" in proc.stderr.splitlines()[0], proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(InputError) as err:
        validate(missing, messy.SCHEMA)
    assert err.value.path == str(missing) and "not found" in str(err.value)
    assert_exit_2(run_cli(str(missing), "--schema-file", SCHEMA), "nope.csv", "file not found")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        validate(empty, messy.SCHEMA)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n  \n", encoding="utf-8")
    assert_exit_2(run_cli(str(blank), "--schema-file", SCHEMA), "blank.csv", "empty")


def test_wrong_encoding_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "gb.csv", encoding="gb18030")
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, encoding="utf-8", today=messy.TODAY)
    assert err.value.path == str(path) and err.value.line is not None and err.value.line >= 2
    assert "not utf-8 text" in str(err.value) and "--encoding gb18030" in str(err.value)
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA, "--encoding", "utf-8"), "gb.csv", "--encoding")
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA, "--encoding", "klingon"), "unknown encoding")


def test_a_broken_line_is_reported_by_number_without_its_content(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "ragged.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[10] += ",extra,110105194912310021"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.line == 11
    assert "110105194912310021" not in str(err.value) and messy.ROWS[9]["id_number"] not in str(err.value)


def test_missing_required_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "id_number"} for r in messy.ROWS[:3]]
    path = tmp_path / "no_id.csv"
    path.write_text(",".join(c for c in messy.COLUMNS if c != "id_number") + "\n"
                    + "\n".join(",".join(r[c] for c in messy.COLUMNS if c != "id_number") for r in rows) + "\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA)
    assert "id_number (公民身份号码)" in str(err.value) and err.value.expected
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "missing required column", "id_number")


def test_columns_may_be_named_in_chinese(tmp_path: Path) -> None:
    from govstd.standards.loader import load_file
    from govstd.standards.models import CatalogueSchema

    schema = load_file(messy.SCHEMA)[0]
    assert isinstance(schema, CatalogueSchema)
    zh = {f.name: f.name_zh or f.name for f in schema.fields}
    path = tmp_path / "zh.csv"
    path.write_text(",".join(zh[c] for c in messy.COLUMNS) + "\n"
                    + "\n".join(",".join(r[c] for c in messy.COLUMNS) for r in messy.ROWS[:5]) + "\n",
                    encoding="utf-8")
    result = validate(path, schema, today=messy.TODAY, sample_size=0)
    assert result.dataset.rows == 5 and result.check("id_number.checksum").evaluated == 5


def test_unknown_schema_version(tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(messy.SCHEMA.read_text(encoding="utf-8").replace('"GB11643@^1"', '"GB11643@^2"'),
                      encoding="utf-8")
    data = messy.write_csv(tmp_path / "m.csv")
    with pytest.raises(GovstdError, match="GB11643@\\^2"):
        validate(data, schema)
    assert_exit_2(run_cli(str(data), "--schema-file", str(schema)), "GB11643@^2")


def test_unknown_schema_reference_in_a_registry(tmp_path: Path) -> None:
    data = messy.write_csv(tmp_path / "m.csv")
    registry = f"sqlite:///{tmp_path / 'registry.db'}"
    # A registry that does not exist is refused as such (it is never created on the way).
    assert_exit_2(run_cli(str(data), "--schema", "510100-00001@^9", "--registry", registry), "no registry at")
    from govstd.registry.store import Registry

    Registry(registry, create=True).close()
    assert_exit_2(run_cli(str(data), "--schema", "510100-00001@^9", "--registry", registry), "510100-00001")


def test_schema_options_are_exclusive(tmp_path: Path) -> None:
    data = messy.write_csv(tmp_path / "m.csv")
    proc = run_cli(str(data))
    assert proc.returncode == 2 and "exactly one of --schema" in proc.stderr + proc.stdout


@pytest.mark.parametrize("kind", ["parquet", "xlsx"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_files(tmp_path: Path, kind: str, keep: float) -> None:
    path = messy.write_parquet(tmp_path / "m.parquet") if kind == "parquet" else messy.write_xlsx(tmp_path / "m.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA)
    assert err.value.path == str(path) and ("truncated" in str(err.value) or "not" in str(err.value))


def test_truncated_files_on_the_command_line(tmp_path: Path) -> None:
    path = messy.write_parquet(tmp_path / "m.parquet")
    path.write_bytes(path.read_bytes()[:300])
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "m.parquet", "Parquet")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".jsonl", ""]))
def test_random_bytes_are_input_errors(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        validate(path, messy.SCHEMA, sample_size=0)
    except GovstdError as exc:
        assert str(path) in str(exc) or getattr(exc, "path", None) == str(path)
    # (Random bytes may by chance be a valid, if odd, CSV with the required columns: then no error.)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10_000), kind=st.sampled_from(["parquet", "xlsx", "csv"]))
def test_truncated_anywhere(tmp_path: Path, cut: int, kind: str) -> None:
    writers = {"parquet": messy.write_parquet, "xlsx": messy.write_xlsx, "csv": messy.write_csv}
    path = writers[kind](tmp_path / f"t.{kind}")
    full = path.read_bytes()
    path.write_bytes(full[: cut % len(full)])
    try:
        result = validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=0)
    except GovstdError:
        return
    assert kind == "csv"  # a CSV cut between lines is a shorter CSV, and is read as one
    assert result.dataset.rows <= len(messy.ROWS)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=12),
       kind=st.sampled_from(["parquet", "xlsx"]))
def test_damaged_bytes_inside_binary_files(tmp_path: Path, flips: list[tuple[int, int]], kind: str) -> None:
    path = messy.write_parquet(tmp_path / "d.parquet") if kind == "parquet" else messy.write_xlsx(tmp_path / "d.xlsx")
    data = bytearray(path.read_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    path.write_bytes(bytes(data))
    try:
        validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=1)
    except GovstdError as exc:
        assert "Traceback" not in str(exc)


def test_a_value_quoted_in_a_read_error_is_masked() -> None:
    from govstd.validators.readers import duckdb_input_error

    err = duckdb_input_error(Exception("Conversion Error: x\nCould not convert string '11010519491231002X' to INT64"),
                             "f.parquet")
    assert "11010519491231002X" not in str(err) and "110105********002X" in str(err)


# --------------------------------------------------------------------------- hostile spreadsheets

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                  b'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                  b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
               b'<c r="B1" t="inlineStr"><is><t>id_number</t></is></c></row>')


def _cell_row(r: int, *values: str) -> bytes:
    cells = "".join(f'<c r="{chr(65 + j)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for j, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'.encode()


def write_sheet(path: Path, parts: list[bytes], *, dimension: str | None = None) -> Path:
    """A minimal workbook written with zipfile: its sheet XML is ``parts`` streamed one by one, so a
    bomb of many MB inflated costs the test only the time to deflate it."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main">')
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for part in parts:
                sheet.write(part)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_the_minimal_workbook_reads(tmp_path: Path) -> None:
    import duckdb

    from govstd.validators.readers import open_source

    path = write_sheet(tmp_path / "ok.xlsx", [_HEADER_ROW, _cell_row(2, "张三", "11010519491231002X")])
    con = duckdb.connect()
    loaded = open_source(con, path, workdir=tmp_path)
    assert con.execute(f"SELECT * FROM {loaded.data}").fetchall() == [("张三", "11010519491231002X")]


@pytest.mark.timeout(120)  # a hang guard only: unguarded, this read ran for minutes
def test_a_cell_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    big = b"A" * (1 << 20)
    cell = [_HEADER_ROW, b'<row r="2"><c r="A2" t="inlineStr"><is><t>', *([big] * 64), b"</t></is></c></row>"]
    path = write_sheet(tmp_path / "bomb.xlsx", cell)
    assert path.stat().st_size < 1 << 20  # 64 MB of cell text in well under 1 MB
    with pytest.raises(InputError, match=r"inflates .* compression ratio") as err:
        validate(path, messy.SCHEMA, sample_size=0)
    assert "GOVSTD_XLSX_MAX_RATIO" in str(err.value)
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "bomb.xlsx", "GOVSTD_XLSX_MAX_RATIO")


def test_total_uncompressed_size_is_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_sheet(tmp_path / "big.xlsx", [_HEADER_ROW, *(_cell_row(r, "张三", "x") for r in range(2, 2000))])
    monkeypatch.setenv("GOVSTD_XLSX_MAX_UNCOMPRESSED_BYTES", "50000")
    with pytest.raises(InputError, match=r"inflates to .* bytes uncompressed"):
        validate(path, messy.SCHEMA, sample_size=0)


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_sheet(tmp_path / "cell.xlsx", [_HEADER_ROW, _cell_row(2, "张三", "9" * 40_000)])
    with pytest.raises(InputError, match="cell B2 holds 40,000 characters") as err:
        validate(path, messy.SCHEMA, sample_size=0)
    assert "9999" not in str(err.value)  # the cell's content is never shown
    monkeypatch.setenv("GOVSTD_XLSX_MAX_CELL_CHARS", "50000")
    with pytest.raises(InputError, match="missing required column"):  # read now: the limit was raised
        validate(path, messy.SCHEMA, sample_size=0)


@pytest.mark.timeout(120)  # a hang guard only: unguarded, openpyxl padded 16,384 × 1,048,576 cells
def test_a_declared_range_is_not_trusted(tmp_path: Path) -> None:
    import duckdb

    from govstd.validators.readers import open_source

    path = write_sheet(tmp_path / "dim.xlsx", [_HEADER_ROW, _cell_row(2, "张三", "x")], dimension="A1:XFD1048576")
    assert path.stat().st_size < 2048
    con = duckdb.connect()
    loaded = open_source(con, path, workdir=tmp_path)
    assert loaded.columns == ["name", "id_number"]
    assert con.execute(f"SELECT * FROM {loaded.data}").fetchall() == [("张三", "x")]
    path = write_sheet(tmp_path / "dim2.xlsx", [_HEADER_ROW], dimension="A1:XFE3")
    with pytest.raises(InputError, match="declares 16,385 columns"):
        open_source(con, path, workdir=tmp_path)


@pytest.mark.timeout(120)  # a hang guard only
def test_rows_are_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two rows, then one at row 6,000,000: openpyxl fills the gap with empty rows one by one.
    path = write_sheet(tmp_path / "gap.xlsx", [_HEADER_ROW, _cell_row(2, "张三", "x"), _cell_row(6_000_000, "y", "z")])
    with pytest.raises(InputError, match="more than the limit of 1,048,576 rows") as err:
        validate(path, messy.SCHEMA, sample_size=0)
    assert "GOVSTD_XLSX_MAX_ROWS" in str(err.value)
    path = write_sheet(tmp_path / "many.xlsx", [_HEADER_ROW, *(_cell_row(r, "张三", "x") for r in range(2, 3000))])
    monkeypatch.setenv("GOVSTD_XLSX_MAX_ROWS", "1000")
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "many.xlsx", "1,000 rows", "GOVSTD_XLSX_MAX_ROWS")
    monkeypatch.setenv("GOVSTD_XLSX_MAX_ROWS", "lots")
    with pytest.raises(InputError, match="GOVSTD_XLSX_MAX_ROWS='lots' is not a positive whole number"):
        validate(path, messy.SCHEMA, sample_size=0)


def test_workbook_needing_a_newer_zip_version_is_a_clear_error(tmp_path: Path) -> None:
    """A central directory entry asking for a ZIP version Python cannot extract (a damaged byte, found by
    the property above): zipfile raises NotImplementedError, which must become the user's error too."""
    path = messy.write_xlsx(tmp_path / "d.xlsx")
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 6] = 159  # "version needed to extract": 15.9
    path.write_bytes(bytes(data))
    with pytest.raises(GovstdError) as caught:
        validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=1)
    assert "d.xlsx" in str(caught.value)
