"""Semantic versions and the references pipelines use to name them: ``name``, ``name@1.2.0``,
``name@^1.2``, ``name@~1.2``, ``name@>=1.0,<2``, ``name@1.x``, ``name@latest``.

Ranges follow npm / Cargo caret and tilde rules (``^1.2`` = ``>=1.2.0 <2.0.0``, ``^0.2`` =
``>=0.2.0 <0.3.0``, ``~1.2`` = ``>=1.2.0 <1.3.0``). Which registration statuses a reference may
resolve to is the registry's business (``govstd.registry.store``); this module only compares numbers.
A pre-release version (``2.0.0-rc.1``) matches a range only when candidates are asked for, or when
named exactly.

A *compatibility line* is the set of versions a caret range may move between: the major version, or
``0.minor`` while the major is 0. Breaking changes must start a new line, so a pipeline pinned to
``name@^1.2`` never receives one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from govstd.errors import InputError

_VERSION = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
#: A version in a range may be partial (``1``, ``1.2``) or use wildcards (``1.x``, ``1.2.*``).
_PARTIAL = re.compile(
    r"^(0|[1-9][0-9]*|[xX*])(?:\.(0|[1-9][0-9]*|[xX*]))?(?:\.(0|[1-9][0-9]*|[xX*]))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
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
