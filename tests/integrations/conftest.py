"""Shared fixtures for the integration tests: the messy dataset of ``tests/validators/messy.py`` (its
defects and their known counts), written as CSV, as a SQLite table and as a pandas frame; the exported
GX suite; and one ephemeral GX context per test module (creating one is slow)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validators"))

import messy  # the validators' messy dataset: defects with known counts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("integrations")


@pytest.fixture(scope="session")
def messy_csv(data_dir: Path) -> Path:
    path: Path = messy.write_csv(data_dir / "messy.csv")
    return path


def write_sqlite(path: Path, rows: list[dict[str, Any]], columns: list[str], table: str = "applications") -> Path:
    """Rows as a SQLite table of TEXT columns, empty values as NULL (as a database export holds them)."""
    con = sqlite3.connect(path)
    try:
        cols = ", ".join(f'"{c}" TEXT' for c in columns)
        con.execute(f'CREATE TABLE "{table}" ({cols})')
        marks = ", ".join("?" for _ in columns)
        con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', [[r.get(c) or None for c in columns] for r in rows])
        con.commit()
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def messy_sqlite(data_dir: Path) -> Path:
    return write_sqlite(data_dir / "messy.sqlite", messy.ROWS, messy.COLUMNS)


def read_frame(csv: Path) -> Any:
    """The CSV as a GX user on pandas reads it: every column text, empty cells missing."""
    import pandas as pd

    return pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def gx_context() -> Iterator[Any]:
    import great_expectations as gx

    import govstd.integrations.gx

    govstd.integrations.gx.register()
    yield gx.get_context(mode="ephemeral")


def govstd(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user does (a real subprocess)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "govstd", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env=full_env)
