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

import csv
import io
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from govstd import __version__
from govstd.errors import GovstdError
from govstd.site import pages, urls
from govstd.site.hooks import LEXICON_FILE
from govstd.site.items import SHARD_ROWS, ItemShards, write_items
from govstd.site.labels import KIND_LABELS
from govstd.site.model import KIND_ORDER, EntryGroup, SiteBuildError, SiteModel
from govstd.site.output import Output
from govstd.site.pages.code_set import code_validity, uses_years
from govstd.site.pages.dashboard import HOME as DASHBOARD_HOME
from govstd.site.pages.dashboard import write_dashboard
from govstd.site.pages.item_browser import item_browser_page
from govstd.site.pages.owners import OWNERS_PAGE, owners_page
from govstd.site.search import SEARCH_SEPARATOR, Lexicon
from govstd.site.source import ItemSource, SiteSource, as_source
from govstd.standards.models import ENTRY_MODELS, AnyEntry, CodeSet, EntryKind
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


def build_site(
    registry: object,
    out_dir: str | Path,
    *,
    strict: bool = True,
    work_dir: str | Path | None = None,
    site_url: str | None = None,
    dashboard: Evaluation | None = None,
    item_shard_rows: int = SHARD_ROWS,
) -> SiteBuild:
    """Generate the registry's site into ``out_dir`` (a Registry or any :class:`SiteSource`), with the
    动态考评 pages of ``dashboard`` (a scorecard history, ``govstd.dashboard.history``) if given.

    Incremental: mkdocs builds into a staging directory and only files whose content changed are
    written to ``out_dir`` (:mod:`govstd.site.output`); the service-item catalogue, if the registry
    holds one, becomes the shards of :mod:`govstd.site.items`, not pages.
    """
    started = time.perf_counter()
    out = Path(out_dir).resolve()
    _check_out_dir(out)
    source = as_source(registry)
    with _work_dir(work_dir) as project, tempfile.TemporaryDirectory(prefix="govstd-site-staging-") as staging:
        result = generate_project(source, project, site_url=site_url, dashboard=dashboard)
        result.out_dir = out
        result.generate_seconds = time.perf_counter() - started
        with _build_date(result.last_change):
            result.warnings = run_mkdocs(project / "mkdocs.yml", Path(staging), strict=strict)
        result.mkdocs_seconds = time.perf_counter() - started - result.generate_seconds
        output = Output(out)
        output.put_tree(Path(staging))
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


@contextmanager
def _build_date(timestamp: float | None) -> Iterator[None]:
    """mkdocs stamps the build date into the sitemap (and its gzip header): pin it to the registry's
    last change (``SOURCE_DATE_EPOCH``, mkdocs' reproducible-build setting), so an unchanged registry
    builds byte-identical files and a rebuild rewrites none of them."""
    if timestamp is None:
        yield
        return
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(timestamp))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


@contextmanager
def _work_dir(work_dir: str | Path | None) -> Iterator[Path]:
    if work_dir is not None:
        path = Path(work_dir).resolve()
        if path.is_dir() and any(path.iterdir()) and not (path / PROJECT_MARKER).exists():
            raise GovstdError(
                f"refusing to generate the site project into {path}: it is not empty and not a govstd site project",
                hint="choose an empty or new directory for the generated mkdocs project",
            )
        if (path / "docs").exists():
            shutil.rmtree(path / "docs")  # stale pages of entries no longer generated
        path.mkdir(parents=True, exist_ok=True)
        (path / PROJECT_MARKER).write_text("generated by govstd site build\n", encoding="utf-8")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="govstd-site-") as tmp:
        yield Path(tmp)


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
                     dashboard: Evaluation | None = None) -> SiteBuild:
    """Write ``mkdocs.yml``, ``docs/`` and the search lexicon for ``source`` into ``project``."""
    model = SiteModel(source)
    docs = project / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    def write(path: str, text: str) -> None:
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if path.endswith(".md"):
            written.append(urls.url_of(path))

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
            _write_downloads(group, entry, write)
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
    (project / LEXICON_FILE).write_text(_lexicon(model).dump(), encoding="utf-8")
    (project / "mkdocs.yml").write_text(mkdocs_config(model, site_url=site_url, dashboard=dashboard is not None,
                                                     items=items is not None), encoding="utf-8")
    national = {g.id: urls.url_of(urls.rel(urls.ITEM_BROWSER, g.latest_page))
                for g in model.groups[EntryKind.SERVICE_ITEM]}
    published = [r.published_at for g in model.all_groups() for r in g.records.values() if r.published_at]
    return SiteBuild(out_dir=project, pages=sorted(written), entries=sum(1 for _ in model.all_groups()),
                     versions=n_versions, national=national,
                     last_change=max(published).timestamp() if published else None)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


# Strings a YAML 1.2 reader (ruamel, which govstd's loader uses) could take for a number, bool or null —
# '08', '1.0.0', 'true' — are single-quoted, so a download loads back as exactly the published entry.
_YAML_AMBIGUOUS = re.compile(
    r"[-+]?\.?[0-9]|[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$|(null|Null|NULL|~|true|True|TRUE|false|False|FALSE)$"
)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """PyYAML's C dumper (GB/T 2260 dumps in a fifth of a second; ruamel takes seconds)."""


def _represent_str(dumper: Any, value: str) -> Any:
    style = "'" if _YAML_AMBIGUOUS.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump_yaml(data: Any) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    return text


def _write_downloads(group: EntryGroup, entry: AnyEntry, write: Any) -> None:
    data = entry.model_dump(mode="json", exclude_none=True)
    write(urls.download(group.kind, group.id, entry.version, "json"), _json(data))
    write(urls.download(group.kind, group.id, entry.version, "yaml"),
          f"# {entry.name_zh} {entry.ref} — govstd registry entry\n" + _dump_yaml(data))
    if isinstance(entry, CodeSet):
        write(urls.download(group.kind, group.id, entry.version, "codes.csv"), _codes_csv(entry))
        write(urls.download(group.kind, group.id, entry.version, "codes.json"), _codes_json(entry))


def _codes_csv(entry: CodeSet) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["code", "label_zh", "label_en", "aliases", "level", "parent", "valid_from", "valid_to"])
    for c in entry.codes:
        dates = [d.isoformat() if d else "" for d in (c.valid_from, c.valid_to)]
        writer.writerow([c.code, c.label_zh, c.label_en or "", ";".join(c.aliases), c.level or "", c.parent or "",
                         *dates])
    # A BOM so Excel, which most departments open CSV files with, reads the Chinese as UTF-8.
    return "\ufeff" + buffer.getvalue()


def _codes_json(entry: CodeSet) -> str:
    """The compact table the page's code browser loads: columns once, then one array per code."""
    years = uses_years(entry.codes)
    columns = ["code", "label_zh"]
    optional = {
        "label_en": any(c.label_en for c in entry.codes),
        "aliases": any(c.aliases for c in entry.codes),
        "level": any(c.level for c in entry.codes),
        "parent": any(c.parent for c in entry.codes),
        "valid_from": any(c.valid_from for c in entry.codes),
        "valid_to": any(c.valid_to for c in entry.codes),
    }
    columns += [name for name, present in optional.items() if present]
    rows = []
    for c in entry.codes:
        start, end = code_validity(c, years)
        values: dict[str, Any] = {
            "code": c.code, "label_zh": c.label_zh, "label_en": c.label_en, "aliases": ";".join(c.aliases) or None,
            "level": c.level, "parent": c.parent,
            "valid_from": (int(start) if years and start else start or None),
            "valid_to": (int(end) if years and end else end or None),
        }
        rows.append([values[name] for name in columns])
    data = {"id": entry.id, "version": entry.version, "years": years, "columns": columns, "rows": rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


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
    nav = [f"  - {_q('首页')}: {_q(urls.HOME)}"]
    for kind in KIND_ORDER:
        zh = KIND_LABELS[kind][0]
        nav.append(f"  - {_q(zh)}:")
        nav.append(f"      - {_q(urls.kind_index(kind))}")
        if kind is EntryKind.SERVICE_ITEM and items:
            nav.append(f"      - {_q('事项目录')}: {_q(urls.ITEM_BROWSER)}")
    if dashboard:
        nav.append(f"  - {_q('动态考评')}: {_q(DASHBOARD_HOME)}")
    nav.append(f"  - {_q('责任清单')}: {_q(OWNERS_PAGE)}")
    nav.append(f"  - {_q('发布记录')}: {_q(urls.CHANGES)}")
    nav.append(f"  - {_q('关于')}: {_q(urls.ABOUT)}")
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


def run_mkdocs(config_file: Path, site_dir: Path, *, strict: bool = True) -> list[str]:
    """``mkdocs build [--strict]`` through mkdocs' API; returns warnings, raises if strict and any."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=strict)
        build(config)
    except MkDocsException as exc:
        details = "\n  ".join(collector.messages[:20])
        raise SiteBuildError(f"mkdocs build failed: {exc}" + (f"\n  {details}" if details else "")) from None
    finally:
        logger.removeHandler(collector)
    if strict and collector.messages:
        raise SiteBuildError("mkdocs build --strict: " + "\n  ".join(collector.messages[:20]))
    return collector.messages
