"""Only `registry init` creates a registry: a mistyped path, an empty database, another application's
database and a registry from a newer govstd are each refused with a clear message and exit 2, and
left exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from registry_testlib import CODE_SET, CliResult, build, write_yaml
from sqlalchemy import create_engine, inspect, text

from govstd.registry.store import NewerRegistryError, NotARegistryError, Registry, resolve_url

Cli = Callable[..., CliResult]


def _tables(url: str) -> set[str]:
    engine = create_engine(resolve_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(resolve_url(url))
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_a_mistyped_path_is_refused_and_not_created(cli: Cli, tmp_path: Path) -> None:
    typo = tmp_path / "no-such-dir" / "regsitry.sqlite"
    entry = write_yaml(tmp_path / "cs.yaml", build(CODE_SET))
    for args in (["list"], ["publish", str(entry)], ["history", "GB11643"], ["export"]):
        result = cli("registry", "--registry", str(typo), *args)
        assert result.code == 2, (args, result)
        assert f"no registry at {typo}" in result.err and "registry init" in result.err
    assert not typo.exists() and not typo.parent.exists()
    with pytest.raises(NotARegistryError), Registry(str(typo)) as reg:
        reg.resolve("GB11643")
    assert not typo.exists()


def test_init_creates_what_nothing_else_may(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "new" / "registry.sqlite"
    assert cli("registry", "--registry", str(path), "init", "--empty").code == 0
    assert cli("registry", "--registry", str(path), "list", "--json").json() == []
    with Registry(str(path)) as reg:
        reg.publish([build(CODE_SET)], actor="t")
        assert [v.version for v in reg.versions("TEST_CS")] == ["1.0.0"]


def test_an_empty_database_is_refused_until_init(registry_url: str, tmp_path: Path) -> None:
    (tmp_path / "registry.sqlite").touch()  # SQLite: an existing empty file; PostgreSQL: a new database
    with Registry(registry_url) as reg, pytest.raises(NotARegistryError, match="empty database"):
        reg.list()
    assert _tables(registry_url) - {"alembic_version"} == set()
    with Registry(registry_url) as reg:
        reg.init(actor="t")
        assert reg.resolve("GB11643").id == "GB11643"


def test_another_applications_database_is_left_alone(cli: Cli, registry_url: str) -> None:
    _execute(registry_url, "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)",
             "INSERT INTO people (id, name) VALUES (1, 'x')")
    for args in (["list"], ["init"], ["init", "--empty"]):
        result = cli("registry", "--registry", registry_url, *args)
        assert result.code == 2, (args, result)
        assert "is not a govstd registry" in result.err and "people" in result.err
    with pytest.raises(NotARegistryError):
        Registry(registry_url, create=True)
    assert _tables(registry_url) == {"people"}


def test_a_file_that_is_not_a_database_is_refused(cli: Cli, tmp_path: Path) -> None:
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n" * 200, encoding="utf-8")
    result = cli("registry", "--registry", str(csv), "init")
    assert result.code == 2 and "is not a govstd registry" in result.err, result
    assert csv.read_text(encoding="utf-8") == "a,b\n1,2\n" * 200


def test_a_registry_from_a_newer_govstd_says_so(cli: Cli, registry_url: str) -> None:
    with Registry(registry_url, create=True) as reg:
        reg.publish([build(CODE_SET)], actor="t")
    _execute(registry_url, "UPDATE alembic_version SET version_num = '9999_future'")
    result = cli("registry", "--registry", registry_url, "list")
    assert result.code == 2, result
    assert "made by a newer govstd" in result.err and "9999_future" in result.err and "upgrade govstd" in result.err
    with pytest.raises(NewerRegistryError):
        Registry(registry_url)
