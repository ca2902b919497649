"""Helpers for the registry tests: sample entries, builders, CLI runners (imported by the tests and
by ``conftest.py``; pytest puts this directory on sys.path)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govstd.standards.loader import parse_entry
from govstd.standards.models import AnyEntry

SRC = str(Path(__file__).resolve().parents[2] / "src")

#: A catalogue schema a steward might author: 成都市户籍人口信息, bound to built-in standards.
SCHEMA: dict[str, Any] = {
    "kind": "catalogue_schema",
    "id": "510100-00001",
    "version": "1.0.0",
    "status": "standard",
    "name_zh": "成都市户籍人口信息",
    "provider": {"name": "成都市公安局", "code": "11510100MB1234567X"},
    "share": {"share_type": "conditional", "conditions": "仅限政务用途"},
    "update_cycle": "monthly",
    "fields": [
        {"name": "xm", "name_zh": "姓名", "length": 50, "required": True, "pii": "name"},
        {"name": "gmsfhm", "name_zh": "公民身份号码", "standard": "GB11643@^1", "required": True, "key": True},
        {"name": "xb", "name_zh": "性别", "code_set": "GBT2261.1@^1"},
        {"name": "lxdh", "name_zh": "联系电话", "standard": "mobile_phone@^1"},
    ],
}

#: A small code set without references, for tests that need no national library.
CODE_SET: dict[str, Any] = {
    "kind": "code_set",
    "id": "TEST_CS",
    "version": "1.0.0",
    "status": "standard",
    "name_zh": "测试代码集",
    "aliases": ["test-codes"],
    "codes": [
        {"code": "1", "label_zh": "甲"},
        {"code": "2", "label_zh": "乙"},
        {"code": "3", "label_zh": "丙"},
    ],
}


def build(base: dict[str, Any], version: str | None = None, **changes: Any) -> AnyEntry:
    """A copy of ``base`` with ``version`` and top-level ``changes`` applied, validated."""
    data = copy.deepcopy(base)
    if version is not None:
        data["version"] = version
    data.update(copy.deepcopy(changes))
    return parse_entry(data)


def codes(*wanted: str) -> list[dict[str, str]]:
    """Codes for a variant of CODE_SET: its own codes keep their labels, new ones get 标签N."""
    labels = {c["code"]: c["label_zh"] for c in CODE_SET["codes"]}
    return [{"code": c, "label_zh": labels.get(c, f"标签{c}")} for c in wanted]


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSTD_")}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def govstd_process(*args: str, **env: str) -> subprocess.Popen[str]:
    """``python -m govstd ARGS`` as a separate OS process."""
    return subprocess.Popen(
        [sys.executable, "-m", "govstd", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(**env),
    )


def write_yaml(path: Path, entry: AnyEntry | dict[str, Any]) -> Path:
    from ruamel.yaml import YAML

    data = entry if isinstance(entry, dict) else entry.model_dump(mode="json", exclude_none=True)
    yaml = YAML()
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path
