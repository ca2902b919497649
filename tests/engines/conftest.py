"""Fixtures of the engine parity suite: one Spark session and one PostgreSQL database for the session.

Spark is the one local-mode session of ``tests/conftest.py`` (``spark``); PostgreSQL is the throwaway
cluster there too (``postgres_url``). A missing Java or missing
PostgreSQL binaries FAIL these tests: a skipped parity test would hide exactly what it is for.
The messy dataset and its expected counts come from ``tests/validators/messy.py``; helpers shared by
the tests are in ``engine_testlib.py``.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validators"))


@pytest.fixture(scope="session")
def pg_url(postgres_url: str) -> Iterator[str]:
    """A database of the session's PostgreSQL cluster for the engine tests (dropped at the end)."""
    import psycopg

    name = f"engines_{uuid.uuid4().hex[:12]}"
    admin = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
