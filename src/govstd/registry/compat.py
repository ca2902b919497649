"""What changed between two versions of a standard, and whom it breaks.

A version of a standard is a contract on data: it accepts some datasets (columns and values) and
rejects the rest. Every change is classified by what it does to that set of accepted data:

- **narrows** — data the old version accepted may now fail (removing a code or a field, adding a
  constraint, shortening a length, making a field required). Breaks BACKWARD: a pipeline that
  upgrades to the new version starts rejecting yesterday's data.
- **widens** — data made for the new version may fail the old one (adding a code or an optional
  field, relaxing a constraint). Breaks FORWARD: consumers still on the old version reject it.
- **both** — neither contains the other (a changed pattern, a changed type that is neither wider nor
  narrower, anything govstd cannot classify).
- **none** — documentation only (names, definitions, labels, references, tags, examples).

A catalogue schema is read as a *closed* contract: a dataset carries the declared fields and no
others, so removing a field narrows (consumers may rely on it) and adding one widens.

Compatibility modes are Confluent Schema Registry's: BACKWARD (default), FORWARD, FULL, NONE, and the
``*_TRANSITIVE`` variants that check against every earlier version of the line rather than the
nearest one. The table of rules is ``docs/registry.md``; each rule is one ``_Differ`` method in ``differ.py``;
the vocabulary (modes, changes, diffs, verdicts) is ``changes.py``. Import from here.
"""

from __future__ import annotations

from govstd.registry.changes import (
    DEFAULT_MODE,
    Change,
    ChangeKind,
    Compatibility,
    CompatibilityMode,
    Diff,
    Effect,
    breaks,
    render_change,
    suggest_bump,
    verdict,
)
from govstd.registry.differ import diff_entries

__all__ = [
    "DEFAULT_MODE", "Change", "ChangeKind", "Compatibility", "CompatibilityMode", "Diff", "Effect", "breaks",
    "diff_entries", "render_change", "suggest_bump", "verdict",
]
