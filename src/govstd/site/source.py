"""What the site needs from a registry, and the adapter that gets it from the real one.

The generator depends only on :class:`SiteSource`: every version of every entry, each entry's
version history, a diff between two versions and reference resolution. :class:`RegistrySource`
adapts :class:`govstd.registry.store.Registry`; tests may pass any object with the same four methods.
The records below are the site's own view, so a change in the store's models touches only this file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from govstd.errors import GovstdError
from govstd.standards.models import AnyEntry, RegistrationStatus

if TYPE_CHECKING:
    from govstd.registry.compat import Diff
    from govstd.registry.store import Registry, VersionInfo


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One published version as the history page shows it."""

    version: str
    status: RegistrationStatus
    published_at: dt.datetime | None = None
    published_by: str | None = None
    content_hash: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One difference between two versions (``path`` in the entry, e.g. ``representation.pattern``)."""

    path: str
    kind: str
    old: Any = None
    new: Any = None
    breaking: bool = False
    reason: str | None = None
    breaks_backward: bool = False
    breaks_forward: bool = False
    effect: str | None = None


@dataclass(frozen=True, slots=True)
class DiffRecord:
    """Everything that changed from ``old`` to ``new``, and whether it breaks existing users."""

    old: str
    new: str
    changes: tuple[ChangeRecord, ...] = ()
    compatible: bool = True
    #: The strongest guarantee the pair keeps: FULL, BACKWARD, FORWARD or NONE.
    compatibility: str | None = None
    #: The subject's compatibility mode the diff was judged under (BACKWARD, FULL, …).
    mode: str | None = None
    suggested_bump: str | None = None

    @property
    def breaking(self) -> tuple[ChangeRecord, ...]:
        return tuple(c for c in self.changes if c.breaking)


@runtime_checkable
class SiteSource(Protocol):
    """The four questions the site generator asks of a registry."""

    def entries(self) -> Sequence[AnyEntry]:
        """Every version of every entry."""
        ...

    def versions(self, entry_id: str) -> Sequence[VersionRecord]:
        """The published versions of one entry, any order."""
        ...

    def diff(self, old: AnyEntry, new: AnyEntry) -> DiffRecord:
        """What changed from ``old`` to ``new`` (two versions of one entry)."""
        ...

    def resolve(self, ref: str) -> AnyEntry | None:
        """The entry a reference (``id@range``) resolves to, or None if it resolves to nothing."""
        ...


#: The columns of a catalogue item the site's browser shows, in the order :meth:`ItemSource.item_rows` yields.
ITEM_COLUMNS = ("implementation_code", "basic_code", "name", "item_type", "department", "body", "exercise_level",
                "region")


@dataclass(frozen=True, slots=True)
class ItemRelease:
    """One import of the service-item catalogue, as the catalogue page lists it."""

    number: int
    state: str
    source: str
    added: int | None = None
    changed: int | None = None
    retired: int | None = None
    rejected: int = 0


@runtime_checkable
class ItemSource(Protocol):
    """A registry that also holds the service-item catalogue (optional for a :class:`SiteSource`)."""

    def item_releases(self) -> Sequence[ItemRelease]:
        """Every catalogue release, oldest first (empty before the first import)."""
        ...

    def item_count(self) -> int:
        """Items in force (not retired) in the newest release."""
        ...

    def item_rows(self, batch_rows: int) -> Iterator[Sequence[tuple[str | None, ...]]]:
        """Items in force as tuples of :data:`ITEM_COLUMNS`, ordered by implementation code, in batches
        (streamed: never the whole catalogue in memory)."""
        ...


class RegistrySource:
    """:class:`SiteSource` (and :class:`ItemSource`) over a :class:`govstd.registry.store.Registry`."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def entries(self) -> Sequence[AnyEntry]:
        return list(self.registry.entries(all_versions=True))

    def versions(self, entry_id: str) -> Sequence[VersionRecord]:
        return [_version_record(v) for v in self.registry.versions(entry_id)]

    def diff(self, old: AnyEntry, new: AnyEntry) -> DiffRecord:
        return _diff_record(self.registry.diff(old.ref, new.ref))

    def resolve(self, ref: str) -> AnyEntry | None:
        from govstd.registry.resolve import registry_lookup

        try:  # the registry layer of the one resolver; a candidate or superseded choice warns
            return registry_lookup(self.registry)(ref, None).warn()
        except GovstdError:  # unknown name, or no version in the range
            return None


    def item_releases(self) -> Sequence[ItemRelease]:
        return [ItemRelease(number=r.number, state=r.state, source=r.source, added=r.added, changed=r.changed,
                            retired=r.retired, rejected=r.rejected)
                for r in self.registry.catalogue_releases()]

    def item_count(self) -> int:
        from sqlalchemy import func, select

        from govstd.registry.items.tables import items

        with self.registry.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(items)
                                    .where(items.c.retired_release.is_(None))).scalar_one())

    def item_rows(self, batch_rows: int) -> Iterator[Sequence[tuple[str | None, ...]]]:
        from sqlalchemy import select

        from govstd.registry.items.tables import items

        engine = self.registry.engine
        code = items.c.implementation_code
        # Byte order on every engine: the browser binary-searches codes with JavaScript's string
        # comparison, and a PostgreSQL locale collation would order '-' differently.
        order = code.collate("C") if engine.dialect.name == "postgresql" else code
        stmt = (select(*(items.c[name] for name in ITEM_COLUMNS)).where(items.c.retired_release.is_(None))
                .order_by(order))
        # stream_results: a server-side cursor on PostgreSQL, SQLite's own row-at-a-time cursor; on
        # SQLite the unique index on implementation_code serves the ORDER BY without a sort.
        with engine.connect().execution_options(stream_results=True) as conn:
            result = conn.execute(stmt)
            while batch := result.fetchmany(batch_rows):
                yield [tuple(row) for row in batch]


def as_source(registry: object) -> SiteSource:
    """Accept a ``Registry`` or anything already shaped like a :class:`SiteSource`."""
    from govstd.registry.store import Registry

    if isinstance(registry, Registry):
        return RegistrySource(registry)
    if isinstance(registry, SiteSource):
        return registry
    raise TypeError(f"expected a govstd Registry or a SiteSource, got {type(registry).__name__}")


# --------------------------------------------------------------------------- store model → site record


def _version_record(info: VersionInfo) -> VersionRecord:
    return VersionRecord(
        version=info.version,
        status=info.status,
        published_at=info.published_at,
        published_by=info.published_by,
        content_hash=info.content_hash,
        message=info.message,
    )


def _diff_record(diff: Diff) -> DiffRecord:
    return DiffRecord(
        old=diff.old,
        new=diff.new,
        changes=tuple(
            ChangeRecord(path=c.path, kind=c.kind.value, old=c.old, new=c.new, breaking=c.breaking, reason=c.reason,
                         breaks_backward=c.breaks_backward, breaks_forward=c.breaks_forward, effect=c.effect.value)
            for c in diff.changes
        ),
        compatible=diff.compatible,
        compatibility=diff.compatibility.value,
        mode=diff.mode.value,
        suggested_bump=diff.suggested_bump.value,
    )
