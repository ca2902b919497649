"""Where the dashboard's submissions come from: a registry database (read directly) or a registry
service (read over HTTP with the token in ``GOVSTD_TOKEN``, as ``govstd scorecard submit`` does).

Either way the result is an ``Evaluation``; the update cycles come from the same place as the
submissions, so a history is judged against the catalogues that registry holds.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

from govstd.dashboard.evaluation import Evaluation
from govstd.errors import GovstdError, NotFoundError
from govstd.registry.submissions import Submission
from govstd.standards.models import CatalogueSchema, UpdateCycle

if TYPE_CHECKING:
    from govstd.registry.store import Registry


def registry_cycle(registry: Registry) -> Any:
    """``CycleOf`` over a registry: the update cycle of the catalogue schema version ``ref`` names."""

    def cycle_of(ref: str) -> UpdateCycle | None:
        try:
            entry = registry.lookup(ref, include_candidates=True).entry
        except GovstdError:
            return None
        return entry.update_cycle if isinstance(entry, CatalogueSchema) else None

    return cycle_of


def from_registry(registry: Registry, *, as_of: dt.datetime | None = None) -> Evaluation:
    return Evaluation(registry.submissions.history(with_scorecards=True), registry_cycle(registry), as_of=as_of)


def is_service_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def from_service(url: str, *, token: str | None = None, as_of: dt.datetime | None = None) -> Evaluation:
    """The history a registry service holds, read with ``token`` (default ``GOVSTD_TOKEN``)."""
    import httpx

    secret = (token if token is not None else os.environ.get("GOVSTD_TOKEN", "")).strip()
    if not secret:
        raise GovstdError("set GOVSTD_TOKEN to read the scorecard history of a registry service",
                          hint="any role may read it: govstd token create --role reader")
    client = httpx.Client(base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {secret}"}, timeout=120)

    def get(path: str, **params: Any) -> Any:
        try:
            response = client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise GovstdError(f"cannot reach {url}: {type(exc).__name__}") from None
        if response.status_code == 404:
            raise NotFoundError(f"path on {url}", path)
        if response.status_code >= 400:
            detail = response.json().get("detail", "") if "json" in response.headers.get("content-type", "") else ""
            raise GovstdError(f"{url} refused {path} ({response.status_code}): {detail}")
        return response.json()

    def cycle_of(ref: str) -> UpdateCycle | None:
        try:
            entry = get("/resolve", ref=ref, candidates=True)["entry"]
        except GovstdError:
            return None
        cycle = entry.get("update_cycle") if entry.get("kind") == "catalogue_schema" else None
        return UpdateCycle(cycle) if cycle else None

    with client:
        found = [Submission.model_validate(s) for s in get("/scorecards", include_scorecards=True)]
        cycles = {s.schema_ref: cycle_of(s.schema_ref) for s in found}
    return Evaluation(found, cycles.__getitem__, as_of=as_of)
