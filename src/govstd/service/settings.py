"""What the operator of a registry service decides, given to ``create_app`` (``govstd serve`` options)."""

from __future__ import annotations

from dataclasses import dataclass

#: Default request body limit: a scorecard with thousands of checks is a few hundred KiB, a publish
#: batch of a department's catalogue rarely more than a MiB.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    registry_url: str | None = None
    #: Let requests without a token read standards (never submissions, never writes).
    allow_anonymous_read: bool = False
    #: Refuse scorecards without a valid signature by a key trusted for the submitting department.
    require_signed: bool = False
    #: Larger request bodies are refused with 413 before they are read in full.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
