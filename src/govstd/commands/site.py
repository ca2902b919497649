"""``govstd site build|serve``: publish the registry as a static docs site (mkdocs-material).

Thin: ``govstd.site.build_site`` does the work; ``serve`` adds Python's ``http.server`` on localhost.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govstd.commands._output import console
from govstd.errors import GovstdError

if TYPE_CHECKING:
    from govstd.dashboard.evaluation import Evaluation
    from govstd.registry.store import Registry

_REGISTRY_HELP = "Registry database URL or SQLite path [env: GOVSTD_REGISTRY; default: the embedded registry]."


def _history(source: str | None, registry: Registry) -> Evaluation | None:
    """The scorecard history for the dashboard pages: a registry service (URL, token in GOVSTD_TOKEN),
    the registry being published (``registry``), or another registry database."""
    from govstd.dashboard import history
    from govstd.registry.store import Registry

    if source is None:
        return None
    if history.is_service_url(source):
        return history.from_service(source)
    if source == registry.location:
        return history.from_registry(registry)
    with Registry(source) as other:
        return history.from_registry(other)


def _build(registry_url: str | None, out_dir: Path, source_dir: Path | None, site_url: str | None,
           history_source: str | None = None) -> None:
    from govstd.registry.store import Registry
    from govstd.site.build import build_site

    out = console()
    with Registry(registry_url) as reg:
        if not reg.entries(all_versions=False):
            raise GovstdError(
                f"registry {reg.location} is empty: nothing to publish",
                hint="load the built-in national library first: govstd registry init",
            )
        result = build_site(reg, out_dir, work_dir=source_dir, site_url=site_url,
                            dashboard=_history(history_source, reg))
        out.print(f"registry {reg.location}")
    out.print(
        f"built {len(result.pages)} pages for {result.entries} standards ({result.versions} versions) "
        f"in {result.seconds:.1f}s → [cyan]{result.out_dir}[/cyan]"
    )
    if source_dir is not None:
        out.print(f"mkdocs project kept in [cyan]{Path(source_dir).resolve()}[/cyan]")


@click.group()
def site() -> None:
    """Publish the registry as a static docs site: one page per standard and version, version history,
    readable diffs, searchable code tables and machine-readable downloads."""


@site.command()
@click.option("--registry", "registry_url", envvar="GOVSTD_REGISTRY", metavar="URL", help=_REGISTRY_HELP)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Output directory (emptied first if govstd built it before).")
@click.option("--source-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the generated mkdocs project (mkdocs.yml + docs/) in this directory.")
@click.option("--site-url", metavar="URL", help="Public URL the site is served from (canonical links, sitemap).")
@click.option("--history", "history_source", metavar="URL_OR_REGISTRY",
              help="Add the 动态考评 dashboard from this scorecard history: a registry service URL (token in "
              "GOVSTD_TOKEN) or a registry database URL / SQLite path.")
def build(registry_url: str | None, out_dir: Path, source_dir: Path | None, site_url: str | None,
          history_source: str | None) -> None:
    """Generate the site from the registry and build it with `mkdocs build --strict`."""
    _build(registry_url, out_dir, source_dir, site_url, history_source)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@site.command()
@click.option("--registry", "registry_url", envvar="GOVSTD_REGISTRY", metavar="URL", help=_REGISTRY_HELP)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Directory to build into and serve.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-build", is_flag=True, help="Serve what is already in --out without rebuilding.")
def serve(registry_url: str | None, out_dir: Path, port: int, no_build: bool) -> None:
    """Build the site (unless --no-build) and serve it on http://127.0.0.1:PORT/ until Ctrl-C."""
    if not no_build:
        _build(registry_url, out_dir, None, None)
    if not (out_dir / "index.html").is_file():
        raise GovstdError(f"no site in {out_dir}", hint="run `govstd site build` first, or drop --no-build")
    handler = functools.partial(_QuietHandler, directory=str(out_dir.resolve()))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise GovstdError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
                          hint="choose another --port (0 picks a free one)") from None
    with server:
        console().print(f"serving [cyan]{out_dir}[/cyan] at [bold]http://127.0.0.1:{server.server_address[1]}/[/bold]"
                        " — Ctrl-C to stop")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console().print("stopped")
