"""``govstd demo``: a synthetic department dataset, its catalogue schema, a fresh registry, a scorecard.

What a new user sees first, so it runs the real path end to end — nothing here is a shortcut:

1. generate ~2,000 synthetic service-case records (办件信息) of synthetic people, with valid-looking
   citizen IDs (real GB/T 2260 county codes, real dates, the GB 11643 check character computed) and
   the defects real department files carry, written as GB18030 CSV with CRLF like a Windows export;
2. write the dataset's catalogue schema as YAML, publish it into a fresh embedded registry (a SQLite
   file in the output directory, initialised with the national library);
3. validate the file against the schema resolved from that registry (``govstd.validate``);
4. score it, judge it with the share gate, and write ``scorecard.html``, ``scorecard.json`` and
   ``scorecard.md``.

Every person is synthetic: names are drawn from common characters, IDs and phones from a seeded
random generator. The defects injected are recorded (``Defects``) so tests can check what was found.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govstd.standards.numbers.gb11643 import calc_check_digit

__all__ = [
    "COLUMNS",
    "DEFAULT_ROWS",
    "DEFAULT_SEED",
    "SCHEMA_ID",
    "Defects",
    "DemoOutcome",
    "generate",
    "run",
    "schema_yaml",
    "write_csv",
]

DEFAULT_ROWS = 2000
DEFAULT_SEED = 11643
SCHEMA_ID = "DEMO-330106-0001"
SCHEMA_VERSION = "1.0.0"
DATA_FILE = "service_cases.csv"
SCHEMA_FILE = "service_cases.schema.yaml"
REGISTRY_FILE = "registry.sqlite"
#: Windows tools export GBK/GB18030; GB18030 also encodes rare name characters (𠇔) that GBK cannot.
ENCODING = "gb18030"

COLUMNS = ("case_no", "name", "id_number", "sex", "birth_date", "ethnicity", "region", "phone",
           "item_name", "accepted_at", "finished_at")

# Real county-level GB/T 2260 codes in force (2024): the demo's people live in these districts.
_REGIONS = ("330106", "330102", "330105", "330108", "330110", "110105", "310115", "440305", "510107",
            "420106", "320102", "610113", "370102")
# Codes that are not GB/T 2260 codes at all: the "unknown region" defects.
_UNKNOWN_REGIONS = ("330199", "339901", "990101")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国志强海燕晓东雪梅玉兰子涵浩然欣怡宇轩思远梓萱俊杰"
#: Rare characters only GB18030's four-byte sequences encode (CJK Extension B), as in real registers.
_RARE = ("𠇔", "𡒄", "𬌗")
_ETHNICITIES = ("01",) * 40 + ("02", "03", "04", "05", "08", "11", "15")
_ITEMS = ("最低生活保障对象认定", "城乡居民基本养老保险参保登记", "临时救助对象认定", "居住证签注",
          "残疾人两项补贴资格认定", "高龄津贴申领", "医疗救助申请", "就业困难人员认定")
# Mobile prefixes inside both the platform pattern ^1[3-9]… and libphonenumber's stricter ranges.
_PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "157", "158", "159", "180", "181", "186", "187", "188", "189")

# Defect kind → rows per 2,000 (scaled to the row count). Each defective row carries exactly one defect.
DEFECT_RATES: dict[str, int] = {
    "id_lowercase_x": 20,        # 11010519491231002x — harmless, normalised and reported
    "id_fullwidth": 15,          # １１０１… — harmless, normalised and reported
    "id_excel": 12,              # 3.30106E+17 — digits lost in a spreadsheet
    "id_legacy_15": 10,          # 15-digit number; the schema does not accept them
    "id_wrong_check": 25,        # check character does not match
    "id_impossible_date": 8,     # 19900230 in the ID (and in birth_date)
    "id_unknown_region": 6,      # address code that was never a GB/T 2260 code
    "sex_mismatch": 15,          # sex column disagrees with the ID's sequence digit
    "birth_mismatch": 12,        # birth_date column disagrees with the ID
    "region_unknown": 8,         # region column not a GB/T 2260 code
    "name_blank": 10,            # required name missing
    "id_blank": 8,               # required ID missing
    "phone_bad": 240,            # mostly office landlines typed into the mobile field; too short; O for 0
    "phone_formatted": 10,       # +86 139 1234 5678 — harmless
    "finished_before_accepted": 15,
    "duplicate": 15,             # a record exported twice (same case number)
}


@dataclass
class Defects:
    """What was injected where: defect kind → 1-based data row numbers (the header is not a row)."""

    rows: dict[str, list[int]] = field(default_factory=dict)
    #: Every full ID number and phone number written to the file, for the privacy tests.
    id_numbers: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def count(self, kind: str) -> int:
        return len(self.rows.get(kind, []))


@dataclass
class _Person:
    name: str
    region: str
    birth: dt.date
    male: bool
    ethnicity: str
    phone: str
    id_number: str = ""


def _id_for(rng: random.Random, region: str, birth: dt.date, male: bool, *, want_x: bool = False) -> str:
    """A GB 11643 number with the right sequence parity and check character (X if asked)."""
    for _ in range(200):
        seq = rng.randrange(1, 999)
        if seq % 2 != (1 if male else 0):
            seq += 1 if seq < 998 else -1
        body = f"{region}{birth:%Y%m%d}{seq:03d}"
        check = calc_check_digit(body)
        if not want_x or check == "X":
            return body + check
    raise AssertionError("no sequence gives the check character X")  # unreachable: 1 in 11 do


def _person(rng: random.Random, today: dt.date, i: int) -> _Person:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    if i % 400 == 17:
        given = rng.choice(_RARE) + given[:1]
    age_days = rng.randrange(18 * 365, 85 * 365)
    return _Person(
        name=rng.choice(_SURNAMES) + given,
        region=rng.choice(_REGIONS),
        birth=today - dt.timedelta(days=age_days),
        male=rng.random() < 0.5,
        ethnicity=rng.choice(_ETHNICITIES),
        phone=rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
    )


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or "A" <= c <= "Z" else c for c in text)


def _ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def generate(rows: int = DEFAULT_ROWS, *, seed: int = DEFAULT_SEED, today: dt.date | None = None
             ) -> tuple[list[dict[str, str]], Defects]:
    """``rows`` records (duplicates included) and the ledger of injected defects. Same seed and day,
    same data. Records fall in the 180 days before ``today``, so the dataset is fresh."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    defects = Defects()
    scale = rows / DEFAULT_ROWS
    counts = {k: max(1, round(v * scale)) for k, v in DEFECT_RATES.items()} if rows >= 200 else {}
    n_dup = counts.pop("duplicate", 0)
    base_rows = rows - n_dup
    # Assign each defect to distinct rows (a row carries one defect at most, so counts stay exact).
    order = list(range(base_rows))
    rng.shuffle(order)
    assigned: dict[int, str] = {}
    cursor = 0
    for defect, n in counts.items():
        for index in order[cursor:cursor + n]:
            assigned[index] = defect
        cursor += n

    records: list[dict[str, str]] = []
    now = dt.datetime.combine(today, dt.time(18, 0))
    for i in range(base_rows):
        kind = assigned.get(i)
        p = _person(rng, today, i)
        p.id_number = _id_for(rng, p.region, p.birth, p.male, want_x=kind == "id_lowercase_x")
        accepted = now - dt.timedelta(minutes=rng.randrange(60, 180 * 24 * 60))
        if i == base_rows - 1:
            accepted = now - dt.timedelta(hours=3)  # the newest record: today
        finished: dt.datetime | None = accepted + dt.timedelta(minutes=rng.randrange(30, 15 * 24 * 60))
        if finished is not None and finished > now:
            finished = None  # still being handled
        rec = {
            "case_no": f"BJ{accepted:%Y%m%d}{i + 1:05d}",
            "name": p.name,
            "id_number": p.id_number,
            "sex": "1" if p.male else "2",
            "birth_date": p.birth.isoformat(),
            "ethnicity": p.ethnicity,
            "region": p.region,
            "phone": p.phone,
            "item_name": rng.choice(_ITEMS),
            "accepted_at": _ts(accepted),
            "finished_at": _ts(finished) if finished else "",
        }
        defects.phones.add(p.phone)
        _inject(kind, rec, p, rng, accepted, defects)
        if rec["id_number"]:
            defects.id_numbers.add(p.id_number)
        records.append(rec)

    # Exported twice: copies of earlier records inserted further down.
    for _ in range(n_dup):
        source = rng.randrange(len(records) // 2)
        records.insert(rng.randrange(source + 1, len(records) + 1), dict(records[source]))
    _number_rows(records, defects)
    return records, defects


def _inject(kind: str | None, rec: dict[str, str], p: _Person, rng: random.Random, accepted: dt.datetime,
            defects: Defects) -> None:
    if kind is None:
        return
    rec["_defect"] = kind
    idn = p.id_number
    if kind == "id_lowercase_x":
        rec["id_number"] = idn[:-1] + "x"
        defects.id_numbers.add(rec["id_number"])
    elif kind == "id_fullwidth":
        rec["id_number"] = _fullwidth(idn)
        defects.id_numbers.add(rec["id_number"])
    elif kind == "id_excel":
        rec["id_number"] = f"{float(idn[:17] + ('0' if idn[17] == 'X' else idn[17])):.5E}"  # 3.30106E+17
    elif kind == "id_legacy_15":
        rec["id_number"] = idn[:6] + idn[8:17]
        defects.id_numbers.add(rec["id_number"])
    elif kind == "id_wrong_check":
        wrong = rng.choice([c for c in "0123456789X" if c != idn[17]])
        rec["id_number"] = idn[:17] + wrong
        defects.id_numbers.add(rec["id_number"])
    elif kind == "id_impossible_date":
        year = rng.randrange(1960, 2000)
        bad = f"{year}0230"
        body = f"{p.region}{bad}{idn[14:17]}"
        rec["id_number"] = body + calc_check_digit(body)
        rec["birth_date"] = f"{year}-02-30"
        defects.id_numbers.add(rec["id_number"])
    elif kind == "id_unknown_region":
        body = f"{rng.choice(_UNKNOWN_REGIONS)}{idn[6:17]}"
        rec["id_number"] = body + calc_check_digit(body)
        defects.id_numbers.add(rec["id_number"])
    elif kind == "sex_mismatch":
        rec["sex"] = "2" if p.male else "1"
    elif kind == "birth_mismatch":
        rec["birth_date"] = (p.birth + dt.timedelta(days=rng.choice([-366, -31, 1, 10, 365]))).isoformat()
    elif kind == "region_unknown":
        rec["region"] = rng.choice(_UNKNOWN_REGIONS)
    elif kind == "name_blank":
        rec["name"] = ""
    elif kind == "id_blank":
        rec["id_number"] = ""
    elif kind == "phone_bad":
        phone = p.phone
        if rng.random() < 0.75:  # the commonest real defect: a landline where a mobile number belongs
            bad = f"0{rng.choice(['571', '10', '21', '755', '28'])}-8{phone[-7:]}"
        else:
            bad = rng.choice([phone[:10], "12" + phone[2:], phone[:5] + "O" + phone[6:]])
        rec["phone"] = bad
        defects.phones.add(bad.replace("-", ""))
    elif kind == "phone_formatted":
        rec["phone"] = f"+86 {p.phone[:3]} {p.phone[3:7]} {p.phone[7:]}"
        defects.phones.add(rec["phone"])
    elif kind == "finished_before_accepted":
        rec["finished_at"] = _ts(accepted - dt.timedelta(hours=rng.randrange(2, 72)))


def _number_rows(records: Sequence[dict[str, str]], defects: Defects) -> None:
    """Record each injected defect's row number (first occurrence), and each repeated key's."""
    seen: set[str] = set()
    rows: dict[str, list[int]] = {}
    for row_no, rec in enumerate(records, start=1):
        if rec["case_no"] in seen:
            rows.setdefault("duplicate", []).append(row_no)
            continue
        seen.add(rec["case_no"])
        kind = rec.get("_defect")
        if kind:
            rows.setdefault(kind, []).append(row_no)
    defects.rows = rows


def write_csv(records: Sequence[dict[str, str]], path: str | Path) -> Path:
    """The records as a Windows-style export: GB18030, CRLF, a header row, every value quoted as text."""
    out = Path(path)
    with out.open("w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for rec in records:
            writer.writerow([rec[c] for c in COLUMNS])
    return out


def schema_yaml(share_type: str = "conditional") -> str:
    """The demo dataset's catalogue schema (政务数据资源目录 entry), as a steward would author it."""
    return f"""\
# 政务数据资源目录 — demo catalogue schema (synthetic department, synthetic people).
kind: catalogue_schema
id: {SCHEMA_ID}
version: {SCHEMA_VERSION}
status: standard
name_zh: 政务服务办件信息（演示）
name_en: Government service case records (demo)
catalogue_class: department
classification: 部门目录 / 民政 / 社会救助
provider:
  name: 示例区政务服务中心（演示）
  code: 12330106MB0000000X
summary: 窗口受理的政务服务办件记录：申请人、事项、受理与办结时间。演示数据，人员均为虚构。
format: 电子表格
update_cycle: monthly
share:
  share_type: {share_type}
  conditions: 仅限社会救助、养老保险经办部门用于资格核验
  method: 接口
open:
  open_to_public: false
sensitivity: important
fields:
  - {{name: case_no, name_zh: 办件编号, required: true, key: true, pattern: "^BJ[0-9]{{13}}$", length: 15}}
  - {{name: name, name_zh: 申请人姓名, required: true, pii: name, length: 50}}
  - {{name: id_number, name_zh: 公民身份号码, required: true, standard: "GB11643@^1"}}
  - {{name: sex, name_zh: 性别, required: true, code_set: "GBT2261.1@^1"}}
  - {{name: birth_date, name_zh: 出生日期, data_type: date}}
  - {{name: ethnicity, name_zh: 民族, code_set: "GBT3304@^1"}}
  - {{name: region, name_zh: 户籍地行政区划, code_set: "GBT2260@^2024"}}
  - {{name: phone, name_zh: 联系电话, standard: "mobile_phone@^1"}}
  - {{name: item_name, name_zh: 事项名称, required: true, length: 100}}
  - {{name: accepted_at, name_zh: 受理时间, required: true, data_type: datetime}}
  - {{name: finished_at, name_zh: 办结时间, data_type: datetime}}
rules:
  - kind: compare
    id: finished_after_accepted
    left: finished_at
    op: ">="
    right: accepted_at
    description: 办结时间不早于受理时间
  - kind: id_consistency
    id: id_agrees
    id_field: id_number
    birth_date_field: birth_date
    sex_field: sex
    description: 身份证号码中的出生日期、性别与对应字段一致
  - kind: timeliness
    id: fresh
    field: accepted_at
    description: 最新记录不早于更新周期（每月）
"""


@dataclass
class DemoOutcome:
    """Everything the demo made, for the CLI to print and the tests to inspect."""

    out_dir: Path
    data_path: Path
    schema_path: Path
    registry_url: str
    scorecard: Any  # govstd.validators.scorecard.Scorecard (imported lazily)
    paths: dict[str, Path]
    defects: Defects


def run(out_dir: str | Path, *, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED,
        today: dt.date | None = None, formats: Sequence[str] = ("html", "json", "md"),
        progress: Callable[[str], None] | None = None) -> DemoOutcome:
    """Generate, publish, validate, score and write — the whole demo, as an API."""
    from govstd.registry.store import Registry
    from govstd.standards.loader import load_text
    from govstd.standards.models import CatalogueSchema
    from govstd.validators.api import validate
    from govstd.validators.report import write_outputs

    say = progress or (lambda _msg: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    say(f"generating {rows:,} synthetic service-case records with realistic defects")
    records, defects = generate(rows, seed=seed, today=today)
    data_path = write_csv(records, out / DATA_FILE)
    schema_path = out / SCHEMA_FILE
    yaml_text = schema_yaml()
    schema_path.write_text(yaml_text, encoding="utf-8")

    # A fresh registry every run: the demo's own file, so a re-run starts from nothing too.
    registry_path = out / REGISTRY_FILE
    for stale in (registry_path, registry_path.with_name(REGISTRY_FILE + "-journal"),
                  registry_path.with_name(REGISTRY_FILE + "-wal"), registry_path.with_name(REGISTRY_FILE + "-shm")):
        stale.unlink(missing_ok=True)
    registry_url = f"sqlite:///{registry_path.resolve()}"
    say("publishing the catalogue schema into a fresh registry")
    with Registry(registry_url) as registry:
        registry.init(actor="govstd-demo")
        registry.publish(load_text(yaml_text, path=str(schema_path)), actor="govstd-demo",
                         message="demo catalogue schema")
        schema = registry.resolve(f"{SCHEMA_ID}@{SCHEMA_VERSION}")
        assert isinstance(schema, CatalogueSchema)
        say("validating the dataset")
        result = validate(data_path, schema, registry=registry)
    say("scoring and writing the reports")
    card, paths = write_outputs(result, schema, out, formats)
    return DemoOutcome(out_dir=out, data_path=data_path, schema_path=schema_path, registry_url=registry_url,
                       scorecard=card, paths=paths, defects=defects)
