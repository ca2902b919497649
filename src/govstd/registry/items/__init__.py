"""The service-item catalogue (政务服务事项目录): millions of implementation entries, imported in bulk,
versioned as a whole by releases, looked up by index, and read by the validators' referential check
as a compact per-release code file.

``CatalogueItems`` is the part of ``Registry`` that does this; its modules split along the seams —
``sources`` (reading exports), ``rows`` (checking a record), ``importing`` (staging, checkpoint,
merge, fix list), ``lookup`` (finding items, releases and their diffs), ``codes`` (the code files),
``crosswalk`` (which local codes are one national item) and ``compare`` (two regions side by side).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from govstd.registry.items import codes, compare, crosswalk, importing, lookup
from govstd.registry.items.codes import CodeFiles
from govstd.registry.items.compare import ItemComparison
from govstd.registry.items.crosswalk import Crosswalk
from govstd.registry.items.importing import ItemImportReport, Progress
from govstd.registry.items.lookup import CatalogueItem, CatalogueRelease

__all__ = ["CatalogueItem", "CatalogueItems", "CatalogueRelease", "CodeFiles", "Crosswalk", "ItemComparison",
           "ItemImportReport"]


class CatalogueItems:
    """Catalogue methods of ``Registry`` (which supplies ``engine``, ``url`` and ``_require_open``)."""

    engine: Engine
    url: str

    def _require_open(self) -> None:
        raise NotImplementedError

    def import_items(self, path: str | Path, *, actor: str | None = None, message: str | None = None,
                     chunk_rows: int = importing.CHUNK_ROWS, restart: bool = False,
                     fix_list: str | Path | None = None, progress: Progress | None = None) -> ItemImportReport:
        """Import a catalogue export as the next release, or resume the one a killed run began."""
        self._require_open()
        report = importing.import_items(self.engine, Path(path), actor=actor, message=message, chunk_rows=chunk_rows,
                                        restart=restart, fix_list=Path(fix_list) if fix_list else None,
                                        progress=progress)
        codes.code_files(self.engine, self.url)  # written once per release, here rather than by a validation
        return report

    def find_items(self, code: str | None = None, *, name: str | None = None, department: str | None = None,
                   region: str | None = None, include_retired: bool = False, limit: int = 50,
                   offset: int = 0) -> list[CatalogueItem]:
        self._require_open()
        return lookup.find_items(self.engine, code=code, name=name, department=department, region=region,
                                 include_retired=include_retired, limit=limit, offset=offset)

    def item(self, implementation_code: str) -> CatalogueItem | None:
        self._require_open()
        return lookup.get_item(self.engine, implementation_code)

    def catalogue_releases(self) -> list[CatalogueRelease]:
        self._require_open()
        return lookup.list_releases(self.engine)

    def catalogue_diff(self, release: int, *, limit: int | None = None) -> dict[str, Any]:
        self._require_open()
        return lookup.release_changes(self.engine, release, limit=limit)

    def service_item_code_files(self) -> CodeFiles | None:
        """The newest catalogue release's code files for the engines (None before the first import)."""
        self._require_open()
        return codes.code_files(self.engine, self.url)

    def import_crosswalk(self, path: str | Path, *, actor: str | None = None,
                         message: str | None = None) -> Crosswalk:
        """Import a crosswalk file (local code → national item code) as the next crosswalk version."""
        self._require_open()
        return crosswalk.import_crosswalk(self.engine, Path(path), actor=actor, message=message)

    def crosswalks(self) -> list[Crosswalk]:
        self._require_open()
        return crosswalk.list_crosswalks(self.engine)

    def national_item(self, code: str, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """The national item ``code`` belongs to and a page of its local entries."""
        self._require_open()
        return crosswalk.national_item(self.engine, code, limit=limit, offset=offset)

    def compare_items(self, region_a: str, region_b: str, *, limit: int = 50, offset: int = 0) -> ItemComparison:
        """Two regions' catalogues by national item: missing, coded differently, named differently."""
        self._require_open()
        return compare.compare_items(self.engine, region_a, region_b, limit=limit, offset=offset)
