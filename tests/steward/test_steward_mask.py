"""``govstd mask`` on the demo export: no raw identifier survives, rows and columns are kept, the
pseudonyms are HMAC-SM3 (checked against hashlib) and stable per key, every output format reads back."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from govstd import demo
from govstd.standards import masking
from govstd.standards.models import MaskingRule
from govstd.standards.numbers.normalize import display_form
from govstd.steward.mask import mask_dataset
from govstd.steward.masksql import Masking, mask_expr

TODAY = dt.date(2025, 1, 15)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, demo.Defects]:
    folder = tmp_path_factory.mktemp("mask")
    records, defects = demo.generate(2000, today=TODAY)
    data = demo.write_csv(records, folder / "cases.csv")
    schema = folder / "schema.yaml"
    schema.write_text(demo.schema_yaml("unconditional"), encoding="utf-8")
    return data, schema, defects


def _read(path: Path) -> list[list[str | None]]:
    if path.suffix == ".csv":
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM as UTF-8
        return [list(r) for r in csv.reader(raw.decode("utf-8-sig").splitlines())]
    if path.suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True).active
        assert sheet is not None
        return [[None if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    table = pq.read_table(path)
    return [table.column_names, *[list(r.values()) for r in table.to_pylist()]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_no_raw_identifier_and_same_shape(demo_files: tuple[Path, Path, demo.Defects], tmp_path: Path,
                                          suffix: str) -> None:
    data, schema, defects = demo_files
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    out = tmp_path / f"masked{suffix}"
    result = mask_dataset(data, schema, out)
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before  # the original is untouched
    rows = _read(out)
    assert rows[0] == list(demo.COLUMNS) and len(rows) - 1 == result.rows == 2000
    text = "\n".join(",".join(v or "" for v in r) for r in rows)
    if suffix == ".csv":
        text += out.read_bytes().decode("utf-8-sig")
    raw_numbers = {n for n in defects.id_numbers | defects.phones if n}
    raw_numbers |= {display_form(n) for n in raw_numbers}
    leaked = [n for n in raw_numbers if n in text]
    assert not leaked, f"{len(leaked)} raw identifiers in the masked copy"
    originals = list(csv.reader(data.read_text(encoding="gb18030").splitlines()))
    first = dict(zip(rows[0], rows[1], strict=True))
    source = dict(zip(originals[0], originals[1], strict=True))
    assert first["id_number"] == masking.mask(display_form(source["id_number"]), MaskingRule(keep_start=6, keep_end=4),
                                              full_length=15)
    assert first["name"] == source["name"][0] + "*" * (len(source["name"]) - 1)
    assert first["case_no"] == source["case_no"] and first["item_name"] == source["item_name"]


def test_pseudonyms_are_keyed_sm3_and_join_across_files(demo_files: tuple[Path, Path, demo.Defects],
                                                        tmp_path: Path) -> None:
    data, schema, _ = demo_files
    lines = data.read_text(encoding="gb18030").splitlines()
    part_a, part_b = tmp_path / "a.csv", tmp_path / "b.csv"
    part_a.write_text("\r\n".join(lines[:1200]) + "\r\n", encoding="gb18030")
    part_b.write_text("\r\n".join([lines[0], *lines[800:]]) + "\r\n", encoding="gb18030")
    key, other = b"k" * 32, b"another secret key!!"
    a = _read(mask_dataset(part_a, schema, tmp_path / "a.parquet", key=key).out)
    b = _read(mask_dataset(part_b, schema, tmp_path / "b.parquet", key=key).out)
    c = _read(mask_dataset(part_a, schema, tmp_path / "c.parquet", key=other).out)
    col = demo.COLUMNS.index("id_number")
    source = list(csv.reader(lines))
    # Row 1000 of the file is in both parts: the same person, the same pseudonym.
    assert a[1000][col] == b[1000 - 800 + 1][col] and a[1000][col]
    assert a[1000][col] != c[1000][col]
    expected = hmac.new(key, display_form(source[1000][col]).encode(), "sm3").hexdigest()
    assert a[1000][col] == expected


def test_refuses_to_overwrite_the_original_and_unknown_formats(demo_files: tuple[Path, Path, demo.Defects],
                                                               tmp_path: Path) -> None:
    data, schema, _ = demo_files
    same = subprocess.run([sys.executable, "-m", "govstd", "mask", str(data), "--schema-file", str(schema), "--out",
                           str(data)], capture_output=True, text=True, timeout=120)
    assert same.returncode == 2 and "overwrite the original" in same.stderr
    odd = subprocess.run([sys.executable, "-m", "govstd", "mask", str(data), "--schema-file", str(schema), "--out",
                          str(tmp_path / "x.txt")], capture_output=True, text=True, timeout=120)
    assert odd.returncode == 2 and "unknown output format" in odd.stderr and "Traceback" not in odd.stderr
    short = tmp_path / "short.key"
    short.write_bytes(b"abc")
    weak = subprocess.run([sys.executable, "-m", "govstd", "mask", str(data), "--schema-file", str(schema), "--out",
                           str(tmp_path / "m.csv"), "--pseudonymise-key-file", str(short)], capture_output=True,
                          text=True, timeout=120)
    assert weak.returncode == 2 and "at least 16 bytes" in weak.stderr


_CON = duckdb.connect()


@settings(max_examples=300, deadline=None)
@given(value=st.text(alphabet="0123456789X张三欧阳 ", max_size=24), keep_start=st.integers(0, 8),
       keep_end=st.integers(0, 8), full_length=st.one_of(st.none(), st.integers(1, 20)))
def test_sql_mask_is_masking_mask(value: str, keep_start: int, keep_end: int, full_length: int | None) -> None:
    rule = MaskingRule(keep_start=keep_start, keep_end=keep_end)
    sql = mask_expr("$v", Masking("rule", rule, full_length))
    (got,) = _CON.execute(f"SELECT {sql}", {"v": value}).fetchone() or (None,)
    assert got == masking.mask(value.strip(), rule, full_length=full_length)


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧阳**"), ("李", "*"), ("𠇔明", "𠇔*")])
def test_names_keep_the_surname(name: str, masked: str) -> None:
    (got,) = _CON.execute(f"SELECT {mask_expr('$v', Masking('name'))}", {"v": name}).fetchone() or (None,)
    assert got == masked


@pytest.mark.parametrize(("address", "masked"), [
    ("浙江省杭州市西湖区文三路90号", "浙江省杭州市西湖区****"),
    ("广西壮族自治区南宁市青秀区民族大道1号", "广西壮族自治区南宁市青秀区****"),
    ("浙江省义乌市稠城街道", "浙江省义乌市****"),
    ("北京市朝阳区", "北京市朝阳区"),
])
def test_addresses_keep_up_to_the_district(address: str, masked: str) -> None:
    (got,) = _CON.execute(f"SELECT {mask_expr('$v', Masking('address'))}", {"v": address}).fetchone() or (None,)
    assert got == masked


@settings(max_examples=200, deadline=None)
@given(key=st.binary(min_size=16, max_size=100),
       values=st.lists(st.one_of(st.none(), st.text(max_size=20)), max_size=40))
def test_batch_pseudonyms_are_hmac_sm3(key: bytes, values: list[str | None]) -> None:
    """The batch path (pre-keyed SM3 states, a bounded memo) is exactly hmac.new(key, v, 'sm3'), keys
    longer than SM3's 64-byte block included, and stays so when its memo fills and starts afresh."""
    import pyarrow as pa

    from govstd.steward.mask import Pseudonymiser

    expected = [None if v is None else hmac.new(key, v.encode(), "sm3").hexdigest() for v in values]
    small = Pseudonymiser(key)
    small.MEMO_SIZE = 3
    for p in (Pseudonymiser(key), small):
        assert p.batch(pa.array(values, pa.string())).to_pylist() == expected
        assert p.batch(pa.array(values, pa.string())).to_pylist() == expected  # from the memo


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_department_file_in_every_format_masks_every_identifier(fmt: str, tmp_path: Path) -> None:
    """GB18030 CSV, XLSX under a title row, Parquet in; the drafted schema; CSV out: no raw ID (18- or
    15-digit, residence permit) or phone, every row and the column order kept; the summary zh or en."""
    from department_testlib import DEPARTMENT, department_rows, write_department

    data = write_department(fmt, tmp_path)
    schema = tmp_path / "draft.yaml"
    assert _govstd("schema", "infer", str(data), "--out", str(schema)).returncode == 0
    text = schema.read_text(encoding="utf-8").replace("share_type: conditional",
                                                       "share_type: conditional\n  conditions: 仅限资格核验")
    schema.write_text(text, encoding="utf-8")
    out = tmp_path / "masked.csv"
    zh = _govstd("mask", str(data), "--schema-file", str(schema), "--out", str(out))
    assert zh.returncode == 0, zh.stderr
    assert "已将 120 行写入" in zh.stdout and "原文件未改动" in zh.stdout
    rows = _read(out)
    assert rows[0] == list(DEPARTMENT) and len(rows) == 121
    source = department_rows(120)
    personal = [i for i, h in enumerate(DEPARTMENT) if h in ("公民身份号码", "旧身份证号", "港澳台居民居住证",
                                                              "手机号码", "固定电话")]
    raw = {r[i] for r in source for i in personal} | {r[i].replace("-", "") for r in source for i in personal}
    body = out.read_bytes().decode("utf-8-sig")
    assert [n for n in raw if n in body] == []
    assert all("*" in (r[i] or "") for r in rows[1:] for i in personal)
    en = _govstd("--lang", "en", "mask", str(data), "--schema-file", str(schema), "--out", str(tmp_path / "en.csv"))
    assert "120 rows written to" in en.stdout and "the original is unchanged" in en.stdout


def _govstd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *args], capture_output=True, text=True, timeout=300)
