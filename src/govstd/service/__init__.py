"""The registry as a service: an HTTP API (FastAPI, served by uvicorn) over the same ``Registry`` and the
same resolver the CLI uses — every rule (resolution, compatibility, lifecycle, namespaces, signatures)
lives once, in ``govstd.registry``; this package only maps HTTP onto it.

- ``settings.py`` — what the operator decides (anonymous reads, signed scorecards, body limit);
- ``problems.py`` — errors as RFC 9457 problem documents with the CLI's codes and hints;
- ``auth.py`` — bearer tokens → ``Identity``; roles and namespaces;
- ``middleware.py`` — the request body limit (413) and the log filter that keeps tokens out of logs;
- ``cache.py`` — the dashboard's evaluations, one per state of the submissions, with ETag / Last-Modified;
- ``standards.py``, ``scorecards.py``, ``dashboard.py`` — the routes; ``app.py`` puts them together.

The CLI's client of this API is ``govstd.registry.remote.RemoteRegistry`` (``govstd registry --service``).

Start it with ``govstd serve`` (``commands/serve.py``); see ``docs/service.md``.
"""

from __future__ import annotations

from govstd.service.app import create_app
from govstd.service.settings import Settings

__all__ = ["Settings", "create_app"]
