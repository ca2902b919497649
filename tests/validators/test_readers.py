"""Readers: encodings, delimiters, title rows, spreadsheets as offices make them."""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb
import messy
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from govstd.errors import InputError
from govstd.validators.readers import (
    LoadedSource,
    detect_encoding,
    find_header,
    hash_file,
    open_source,
    sniff_delimiter,
    transcode,
)

Rows = list[tuple[object, ...]]


def rows_of(path: Path | str, tmp_path: Path, **kwargs: object) -> tuple[list[str], Rows, LoadedSource]:
    con = duckdb.connect()
    loaded = open_source(con, path, workdir=tmp_path, expected_columns=messy.COLUMNS, **kwargs)  # type: ignore[arg-type]
    data = con.execute(f"SELECT * FROM {loaded.data}").fetchall()
    numbered = con.execute(f"SELECT {loaded.row_column} FROM {loaded.numbered}").fetchall()
    assert [r[0] for r in numbered] == list(range(1, len(data) + 1))
    return loaded.columns, data, loaded


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030")],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    text = "姓名,公民身份号码\n张三,11010519491231002X\n李四,110101199003078515\n" * 20
    sample = text.encode(encoding)
    if encoding == "utf-8-sig":
        sample = codecs.BOM_UTF8 + text.encode("utf-8")
    assert detect_encoding(sample, path="x.csv") == expected


def test_gb18030_rare_characters_are_transcoded_in_chunks(tmp_path: Path) -> None:
    text = "name\n" + "王𠇔\n张三\n" * 500
    src = tmp_path / "gb.csv"
    src.write_bytes(text.encode("gb18030"))
    dst = tmp_path / "utf8.csv"
    # A 7-byte chunk cuts 2- and 4-byte sequences: the incremental decoder must carry them over.
    hashes = transcode(src, dst, "gb18030", hash_algorithms=["sha256"], chunk_size=7)
    assert dst.read_text(encoding="utf-8") == text
    assert len(hashes["sha256"]) == 64


def test_encoding_can_be_overridden(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "gb.csv", encoding="gb18030")
    _, data, loaded = rows_of(path, tmp_path, encoding="GBK")  # read as its superset GB18030
    assert loaded.encoding == "gb18030" and any(r[0] == "王𠇔" for r in data)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = messy.write_csv(tmp_path / "d.csv", delimiter=delimiter)
    columns, data, _ = rows_of(path, tmp_path)
    assert columns == messy.COLUMNS and len(data) == len(messy.ROWS)
    assert sniff_delimiter([f"a{delimiter}b{delimiter}c", f"1{delimiter}2{delimiter}3"]) == delimiter


def test_title_lines_above_the_header_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    text = "某市社会保障卡申领信息\n单位：元\nname,id_number,sex\n张三,11010519491231002X,2\n"
    path.write_text(text, encoding="utf-8")
    columns, data, loaded = rows_of(path, tmp_path)
    assert columns == ["name", "id_number", "sex"] and data == [("张三", "11010519491231002X", "2")]
    assert any("above the header" in w for w in loaded.warnings)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(",".join(messy.COLUMNS) + "\n", encoding="utf-8")
    _, data, _ = rows_of(path, tmp_path)
    assert data == []


def test_identifier_values_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id_number,sex,amount\n000123,01,1.50\n", encoding="utf-8")
    _, data, _ = rows_of(path, tmp_path)
    assert data == [("000123", "01", "1.50")]  # leading zeros kept: nothing became a number


def test_find_header_prefers_the_row_naming_expected_columns() -> None:
    rows = [["某市社会保障卡申领信息", None, None], ["填报单位：某局", None, None], ["姓名", "公民身份号码", "性别"]]
    assert find_header(rows, ["name", "姓名", "公民身份号码"]) == 2
    assert find_header(rows, []) == 2


def test_xlsx_as_offices_make_it(tmp_path: Path) -> None:
    path = messy.write_xlsx(tmp_path / "m.xlsx")
    columns, data, loaded = rows_of(path, tmp_path, text_columns=["id_number", "phone"])
    assert columns == messy.COLUMNS
    assert len(data) == len(messy.ROWS)  # merged title, unit line, notes and sign-off all left out
    warnings = " ".join(loaded.warnings)
    assert "header found on row 3" in warnings and "below the data" in warnings
    assert loaded.numeric_cells == {"id_number": 1}
    damaged = [r[1] for r in data if r[1] and "E+" in r[1]]
    assert damaged == ["1.10105E+17"]  # shown as Excel shows it: the lost digits stay visible as damage


def test_xlsx_sheet_by_name_or_index(tmp_path: Path) -> None:
    path = messy.write_xlsx(tmp_path / "m.xlsx")
    assert len(rows_of(path, tmp_path, sheet="申领信息")[1]) == len(messy.ROWS)
    assert len(rows_of(path, tmp_path, sheet=0)[1]) == len(messy.ROWS)
    assert rows_of(path, tmp_path, sheet="1")[1] == []  # the notes sheet has no data rows under its one line
    with pytest.raises(InputError, match="no sheet named") as err:
        rows_of(path, tmp_path, sheet="Sheet9")
    assert "申领信息" in str(err.value)


def test_xlsx_dates_and_numbers_become_the_text_a_csv_would_hold(tmp_path: Path) -> None:
    import datetime as dt

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["birth_date", "accept_time", "amount", "phone", "sex"])
    ws.append([dt.datetime(1990, 1, 2), dt.datetime(2024, 3, 1, 9, 30), 12.5, 13812345678, 1])
    path = tmp_path / "types.xlsx"
    wb.save(path)
    _, data, _ = rows_of(path, tmp_path)
    assert data == [("1990-01-02", "2024-03-01 09:30:00", "12.5", "13812345678", "1")]


def test_parquet_numbers_in_identifier_columns_are_reported(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "n.parquet"
    pq.write_table(pa.table({"id_number": pa.array([110105194912310021], pa.int64()), "x": ["a"]}), path)
    con = duckdb.connect()
    loaded = open_source(con, path, workdir=tmp_path, text_columns=["id_number"])
    assert con.execute(f"SELECT id_number FROM {loaded.data}").fetchall() == [("110105194912310021",)]
    assert any("id_number" in w and "int64" in w for w in loaded.warnings)


def test_database_urls_hide_passwords() -> None:
    """One masking for every URL govstd shows (``masking.redact``): a password after the user name (up
    to the host's ``@``), in a ``password=`` parameter or libpq's keyword form, a ``token=`` parameter."""
    from govstd.standards.masking import redact

    assert redact("postgresql://user:secret@db:5432/x") == "postgresql://user:***@db:5432/x"
    assert redact("postgresql://user:p@ss@db/x") == "postgresql://user:***@db/x"  # '@' in the password
    assert redact("postgresql://user:pa ss@db/x") == "postgresql://user:***@db/x"  # a space in it
    assert redact("postgresql://db/x?user=u&password=secret&sslmode=require") == \
        "postgresql://db/x?user=u&password=***&sslmode=require"
    assert redact("host=db port=5432 password=secret dbname=x") == "host=db port=5432 password=*** dbname=x"
    assert redact("https://u:pw@registry.example/api?token=govstd_abc&x=1") == \
        "https://u:***@registry.example/api?token=***&x=1"
    assert redact("postgresql://user@db:5432/x") == "postgresql://user@db:5432/x"
    assert redact("sqlite:///data/x.db") == "sqlite:///data/x.db"


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_both_database_readers_name_the_url_masked(engine: str) -> None:
    """The DuckDB engine's reader and the PostgreSQL engine show a source URL the same (masked) way."""
    from govstd.validators.api import validate

    # Nothing listens on port 1; libpq takes the password's '@' as the host's and quotes "ss5ecret@…" back.
    url = "postgresql://u:pw5ecret@ss5ecret@127.0.0.1:1/db?password=pv5ecret&sslmode=disable"
    with pytest.raises(InputError) as err:
        validate(url, messy.SCHEMA, table="t", engine=engine, today=messy.TODAY)
    assert "u:***@127.0.0.1:1/db?password=***" in str(err.value)
    assert "5ecret" not in str(err.value) + repr(err.value.to_json())


# --------------------------------------------------------------------------- hostile and misread text

CHINESE = "姓名,地址\n张伟,北京市东城区王府井大街1号\n王芳,上海市黄浦区南京东路100号\n" * 20


def test_gb18030_four_byte_characters_are_detected() -> None:
    assert detect_encoding(("name\n王𠇔\n" + CHINESE).encode("gb18030"), path="x.csv") == "gb18030"


def test_utf8_with_one_cut_character_is_an_error_at_its_byte(tmp_path: Path) -> None:
    data = CHINESE.encode("utf-8")
    bad = data.index("王芳".encode()) + 1  # the second byte of 王: the character is cut
    path = tmp_path / "cut.csv"
    path.write_bytes(data[:bad] + data[bad + 1 :])
    with pytest.raises(InputError) as err:
        open_source(duckdb.connect(), path, workdir=tmp_path)
    assert f"byte {bad - 1}" in str(err.value) and err.value.line == 3  # not read whole as cp1251
    assert "not valid UTF-8" in str(err.value)


def test_lines_in_utf8_and_gbk_are_an_error(tmp_path: Path) -> None:
    lines = CHINESE.splitlines(keepends=True)
    data = b"".join(ln.encode("utf-8" if i % 2 else "gbk") for i, ln in enumerate(lines))
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match="mixes encodings: 30 line") as err:
        open_source(duckdb.connect(), path, workdir=tmp_path)
    assert err.value.line is not None


def test_big5_is_refused_unless_named(tmp_path: Path) -> None:
    text = "姓名,地址\n陳大文,臺北市中正區重慶南路一段122號\n林美玲,高雄市前鎮區中華五路789號\n" * 5
    path = tmp_path / "big5.csv"
    path.write_bytes(text.encode("big5"))
    with pytest.raises(InputError, match="Big5"):
        open_source(duckdb.connect(), path, workdir=tmp_path)
    con = duckdb.connect()
    loaded = open_source(con, path, workdir=tmp_path, encoding="big5")
    assert con.execute(f"SELECT 姓名 FROM {loaded.data} LIMIT 1").fetchall() == [("陳大文",)]


def test_an_unknown_code_page_is_not_guessed() -> None:
    with pytest.raises(InputError, match="neither UTF-8 nor GB18030") as err:
        detect_encoding("name,city\nJosé,Zürich\n".encode("cp1252") + b"\xff\xfe", path="x.csv")
    assert err.value.line == 2


@pytest.mark.parametrize("header", ['name,"id\nnumber",sex', 'name,"id\r\nnumber",sex'])
def test_a_header_with_a_line_break_is_an_error(tmp_path: Path, header: str) -> None:
    path = tmp_path / "nl.csv"
    path.write_text(header + "\n张三,11010519491231002X,2\n", encoding="utf-8", newline="")
    with pytest.raises(InputError, match="line break: column 2"):
        open_source(duckdb.connect(), path, workdir=tmp_path)


@pytest.mark.parametrize("header", ["name,id_number,name", "name,ID_Number,id_number "])
def test_duplicate_headers_are_an_error_naming_both_columns(tmp_path: Path, header: str) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(header + "\n张三,11010519491231002X,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"duplicate column name\(s\): .* \(columns \d and 3\)"):
        open_source(duckdb.connect(), path, workdir=tmp_path)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_header_holding_a_nul_character_is_an_input_error(tmp_path: Path, fmt: str) -> None:
    # Found by the fuzz suite: no engine can name such a column, which surfaced as an internal error.
    path = tmp_path / f"nul.{fmt}"
    if fmt == "jsonl":
        path.write_text('{"name": "张三", "\\u0000id": "1"}\n', encoding="utf-8")
    else:
        pq.write_table(pa.table({"name": ["张三"], "\x00id": ["1"]}), path)
    with pytest.raises(InputError, match="NUL character: column 2"):
        open_source(duckdb.connect(), path, workdir=tmp_path)


def test_duplicate_headers_in_a_spreadsheet_are_an_error(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "公民身份号码", "姓名"])
    ws.append(["张三", "11010519491231002X", "李四"])
    path = tmp_path / "dup.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="'姓名' \\(columns 1 and 3\\)"):
        open_source(duckdb.connect(), path, workdir=tmp_path)


def test_xlsx_lost_digits_warning_spares_eleven_digit_phones(tmp_path: Path) -> None:
    """A mobile number stored as a number reads back whole: only numbers past 15 digits lost any."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id_number", "phone"])
    ws.append(["110105194912310021", 13812345678])
    ws.append(["110105194912310021", 13912345678])
    wb.save(tmp_path / "phones.xlsx")
    _, data, loaded = rows_of(tmp_path / "phones.xlsx", tmp_path, text_columns=["id_number", "phone"])
    assert [r[1] for r in data] == ["13812345678", "13912345678"]
    assert loaded.numeric_cells == {"phone": 2}
    assert not [w for w in loaded.warnings if "digits" in w]

    ws.append([110105194912310021, 13712345678])
    wb.save(tmp_path / "ids.xlsx")
    _, _, loaded = rows_of(tmp_path / "ids.xlsx", tmp_path, text_columns=["id_number", "phone"])
    lost = [w for w in loaded.warnings if "digits" in w]
    assert len(lost) == 1 and "'id_number': 1 cell(s)" in lost[0]


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 3 * 4096 + 5])
def test_hash_file_equals_hashlib_over_the_whole_file(tmp_path: Path, size: int) -> None:
    import hashlib
    import os

    path = tmp_path / "data.bin"
    data = os.urandom(size)
    path.write_bytes(data)
    seen: list[int] = []
    hashes = hash_file(path, ["sha256", "sha512"], chunk_size=4096, progress=seen.append)
    assert hashes == {"sha256": hashlib.sha256(data).hexdigest(), "sha512": hashlib.sha512(data).hexdigest()}
    assert sum(seen) == size
