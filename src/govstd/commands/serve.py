"""``govstd serve``: run the registry as an HTTP service (``govstd.service``) under uvicorn."""

from __future__ import annotations

import click

from govstd.errors import GovstdError
from govstd.service.settings import DEFAULT_MAX_BODY_BYTES


@click.command()
@click.option("--registry", "registry_url", envvar="GOVSTD_REGISTRY", metavar="URL",
              help="Registry database URL or SQLite path [env: GOVSTD_REGISTRY].")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Serve beyond loopback only behind a TLS-terminating proxy.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--allow-anonymous-read", is_flag=True, help="Let requests without a token read standards.")
@click.option("--require-signed", is_flag=True,
              help="Refuse scorecards not signed by a key trusted for the submitting department.")
@click.option("--max-body-bytes", default=DEFAULT_MAX_BODY_BYTES, show_default=True, type=click.IntRange(1),
              help="Refuse larger request bodies (413).")
def serve(registry_url: str | None, host: str, port: int, allow_anonymous_read: bool, require_signed: bool,
          max_body_bytes: int) -> None:
    """Serve the registry over HTTP: API at /, OpenAPI at /openapi.json, docs at /docs.

    Tokens: `govstd token create`; departments' signing keys: `govstd keys trust`.
    See docs/service.md."""
    try:
        import uvicorn

        from govstd.service import Settings, create_app
        from govstd.service.middleware import log_config
    except ModuleNotFoundError as exc:
        raise GovstdError(f"the service needs {exc.name}, which is not installed",
                          hint="pip install 'govstd[service]'") from None
    settings = Settings(registry_url=registry_url, allow_anonymous_read=allow_anonymous_read,
                        require_signed=require_signed, max_body_bytes=max_body_bytes)
    app = create_app(settings)
    click.echo(f"serving registry {app.state.registry.location} on http://{host}:{port} (docs: /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_config=log_config(), server_header=False)
