"""Fixtures shared by the whole suite.

Databases are real, never mocked:

- ``postgres_url`` (session) — a throwaway PostgreSQL cluster started from the server binaries
  (``/usr/lib/postgresql/*/bin``, installed by ``.ci/run``) on a free loopback port, trust auth, stopped
  at the end of the session. Missing binaries FAIL the tests that need them: a skipped PostgreSQL test
  would hide exactly the bugs it exists to catch.
- ``postgres_database`` — a fresh, empty database on that cluster for one test (dropped afterwards).
- ``registry_url`` — parametrised over ``sqlite`` (a file in tmp_path) and ``postgresql`` (a fresh
  database), so every test that takes it runs against both backends.
- ``registry`` — an opened, migrated, empty ``Registry`` on ``registry_url``.

Add new shared fixtures below the section they belong to; keep helpers private (``_name``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from govstd.registry.store import Registry

# --------------------------------------------------------------------------- PostgreSQL

_PG_BIN_GLOB = "/usr/lib/postgresql/*/bin/initdb"
_PG_SUPERUSER = "postgres"


def _pg_bin_dir() -> Path:
    found = sorted(glob.glob(_PG_BIN_GLOB), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not found:
        pytest.fail(
            f"PostgreSQL server binaries not found ({_PG_BIN_GLOB}). The registry tests run against a real "
            "PostgreSQL server: install the Debian package 'postgresql' (or run .ci/run, which does).",
            pytrace=False,
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_cluster_owner(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the 'postgres' system user then.
    if os.geteuid() == 0:
        return ["runuser", "-u", _PG_SUPERUSER, "--", *cmd]
    return cmd


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of the maintenance database of a throwaway PostgreSQL cluster (superuser, trust)."""
    bin_dir = _pg_bin_dir()
    base = Path(tempfile.mkdtemp(prefix="govstd-pg-"))  # directly under /tmp: the postgres user can reach it
    data, sockets, log = base / "data", base / "sock", base / "postgres.log"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, user=_PG_SUPERUSER)
        shutil.chown(sockets, user=_PG_SUPERUSER)
    initdb = subprocess.run(
        _as_cluster_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", _PG_SUPERUSER, "-A", "trust",
                           "-E", "UTF8", "--locale=C", "--no-sync"]),
        capture_output=True, text=True, timeout=120,
    )
    if initdb.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}", pytrace=False)
    port = _free_port()
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    start = subprocess.run(
        _as_cluster_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
                           "-t", "60", "start"]),
        capture_output=True, text=True, timeout=120,
    )
    if start.returncode != 0:
        text = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start:\n{start.stdout}\n{start.stderr}\n{text}", pytrace=False)
    try:
        yield f"postgresql+psycopg://{_PG_SUPERUSER}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_cluster_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True, timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


def _pg_admin(postgres_url: str, statement: str) -> None:
    import psycopg

    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A fresh empty database for one test; dropped (connections and all) when the test ends."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    _pg_admin(postgres_url, f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        for _ in range(3):
            try:
                _pg_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except Exception:
                time.sleep(0.2)


# --------------------------------------------------------------------------- registry

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A registry database URL with nothing in it yet: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
def registry(registry_url: str) -> Iterator[Registry]:
    """An opened (migrated) empty registry on each backend."""
    from govstd.registry.store import Registry

    reg = Registry(registry_url, create=True)
    try:
        yield reg
    finally:
        reg.close()


# One Spark session for the whole run, in local mode (``local[2]``, no UI, few shuffle partitions): any
# test marked ``spark`` asks for it. It needs Java 17; without it these tests FAIL, never skip.
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
        # included): 1g of heap ran out doing so on a loaded machine, and 2g once late in a whole run, after
        # the session had served every Spark test before it (the machine has 24 GB).
        "spark.driver.memory": "3g",
    })
    try:
        yield session
    finally:
        session.stop()
