"""A hand-built 办件 (service case) extract for the conditional rules of issue 13, with exact counts.

What it exercises, each defect in its own row with the checks it trips recorded beside it:

- ``required_if``: 办结时间 required when 办件状态 is a closed state (``in``), 经办人 required unless the
  case is still 待受理 (``not_in``), 办理结果 required once 办结时间 is filled in (``present``);
- ``standard_by``: 证件号码 checked as GB 11643, GB 32100 or a passport number as 证件类型 says, by code
  (111, 49, 414) or by name; an unknown or blank 证件类型 is counted;
- sentinels: 有效期至 holding 长期 / 长期有效 / 9999-12-31 — valid, out of the range and compare rules;
- a datetime range rule (受理时间 from 2024-01-01T08:00:00 to 2024-12-31T18:00:00) and a compare rule
  between two datetime fields;
- leading/trailing whitespace (ASCII, U+3000, U+00A0) in free-text fields: a warning.

The passport number standard is this file's own (``SCHEMA_YAML``): the built-in library has none, and
the layout used (E + 8 digits, or E + a letter + 7 digits, for the 2012 e-passport) is a simplification
for the test (unsure: the official numbering rules are not published in full).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from messy import REGIONS, make_id, make_uscc

from govstd.standards.numbers import gb11643, gb32100

TODAY = dt.date(2025, 6, 2)
COLUMNS = ["case_no", "applicant", "status", "handler", "accept_time", "finish_time", "result", "id_type",
           "id_no", "valid_from", "valid_to"]

SCHEMA_YAML = """\
kind: catalogue_schema
id: 510100-00077
version: 1.0.0
name_zh: 某市政务服务办件信息
provider: {name: 某市政务服务管理局}
share: {share_type: conditional, conditions: 仅限政务用途}
fields:
  - {name: case_no, name_zh: 办件编号, required: true, key: true}
  - {name: applicant, name_zh: 申请人, length: 50, pii: name}
  - {name: status, name_zh: 办件状态}
  - {name: handler, name_zh: 经办人}
  - {name: accept_time, name_zh: 受理时间, data_type: datetime, required: true}
  - {name: finish_time, name_zh: 办结时间, data_type: datetime}
  - {name: result, name_zh: 办理结果}
  - {name: id_type, name_zh: 证件类型}
  - {name: id_no, name_zh: 证件号码, pii: id_number}
  - {name: valid_from, name_zh: 有效期起, data_type: date}
  - name: valid_to
    name_zh: 有效期至
    data_type: date
    sentinels: [长期, 长期有效, 9999-12-31]
rules:
  - kind: required_if
    id: finished_has_time
    field: finish_time
    when: {field: status, in: [办结, 已办结]}
    description: 办结的办件须填写办结时间
  - {kind: required_if, id: taken_has_handler, field: handler, when: {field: status, not_in: [待受理]}}
  - {kind: required_if, id: finished_has_result, field: result, when: {field: finish_time, present: true}}
  - kind: standard_by
    id: id_by_type
    field: id_no
    by: id_type
    cases: {111: GB11643@^1, 居民身份证: GB11643@^1, 49: GB32100@^1, 统一社会信用代码: GB32100@^1,
            414: passport@^1, 护照: passport@^1}
    otherwise: error
  - {kind: range, id: accepted_in_2024, field: accept_time, minimum: "2024-01-01T08:00:00",
     maximum: 2024-12-31T18:00:00}
  - {kind: compare, id: finish_after_accept, left: finish_time, op: ">=", right: accept_time}
  - {kind: compare, id: valid_to_after_from, left: valid_to, op: ">", right: valid_from}
  - {kind: range, id: valid_to_plausible, field: valid_to, minimum: 2025-01-01, maximum: "2099-12-31"}
---
kind: data_element
id: passport
version: 1.0.0
name_zh: 护照号码（测试用）
pii: id_number
masking: {keep_start: 1, keep_end: 2}
representation: {pattern: "E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}", min_length: 9, max_length: 9}
"""

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "王𠇔"]
ID_TYPES = ["111", "居民身份证", "49", "统一社会信用代码", "414", "护照"]


def citizen_id(i: int) -> str:
    return make_id(REGIONS[i % len(REGIONS)], dt.date(1960, 1, 1) + dt.timedelta(days=211 * i), 101 + i)


def base_row(i: int) -> dict[str, str]:
    """A valid row: even rows are closed cases (办结 with a finish time and result), odd ones open."""
    closed = i % 2 == 0
    id_type = ID_TYPES[i % len(ID_TYPES)]
    if id_type in ("111", "居民身份证"):
        id_no = citizen_id(i)
    elif id_type in ("49", "统一社会信用代码"):
        id_no = make_uscc(REGIONS[i % len(REGIONS)], f"{60003734 + i:08d}")
    else:
        id_no = f"E{10000000 + i * 7919:08d}"
    return {
        "case_no": f"BJ2024{i:05d}",
        "applicant": NAMES[i % len(NAMES)],
        "status": "办结" if closed else "在办",
        "handler": "李四",
        "accept_time": f"2024-03-{1 + i % 28:02d} 09:{i % 60:02d}:00",
        "finish_time": f"2024-04-{1 + i % 28:02d} 10:00:00" if closed else "",
        "result": "准予许可" if closed else "",
        "id_type": id_type,
        "id_no": id_no,
        "valid_from": "2020-01-01",
        "valid_to": "2030-01-01",
    }


def _open(i: int) -> dict[str, str]:
    """A valid open case (no finish time) whatever ``i``'s parity."""
    return {**base_row(i), "status": "在办", "finish_time": "", "result": ""}


def _with_type(i: int, id_type: str) -> dict[str, str]:
    """A valid row whose ID is of the type ``id_type`` names."""
    j = next(k for k in range(i, i + len(ID_TYPES)) if ID_TYPES[k % len(ID_TYPES)] == id_type)
    return {**base_row(i), "id_type": id_type, "id_no": base_row(j)["id_no"]}


def build() -> tuple[list[dict[str, str]], Counter[str]]:
    rows = [base_row(i) for i in range(24)]
    expected: Counter[str] = Counter()

    def defect(row: dict[str, str], **effects: int) -> None:
        rows.append(row)
        for rule_id, n in effects.items():
            expected[rule_id.replace("__", ".")] += n

    n = len(rows)
    # --- required_if -----------------------------------------------------------------------------
    defect({**base_row(n), "status": "办结", "finish_time": "", "result": ""}, rules__finished_has_time=1)
    defect({**base_row(n + 1), "status": "已办结", "finish_time": "　 ", "result": ""},  # only spaces
           rules__finished_has_time=1)
    defect({**base_row(n + 2), "status": " 办结 ", "finish_time": "", "result": ""},  # compared trimmed
           rules__finished_has_time=1, status__whitespace=1)
    defect({**_open(n + 3), "status": ""})  # no status: no condition holds
    defect({**_open(n + 4), "status": "待受理", "handler": ""})  # not yet taken: no handler needed
    defect({**_open(n + 5), "handler": ""}, rules__taken_has_handler=1)
    defect({**base_row(n + 6), "result": ""}, rules__finished_has_result=1)
    # --- the standard chosen by 证件类型 --------------------------------------------------------------
    r = _with_type(n + 7, "111")
    alphabet = gb11643.CHECK_CHARS
    bad = r["id_no"][:17] + alphabet[(alphabet.index(r["id_no"][17]) + 1) % 11]
    defect({**r, "id_no": bad}, id_no__GB11643__checksum=1)
    r = _with_type(n + 8, "统一社会信用代码")
    bad = r["id_no"][:17] + gb32100.ALPHABET[(gb32100.ALPHABET.index(r["id_no"][17]) + 1) % 31]
    defect({**r, "id_no": bad}, id_no__GB32100__checksum=1)
    defect({**_with_type(n + 9, "414"), "id_no": citizen_id(n + 9)},  # an ID number under 护照
           id_no__passport__pattern=1, id_no__passport__length=1)
    defect({**_with_type(n + 10, "护照"), "id_no": "e12345678"}, id_no__passport__pattern=1)
    defect({**_with_type(n + 11, "居民身份证"), "id_no": f" {citizen_id(n + 11)} "},
           id_no__GB11643__normalised=1)  # harmless, reported (info) by GB 11643's own checks
    defect({**base_row(n + 12), "id_type": "999"}, rules__id_by_type=1)  # no standard for 999
    defect({**base_row(n + 13), "id_type": ""}, rules__id_by_type=1)  # selector blank
    defect({**base_row(n + 14), "id_type": "", "id_no": ""})  # nothing to choose a standard for
    # --- sentinels in 有效期至 -------------------------------------------------------------------------
    defect({**base_row(n + 15), "valid_to": "长期"}, valid_to__sentinel=1)
    defect({**base_row(n + 16), "valid_to": " 长期有效"}, valid_to__sentinel=1)
    defect({**base_row(n + 17), "valid_to": "9999-12-31"}, valid_to__sentinel=1)  # beyond 2099: not judged
    defect({**base_row(n + 18), "valid_to": "永久"}, valid_to__type=1)  # not one of the schema's sentinels
    defect({**base_row(n + 19), "valid_to": "2024-06-01"}, rules__valid_to_plausible=1)
    defect({**base_row(n + 20), "valid_to": "2019-12-31"}, rules__valid_to_plausible=1,
           rules__valid_to_after_from=1)
    # --- datetime bounds and a datetime compare ---------------------------------------------------------
    defect({**_open(n + 21), "accept_time": "2024-01-01 07:59:59"}, rules__accepted_in_2024=1)
    defect({**_open(n + 22), "accept_time": "2024-01-01 08:00:00"})  # on the bound: inside
    defect({**_open(n + 23), "accept_time": "2024-12-31T18:00:00"})  # on the bound, ISO layout
    defect({**_open(n + 24), "accept_time": "2024-12-31 18:00:01"}, rules__accepted_in_2024=1)
    defect({**base_row(n + 25), "status": "办结", "finish_time": "2024-02-01 10:00:00", "result": "准予许可"},
           rules__finish_after_accept=1)
    defect({**base_row(n + 26), "finish_time": "2024-03-01 08:59:59", "accept_time": "2024-03-01 09:00:00"},
           rules__finish_after_accept=1)  # one second early
    # --- whitespace in free text --------------------------------------------------------------------------
    defect({**base_row(n + 27), "applicant": "\u3000王芳"}, applicant__whitespace=1)  # ideographic space
    defect({**base_row(n + 28), "applicant": "李娜\u00a0"}, applicant__whitespace=1)  # no-break space
    defect({**base_row(n + 29), "applicant": " 刘洋 ", "handler": "李四 "}, applicant__whitespace=1,
           handler__whitespace=1)
    defect({**base_row(n + 30), "applicant": "赵 敏"})  # a space inside is not padding
    defect({**base_row(n + 31), "applicant": "　" + "张" * 50},  # padded, and 50 characters once trimmed
           applicant__whitespace=1)
    return rows, expected


ROWS, EXPECTED = build()


def write_schema(path: Path) -> Path:
    path.write_text(SCHEMA_YAML, encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, str]] = ROWS, *, encoding: str = "gb18030") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]] = ROWS) -> Path:
    """A merged title row above the header, as offices make them; every value stored as text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["某市政务服务办件信息（2024年）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.append(COLUMNS)
    for row in rows:
        values: list[Any] = [row[c] for c in COLUMNS]
        ws.append(values)
    wb.save(path)
    return path
