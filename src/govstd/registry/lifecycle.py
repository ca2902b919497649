"""Registration status lifecycle (ISO/IEC 11179 注册状态): which status may move to which.

The progression is Incomplete → Candidate → Recorded → Qualified → Standard, then Superseded or
Retired. A version moves one step forward, or one step back when a reviewer sends it back; Standard
and Preferred Standard swap; anything not yet retired may be retired; Retired is final. Every move is
written to the audit log with who made it and why.
"""

from __future__ import annotations

from govstd.errors import ConflictError, InputError
from govstd.standards.models import RegistrationStatus as S

#: Allowed status transitions: current status → statuses it may move to.
TRANSITIONS: dict[S, frozenset[S]] = {
    S.NOT_PROGRESSED: frozenset({S.INCOMPLETE, S.CANDIDATE, S.RETIRED}),
    S.INCOMPLETE: frozenset({S.CANDIDATE, S.NOT_PROGRESSED, S.RETIRED}),
    S.CANDIDATE: frozenset({S.RECORDED, S.INCOMPLETE, S.NOT_PROGRESSED, S.RETIRED}),
    S.RECORDED: frozenset({S.QUALIFIED, S.CANDIDATE, S.RETIRED}),
    S.QUALIFIED: frozenset({S.STANDARD, S.RECORDED, S.RETIRED}),
    S.STANDARD: frozenset({S.PREFERRED_STANDARD, S.SUPERSEDED, S.RETIRED}),
    S.PREFERRED_STANDARD: frozenset({S.STANDARD, S.SUPERSEDED, S.RETIRED}),
    S.SUPERSEDED: frozenset({S.RETIRED}),
    S.RETIRED: frozenset(),
}

#: Statuses a version may be published with. Superseded and Retired are reached only by a transition,
#: so the audit log always says who retired what and why.
INITIAL_STATUSES: frozenset[S] = frozenset(set(S) - {S.SUPERSEDED, S.RETIRED})
#: What each status may resolve to, tier by tier, is defined with the rule itself:
#: ``govstd.standards.versions`` (``ACTIVE_STATUSES`` …, ``choose_version``).



class TransitionError(ConflictError):
    """A status change the lifecycle does not allow."""

    code = "lifecycle"


def check_transition(ref: str, current: S, new: S) -> None:
    """Raise ``TransitionError`` unless ``current → new`` is an allowed move."""
    if new == current:
        raise TransitionError(f"{ref} already has status {new.value} ({new.label_zh})")
    allowed = TRANSITIONS[current]
    if new not in allowed:
        options = ", ".join(s.value for s in sorted(allowed, key=_order)) or "none: retired is final"
        raise TransitionError(
            f"{ref}: status {current.value} ({current.label_zh}) cannot move to {new.value} ({new.label_zh})",
            hint=f"allowed from {current.value}: {options}",
        )


def check_initial(ref: str, status: S) -> None:
    if status not in INITIAL_STATUSES:
        raise TransitionError(
            f"{ref}: cannot publish with status {status.value}",
            hint="publish it with its current status, then move it with `govstd registry status`",
        )


def parse_status(text: str) -> S:
    """A status from user input: value (``retired``), Chinese label (``已废止``) or ``Preferred Standard``."""
    try:
        return S(text)
    except ValueError:
        raise InputError(
            f"unknown registration status {text!r}", expected=", ".join(s.value for s in S)
        ) from None


def _order(status: S) -> int:
    return list(S).index(status)
