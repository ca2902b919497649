"""The ASGI application: ``create_app(settings)`` opens the registry once and mounts the routes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from govstd import __version__
from govstd.registry.store import Registry
from govstd.service import catalogue, dashboard, problems, scorecards, standards
from govstd.service.cache import DashboardCache
from govstd.service.middleware import BodyLimit
from govstd.service.settings import Settings

DESCRIPTION = """\
The govstd registry of government data standards, over HTTP: read, resolve and diff standards;
publish in a department's namespace; submit signed quality scorecards and read their history.

Authenticate with `Authorization: Bearer TOKEN` (tokens: `govstd token create`). Errors are
RFC 9457 problem documents (`application/problem+json`) with the CLI's error codes and hints.
"""


def create_app(settings: Settings | None = None, *, registry: Registry | None = None) -> FastAPI:
    """The service over ``registry`` (else the one ``settings.registry_url`` names, opened now, so a
    wrong URL fails before the server listens)."""
    chosen = settings or Settings()
    app = FastAPI(title="govstd registry", version=__version__, description=DESCRIPTION)
    app.state.settings = chosen
    app.state.registry = registry or Registry(chosen.registry_url)
    app.state.registry._require_open()  # a missing or empty registry: refuse to start, as the CLI would
    app.state.dashboard_cache = DashboardCache()
    problems.install(app)
    app.include_router(standards.router)
    app.include_router(catalogue.router)
    app.include_router(scorecards.router)
    app.include_router(dashboard.router)
    app.add_middleware(BodyLimit, max_bytes=chosen.max_body_bytes)

    @app.get("/health", tags=["service"], summary="Liveness and the registry it serves")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "registry": app.state.registry.location}

    return app
