"""Publish the registry as a static site: generate a mkdocs-material project, then build it strictly.

>>> from govstd.registry.store import Registry          # doctest: +SKIP
>>> build_site(Registry(None), "site/")                  # doctest: +SKIP
SiteBuild(out_dir=PosixPath('site'), pages=..., seconds=1.9, ...)

The generated project (``mkdocs.yml`` + ``docs/``) is written to a work directory (a temporary one
unless ``work_dir`` is given) and built with ``mkdocs build --strict`` through mkdocs' Python API:
a broken link, a missing anchor or any other mkdocs warning fails the build. Everything is offline:
no web fonts (``theme.font: false``), no CDN scripts; Material's icons are inlined as SVG.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd import __version__
from govstd.errors import GovstdError
from govstd.site import pages, urls
from govstd.site.downloads import write_downloads
from govstd.site.hooks import LEXICON_FILE
from govstd.site.incremental import (
    BuildCache,
    ProjectWriter,
    default_cache_dir,
    digest_inputs,
    read_report,
    report_env,
)
from govstd.site.items import SHARD_ROWS, ItemShards, write_items
from govstd.site.labels import KIND_LABELS
from govstd.site.model import KIND_ORDER, SiteBuildError, SiteModel
from govstd.site.output import Output
from govstd.site.pages.dashboard import HOME as DASHBOARD_HOME
from govstd.site.pages.dashboard import write_dashboard
from govstd.site.pages.item_browser import item_browser_page
from govstd.site.pages.owners import OWNERS_PAGE, owners_page
from govstd.site.search import SEARCH_SEPARATOR, Lexicon
from govstd.site.source import ItemSource, SiteSource, as_source
from govstd.standards.models import ENTRY_MODELS, CodeSet, EntryKind
from govstd.standards.schema import SCHEMA_ID, entry_json_schema

if TYPE_CHECKING:
    from govstd.dashboard.evaluation import Evaluation

SITE_NAME = "政务数据标准注册库"
#: Written into the output directory; a non-empty directory without it is never overwritten.
MARKER = ".govstd-site.json"
#: The same for the directory the mkdocs project is generated into (``work_dir`` / ``--source-dir``).
PROJECT_MARKER = ".govstd-site-project"

__all__ = ["SITE_NAME", "SiteBuild", "SiteBuildError", "build_site", "generate_project"]


@dataclass
class SiteBuild:
    """What a build produced."""

    out_dir: Path
    pages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    generate_seconds: float = 0.0
    #: Of ``seconds``: mkdocs rendering the pages, and streaming the catalogue into shards.
    mkdocs_seconds: float = 0.0
    items_seconds: float = 0.0
    entries: int = 0
    versions: int = 0
    warnings: list[str] = field(default_factory=list)
    #: Output files (relative paths) this build wrote or removed: empty when nothing changed.
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Files in the output directory after the build (the manifest's count).
    files: int = 0
    items: ItemShards | None = None
    #: Basic code → the national service item's page, relative to the catalogue browser.
    national: dict[str, str] = field(default_factory=dict)
    #: The newest publication in the registry: the build date mkdocs stamps into the sitemap.
    last_change: float | None = None
    #: How mkdocs ran: "skipped" (the project was the previous build's), "partial" (only changed pages
    #: and the nav's were rendered) or "full" (:mod:`govstd.site.incremental`).
    mkdocs_mode: str = "full"
    #: URLs of the pages mkdocs rendered in this build (empty when skipped).
    rendered: list[str] = field(default_factory=list)
    #: The docs files of the nav (every page shows their titles).
    nav_pages: list[str] = field(default_factory=list)


def build_site(
    registry: object,
    out_dir: str | Path,
    *,
    strict: bool = True,
    work_dir: str | Path | None = None,
    site_url: str | None = None,
    dashboard: Evaluation | None = None,
    item_shard_rows: int = SHARD_ROWS,
    cache_dir: str | Path | None = None,
) -> SiteBuild:
    """Generate the registry's site into ``out_dir`` (a Registry or any :class:`SiteSource`), with the
    动态考评 pages of ``dashboard`` (a scorecard history, ``govstd.dashboard.history``) if given.

    Incremental twice over: mkdocs renders nothing when the generated project is the previous build's,
    and only the changed pages when few changed (:mod:`govstd.site.incremental`, its cache in
    ``cache_dir``, by default beside ``out_dir``); then only files whose content changed are written to
    ``out_dir`` (:mod:`govstd.site.output`). The service-item catalogue, if the registry holds one,
    becomes the shards of :mod:`govstd.site.items`, not pages.
    """
    started = time.perf_counter()
    out = Path(out_dir).resolve()
    _check_out_dir(out)
    source = as_source(registry)
    cache = BuildCache(Path(cache_dir).resolve() if cache_dir is not None else default_cache_dir(out))
    project = _project_dir(work_dir, cache)
    writer = ProjectWriter(project)
    result = generate_project(source, project, site_url=site_url, dashboard=dashboard, write=writer.write)
    writer.finish()
    config_files = ["mkdocs.yml", LEXICON_FILE]
    plan = cache.plan(*digest_inputs(project, writer.written - set(config_files), config_files=config_files,
                                     strict=strict, build_date=result.last_change))
    result.out_dir = out
    result.mkdocs_mode = plan.mode
    result.generate_seconds = time.perf_counter() - started
    if plan.mode != "skipped":
        cache.begin()
        if plan.mode == "partial":
            cache.prepare_partial([rel.removeprefix("docs/") for rel in writer.removed], result.nav_pages)
        with tempfile.TemporaryDirectory(prefix="govstd-site-report-") as tmp, \
                _environ({**report_env(Path(tmp) / "report.json"), **_build_date(result.last_change)}):
            result.warnings = run_mkdocs(project / "mkdocs.yml", cache.html, strict=strict,
                                         dirty=plan.mode == "partial")
            result.rendered = read_report(Path(tmp) / "report.json")
        cache.commit(plan)
    result.mkdocs_seconds = time.perf_counter() - started - result.generate_seconds
    output = Output(out)
    output.put_tree(cache.html)
    if isinstance(source, ItemSource):
        items_started = time.perf_counter()
        result.items = write_items(source, output, national=result.national, shard_rows=item_shard_rows)
        result.items_seconds = time.perf_counter() - items_started
    output.finish()
    result.written, result.removed, result.files = output.written, output.removed, len(output.files)
    result.seconds = time.perf_counter() - started
    if result.written or result.removed or not (out / MARKER).is_file():
        (out / MARKER).write_text(json.dumps({
            "generator": f"govstd {__version__}", "entries": result.entries, "versions": result.versions,
            "pages": len(result.pages), "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


def _build_date(timestamp: float | None) -> dict[str, str]:
    """mkdocs stamps the build date into the sitemap (and its gzip header): pin it to the registry's
    last change (``SOURCE_DATE_EPOCH``, mkdocs' reproducible-build setting), so an unchanged registry
    builds byte-identical files and a rebuild rewrites none of them."""
    return {} if timestamp is None else {"SOURCE_DATE_EPOCH": str(int(timestamp))}


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def _project_dir(work_dir: str | Path | None, cache: BuildCache) -> Path:
    """The directory the mkdocs project is generated into: ``work_dir`` (``--source-dir``) or the cache's.
    Kept between builds (stale pages are removed by :class:`ProjectWriter`): unchanged pages keep their
    modification time, which is how a dirty mkdocs build tells them from changed ones."""
    path = Path(work_dir).resolve() if work_dir is not None else cache.project
    if work_dir is not None and path.is_dir() and any(path.iterdir()) and not (path / PROJECT_MARKER).exists():
        raise GovstdError(
            f"refusing to generate the site project into {path}: it is not empty and not a govstd site project",
            hint="choose an empty or new directory for the generated mkdocs project",
        )
    path.mkdir(parents=True, exist_ok=True)
    marker = path / PROJECT_MARKER
    if not marker.is_file():
        marker.write_text("generated by govstd site build\n", encoding="utf-8")
    return path


def _check_out_dir(out: Path) -> None:
    # mkdocs empties site_dir before building: never let that happen to a directory we did not make.
    if out.exists() and not out.is_dir():
        raise GovstdError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise GovstdError(
            f"refusing to build into {out}: it is not empty and was not built by govstd",
            hint="choose an empty or new directory (its contents would be deleted)",
        )


# --------------------------------------------------------------------------- generation


def generate_project(source: SiteSource, project: Path, *, site_url: str | None = None,
                     dashboard: Evaluation | None = None, write: Callable[[str, str], None] | None = None,
                     ) -> SiteBuild:
    """Write ``mkdocs.yml``, ``docs/`` and the search lexicon for ``source`` into ``project`` (through
    ``write(project-relative path, text)`` if given)."""
    model = SiteModel(source)
    written: list[str] = []

    def write_file(rel: str, text: str) -> None:
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    put = write or write_file

    def write_doc(path: str, text: str) -> None:
        put(f"docs/{path}", text)
        if path.endswith(".md"):
            written.append(urls.url_of(path))

    write = write_doc

    write(urls.HOME, pages.home_page(model, SITE_NAME))
    for path, text in pages.changes_pages(model):
        write(path, text)
    write(urls.ABOUT, pages.about_page(model))
    write(OWNERS_PAGE, owners_page(model))
    for kind in KIND_ORDER:
        for path, text in pages.kind_index_pages(model, kind):
            write(path, text)
    items = source if isinstance(source, ItemSource) else None
    if items is not None:
        write(urls.ITEM_BROWSER, item_browser_page(items.item_releases(), items.item_count()))
    n_versions = 0
    for group in model.all_groups():
        write(group.latest_page, pages.entry_page(model, group, group.latest, group.latest_page, latest_page=True))
        write(group.history_page, pages.history_page(model, group))
        for entry in group.versions:
            n_versions += 1
            page = group.version_page(entry)
            write(page, pages.entry_page(model, group, entry, page, latest_page=False))
            write_downloads(group, entry, write)
        for old, new in group.pairs():
            diff = source.diff(old, new)
            page = group.diff_page(old, new)
            write(page, pages.diff_page(model, group, old, new, diff))
            write(str(Path(page).parent / "diff.json"), _json(pages.diff_json(diff)))
    _write_schemas(write)
    if dashboard is not None:
        write_dashboard(dashboard, write)
    write(urls.SITE_INDEX_JSON, _json(_site_index(model)))
    assets = resources.files("govstd.site").joinpath("assets")
    for name in ("govstd.css", "govstd.js", "items.js"):
        write(f"assets/{name}", assets.joinpath(name).read_text(encoding="utf-8"))
    put(LEXICON_FILE, _lexicon(model).dump())
    put("mkdocs.yml", mkdocs_config(model, site_url=site_url, dashboard=dashboard is not None, items=items is not None))
    national = {g.id: urls.url_of(urls.rel(urls.ITEM_BROWSER, g.latest_page))
                for g in model.groups[EntryKind.SERVICE_ITEM]}
    published = [r.published_at for g in model.all_groups() for r in g.records.values() if r.published_at]
    return SiteBuild(out_dir=project, pages=sorted(written), entries=sum(1 for _ in model.all_groups()),
                     versions=n_versions, national=national,
                     nav_pages=[path for _, path in nav_pages(dashboard=dashboard is not None,
                                                              items=items is not None)],
                     last_change=max(published).timestamp() if published else None)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _write_schemas(write: Any) -> None:
    write(urls.ENTRY_SCHEMA, _json(entry_json_schema()))
    for kind, model in ENTRY_MODELS.items():
        schema = model.model_json_schema()
        write(urls.kind_schema(kind), _json({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID.replace("/entry/", f"/{kind.value}/"),
            **schema,
        }))


def _site_index(model: SiteModel) -> dict[str, Any]:
    entries = []
    for group in model.all_groups():
        latest = group.latest
        entries.append({
            "id": group.id,
            "kind": group.kind.value,
            "name_zh": latest.name_zh,
            "name_en": latest.name_en,
            "standard": latest.reference.standard if latest.reference else None,
            "current_version": latest.version,
            "url": urls.url_of(group.latest_page),
            "history": urls.url_of(group.history_page),
            "versions": [
                {
                    "version": e.version,
                    "status": group.status(e).value,
                    "published_at": group.record(e).published_at,
                    "url": urls.url_of(group.version_page(e)),
                    "yaml": urls.download(group.kind, group.id, e.version, "yaml"),
                    "json": urls.download(group.kind, group.id, e.version, "json"),
                }
                for e in group.versions
            ],
        })
    return {"generator": f"govstd {__version__}", "schema": urls.ENTRY_SCHEMA, "entries": entries}


def _lexicon(model: SiteModel) -> Lexicon:
    lexicon = Lexicon()
    for group in model.all_groups():
        for entry in group.versions:
            lexicon.add(entry.aliases)
            if isinstance(entry, CodeSet):
                lexicon.add(c.label_zh for c in entry.codes)
                lexicon.add(a for c in entry.codes for a in c.aliases)
    return lexicon


# --------------------------------------------------------------------------- mkdocs


def _q(value: str) -> str:
    """A YAML scalar: JSON strings are valid YAML and escape everything."""
    return json.dumps(value, ensure_ascii=False)


def mkdocs_config(model: SiteModel, *, site_url: str | None = None, dashboard: bool = False,
                  items: bool = False) -> str:
    """The generated ``mkdocs.yml``. The nav names the kinds' index pages, never the entries: every page
    carries the nav, so listing 10,000 entries made each page 3 MB and the build quadratic."""
    hooks = Path(__file__).with_name("hooks.py")
    nav = []
    for title, path in nav_pages(dashboard=dashboard, items=items):
        if title.startswith("kind:"):  # a section named after the kind, its index page first
            nav.append(f"  - {_q(title.removeprefix('kind:'))}:")
            nav.append(f"      - {_q(path)}")
        elif title.startswith("sub:"):
            nav.append(f"      - {_q(title.removeprefix('sub:'))}: {_q(path)}")
        else:
            nav.append(f"  - {_q(title)}: {_q(path)}")
    lines = [
        f"site_name: {_q(SITE_NAME)}",
        f"site_description: {_q('Registry of Chinese government data standards · 政务数据标准注册库')}",
        *([f"site_url: {_q(site_url)}"] if site_url else []),
        "docs_dir: docs",
        "use_directory_urls: true",
        f"copyright: {_q('由 govstd ' + __version__ + ' 根据标准注册库生成 · Generated by govstd from the registry')}",
        *_theme_config(),
        "plugins:",
        "  - search:",
        "      lang: [zh, en]",
        f"      separator: {_q(SEARCH_SEPARATOR)}",
        "hooks:",
        f"  - {_q(str(hooks))}",
        "extra_css: [assets/govstd.css]",
        "extra_javascript: [assets/govstd.js, assets/items.js]",
        *_markdown_config(),
        "validation:",
        "  nav: {omitted_files: ignore, not_found: warn, absolute_links: warn}",
        "  links: {not_found: warn, anchors: warn, absolute_links: warn, unrecognized_links: warn}",
        "nav:",
        *nav,
    ]
    return "\n".join(lines) + "\n"


def nav_pages(*, dashboard: bool, items: bool) -> list[tuple[str, str]]:
    """The nav as (title, docs path): ``kind:`` titles a section of a kind's index, ``sub:`` a page in
    the section above. The one list behind ``mkdocs.yml``'s nav and the pages a partial build re-renders."""
    nav = [("首页", urls.HOME)]
    for kind in KIND_ORDER:
        nav.append((f"kind:{KIND_LABELS[kind][0]}", urls.kind_index(kind)))
        if kind is EntryKind.SERVICE_ITEM and items:
            nav.append(("sub:事项目录", urls.ITEM_BROWSER))
    if dashboard:
        nav.append(("动态考评", DASHBOARD_HOME))
    nav += [("责任清单", OWNERS_PAGE), ("发布记录", urls.CHANGES), ("关于", urls.ABOUT)]
    return nav


def _theme_config() -> list[str]:
    return [
        "theme:",
        "  name: material",
        "  language: zh",
        "  font: false",  # no Google Fonts: the site must work offline and inside government networks
        "  icon: {logo: material/book-open-page-variant}",
        "  palette:",
        "    - scheme: default",
        "      primary: custom",
        "      accent: custom",
        "  features: [navigation.tabs, navigation.indexes, navigation.top, navigation.footer, search.highlight,",
        "             toc.follow, content.code.copy]",
        "extra:",
        "  generator: false",
    ]


def _markdown_config() -> list[str]:
    return [
        "markdown_extensions:",
        "  - admonition",
        "  - attr_list",
        "  - md_in_html",
        "  - tables",
        "  - def_list",
        "  - toc: {permalink: true}",
        "  - pymdownx.details",
        "  - pymdownx.superfences",
        "  - pymdownx.emoji:",
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji",
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg",
    ]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _not_dirty_notice(record: logging.LogRecord) -> bool:
    # mkdocs warns that a dirty build may leave stale navigation; ours re-renders the nav's pages and
    # merges the search index (govstd.site.incremental), so the notice is not a problem to fail --strict on.
    return not record.getMessage().startswith("A 'dirty' build is being performed")


def run_mkdocs(config_file: Path, site_dir: Path, *, strict: bool = True, dirty: bool = False) -> list[str]:
    """``mkdocs build [--strict] [--dirty]`` through mkdocs' API; returns warnings, raises if strict and any."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    build_logger = logging.getLogger("mkdocs.commands.build")
    build_logger.addFilter(_not_dirty_notice)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
        build(config, dirty=dirty)
    except MkDocsException as exc:
        details = "\n  ".join(collector.messages[:20])
        raise SiteBuildError(f"mkdocs build failed: {exc}" + (f"\n  {details}" if details else "")) from None
    finally:
        logger.removeHandler(collector)
        build_logger.removeFilter(_not_dirty_notice)
    if strict and collector.messages:
        raise SiteBuildError("mkdocs build --strict: " + "\n  ".join(collector.messages[:20]))
    return collector.messages
