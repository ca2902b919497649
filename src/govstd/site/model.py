"""The registry as the site sees it: entries grouped by id, versions in order, cross references.

Built once per site build from a :class:`~govstd.site.source.SiteSource`; every page renderer reads
from it and never asks the registry again, except for diffs (computed once per consecutive pair).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from govstd.errors import GovstdError
from govstd.site import urls
from govstd.site.source import SiteSource, VersionRecord
from govstd.standards.models import AnyEntry, CatalogueSchema, EntryKind, RegistrationStatus
from govstd.standards.owner import shown_owners

KIND_ORDER = (EntryKind.DATA_ELEMENT, EntryKind.CODE_SET, EntryKind.CATALOGUE_SCHEMA, EntryKind.SERVICE_ITEM)
_NUM = re.compile(r"(\d+)")


def semver_key(version: str) -> tuple[tuple[int, ...], int, tuple[tuple[int, int, str], ...]]:
    """Sort key for semantic versions: ``1.0.0-rc.1`` < ``1.0.0`` < ``1.10.0``."""
    core, _, pre = version.partition("-")
    numbers = tuple(int(part) for part in core.split(".") if part.isdigit())
    if not pre:
        return (numbers, 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (numbers, 0, parts)


def natural_key(text: str) -> tuple[object, ...]:
    """``GBT2261.1`` before ``GBT3304``, ``item2`` before ``item10``."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in _NUM.split(text))


def bump_between(old: str, new: str) -> str:
    """The semver part that changed from ``old`` to ``new``: major, minor, patch or none."""
    a, b = semver_key(old)[0], semver_key(new)[0]
    for name, x, y in zip(("major", "minor", "patch"), a, b, strict=False):
        if x != y:
            return name
    return "none" if old == new else "patch"


class SiteBuildError(GovstdError):
    """The registry cannot be published as a site as it stands (e.g. two ids clash in URLs)."""


@dataclass
class EntryGroup:
    """All versions of one entry, oldest first."""

    kind: EntryKind
    id: str
    versions: list[AnyEntry]
    records: dict[str, VersionRecord] = field(default_factory=dict)
    latest_version: str = ""

    @property
    def latest(self) -> AnyEntry:
        return self.get(self.latest_version) or self.versions[-1]

    @property
    def newest(self) -> AnyEntry:
        return self.versions[-1]

    def get(self, version: str) -> AnyEntry | None:
        return next((e for e in self.versions if e.version == version), None)

    def previous(self, entry: AnyEntry) -> AnyEntry | None:
        i = self._index(entry)
        return self.versions[i - 1] if i > 0 else None

    def next(self, entry: AnyEntry) -> AnyEntry | None:
        i = self._index(entry)
        return self.versions[i + 1] if i + 1 < len(self.versions) else None

    def record(self, entry: AnyEntry) -> VersionRecord:
        return self.records.get(entry.version) or VersionRecord(entry.version, entry.status)

    def status(self, entry: AnyEntry) -> RegistrationStatus:
        """The version's status now: the registry's record wins over the status frozen in its content."""
        return self.record(entry).status

    def pairs(self) -> Iterator[tuple[AnyEntry, AnyEntry]]:
        """Consecutive versions, oldest pair first."""
        yield from zip(self.versions, self.versions[1:], strict=False)

    # paths -----------------------------------------------------------------

    @property
    def latest_page(self) -> str:
        return urls.latest_page(self.kind, self.id)

    @property
    def history_page(self) -> str:
        return urls.history_page(self.kind, self.id)

    def version_page(self, entry: AnyEntry) -> str:
        return urls.version_page(self.kind, self.id, entry.version)

    def diff_page(self, old: AnyEntry, new: AnyEntry) -> str:
        return urls.diff_page(self.kind, self.id, old.version, new.version)

    def _index(self, entry: AnyEntry) -> int:
        return next(i for i, e in enumerate(self.versions) if e.version == entry.version)


@dataclass(frozen=True)
class Binding:
    """A catalogue field bound to a standard: which catalogue, which field, the reference, what it resolves to."""

    catalogue: EntryGroup
    field: str
    ref: str
    target: AnyEntry


def _group_order(group: EntryGroup) -> tuple[object, ...]:
    """National standards by number first (GB before GB/T, then by number), then the rest by id."""
    ref = group.latest.reference
    if ref is not None and ref.standard.upper().startswith("GB"):
        return (0, natural_key(ref.standard.split("-")[0]), natural_key(group.id))
    return (1, (), natural_key(group.id))


class SiteModel:
    """Every entry of the registry, grouped, ordered and cross-referenced."""

    def __init__(self, source: SiteSource) -> None:
        self.source = source
        grouped: dict[tuple[EntryKind, str], list[AnyEntry]] = defaultdict(list)
        for entry in source.entries():
            entry = shown_owners(entry)  # the site is public: owners' phones masked everywhere it shows them
            grouped[(entry.kind, entry.id)].append(entry)
        self.groups: dict[EntryKind, list[EntryGroup]] = {kind: [] for kind in KIND_ORDER}
        self.by_id: dict[str, EntryGroup] = {}
        seen_dirs: dict[str, str] = {}
        for (kind, entry_id), entries in grouped.items():
            entries.sort(key=lambda e: semver_key(e.version))
            group = EntryGroup(kind, entry_id, entries)
            group.records = {r.version: r for r in source.versions(entry_id)}
            group.latest_version = self._latest_version(group)
            directory = urls.entry_dir(kind, entry_id)
            if directory in seen_dirs:
                raise SiteBuildError(
                    f"entries {seen_dirs[directory]!r} and {entry_id!r} would share the URL {directory}/",
                    hint="registry ids are compared case-insensitively on the site; rename one of them",
                )
            seen_dirs[directory] = entry_id
            self.groups[kind].append(group)
            self.by_id[entry_id.lower()] = group
        for groups in self.groups.values():
            groups.sort(key=_group_order)
        self._used_by: dict[str, list[Binding]] | None = None
        self._resolved: dict[str, tuple[EntryGroup, AnyEntry] | None] = {}

    def _latest_version(self, group: EntryGroup) -> str:
        """What the registry calls latest (highest Standard); the newest version if it names none."""
        resolved = self.source.resolve(f"{group.id}@latest")
        if resolved is not None and resolved.id == group.id and group.get(resolved.version) is not None:
            return resolved.version
        return group.versions[-1].version

    def all_groups(self) -> Iterator[EntryGroup]:
        for kind in KIND_ORDER:
            yield from self.groups[kind]

    def group_of(self, entry: AnyEntry) -> EntryGroup:
        return self.by_id[entry.id.lower()]

    def resolve(self, ref: str) -> tuple[EntryGroup, AnyEntry] | None:
        """The group and version a reference (``GB11643@^1``) points to, if it is on this site.

        Memoised per reference: a thousand catalogue schemas bind the same few standards, and each
        registry resolution decodes the target entry (GB/T 2260 alone is thousands of codes)."""
        if ref in self._resolved:
            return self._resolved[ref]
        entry = self.source.resolve(ref)
        group = self.by_id.get(entry.id.lower()) if entry is not None else None
        found = (group, entry) if group is not None and entry is not None and group.get(entry.version) else None
        self._resolved[ref] = found
        return found

    def used_by(self, group: EntryGroup) -> list[Binding]:
        """Fields of catalogue schemas (their current versions) bound to any version of ``group``."""
        if self._used_by is None:
            self._used_by = defaultdict(list)
            for catalogue in self.groups[EntryKind.CATALOGUE_SCHEMA]:
                latest = catalogue.latest
                assert isinstance(latest, CatalogueSchema)
                for spec in latest.fields:
                    for ref in (spec.standard, spec.code_set):
                        target = self.resolve(ref) if ref else None
                        if ref and target is not None:
                            self._used_by[target[0].id.lower()].append(Binding(catalogue, spec.name, ref, target[1]))
        return self._used_by.get(group.id.lower(), [])
