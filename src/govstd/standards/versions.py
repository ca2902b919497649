"""Semantic versions and the references pipelines use to name them: ``name``, ``name@1.2.0``,
``name@^1.2``, ``name@~1.2``, ``name@>=1.0,<2``, ``name@1.x``, ``name@latest``.

Ranges follow npm / Cargo caret and tilde rules (``^1.2`` = ``>=1.2.0 <2.0.0``, ``^0.2`` =
``>=0.2.0 <0.3.0``, ``~1.2`` = ``>=1.2.0 <1.3.0``).

This module is also the one place that decides which version a reference resolves to
(``choose_version``), so the registry and the built-in library agree. It lives in ``standards/``
because the built-in library applies the rule too, and ``standards/`` imports nothing from
``registry/``; ``govstd.registry.versions`` re-exports it for the registry's callers.

Like npm, which prefers a release that is not deprecated and takes a pre-release only when nothing
else fits, a reference takes the highest version in range from the first of these tiers that has one:

1. standard / preferred_standard (the agreed standards);
2. superseded — deprecated, chosen with a warning; never for ``latest`` (a bare name);
3. candidate / recorded / qualified, and pre-releases (``2.0.0-rc.1`` is in ``^2``) — chosen with a
   warning, because nothing agreed fits.

Retired, incomplete and not_progressed versions are never chosen by a range; an exact version
(``name@1.2.0``) resolves whatever its status, with a warning when superseded or retired.
``include_candidates`` (``--candidates``) puts tier 3 into tier 1: a preview of what would resolve if
the candidates were agreed.

A *compatibility line* is the set of versions a caret range may move between: the major version, or
``0.minor`` while the major is 0. Breaking changes must start a new line, so a pipeline pinned to
``name@^1.2`` never receives one.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from govstd.errors import GovstdError, GovstdWarning, InputError, NotFoundError
from govstd.standards.models import RegistrationStatus

if TYPE_CHECKING:
    from govstd.standards.models import AnyEntry

_VERSION = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
#: A version in a range may be partial (``1``, ``1.2``) or use wildcards (``1.x``, ``1.2.*``).
_PARTIAL = re.compile(
    r"^(0|[1-9][0-9]*|[xX*])(?:\.(0|[1-9][0-9]*|[xX*]))?(?:\.(0|[1-9][0-9]*|[xX*]))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
#: What a reference resolves to, tier by tier (the rule is ``choose_version``). First the agreed standards;
ACTIVE_STATUSES: frozenset[RegistrationStatus] = frozenset({RegistrationStatus.STANDARD,
                                                            RegistrationStatus.PREFERRED_STANDARD})
#: else a deprecated version, with a warning — a pipeline pinned to an old line keeps working until
#: that line is retired (a bare name never lands here);
DEPRECATED_STATUSES: frozenset[RegistrationStatus] = frozenset({RegistrationStatus.SUPERSEDED})
#: else a version on its way to becoming a standard, with a warning. Retired, incomplete and
#: not_progressed versions are reached only by their exact version.
CANDIDATE_STATUSES: frozenset[RegistrationStatus] = frozenset({RegistrationStatus.CANDIDATE,
                                                               RegistrationStatus.RECORDED,
                                                               RegistrationStatus.QUALIFIED})
_COMPARATOR = re.compile(r"^(>=|<=|>|<|=|\^|~)?\s*(.+)$")
_WILDCARDS = {"x", "X", "*"}


class Bump(StrEnum):
    """The semver increment a change needs."""

    NONE = "none"
    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"


@dataclass(frozen=True)
class Version:
    """A semantic version (semver 2.0.0 precedence; build metadata is not allowed in registry ids)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION.match(text.strip())
        if not match:
            raise InputError(f"not a semantic version: {text!r}", expected="MAJOR.MINOR.PATCH, e.g. 1.2.0")
        major, minor, patch, pre = match.groups()
        return cls(int(major), int(minor), int(patch), _prerelease(pre))

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    @property
    def line(self) -> tuple[int, ...]:
        """The compatibility line: ``(major,)``, or ``(0, minor)`` while the major is 0."""
        return (self.major,) if self.major > 0 else (0, self.minor)

    @property
    def line_label(self) -> str:
        return f"{self.major}.x" if self.major > 0 else f"0.{self.minor}.x"

    def sort_key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        # A release sorts after its pre-releases; numeric identifiers sort before alphanumeric ones.
        pre = tuple((0, p) if isinstance(p, int) else (1, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __lt__(self, other: Version) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: Version) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: Version) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: Version) -> bool:
        return self.sort_key() >= other.sort_key()

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return base + ("-" + ".".join(str(p) for p in self.prerelease) if self.prerelease else "")

    def release(self) -> Version:
        return Version(self.major, self.minor, self.patch)

    def bumped(self, bump: Bump) -> Version:
        """The next version after this one for ``bump``; a breaking bump in 0.x moves the minor."""
        if bump is Bump.MAJOR:
            return Version(self.major + 1, 0, 0) if self.major > 0 else Version(0, self.minor + 1, 0)
        if bump is Bump.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if bump is Bump.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self


def _prerelease(text: str | None) -> tuple[int | str, ...]:
    if not text:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in text.split("."))


@dataclass(frozen=True)
class VersionRange:
    """What follows ``@`` in a reference. ``latest`` means "the current standard"; ``exact`` pins."""

    text: str
    latest: bool = False
    exact: Version | None = None
    #: (operator, version) pairs that must all hold; empty = any version.
    comparators: tuple[tuple[str, Version], ...] = field(default_factory=tuple)

    def matches(self, version: Version, *, include_prerelease: bool = False) -> bool:
        if self.exact is not None:
            return version == self.exact
        if version.is_prerelease:
            if not include_prerelease:
                return False
            # A pre-release belongs to the line of its release: 2.0.0-rc.1 is in ^2, not in ^1.
            version = version.release()
        return all(_compare(version, op, bound) for op, bound in self.comparators)

    @property
    def is_exact(self) -> bool:
        return self.exact is not None


def _compare(version: Version, op: str, bound: Version) -> bool:
    if op == ">=":
        return version >= bound
    if op == ">":
        return version > bound
    if op == "<=":
        return version <= bound
    if op == "<":
        return version < bound
    return version == bound


_LATEST = VersionRange("latest", latest=True)


def parse_range(text: str) -> VersionRange:
    """Parse what follows ``@``: an exact version, a caret/tilde/comparator range, a wildcard, ``latest``."""
    raw = text.strip()
    if raw in {"", "latest"}:
        return _LATEST
    if _VERSION.match(raw):
        return VersionRange(raw, exact=Version.parse(raw))
    if raw.startswith("=") and _VERSION.match(raw[1:].strip()):
        return VersionRange(raw, exact=Version.parse(raw[1:].strip()))
    comparators: list[tuple[str, Version]] = []
    for token in _tokens(raw):
        comparators.extend(_expand(token, raw))
    return VersionRange(raw, comparators=tuple(comparators))


def _tokens(raw: str) -> list[str]:
    # ">= 1.0, < 2" and ">=1.0 <2" are the same range: glue operators to their versions first.
    glued = re.sub(r"(>=|<=|>|<|=|\^|~)\s+", r"\1", raw)
    return [t for t in re.split(r"[,\s]+", glued) if t]


def _expand(token: str, whole: str) -> list[tuple[str, Version]]:
    """One comparator token → lower/upper bounds (npm semantics for partial versions)."""
    match = _COMPARATOR.match(token)
    partial = _PARTIAL.match(match.group(2)) if match else None
    if not match or not partial:
        raise InputError(
            f"not a version range: {whole!r}",
            expected="1.2.0, ^1.2, ~1.2, >=1.0,<2, 1.x or latest",
        )
    op = match.group(1) or ""
    parts_raw = partial.groups()[:3]
    pre = _prerelease(partial.group(4))
    parts: list[int] = []
    for p in parts_raw:
        if p is None or p in _WILDCARDS:
            break
        parts.append(int(p))
    given = len(parts)
    major, minor, patch = [*parts, 0, 0, 0][:3]
    low = Version(major, minor, patch, pre if given == 3 else ())
    if given == 0:  # "*", "x", ">=*": any version
        return []
    if op == "^":
        if major > 0 or given == 1:
            high = Version(major + 1, 0, 0)
        elif minor > 0 or given == 2:
            high = Version(0, minor + 1, 0)
        else:
            high = Version(0, 0, patch + 1)
        return [(">=", low), ("<", high)]
    if op == "~" or (op == "" and given < 3):
        high = Version(major + 1, 0, 0) if given == 1 else Version(major, minor + 1, 0)
        return [(">=", low), ("<", high)]
    if op in {"", "="}:
        return [("=", low)]
    if given == 3:
        return [(op, low)]
    next_up = Version(major + 1, 0, 0) if given == 1 else Version(major, minor + 1, 0)
    if op == ">":  # >1.2 means above every 1.2.x
        return [(">=", next_up)]
    if op == "<=":  # <=1.2 includes every 1.2.x
        return [("<", next_up)]
    return [(op, low)]  # ">=1.2" → >=1.2.0, "<1.2" → <1.2.0


def split_ref(ref: str) -> tuple[str, VersionRange]:
    """``'GB11643@^1'`` → ``('GB11643', ^1)``; a bare name means ``latest``."""
    name, _, rest = ref.strip().partition("@")
    name = name.strip()
    if not name:
        raise InputError(f"not a registry reference: {ref!r}", expected="NAME or NAME@VERSION-OR-RANGE")
    return name, (parse_range(rest) if rest.strip() else _LATEST)


# --------------------------------------------------------------------------- choosing a version


class ResolutionWarning(GovstdWarning):
    """A reference resolved, but not to an agreed standard: a superseded, retired or candidate version."""


@dataclass(frozen=True)
class Choice:
    """The version a reference resolved to, and what a user should be told about it (None: nothing)."""

    version: str
    status: RegistrationStatus
    warning: str | None = None


@dataclass(frozen=True)
class Resolved:
    """An entry a reference resolved to, with the warning of its ``Choice``."""

    entry: AnyEntry
    warning: str | None = None

    def warn(self, stacklevel: int = 3) -> AnyEntry:
        """Issue the warning (if any) as a ``ResolutionWarning`` and return the entry."""
        if self.warning:
            warnings.warn(self.warning, ResolutionWarning, stacklevel=stacklevel)
        return self.entry


class NoMatchingVersionError(NotFoundError):
    """No version of a known standard satisfies a reference. The registry and the built-in library
    raise this same error, listing the versions there are."""

    def __init__(self, name: str, wanted: VersionRange, available: Iterable[tuple[str, RegistrationStatus]],
                 *, where: str | None = None) -> None:
        versions = sorted({(Version.parse(v), RegistrationStatus(s)) for v, s in available},
                          key=lambda pair: pair[0].sort_key())
        listing = ", ".join(f"{v} ({s.value})" for v, s in versions) or "none"
        if wanted.latest:
            message = f"{name} has no version a bare name resolves to"
        else:
            message = f"no version of {name} matches '{name}@{wanted.text}'"
        hint = f"versions{' ' + where if where else ''}: {listing}"
        if not wanted.is_exact:
            hint += (
                "; a range takes standard / preferred_standard versions, else superseded ones, else"
                " candidates — retired, incomplete and not_progressed only by exact version"
            )
        GovstdError.__init__(self, message, hint=hint)
        self.name = name if wanted.latest else f"{name}@{wanted.text}"
        self.suggestions: list[str] = []
        self.available = [f"{v} ({s.value})" for v, s in versions]

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "name": self.name, "available": self.available}


class _Tier(IntEnum):
    """The tiers of the rule, tried in this order."""

    STANDARD = 0  # standard / preferred_standard releases
    DEPRECATED = 1  # superseded releases
    CANDIDATE = 2  # candidate / recorded / qualified versions, and pre-releases


def _tier(version: Version, status: RegistrationStatus) -> _Tier | None:
    """The tier a version is chosen in by a range; None: only by its exact version."""
    if version.is_prerelease:  # a draft, whatever its status says
        return _Tier.CANDIDATE if status in ACTIVE_STATUSES | CANDIDATE_STATUSES else None
    if status in ACTIVE_STATUSES:
        return _Tier.STANDARD
    if status in DEPRECATED_STATUSES:
        return _Tier.DEPRECATED
    if status in CANDIDATE_STATUSES:
        return _Tier.CANDIDATE
    return None


def choose_version(
    name: str,
    available: Iterable[tuple[str, RegistrationStatus]],
    wanted: VersionRange,
    *,
    include_candidates: bool = False,
    where: str | None = None,
) -> Choice:
    """The version of standard ``name`` that ``wanted`` resolves to among ``available`` (version,
    status) pairs, by the rule in the module docstring. Raises ``NoMatchingVersionError``."""
    parsed = [(Version.parse(v), RegistrationStatus(s)) for v, s in available]
    if wanted.exact is not None:
        pinned = next(((v, s) for v, s in parsed if v == wanted.exact), None)
        if pinned is None:
            raise NoMatchingVersionError(name, wanted, available=[(str(v), s) for v, s in parsed], where=where)
        version, status = pinned
        warning = None
        if status in DEPRECATED_STATUSES or status is RegistrationStatus.RETIRED:
            warning = f"{name}@{version} is {status.value} ({status.label_zh}){_current(name, parsed)}"
        return Choice(str(version), status, warning)
    ranked: list[tuple[_Tier, Version, RegistrationStatus]] = []
    for version, status in parsed:
        tier = _tier(version, status)
        if tier is None or (wanted.latest and tier is _Tier.DEPRECATED):  # a bare name: the current standard
            continue
        if include_candidates and tier is _Tier.CANDIDATE:  # a preview: candidates compete as if agreed
            tier = _Tier.STANDARD
        if wanted.latest or wanted.matches(version, include_prerelease=True):
            ranked.append((tier, version, status))
    if not ranked:
        raise NoMatchingVersionError(name, wanted, available=[(str(v), s) for v, s in parsed], where=where)
    best = min(tier for tier, _, _ in ranked)
    version, status = max(((v, s) for t, v, s in ranked if t is best), key=lambda pair: pair[0].sort_key())
    shown = name if wanted.latest else f"{name}@{wanted.text}"
    warning = None
    if best is _Tier.DEPRECATED:
        warning = (f"{shown} resolved to {version}, which is {status.value} ({status.label_zh}):"
                   f" no standard version is in range{_current(name, parsed)}")
    elif best is _Tier.CANDIDATE:
        what = "a pre-release" if version.is_prerelease else f"a {status.value} ({status.label_zh})"
        warning = (f"{shown} resolved to {version}, {what} version: no standard version is in range, and"
                   " this one may still change before it is agreed")
    return Choice(str(version), status, warning)


def resolve_among(
    name: str, entries: Sequence[AnyEntry], wanted: VersionRange, *, include_candidates: bool = False,
    where: str | None = None,
) -> Resolved:
    """``choose_version`` over versions of one standard held in memory (the built-in library, or
    entries defined next to a schema)."""
    choice = choose_version(name, [(e.version, e.status) for e in entries], wanted,
                            include_candidates=include_candidates, where=where)
    entry = next(e for e in entries if Version.parse(e.version) == Version.parse(choice.version))
    return Resolved(entry, choice.warning)


def _current(name: str, parsed: Sequence[tuple[Version, RegistrationStatus]]) -> str:
    """``; the current standard is name@2.0.0`` when there is one."""
    agreed = [v for v, s in parsed if s in ACTIVE_STATUSES and not v.is_prerelease]
    return f"; the current standard is {name}@{max(agreed)}" if agreed else ""
