"""Alembic owns the schema: the migrations build exactly the ORM's tables, on both backends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from registry_testlib import subprocess_env
from sqlalchemy import inspect

from govstd.registry import migrate
from govstd.registry.items.tables import METADATA as ITEMS_METADATA
from govstd.registry.service_tables import ServiceBase
from govstd.registry.store import Registry
from govstd.registry.tables import Base


def test_opening_migrates_to_head_and_matches_the_orm(registry_url: str) -> None:
    with Registry(registry_url, create=True) as reg:
        assert migrate.current_revision(reg.engine) == migrate.head_revision() == "0006"
        with reg.engine.connect() as conn:
            metadata = [Base.metadata, ServiceBase.metadata, ITEMS_METADATA]
            drift = compare_metadata(MigrationContext.configure(conn), metadata)
        # The name-search indexes (FTS5 shadow tables, a pg_trgm index) are SQL the ORM cannot declare.
        drift = [d for d in drift if "catalogue_items_fts" not in str(d) and "name_trgm" not in str(d)]
        assert drift == [], drift
        assert {"subjects", "entry_versions", "entry_names", "audit_log", "alembic_version"} <= set(
            inspect(reg.engine).get_table_names()
        )
    with Registry(registry_url) as again:  # reopening is a no-op
        assert migrate.current_revision(again.engine) == "0006"


def test_the_shipped_alembic_ini_runs_from_the_command_line(registry_url: str) -> None:
    ini = Path(migrate.__file__).parent / "migrations" / "alembic.ini"
    assert ini.is_file()

    def alembic(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), "-x", f"url={registry_url}", *args],
            capture_output=True, text=True, env=subprocess_env(), timeout=120,
        )

    assert alembic("upgrade", "head").returncode == 0
    current = alembic("current")
    assert "0006" in current.stdout, current.stderr
    down = alembic("downgrade", "base")
    assert down.returncode == 0, down.stderr
    with Registry(registry_url, create=True) as reg:  # opening upgrades again
        assert reg.list() == []


def test_a_0001_registry_gains_the_status_trigger_on_upgrade(registry_url: str) -> None:
    """An existing registry (revision 0001, with data) is upgraded on open: its data kept, its status
    changes audited from then on."""
    import pytest
    from alembic import command
    from registry_testlib import CODE_SET, build
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with Registry(registry_url, create=True) as reg:
        reg.publish([build(CODE_SET)], actor="before")
        cfg = migrate.alembic_config()
        with reg.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert migrate.current_revision(reg.engine) == "0001"
        with reg.engine.begin() as conn:  # 0001 let a raw status change through
            conn.execute(text("UPDATE entry_versions SET status = 'candidate'"))
    with Registry(registry_url) as reg:
        assert migrate.current_revision(reg.engine) == "0006"
        (info,) = reg.versions("TEST_CS")
        assert info.published_by == "before" and info.status.value == "candidate" and info.origin is None
        with pytest.raises(DBAPIError, match="audit event"), reg.engine.begin() as conn:
            conn.execute(text("UPDATE entry_versions SET status = 'retired'"))
        assert reg.set_status("TEST_CS@1.0.0", "recorded", actor="a", message="m").status.value == "recorded"
