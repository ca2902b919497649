"""The registry's view of versions and references: the rule itself lives in
``govstd.standards.versions`` (the built-in library applies it too, and ``standards/`` imports
nothing from ``registry/``). Re-exported here so the registry's callers keep one import path.
"""

from __future__ import annotations

from govstd.standards.versions import (
    ACTIVE_STATUSES,
    CANDIDATE_STATUSES,
    DEPRECATED_STATUSES,
    Bump,
    Choice,
    NoMatchingVersionError,
    ResolutionWarning,
    Resolved,
    Version,
    VersionRange,
    choose_version,
    parse_range,
    resolve_among,
    split_ref,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CANDIDATE_STATUSES",
    "DEPRECATED_STATUSES",
    "Bump",
    "Choice",
    "NoMatchingVersionError",
    "ResolutionWarning",
    "Resolved",
    "Version",
    "VersionRange",
    "choose_version",
    "parse_range",
    "resolve_among",
    "split_ref",
]
