"""Fixtures for the published-site tests.

- ``site_registry`` (session) — a real embedded registry: the built-in library, a catalogue schema and a
  service item (``data/``), a compatible 1.1.0 of GB 11643 with 1.0.0 marked superseded, a breaking 2.0.0
  of GB/T 2261.1 and a candidate 1.1.0 of GB 32100. Read-only for tests: build your own to publish.
- ``built_site`` (session) — that registry built once with ``build_site`` (strict), timed.
- ``site_server`` (session) — the built site served by ``http.server`` on a free loopback port.
- ``item_site`` (session) — a registry with the library plus an imported catalogue of ``CATALOGUE_ITEMS``
  generated service items, built with shards of ``TEST_SHARD_ROWS``; its export is the tests' oracle.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from site_testlib import TEST_SHARD_ROWS, make_registry, publish_gb11643_1_1, serve

from govstd.site.build import SiteBuild, build_site
from govstd.standards.models import RegistrationStatus

if TYPE_CHECKING:
    from govstd.registry.store import Registry


@pytest.fixture(scope="session")
def site_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    reg = make_registry(tmp_path_factory.mktemp("registry") / "registry.sqlite")
    publish_gb11643_1_1(reg)
    reg.set_status("GB11643@1.0.0", "superseded", actor="zhang.wei", message="replaced by 1.1.0")
    sex = reg.get("GBT2261.1", "1.0.0")
    breaking = sex.model_copy(update={"version": "2.0.0", "codes": [c for c in sex.codes if c.code != "0"]})
    reg.publish([breaking], actor="li.na", message="删除代码 0（未知的性别）", allow_breaking=True)
    uscc = reg.get("GB32100", "1.0.0")
    reg.publish([uscc.model_copy(update={"version": "1.1.0", "status": RegistrationStatus.CANDIDATE,
                                         "definition_en": (uscc.definition_en or "") + " (draft wording)"})],
                actor="wang.fang", message="candidate wording")
    try:
        yield reg
    finally:
        reg.close()


@pytest.fixture(scope="session")
def built_site(site_registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    out = tmp_path_factory.mktemp("site") / "out"
    return build_site(site_registry, out, work_dir=out.parent / "project")


@dataclass
class Server:
    root: Path
    url: str


@pytest.fixture(scope="session")
def site_server(built_site: SiteBuild) -> Iterator[Server]:
    server, url = serve(built_site.out_dir)
    try:
        yield Server(built_site.out_dir, url)
    finally:
        server.shutdown()
        server.server_close()


CATALOGUE_ITEMS = 400


@dataclass
class ItemSite:
    registry: Registry
    export: Path
    build: SiteBuild
    out: Path


@pytest.fixture(scope="session")
def item_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ItemSite]:
    from benchmarks.items import generate

    root = tmp_path_factory.mktemp("item-site")
    reg = make_registry(root / "registry.sqlite")
    export = generate(root / "release1.csv", CATALOGUE_ITEMS)
    reg.import_items(export, actor="test")
    out = root / "out"
    try:
        yield ItemSite(reg, export, build_site(reg, out, item_shard_rows=TEST_SHARD_ROWS), out)
    finally:
        reg.close()


@pytest.fixture(scope="session")
def item_server(item_site: ItemSite) -> Iterator[Server]:
    server, url = serve(item_site.out)
    try:
        yield Server(item_site.out, url)
    finally:
        server.shutdown()
        server.server_close()
