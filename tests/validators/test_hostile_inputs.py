"""Hostile inputs at the command line: each ends in exit 2 within seconds, with bounded memory.

Every input here once ran for minutes or grew memory until killed (an XLSX cell bomb, a sheet declaring
the whole grid, a row-gap bomb, a YAML alias bomb, a forged registry dump). Each runs as its own
``govstd`` process under an address-space limit, so a regression shows as a crash or a hang here, not
as a slow CI. The 10-second ``timeout`` is the bound the privacy/hostile-input issue sets per input,
a hang guard rather than a speed measurement.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import messy
import pytest
from test_bad_input import _HEADER_ROW, _cell_row, write_sheet

SCHEMA = str(messy.SCHEMA)
#: Address space per process: DuckDB, pyarrow and openpyxl loaded, far below what a bomb would take.
MEMORY_LIMIT = 3 << 30
PER_INPUT_SECONDS = 10
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([f'*{chr(96 + i)}'] * 10)}]\n" for i in range(1, 9)
) + "kind: catalogue_schema\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def govstd(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *args], capture_output=True, text=True,
                          timeout=PER_INPUT_SECONDS, preexec_fn=_limit_memory, env={**os.environ, **(env or {})})


def _cell_bomb(tmp: Path) -> list[str]:
    big = b"A" * (1 << 20)
    parts = [_HEADER_ROW, b'<row r="2"><c r="A2" t="inlineStr"><is><t>', *([big] * 256), b"</t></is></c></row>"]
    return ["validate", str(write_sheet(tmp / "cell.xlsx", parts)), "--schema-file", SCHEMA]


def _grid_bomb(tmp: Path) -> list[str]:
    path = write_sheet(tmp / "grid.xlsx", [_HEADER_ROW, _cell_row(2, "张三", "x")], dimension="A1:XFE1048576")
    return ["validate", str(path), "--schema-file", SCHEMA]


def _row_gap_bomb(tmp: Path) -> list[str]:
    path = write_sheet(tmp / "gap.xlsx", [_HEADER_ROW, _cell_row(2, "张三", "x"), _cell_row(6_000_000, "y", "z")])
    return ["validate", str(path), "--schema-file", SCHEMA]


def _yaml_bomb_schema(tmp: Path) -> list[str]:
    (tmp / "lol.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    data = messy.write_csv(tmp / "data.csv")
    return ["validate", str(data), "--schema-file", str(tmp / "lol.yaml")]


def _yaml_bomb_publish(tmp: Path) -> list[str]:
    (tmp / "lol.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    registry = f"sqlite:///{tmp / 'registry.sqlite'}"
    subprocess.run([sys.executable, "-m", "govstd", "registry", "--registry", registry, "init", "--empty"],
                   check=True, capture_output=True, timeout=120)
    return ["registry", "--registry", registry, "publish", str(tmp / "lol.yaml")]


def _forged_dump(tmp: Path) -> list[str]:
    registry = f"sqlite:///{tmp / 'registry.sqlite'}"
    subprocess.run([sys.executable, "-m", "govstd", "registry", "--registry", registry, "init", "--empty"],
                   check=True, capture_output=True, timeout=120)
    forged = {"format": "govstd-registry-dump", "versions": [{"id": "X", "version": "1.0.0",
                                                             "published_at": "1999-01-01T00:00:00Z"}]}
    (tmp / "dump.json").write_text(json.dumps(forged), encoding="utf-8")
    return ["registry", "--registry", registry, "import", str(tmp / "dump.json")]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "xlsx cell bomb": _cell_bomb,
    "xlsx whole-grid dimension": _grid_bomb,
    "xlsx row-gap bomb": _row_gap_bomb,
    "yaml alias bomb as --schema-file": _yaml_bomb_schema,
    "yaml alias bomb published": _yaml_bomb_publish,
    "forged registry dump": _forged_dump,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_input_is_exit_2_in_seconds_with_bounded_memory(case: str, tmp_path: Path) -> None:
    args = CASES[case](tmp_path)
    proc = govstd(*args)
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "error:" in proc.stderr.splitlines()[0], proc.stderr  # "输入错误 error: …" in zh, "error: …" in en
