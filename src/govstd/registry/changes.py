"""The vocabulary of compatibility: modes, what a change does to accepted data, a diff, and the verdict.

The rules that produce changes live in ``differ.py``; ``compat.py`` is the one place to import from."""


from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from govstd.registry.versions import Bump
from govstd.standards.models import EntryKind


class CompatibilityMode(StrEnum):
    """Per-subject compatibility mode (as in Confluent Schema Registry)."""

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            folded = value.strip().upper().replace("-", "_").replace(" ", "_")
            for member in cls:
                if member.value == folded:
                    return member
        return None

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def checks_backward(self) -> bool:
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        return self.value.startswith(("FORWARD", "FULL"))


DEFAULT_MODE = CompatibilityMode.BACKWARD


class Compatibility(StrEnum):
    """The strongest guarantee one pair of versions gives."""

    FULL = "FULL"
    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    NONE = "NONE"


class Effect(StrEnum):
    """What a change does to the set of data a version accepts."""

    NONE = "none"
    NARROWS = "narrows"
    WIDENS = "widens"
    BOTH = "both"


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Change(BaseModel):
    """One difference between two versions, classified."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Where, e.g. 'fields.身份证号.length' or 'codes[110103]'.")
    kind: ChangeKind
    old: Any = None
    new: Any = None
    effect: Effect
    breaks_backward: bool
    breaks_forward: bool
    breaking: bool = Field(False, description="Breaks the compatibility mode the diff was judged under.")
    reason: str


class Diff(BaseModel):
    """Every change from ``old`` to ``new``, the compatibility they keep, and the bump they need."""

    model_config = ConfigDict(extra="forbid")

    old: str
    new: str
    kind: EntryKind
    mode: CompatibilityMode
    compatibility: Compatibility
    compatible: bool = Field(description="True when no change breaks ``mode``.")
    suggested_bump: Bump
    changes: list[Change] = Field(default_factory=list)

    @property
    def breaking_changes(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    def render(self, *, limit: int = 40, only_breaking: bool = False, header: bool = True) -> str:
        """Plain text for people: one line per change, the breaking ones first."""
        head = (
            f"{self.old} → {self.new}: {len(self.changes)} change(s); compatibility {self.compatibility.value}"
            f" (mode {self.mode.value}: {'compatible' if self.compatible else 'BREAKING'});"
            f" suggested bump: {self.suggested_bump.value}"
        )
        chosen = self.breaking_changes if only_breaking else self.changes
        ordered = sorted(chosen, key=lambda c: not c.breaking)
        lines = [head] if header else []
        lines += [render_change(c, flag=not only_breaking) for c in ordered[:limit]]
        if len(ordered) > limit:
            lines.append(f"  … {len(ordered) - limit} more (use --json for all)")
        return "\n".join(lines)


def render_change(change: Change, *, flag: bool = True) -> str:
    mark = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "-", ChangeKind.CHANGED: "~"}[change.kind]
    label = "BREAKING " if change.breaking and flag else ""
    values = ""
    if change.kind is ChangeKind.CHANGED:
        values = f" {_short(change.old)} → {_short(change.new)}"
    return f"  {mark} {label}{change.path}{values}: {change.reason}"


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------- classification


def breaks(change: Change, mode: CompatibilityMode) -> bool:
    return (mode.checks_backward and change.breaks_backward) or (mode.checks_forward and change.breaks_forward)


def verdict(changes: Iterable[Change]) -> Compatibility:
    items = list(changes)
    back = any(c.breaks_backward for c in items)
    fwd = any(c.breaks_forward for c in items)
    if back and fwd:
        return Compatibility.NONE
    if back:
        return Compatibility.FORWARD
    if fwd:
        return Compatibility.BACKWARD
    return Compatibility.FULL


def suggest_bump(changes: Iterable[Change], mode: CompatibilityMode) -> Bump:
    """Major when a change breaks the mode (BACKWARD when the mode is NONE: semver's own meaning of
    breaking); minor when the accepted data changes at all; patch for documentation only."""
    items = list(changes)
    judge = mode if mode is not CompatibilityMode.NONE else CompatibilityMode.BACKWARD
    if any(breaks(c, judge) for c in items):
        return Bump.MAJOR
    if any(c.effect is not Effect.NONE for c in items):
        return Bump.MINOR
    return Bump.PATCH if items else Bump.NONE


