"""A hand-built messy department dataset with injected defects whose effects are known exactly.

``ROWS`` holds the values as a department would export them (text); ``EXPECTED`` is the failed count
of every rule id the test schema produces (anything not listed fails 0 times). Each defect row says
which checks it trips, so every expected count can be traced to the rows that cause it.
Writers put the same rows into CSV (UTF-8, BOM + CRLF + semicolons, GB18030), XLSX (merged title
row, notes below the data, one ID stored as a number) and Parquet.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from govstd.standards.numbers import gb11643, gb11714, gb32100

TODAY = dt.date(2025, 6, 2)
SCHEMA = Path(__file__).parent / "data" / "social_security_card.yaml"
COLUMNS = [
    "name", "id_number", "sex", "ethnicity", "region", "phone", "employer_uscc", "birth_date", "amount",
    "accept_time", "finish_time", "service_item_code", "updated_at",
]
#: Registered service items (code → registration status) the tests pass as the registry's codes.
SERVICE_ITEMS = {"511A09001023": "standard", "511A09001025": "standard", "511A09001024": "retired"}
REGIONS = ["110101", "110102", "310101", "440305", "510104", "510105", "510106", "510107"]
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def make_id(region: str, born: dt.date, seq: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + gb11643.calc_check_digit(first17)


def make_uscc(region: str, body: str, authority_category: str = "91") -> str:
    org = body + gb11714.calc_check_digit(body)
    first17 = authority_category + region + org
    return first17 + gb32100.calc_check_digit(first17)


def base_row(i: int) -> dict[str, str]:
    """A valid row; sequence parity (odd = male) matches the sex column."""
    region = REGIONS[i % len(REGIONS)]
    born = dt.date(1960, 1, 1) + dt.timedelta(days=211 * i)
    seq = 101 + i
    return {
        "name": ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "王𠇔"][i % 8],
        "id_number": make_id(region, born, seq),
        "sex": "1" if seq % 2 else "2",
        "ethnicity": ["01", "03", "08", "36"][i % 4],
        "region": region,
        "phone": f"1{3 + i % 7}{i:09d}",
        "employer_uscc": make_uscc(region, f"{60003734 + i:08d}"),
        "birth_date": born.isoformat(),
        "amount": f"{100 + i * 13.5:.2f}",
        "accept_time": f"2024-03-{1 + i % 28:02d} 09:{i % 60:02d}:00",
        "finish_time": f"2024-04-{1 + i % 28:02d} 10:00:00",
        "service_item_code": "511A09001023" if i % 2 else "511A09001025",
        "updated_at": "2025-06-01 18:30:00" if i == 0 else f"2025-05-{1 + i % 28:02d} 08:00:00",
    }


def _with_x_check(i: int) -> dict[str, str]:
    """A valid row whose ID ends in the check character X."""
    row = base_row(i)
    region, born = row["region"], dt.date.fromisoformat(row["birth_date"])
    for seq in range(1, 999):
        candidate = make_id(region, born, seq)
        if candidate.endswith("X"):
            row["id_number"] = candidate
            row["sex"] = "1" if seq % 2 else "2"
            return row
    raise AssertionError("no X check character found")


def _bad_check(value: str) -> str:
    alphabet = "0123456789X"
    return value[:17] + alphabet[(alphabet.index(value[17]) + 1) % 11]


def build() -> tuple[list[dict[str, str]], Counter[str]]:
    rows: list[dict[str, str]] = [base_row(i) for i in range(40)]
    expected: Counter[str] = Counter()

    def defect(row: dict[str, str], **effects: int) -> None:
        rows.append(row)
        for rule_id, n in effects.items():
            expected[rule_id.replace("__", ".")] += n

    # --- citizen ID numbers (GB 11643) ------------------------------------------------------
    defect({**_with_x_check(40), "id_number": _with_x_check(40)["id_number"].lower()},
           id_number__normalised=1)  # lowercase x: harmless
    r = base_row(41)
    defect({**r, "id_number": rows[3]["id_number"].translate(FULLWIDTH)},  # full-width copy of row 4's ID
           id_number__normalised=1, key__unique=1, rules__person_matches_id__birth_date=1,
           rules__person_matches_id__sex=int(rows[3]["sex"] != r["sex"]),
           rules__person_matches_id__region=int(rows[3]["region"] != r["region"]))
    r = base_row(42)
    defect({**r, "id_number": f"  {r['id_number']} "}, id_number__normalised=1)  # surrounding spaces
    defect({**base_row(43), "id_number": "1.10105E+17"},  # Excel scientific notation
           id_number__excel_damage=1, id_number__length=1)
    r = base_row(44)  # Excel kept 15 digits and zeroed the rest; sex column female to match parity 0
    defect({**r, "id_number": r["id_number"][:15] + "000", "sex": "2"},
           id_number__excel_damage=1, id_number__checksum=1)
    r = base_row(45)  # legacy 15-digit number (the schema does not allow them)
    defect({**r, "id_number": r["id_number"][:6] + r["id_number"][8:17]}, id_number__length=1)
    r = base_row(46)
    defect({**r, "id_number": _bad_check(r["id_number"])}, id_number__checksum=1)
    r = base_row(47)
    defect({**r, "id_number": _bad_check(r["id_number"])}, id_number__checksum=1)
    r = base_row(48)  # 29 February 1990 does not exist; the birth-date column cannot agree with it
    bad = make_id("110101", dt.date(1990, 3, 1), 111).replace("19900301", "19900229")
    bad = bad[:17] + gb11643.calc_check_digit(bad[:17])
    defect({**r, "id_number": bad, "sex": "1", "region": "110101"}, id_number__birth_date=1)
    r = base_row(49)  # born in the future (checksum right)
    defect({**r, "id_number": make_id("110101", dt.date(2030, 1, 1), 113), "sex": "1", "region": "110101",
            "birth_date": "2030-01-01"}, id_number__birth_date=1)
    r = base_row(50)  # unknown address code; the region column is left empty
    defect({**r, "id_number": make_id("999999", dt.date(1985, 5, 5), 115), "sex": "1", "region": "",
            "birth_date": "1985-05-05"}, id_number__region=1)
    r = base_row(51)
    defect({**r, "sex": "2" if r["sex"] == "1" else "1"}, rules__person_matches_id__sex=1)
    r = base_row(52)
    defect({**r, "birth_date": "1999-09-09"}, rules__person_matches_id__birth_date=1)
    r = base_row(53)  # the person moved: the region column is another province
    defect({**r, "region": "330106"}, rules__person_matches_id__region=1)
    # Already masked (the field is not declared masked): not a format error, counted by id_number.masked.
    defect({**base_row(54), "id_number": "110101********1234"}, id_number__masked=1)
    defect(dict(rows[5]), key__unique=1)  # exact duplicate rows
    defect(dict(rows[6]), key__unique=1)
    defect({**base_row(55), "id_number": ""}, id_number__not_null=1)
    defect({**base_row(56), "name": "  "}, name__not_null=1)
    r = base_row(57)  # sex left blank: also not comparable with the ID
    defect({**r, "sex": ""}, sex__not_null=1)
    # --- organisations (GB 32100 / GB 11714) --------------------------------------------------
    r = base_row(58)
    defect({**r, "employer_uscc": _uscc_bad_check(r["employer_uscc"])}, employer_uscc__checksum=1)
    defect({**base_row(59), "employer_uscc": "91110000600037341I"}, employer_uscc__format=1)
    defect({**base_row(60), "employer_uscc": "110108000000016"}, employer_uscc__length=1)  # old 注册号
    r = base_row(61)  # organisation code check wrong, overall check recomputed: only org_code fails
    body = f"{60003734 + 61:08d}"
    wrong = body + str((int(gb11714.calc_check_digit(body).replace("X", "10")) + 1) % 10)
    first17 = "91" + r["region"] + wrong
    defect({**r, "employer_uscc": first17 + gb32100.calc_check_digit(first17)}, employer_uscc__org_code=1)
    defect({**base_row(62), "employer_uscc": make_uscc("110101", "60003795", "95")},
           employer_uscc__category=1)  # authority 9 has no category 5
    defect({**base_row(63), "employer_uscc": make_uscc("990000", "60003796")}, employer_uscc__region=1)
    # --- other fields ---------------------------------------------------------------------------
    defect({**base_row(64), "phone": "+86 138-1234-5678"}, phone__normalised=1)
    defect({**base_row(65), "phone": "12812345678"}, phone__format=1)
    defect({**base_row(66), "ethnicity": "99"}, ethnicity__code_set=1)
    r = base_row(67)  # 110103 崇文区, merged in 2010: retired in the region column; the ID keeps it
    defect({**r, "region": "110103", "id_number": make_id("110103", dt.date(1970, 2, 2), 117), "sex": "1",
            "birth_date": "1970-02-02"}, region__code_set=1)
    defect({**base_row(68), "amount": "-5"}, amount__range=1)
    defect({**base_row(69), "amount": "十元"}, amount__type=1)
    defect({**base_row(70), "birth_date": "1990-13-01"}, birth_date__type=1)
    defect({**base_row(71), "finish_time": "2024-02-01 10:00:00"}, rules__finish_after_accept=1)  # 办结 < 受理
    defect({**base_row(72), "accept_time": "昨天"}, accept_time__type=1)
    defect({**base_row(73), "service_item_code": "511A09009999"}, rules__item_registered=1)
    defect({**base_row(74), "service_item_code": "511A09001024"}, rules__item_registered=1)  # retired
    defect({**base_row(75), "service_item_code": "ABC"}, service_item_code__format=1, rules__item_registered=1)
    # Every unmasked, checksum-valid ID counts as exposed (the dataset is shared unconditionally).
    return rows, expected


def _uscc_bad_check(value: str) -> str:
    alphabet = gb32100.ALPHABET
    return value[:17] + alphabet[(alphabet.index(value[17]) + 1) % len(alphabet)]


ROWS, EXPECTED = build()


# --------------------------------------------------------------------------- writers


def write_csv(path: Path, rows: list[dict[str, str]] = ROWS, *, encoding: str = "utf-8", delimiter: str = ",",
              newline: str = "\n", title: str | None = None) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        if title is not None:
            fh.write(title + newline)
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=delimiter, lineterminator=newline)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]] = ROWS) -> Path:
    """A sheet as offices make them: merged title row, a unit line, the header on row 3, a notes row
    right below the data, an empty row and a sign-off. The scientific-notation ID is a real number."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "申领信息"
    ws.append(["某市社会保障卡申领信息（2025年5月）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.append(["填报单位：某市人力资源和社会保障局"])
    ws.append(COLUMNS)
    for row in rows:
        values: list[Any] = [row[c] for c in COLUMNS]
        if row["id_number"] == "1.10105E+17":
            values[COLUMNS.index("id_number")] = 1.10105e17  # stored as a number: digits lost
        ws.append(values)
    ws.append(["注：本表数据截至2025年5月31日。"])
    ws.append([])
    ws.append(["制表人：王某", None, "审核人：李某"])
    wb.create_sheet("说明").append(["字段说明见目录"])
    wb.save(path)
    return path


def write_parquet(path: Path, rows: list[dict[str, str]] = ROWS) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({c: pa.array([r[c] or None for r in rows], type=pa.string()) for c in COLUMNS})
    pq.write_table(table, path)
    return path


def write_jsonl(path: Path, rows: list[dict[str, str]] = ROWS) -> Path:
    import json

    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({c: (r[c] or None) for c in COLUMNS}, ensure_ascii=False) + "\n")
    return path


#: Nanosecond exports (Java, pandas, PostgreSQL-style ``timestamp(9)``): valid times, kept to microseconds.
LONG_FRACTIONS = ["2024-03-01 09:00:00.123456789", "2024-03-01T09:00:00.123456789", "2024-03-01 09:00:00.1234567",
                  " 2024-03-01 09:00:00.12345678 ", "2024-03-01 23:59:59.999999999"]
#: Still no time: a fraction of 10 digits, no real day or hour, a second dot.
NOT_TIMES = ["2024-03-01 09:00:00.1234567890", "2024-02-30 09:00:00.123456789", "2024-03-01 24:00:00.123456789",
             "2024-03-01 09:00:60.123456789", "2024-03-01 09:00:00.123456789.1"]


def fraction_rows() -> tuple[list[dict[str, str]], dict[str, int]]:
    """Valid rows whose accept_time is each of LONG_FRACTIONS and NOT_TIMES, and the checks they fail.
    The last long fraction's row finishes at .999999 of the same second: the same time once truncated
    (rounding would carry the accept time into the next day and fail the order rule)."""
    values = [*LONG_FRACTIONS, *NOT_TIMES]
    rows = [{**base_row(i), "accept_time": v} for i, v in enumerate(values)]
    rows[4]["finish_time"] = "2024-03-01 23:59:59.999999"
    # The padded value is read, and reported as not stored as it should be (规范性).
    return rows, {"accept_time.type": len(NOT_TIMES), "accept_time.normalised": 1}


#: Checks every valid row fails by the schema's own policy (shared unconditionally: a full valid
#: identifier is exposed; the freshness rule measures the file, not a row).
POLICY = {"id_number.pii_exposure", "phone.pii_exposure", "rules.fresh"}


def failed(result: Any) -> dict[str, int]:
    """Each check a validation result failed, and on how many rows, but the schema's ``POLICY`` checks."""
    return {c.rule_id: c.failed for c in result.checks if c.failed and c.rule_id not in POLICY}
