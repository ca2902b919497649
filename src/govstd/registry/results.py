"""What the registry returns (version summaries, publish outcomes, import reports) and the errors it
raises for a refused write or an unknown name. Plain data, shared by reading, publishing and import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from govstd.errors import ConflictError, GovstdError, NotFoundError
from govstd.registry.compat import (
    Change,
    Compatibility,
    CompatibilityMode,
    Diff,
)
from govstd.registry.versions import (
    Bump,
    Version,
)
from govstd.standards.models import (
    EntryKind,
    RegistrationStatus,
)

# --------------------------------------------------------------------------- results


class VersionInfo(BaseModel):
    """One published version, without its content."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: EntryKind
    version: str
    status: RegistrationStatus
    name_zh: str
    name_en: str | None = None
    published_at: dt.datetime
    published_by: str
    message: str | None = None
    content_hash: str
    status_changed_at: dt.datetime | None = None
    status_changed_by: str | None = None
    origin: str | None = Field(None, description="None: published here; else the import it was copied in by.")

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


class SubjectSummary(VersionInfo):
    """A standard: the version its bare id resolves to (else its newest) plus every version it has."""

    versions: list[str]
    latest: str | None = Field(None, description="What `id` / `id@latest` resolves to (None: nothing does).")
    compatibility: CompatibilityMode


class PublishAction(StrEnum):
    PUBLISHED = "published"
    UNCHANGED = "unchanged"


class PublishOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    version: str
    kind: EntryKind
    action: PublishAction
    status: RegistrationStatus
    content_hash: str
    dry_run: bool = False
    previous: str | None = Field(None, description="The earlier version this one was compared with.")
    compatibility: Compatibility | None = None
    suggested_bump: Bump | None = None
    changes: int = 0
    breaking_acknowledged: list[Change] = Field(default_factory=list)
    note: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


class ImportReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subjects_added: int = 0
    versions_added: int = 0
    versions_unchanged: int = 0
    audit_events_added: int = 0
    status_differences: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- errors


class UnknownNameError(NotFoundError):
    """An unknown id, version or reference; names the closest registered ones."""

    def __init__(self, message: str, name: str, suggestions: Sequence[str] = (), hint: str | None = None) -> None:
        GovstdError.__init__(
            self, message, hint=hint or (f"did you mean {', '.join(suggestions)}?" if suggestions else None)
        )
        self.name = name
        self.suggestions = list(suggestions)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "name": self.name, "suggestions": self.suggestions}


class ImmutableVersionError(ConflictError):
    """Different content under a version that is already published."""

    code = "immutable"

    def __init__(self, ref: str, diff: Diff, *, published_by: str, published_at: dt.datetime, suggestion: str) -> None:
        self.diff = diff
        super().__init__(
            f"{ref} is already published (by {published_by}, {published_at:%Y-%m-%d %H:%M} UTC) with"
            f" different content; a published version never changes.\n{diff.render()}",
            hint=f"publish the change under a new version: {suggestion}",
        )

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "diff": self.diff.model_dump(mode="json")}


class CompatibilityError(ConflictError):
    """A publish that breaks the subject's compatibility mode."""

    code = "incompatible"

    def __init__(self, ref: str, diffs: Sequence[Diff], *, suggested: str, new_line: bool) -> None:
        self.diffs = list(diffs)
        self.suggested_version = suggested
        self.new_line = new_line
        mode = diffs[0].mode
        parts = []
        for d in diffs:
            against = d.old if d.new == ref else d.new
            parts.append(
                f"{ref} breaks {mode.value} compatibility with {against}"
                f" ({len(d.breaking_changes)} breaking change(s)):\n{d.render(only_breaking=True, header=False)}"
            )
        parts.append(f"suggested bump: {diffs[0].suggested_bump.value} → {suggested}")
        if new_line:
            hint = (
                f"{ref} starts a new compatibility line, where breaking changes are allowed: re-run with"
                " --allow-breaking to confirm them (they are recorded in the audit log)"
            )
        else:
            line = Version.parse(ref.rsplit("@", 1)[1]).line_label
            hint = (
                f"breaking changes need a new major version, so that pipelines pinned to {line} never receive"
                f" them: publish it as {suggested}. --allow-breaking does not apply within a line;"
                " `govstd registry compatibility` changes the subject's mode"
            )
        super().__init__("refused: " + "\n".join(parts), hint=hint)

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(),
            "suggested_version": self.suggested_version,
            "new_line": self.new_line,
            "diffs": [d.model_dump(mode="json") for d in self.diffs],
        }



class _RaceLost(ConflictError):
    """Another writer committed the same row first. ``publish`` re-reads and tries again; anywhere
    else it reaches the user as the conflict it is."""

    def __init__(self) -> None:
        super().__init__(
            "another process wrote the same entries at the same moment; nothing was written",
            hint="re-run the command to see what was written",
        )


class _DryRun(Exception):
    pass

