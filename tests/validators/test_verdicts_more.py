"""Verdicts on department exports the other fixture files do not cover, judged from the outside.

Each test builds a small file of valid rows (``messy.base_row``) plus the one class it is about, and
asserts every check's failed count — the same through the native kernel and the SQL path
(``GOVSTD_KERNEL=0``). Identifier oracles are python-stdnum's ``cn.ric``; the rest is reasoned in the
test from docs/identifiers.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import messy
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from stdnum.cn import ric

from govstd.errors import InputError
from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

ZH = {"name": "姓名", "id_number": "公民身份号码", "sex": "性别", "ethnicity": "民族", "region": "户籍地行政区划",
      "phone": "手机号码", "employer_uscc": "单位统一社会信用代码", "birth_date": "出生日期", "amount": "缴费金额",
      "accept_time": "受理时间", "finish_time": "办结时间", "service_item_code": "事项编码", "updated_at": "更新时间"}



def run(source: Any) -> ValidationResult:
    return validate(source, messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS)



def valid_rows(n: int = 8) -> list[dict[str, str]]:
    rows = [messy.base_row(i) for i in range(n)]
    assert all(stdnum_check_ok(r["id_number"]) for r in rows)
    return rows


def stdnum_check_ok(value: str) -> bool:
    """python-stdnum's check character (its ``is_valid`` also demands the region be in force in the birth
    year — its issue #442 — which rejects real numbers, docs/identifiers.md)."""
    return len(value) == 18 and ric.calc_check_digit(value) == value[17].upper()  # it reads value[:-1]


def _bad_check(value: str) -> str:
    alphabet = "0123456789X"
    return value[:17] + alphabet[(alphabet.index(value[17]) + 1) % 11]


# --------------------------------------------------------------------------- headers


#: Header cells as copied from a web page or a Word template: the invisible characters are part of the
#: cell, and nobody can see them.
INVISIBLE = {"zero-width space": "\u200b", "no-break space": "\u00a0", "BOM inside": "\ufeff",
             "word joiner": "\u2060", "ideographic space": "\u3000"}


def _header_rows() -> list[dict[str, str]]:
    rows = valid_rows()
    rows[2]["id_number"] = _bad_check(rows[2]["id_number"])
    assert not stdnum_check_ok(rows[2]["id_number"])
    return rows


def _write_header_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([r[c] for c in messy.COLUMNS] for r in rows)
    return path


def _write_header_xlsx(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["某市社会保障卡申领信息"])
    ws.append(header)
    for r in rows:
        ws.append([r[c] for c in messy.COLUMNS])
    wb.save(path)
    return path


@pytest.mark.parametrize("invisible", list(INVISIBLE))
@pytest.mark.parametrize("writer", [_write_header_csv, _write_header_xlsx])
def test_headers_with_invisible_characters_name_their_columns(tmp_path: Path, invisible: str, writer: Any,
                                                              engine_path: str) -> None:
    """A header cell ``姓名\\u200b`` is the column 姓名: the required columns are found and checked."""
    ch = INVISIBLE[invisible]
    header = [f"{ZH[c][:1]}{ch}{ZH[c][1:]}{ch}" for c in messy.COLUMNS]
    suffix = ".xlsx" if writer is _write_header_xlsx else ".csv"
    result = run(writer(tmp_path / f"h{suffix}", header, _header_rows()))
    assert result.check("id_number.checksum").evaluated == 8
    assert messy.failed(result) == {"id_number.checksum": 1}


def test_a_header_and_its_copy_with_a_zero_width_space_are_one_name_twice(tmp_path: Path) -> None:
    """Two columns that differ only by an invisible character cannot be told apart by a person: which holds
    the data the schema means is for the department to say, as for any duplicate header."""
    header = [ZH[c] for c in messy.COLUMNS]
    header[-1] = "姓名\u200b"
    with pytest.raises(InputError, match="duplicate column name"):
        run(_write_header_csv(tmp_path / "dup.csv", header, valid_rows()))


# --------------------------------------------------------------------------- typed columns (Parquet, pandas)


def _typed_table(n: int = 10, birth_zone: str | None = None) -> Any:
    """The columns as pandas writes them: a mobile number column with a missing value is float64, dates are
    timestamps at midnight, times carry a time zone (stored as UTC instants), amounts are float64.

    Two defects: row 4's birth date has a time of day (a date-time in a date column), and row 6 was
    finished at 08:30 Beijing time on the day it was accepted at 01:00 UTC = 09:00 Beijing time.
    ``birth_zone``: the birth dates as local midnights in that zone (pandas' ``tz_localize``): stored as
    UTC instants of the day before, 16:00."""
    import pyarrow as pa

    rows = valid_rows(n)
    zone = zoneinfo.ZoneInfo(birth_zone) if birth_zone else None
    births = [dt.datetime.fromisoformat(r["birth_date"]).replace(tzinfo=zone) for r in rows]
    births[4] = births[4].replace(hour=12)
    accepted = [dt.datetime.fromisoformat(r["accept_time"]).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
                for r in rows]
    accepted[6] = dt.datetime(2024, 3, 7, 1, 0, tzinfo=dt.UTC)
    rows[6]["finish_time"] = "2024-03-07 08:30:00"
    columns: dict[str, Any] = {c: pa.array([r[c] for r in rows], pa.string()) for c in messy.COLUMNS}
    columns["phone"] = pa.array([None if i == 1 else float(r["phone"]) for i, r in enumerate(rows)], pa.float64())
    columns["birth_date"] = pa.array(births, pa.timestamp("ns", tz=birth_zone))
    columns["accept_time"] = pa.array(accepted, pa.timestamp("us", tz="UTC"))
    columns["amount"] = pa.array([float(r["amount"]) for r in rows], pa.float64())
    return pa.table(columns)


TYPED_EXPECTED = {"birth_date.type": 1, "rules.finish_after_accept": 1}


@pytest.mark.parametrize("birth_zone", [None, "Asia/Shanghai"])
def test_typed_parquet_columns_read_as_their_csv_export(tmp_path: Path, engine_path: str,
                                                        birth_zone: str | None) -> None:
    """A whole float64 below 10**15 is the number (13912345678, not 13912345678.0: nothing was lost, as for a
    workbook's number cell); a timestamp at midnight is a date (a workbook's date cell); a timestamp with
    a time zone is shown in Beijing time. Only the real defects fail."""
    import pyarrow.parquet as pq

    path = tmp_path / "typed.parquet"
    pq.write_table(_typed_table(birth_zone=birth_zone), path)
    result = run(path)
    assert messy.failed(result) == TYPED_EXPECTED
    assert result.check("phone.format").evaluated == 9
    assert result.check("birth_date.type").details["breakdown"]["with_time"] == 1
    assert result.check("rules.finish_after_accept").evaluated == 10


def test_a_pandas_frame_gets_the_verdict_of_its_parquet_file(engine_path: str) -> None:
    assert messy.failed(run(_typed_table().to_pandas())) == TYPED_EXPECTED
    assert messy.failed(run(_typed_table(birth_zone="Asia/Shanghai").to_pandas())) == TYPED_EXPECTED
    assert messy.failed(run(_typed_table())) == TYPED_EXPECTED


def test_an_id_number_stored_as_float64_lost_digits_and_as_int64_did_not(tmp_path: Path, engine_path: str) -> None:
    """Past 2**53 a double cannot hold an 18-digit number: the damage stays visible (length, excel_damage)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [r for r in valid_rows(12) if r["id_number"][-1] != "X"]
    table = pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in messy.COLUMNS})
    ids = [int(r["id_number"]) for r in rows]
    pq.write_table(table.set_column(1, "id_number", pa.array([float(v) for v in ids], pa.float64())),
                   tmp_path / "f.parquet")
    n = len(rows)
    assert messy.failed(run(tmp_path / "f.parquet")) == {"id_number.length": n, "id_number.excel_damage": n}
    pq.write_table(table.set_column(1, "id_number", pa.array(ids, pa.int64())), tmp_path / "i.parquet")
    assert messy.failed(run(tmp_path / "i.parquet")) == {}


def test_a_float32_column_shows_the_digits_it_lost(tmp_path: Path, engine_path: str) -> None:
    """A float32 keeps whole numbers below 2**24 exactly; 13912345678 is stored as 13912345600, which read as
    a whole number would pass as a valid mobile number. It stays as DuckDB prints it: damage shows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = _typed_table()
    phones = table.column("phone").cast(pa.float32())
    assert phones[0].as_py() != float(valid_rows(1)[0]["phone"])  # the digits really were lost
    pq.write_table(table.set_column(table.schema.get_field_index("phone"), "phone", phones), tmp_path / "f.parquet")
    assert messy.failed(run(tmp_path / "f.parquet")) == {**TYPED_EXPECTED, "phone.length": 9, "phone.excel_damage": 9}


# --------------------------------------------------------------------------- whitespace in coded and numeric columns


#: Padding a person cannot see, around a valid value: each is read as the trimmed value and reported.
PADDED = {"region": [" 110101", "110101\u00a0", "110101\u200b", "\u3000110101"],
          "amount": [" 123.50", "123.50\u200b", "123.50\u00a0", "\ufeff123.50"]}


@pytest.mark.parametrize("column", list(PADDED))
def test_padding_in_a_region_code_or_an_amount_is_a_normalised_warning(tmp_path: Path, column: str,
                                                                        engine_path: str) -> None:
    """As for a sex code, a date or an ID number: valid (the trimmed value is read), but not as it should be
    stored (规范性) — a warning, never silence. The region code column takes codes only (match: code)."""
    rows = valid_rows()
    for i, value in enumerate(PADDED[column]):
        rows[i][column] = value if column == "amount" else value.replace("110101", rows[i]["region"])
    result = run(messy.write_csv(tmp_path / "padded.csv", rows))
    assert messy.failed(result) == {f"{column}.normalised": 4}
    check = result.check(f"{column}.normalised")
    assert check.severity == "warning" and check.details["breakdown"] == {"whitespace": 4}


@pytest.mark.parametrize("word", ["infinity", "-infinity", " Infinity", "INFINITY"])
def test_the_word_infinity_is_no_date_or_time(tmp_path: Path, engine_path: str, word: str) -> None:
    """DuckDB's try_strptime reads 'infinity' with every layout, as 9999-12-31 (and '-infinity' as year 1): a
    date column holding the word passed its type check with a normalised warning only, on both paths."""
    rows = [messy.base_row(i) for i in range(4)]
    rows[1]["accept_time"], rows[2]["birth_date"] = word, word
    result = run(messy.write_csv(tmp_path / "inf.csv", rows))
    assert {"accept_time.type": 1, "birth_date.type": 1}.items() <= messy.failed(result).items()


def test_a_fraction_of_up_to_nine_digits_is_a_time(tmp_path: Path, engine_path: str) -> None:
    """A 9-digit fraction (a nanosecond export) failed the type check: the layouts read 6 digits. It is a
    time now, kept to microseconds; 10 digits or an impossible time still fail."""
    rows, expected = messy.fraction_rows()
    result = run(messy.write_csv(tmp_path / "ns.csv", rows))
    assert messy.failed(result) == expected
    assert result.check("accept_time.type").evaluated == len(rows)


def test_a_column_stored_as_numbers_is_named_for_what_numbers_cannot_hold(tmp_path: Path) -> None:
    """The warning said "identifiers ending in X cannot be held" of any numeric column, a phone's too: it now
    says what a number cannot hold, and that a float loses digits."""
    rows = [messy.base_row(i) for i in range(3)]
    table = pa.table({**{k: [r[k] for r in rows] for k in rows[0] if k != "phone"},
                      "phone": pa.array([int(r["phone"]) for r in rows], pa.int64())})
    pq.write_table(table, tmp_path / "n.parquet")
    (warning,) = [w for w in run(tmp_path / "n.parquet").warnings if "'phone'" in w]
    assert "stored as int64" in warning and "leading zeros or letters" in warning and "ending in X" not in warning
    assert "floating point" not in warning
    pq.write_table(table.set_column(table.schema.get_field_index("phone"), "phone",
                                    table["phone"].cast(pa.float64())), tmp_path / "f.parquet")
    (floating,) = [w for w in run(tmp_path / "f.parquet").warnings if "'phone'" in w]
    assert "stored as double" in floating and "floating point loses digits" in floating

