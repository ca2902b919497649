"""Routes for scorecard submissions: a department submits the scorecards of the datasets it shares,
signed when the operator requires it; anyone with a token reads the history.

The rules are ``registry/submissions.py``'s: what a scorecard must look like (``check_scorecard``) and
must not hold (a person's unmasked number, ``refuse_personal_numbers``),
what is signed and how it is verified (``verify``), what is stored. A submission is stored under the
department of the token that submits it — a department cannot submit for another.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from govstd.registry.submissions import check_scorecard, refuse_personal_numbers, verify
from govstd.service.auth import Publisher, Reader, RegistryDep, SettingsDep

router = APIRouter(tags=["scorecards"])


class Signature(BaseModel):
    """A detached signature as ``govstd scorecard sign`` writes it (``FILE.sig``)."""

    model_config = ConfigDict(extra="forbid")

    algorithm: str = Field(max_length=32)
    public_key: str = Field(max_length=130)
    value: str = Field(max_length=128)
    digest: str | None = Field(None, max_length=64)


class SubmitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scorecard: dict[str, Any] = Field(description="The JSON scorecard, as `govstd validate --format json` wrote it.")
    signature: Signature | None = None
    dataset: str | None = Field(None, max_length=500, description="Default: the catalogue schema id.")


@router.post("/scorecards", summary="Submit a scorecard", status_code=201)
def submit(http: Request, reg: RegistryDep, settings: SettingsDep, who: Publisher,
           request: SubmitRequest) -> JSONResponse:
    """Store a scorecard under the submitting token's department. A signature, when given, must verify
    against a key an admin trusts for that department; without one, the submission is refused if the
    operator requires signed scorecards (``--require-signed``)."""
    scorecard = check_scorecard(request.scorecard)
    refuse_personal_numbers(scorecard)  # what is stored is shown to every reader: never a person's number
    signed_by = None
    signature = request.signature.model_dump() if request.signature else None
    if signature is not None or settings.require_signed:
        keys = [k.public_key for k in reg.tokens.trusted_keys(who.department)]
        signed_by = verify(scorecard, signature, keys)
    stored = reg.submissions.add(scorecard, department=who.department, submitted_by=who.actor,
                                 dataset=request.dataset, signature=signature, signed_by=signed_by)
    http.app.state.dashboard_cache.clear()  # the evaluations held are of a state that is gone (cache.py)
    return JSONResponse(stored.model_dump(mode="json", exclude={"scorecard"}), status_code=201)


@router.get("/scorecards", summary="Scorecard history")
def history(reg: RegistryDep, _who: Reader,
            department: Annotated[str | None, Query(max_length=32)] = None,
            dataset: Annotated[str | None, Query(max_length=500)] = None,
            include_scorecards: bool = False) -> list[dict[str, Any]]:
    """Submissions, oldest first, of one department and/or dataset (or all)."""
    found = reg.submissions.history(department=department, dataset=dataset, with_scorecards=include_scorecards)
    return [s.model_dump(mode="json", exclude_none=not include_scorecards) for s in found]
