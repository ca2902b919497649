"""Scorecard submissions: signed scorecards, and the history of every department's datasets.

**What is signed.** ``SM3(canonical)``, where ``canonical`` is the scorecard (as ``json_report`` writes
it) re-encoded as JSON with sorted keys, no whitespace, UTF-8 — the same canonical form and the same
SM2-with-SM3 signature as registry dumps (``signing.py``), with the same keys (``govstd keys generate``).
The signature is *detached* — ``FILE.sig``, a small JSON object ``{algorithm, public_key, value,
digest}`` — because the scorecard's own schema admits no extra member, and a signed scorecard must stay
a valid scorecard.

**What is stored.** Each submission: the department (of the token that submitted it), the dataset (by
default the catalogue schema id: the resource a dataset is an instance of, stable from one period to
the next, where a file path is not), the schema version, the score and verdict, when it was scored and
received, who submitted it, the SM3 digest, the signature and the signer's key fingerprint. Rows are
append-only (migration 0003).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from govstd.errors import InputError
from govstd.registry import signing
from govstd.registry.audit import now
from govstd.registry.service_tables import SubmissionRow
from govstd.registry.tokens import check_department

if TYPE_CHECKING:
    from govstd.registry.store import Registry

SIGNATURE_SUFFIX = ".sig"


class Submission(BaseModel):
    """One stored submission, without the scorecard itself (``scorecard`` on request)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    department: str
    dataset: str
    schema_ref: str
    score: float | None
    verdict: str
    scored_at: dt.datetime
    submitted_at: dt.datetime
    submitted_by: str
    digest: str = Field(description="SM3 of the canonical scorecard, hex.")
    signed_by: str | None = Field(None, description="Fingerprint of the trusted key that signed it.")
    scorecard: dict[str, Any] | None = None


def digest(scorecard: Mapping[str, Any]) -> str:
    return signing.sm3(signing.canonical(scorecard))


def check_scorecard(data: Any, *, where: str = "scorecard") -> dict[str, Any]:
    """``data`` if it is a scorecard the JSON schema admits (via the ``Scorecard`` model), else an
    ``InputError`` naming the first wrong field."""
    from govstd.validators.scorecard import Scorecard

    if not isinstance(data, Mapping):
        raise InputError("not a scorecard", path=where, expected="a JSON object written by govstd validate")
    try:
        Scorecard.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise InputError(f"not a valid scorecard: {first['msg']}", path=where, field=field,
                         expected="a JSON scorecard (scorecard.schema.json)") from None
    return dict(data)


#: Kinds of ``masking.find`` a shared scorecard must not hold unmasked: a person's ID or mobile number.
_PERSONAL = frozenset({"id", "id15", "mobile"})


def refuse_personal_numbers(scorecard: Mapping[str, Any], *, where: str = "scorecard") -> None:
    """An ``InputError`` naming the first place (a JSON path, never the value) where ``scorecard`` holds an
    unmasked citizen ID or mobile number standing alone: a scorecard written with ``--show-values``, or by
    another tool. It is refused rather than masked on intake, because masking would break its signature.

    Only whole tokens count (no ASCII letter or digit on either side), so a hex digest or key, whose digit
    runs are glued to letters, is never taken for a phone number. Whole numbers of 11 digits or more are read
    as their digits: a typed column (an int64 or float phone) shows its values as JSON numbers."""
    from govstd.standards.masking import find

    stack: list[tuple[str, Any]] = [("", scorecard)]
    while stack:
        at, node = stack.pop()
        if isinstance(node, Mapping):
            for key, value in node.items():
                path = f"{at}.{key}" if at else str(key)
                stack.extend([(path, value), (path, str(key))])  # a key (a column's name) may hold one too
        elif isinstance(node, list):
            stack.extend((f"{at}[{i}]", value) for i, value in enumerate(node))
        elif isinstance(node, float) and node.is_integer() and abs(node) >= 1e10:
            stack.append((at, str(int(node))))  # a phone number a typed column held as a float
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) >= 10**10:
            stack.append((at, str(node)))
        elif isinstance(node, str) and any(f.kind in _PERSONAL and _alone(node, f.start, f.end) for f in find(node)):
            raise InputError("the scorecard holds an unmasked ID or mobile number", path=where,
                             field=_shown_path(at),
                             expected="a scorecard whose samples are masked (written without --show-values)",
                             hint="write it again without --show-values; a scorecard shows personal numbers "
                                  "masked, as 110101********123X and 138****5678")


def _shown_path(at: str) -> str:
    """The JSON path as shown: masked too, since a key or a sample's column name may itself be the number."""
    from govstd.standards.masking import redact

    return redact(at)


def _alone(text: str, start: int, end: int) -> bool:
    def glued(i: int) -> bool:
        return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()
    return not glued(start - 1) and not glued(end)


def sign(scorecard: Mapping[str, Any], private_key: str) -> dict[str, Any]:
    """The detached signature of ``scorecard`` (module docstring)."""
    signature: dict[str, Any] = signing.sign(scorecard, private_key)[signing.SIGNATURE_KEY]
    return {**signature, "digest": digest(scorecard)}


def verify(scorecard: Mapping[str, Any], signature: Mapping[str, Any] | None, trusted: Sequence[str]) -> str:
    """The fingerprint of the trusted key that signed ``scorecard``; ``InputError`` when it is unsigned,
    signed by an untrusted key, or changed since it was signed."""
    if signature is None:
        raise InputError("the scorecard is not signed",
                         hint="sign it with `govstd scorecard sign FILE --key KEY` and send FILE.sig with it")
    sig = {k: v for k, v in signature.items() if k != "digest"}
    return signing.verify({**scorecard, signing.SIGNATURE_KEY: sig}, trusted, what="scorecard")


class Submissions:
    """The scorecard history of one registry (``Registry.submissions``)."""

    def __init__(self, registry: Registry) -> None:
        self._reg = registry

    def add(self, scorecard: Mapping[str, Any], *, department: str, submitted_by: str, dataset: str | None = None,
            signature: Mapping[str, Any] | None = None, signed_by: str | None = None) -> Submission:
        """Store a checked scorecard (``check_scorecard``); the caller has verified ``signature``."""
        check_department(department)
        schema = scorecard["schema"]
        verdict = scorecard["verdict"]["verdict"]
        row = SubmissionRow(
            department=department, dataset=(dataset or schema["id"]).strip()[:500], schema_ref=schema["ref"],
            score=scorecard.get("score"), verdict=str(verdict),
            scored_at=dt.datetime.fromisoformat(str(scorecard["finished_at"]).replace("Z", "+00:00")),
            submitted_at=now(), submitted_by=submitted_by, digest=digest(scorecard), signed_by=signed_by,
            signature=json.dumps(signature, sort_keys=True) if signature is not None else None,
            scorecard=json.dumps(scorecard, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        )
        if row.scored_at.tzinfo is None:
            row.scored_at = row.scored_at.replace(tzinfo=dt.UTC)
        with self._reg._write() as session:
            session.add(row)
            session.flush()
            return _submission(row, with_scorecard=False)

    def history(self, *, department: str | None = None, dataset: str | None = None,
                with_scorecards: bool = False) -> list[Submission]:
        """Submissions, oldest scored first (then in the order received)."""
        with self._reg._read() as session:
            stmt = select(SubmissionRow).order_by(SubmissionRow.scored_at, SubmissionRow.id)
            if department is not None:
                stmt = stmt.where(SubmissionRow.department == department)
            if dataset is not None:
                stmt = stmt.where(SubmissionRow.dataset == dataset)
            return [_submission(r, with_scorecard=with_scorecards) for r in session.scalars(stmt)]


def _submission(row: SubmissionRow, *, with_scorecard: bool) -> Submission:
    return Submission(
        id=row.id, department=row.department, dataset=row.dataset, schema_ref=row.schema_ref, score=row.score,
        verdict=row.verdict, scored_at=row.scored_at, submitted_at=row.submitted_at, submitted_by=row.submitted_by,
        digest=row.digest, signed_by=row.signed_by,
        scorecard=json.loads(row.scorecard) if with_scorecard else None,
    )
