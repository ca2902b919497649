"""Fixtures of the engine parity suite: one Spark session and one PostgreSQL database for the session.

Spark runs in local mode (``local[2]``, no UI, few shuffle partitions); it needs Java. PostgreSQL is
the throwaway cluster of ``tests/conftest.py`` (``postgres_url``). A missing Java or missing
PostgreSQL binaries FAIL these tests: a skipped parity test would hide exactly what it is for.
The messy dataset and its expected counts come from ``tests/validators/messy.py``; helpers shared by
the tests are in ``engine_testlib.py``.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validators"))

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    from govstd.errors import GovstdError
    from govstd.validators.engines.spark import require_java, spark_session

    try:
        require_java()
    except GovstdError as exc:
        pytest.fail(f"the Spark parity tests need Java 17: {exc}", pytrace=False)
    session = spark_session("local[2]", config={
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": "2",
        # The exported Spark script parses its reference tables as inline VALUES (GB/T 2260 history
        # included): 1g of heap ran out doing so on a loaded machine.
        "spark.driver.memory": "2g",
    })
    try:
        yield session
    finally:
        session.stop()


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
