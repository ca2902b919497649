"""What the privacy sweeps share: generated personal numbers (python-stdnum computes their check
characters), a catalogue schema binding them, and the search for a raw value in an output."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

from stdnum.cn import ric  # python-stdnum: an outside oracle for the generated IDs' check characters

#: Characters a leak may hide behind (spaces of every kind, zero-width, BOM, dots, dashes, slashes).
STRIP = re.compile("[\\s\u00a0\u3000\u200b\u200c\u200d\ufeff.\\-/_]")

SCHEMA_YAML = """\
kind: catalogue_schema
id: 510100-99999
version: 1.0.0
status: standard
name_zh: 隐私测试
catalogue_class: department
classification: 3-01-002
provider: {name: 测试局}
summary: 隐私测试
format: 数据库
update_cycle: daily
publish_date: 2024-01-15
share: {share_type: unconditional, method: 接口}
open: {open_to_public: false}
sensitivity: important
fields:
  - {name: id_number, name_zh: 公民身份号码, standard: "GB11643@^1", required: true, key: true}
  - {name: phone, name_zh: 手机号码, standard: "mobile_phone@^1"}
  - {name: employer_uscc, name_zh: 单位统一社会信用代码, standard: "GB32100@^1"}
  - {name: sex, name_zh: 性别, code_set: "GBT2261.1@^1"}
  - {name: birth_date, name_zh: 出生日期, data_type: date, key: true}
  - {name: remark, name_zh: 备注, data_type: string, length: 8}
rules:
  - {kind: id_consistency, id: person_matches_id, id_field: id_number, birth_date_field: birth_date,
     sex_field: sex}
"""


def make_id(i: int) -> str:
    """A valid 18-character citizen ID number (GB 11643), different for each ``i``."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=97 * i)
    first17 = f"{['110101', '310104', '440305', '510107'][i % 4]}{born:%Y%m%d}{100 + i:03d}"
    return first17 + ric.calc_check_digit(first17)


def bad_id(i: int) -> str:
    """``make_id(i)`` with a wrong check character: a row the checksum check fails and samples."""
    good = make_id(i)
    return good[:17] + "0123456789X"[("0123456789X".index(good[17]) + 1) % 11]


def leaks(text: str, raw: list[str]) -> list[str]:
    """The values of ``raw`` found in ``text``, as written or with separators removed."""
    stripped = STRIP.sub("", text).translate({0xFF10 + i: 0x30 + i for i in range(10)}).upper()
    return [v for v in raw if v in text or v.upper() in stripped]


def govstd_cli(*args: str, stdin: str | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m govstd ARGS`` in a new process: what a user runs."""
    return subprocess.run([sys.executable, "-m", "govstd", *args], capture_output=True, text=True, input=stdin,
                          timeout=300, env=env)


def patched_pythonpath(folder: Path, patch: str) -> str:
    """A PYTHONPATH under which ``python -m govstd`` runs ``patch`` (Python source) first: it is written as
    ``folder/sitecustomize.py``, which Python imports at start-up. How a test makes the real CLI, in its
    own process, meet a bug — a function replaced by one that raises — with nothing else changed."""
    (folder / "sitecustomize.py").write_text(patch, encoding="utf-8")
    return os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
