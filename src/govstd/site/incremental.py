"""Rebuilding the site without rendering it all again: skip mkdocs, or render only the pages that changed.

A full mkdocs render of the library + 1,000 catalogue schemas takes minutes, and it used to run on every
build even when nothing had been published. The build keeps a cache directory beside the output (by
default ``.<out>.govstd-cache``, see :func:`default_cache_dir`) holding:

- ``project/`` — the generated mkdocs project (``mkdocs.yml`` + ``docs/``), written file by file only
  where the bytes differ (:class:`ProjectWriter`), so an unchanged page keeps its modification time;
- ``html/`` — the previous mkdocs output (what is copied into the output directory);
- ``state.json`` — two digests of the previous build's inputs (:func:`digest_inputs`): ``config``
  (``mkdocs.yml``, the search lexicon, the hooks, govstd/mkdocs/Material versions, strictness) and
  ``inputs`` (``config`` + every generated file + the build date).

Then a build is one of three modes (:func:`plan`):

- ``skipped`` — ``inputs`` equal the previous build's: mkdocs does not run; ``html/`` is the result;
- ``partial`` — only ``config`` is equal: mkdocs runs ``dirty`` into ``html/``, rendering pages whose
  Markdown is newer than their HTML (the changed ones) plus the pages of the nav (their titles appear on
  every page and an unread page has none), after the HTML of pages no longer generated is removed;
  the search index is merged by the hooks (:mod:`govstd.site.hooks`) from the previous index's entries of
  unrendered pages and the rendered pages' new ones, in mkdocs' page order — the same index a full build
  writes;
- ``full`` — anything else (first build, damaged or missing cache, new theme/config/lexicon): a clean build.

The cache is only an accelerator: deleting it costs one full build. The state is removed before mkdocs
runs and written after it succeeds, so an interrupted build is followed by a full one. What a partial
render cannot see: a link from an unchanged page to an anchor or page that a changed page removed is not
re-validated (``--strict`` checks it on the next full build); the registry never removes published URLs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from govstd import __version__

STATE = "state.json"
#: Environment variable naming the file the hooks report the rendered pages' URLs into.
REPORT_ENV = "GOVSTD_SITE_RENDER_REPORT"
#: Bumped when the cache's layout or the merge changes, so an older cache is never trusted.
CACHE_FORMAT = 1


def default_cache_dir(out: Path) -> Path:
    """``.<name>.govstd-cache`` beside the output directory: outside it, so it is never deployed."""
    return out.parent / f".{out.name}.govstd-cache"


class ProjectWriter:
    """Writes the generated mkdocs project, touching only files whose bytes changed, and removes the
    files of the previous generation that this one no longer produces."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.written: set[str] = set()
        #: Project-relative paths whose content is new or changed in this generation.
        self.changed: list[str] = []
        self.removed: list[str] = []

    def write(self, rel: str, text: str) -> None:
        data = text.encode("utf-8")
        target = self.project / rel
        self.written.add(rel)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                return
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.changed.append(rel)

    def finish(self) -> None:
        """Remove stale files under ``docs/`` (pages of entries no longer generated)."""
        docs = self.project / "docs"
        if not docs.is_dir():
            return
        for path in sorted(docs.rglob("*")):
            if path.is_file():
                rel = path.relative_to(self.project).as_posix()
                if rel not in self.written:
                    path.unlink()
                    self.removed.append(rel)


def _versions() -> str:
    found = []
    for name in ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown"):
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return ";".join(found)


def digest_inputs(project: Path, files: Iterable[str], *, config_files: Iterable[str], strict: bool,
                  build_date: float | None) -> tuple[str, str]:
    """``(config, inputs)`` digests of the generated project (see the module docstring)."""
    hooks = Path(__file__).with_name("hooks.py").read_bytes()
    config = hashlib.sha256()
    config.update(f"{CACHE_FORMAT}|govstd {__version__}|{_versions()}|strict={strict}\n".encode())
    config.update(hashlib.sha256(hooks).digest())
    for rel in sorted(config_files):
        config.update(rel.encode() + b"\0" + hashlib.sha256((project / rel).read_bytes()).digest())
    inputs = hashlib.sha256(config.digest())
    inputs.update(f"date={build_date}\n".encode())
    for rel in sorted(files):
        inputs.update(rel.encode() + b"\0" + hashlib.sha256((project / rel).read_bytes()).digest())
    return config.hexdigest(), inputs.hexdigest()


@dataclass
class Plan:
    mode: str  # "skipped" | "partial" | "full"
    config: str
    inputs: str


class BuildCache:
    """The cache directory of one output directory (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "project"
        self.html = root / "html"

    def state(self) -> dict[str, Any]:
        try:
            data = json.loads((self.root / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def plan(self, config: str, inputs: str) -> Plan:
        state = self.state()
        usable = self.html.is_dir() and state.get("format") == CACHE_FORMAT
        if usable and state.get("inputs") == inputs:
            return Plan("skipped", config, inputs)
        if usable and state.get("config") == config:
            return Plan("partial", config, inputs)
        return Plan("full", config, inputs)

    def begin(self) -> None:
        """Forget the state before mkdocs touches ``html/``: a crash mid-build means a full build next."""
        (self.root / STATE).unlink(missing_ok=True)
        self.html.mkdir(parents=True, exist_ok=True)

    def commit(self, plan: Plan) -> None:
        (self.root / STATE).write_text(json.dumps(
            {"format": CACHE_FORMAT, "config": plan.config, "inputs": plan.inputs}) + "\n", encoding="utf-8")

    def prepare_partial(self, removed_docs: Iterable[str], forced_pages: Iterable[str]) -> None:
        """Before a dirty render: drop the HTML of removed docs files (mkdocs never deletes anything in
        a dirty build) and of ``forced_pages`` (docs-relative ``.md``), so mkdocs renders those again."""
        for rel in [*removed_docs, *forced_pages]:
            target = self.html / dest_of(rel)
            if target.is_file():
                target.unlink()

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def dest_of(docs_rel: str) -> str:
    """Where mkdocs (``use_directory_urls: true``) writes the docs file ``docs_rel``."""
    if not docs_rel.endswith(".md"):
        return docs_rel
    stem = docs_rel[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def read_report(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(u) for u in data.get("rendered", [])]


def report_env(path: Path) -> dict[str, str]:
    return {REPORT_ENV: os.fspath(path)}
