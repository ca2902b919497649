"""mkdocs hooks for govstd sites (named in the generated ``mkdocs.yml`` under ``hooks:``).

After mkdocs-material's search plugin has written ``search/search_index.json``:

- segment the Chinese in the entries of the pages rendered in this build, so lunr can find words inside
  Chinese prose (see :mod:`govstd.site.search`). The lexicon is ``search-lexicon.txt`` beside
  ``mkdocs.yml`` when the generator wrote one, else the built-in words;
- in a dirty build (:mod:`govstd.site.incremental`), which renders only the changed pages, add the previous
  index's entries of every page not rendered, in mkdocs' page order: the index a full build would write.
  In a full build every page is rendered and nothing of the previous index is kept.

If ``GOVSTD_SITE_RENDER_REPORT`` names a file, the URLs of the rendered pages are written into it (the
build report's ``rendered``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

from govstd.site.search import Lexicon, segment

LEXICON_FILE = "search-lexicon.txt"
REPORT_ENV = "GOVSTD_SITE_RENDER_REPORT"  # the same name as govstd.site.incremental.REPORT_ENV

_state: dict[str, Any] = {}


def load_lexicon(config_file: str | None) -> Lexicon:
    if config_file:
        path = Path(config_file).parent / LEXICON_FILE
        if path.is_file():
            return Lexicon.load(path.read_text(encoding="utf-8"))
    return Lexicon()


def _index_path(config: Any) -> Path:
    return Path(config["site_dir"]) / "search" / "search_index.json"


def _page_of(location: str) -> str:
    return location.split("#", 1)[0]


def merge_index(new: dict[str, Any], previous: dict[str, Any] | None, order: list[str],
                rendered: set[str]) -> dict[str, Any]:
    """``new`` (the rendered pages' entries) plus ``previous``'s entries of pages in ``order`` that were
    not rendered, every page's entries together in ``order``."""
    by_page: dict[str, list[Any]] = {}
    if previous is not None:
        for doc in previous.get("docs", []):
            page = _page_of(str(doc.get("location", "")))
            if page not in rendered:
                by_page.setdefault(page, []).append(doc)
    for doc in new.get("docs", []):
        by_page.setdefault(_page_of(str(doc.get("location", ""))), []).append(doc)
    docs = [doc for page in order for doc in by_page.get(page, [])]
    return {**new, "docs": docs}


def segment_docs(docs: list[Any], lexicon: Lexicon) -> None:
    for doc in docs:
        for key in ("title", "text"):
            if isinstance(doc.get(key), str):
                doc[key] = segment(doc[key], lexicon)


def segment_index(index_path: Path, lexicon: Lexicon) -> None:
    """Rewrite a Material search index with the Chinese in titles and texts segmented."""
    data: dict[str, Any] = json.loads(index_path.read_text(encoding="utf-8"))
    segment_docs(data.get("docs", []), lexicon)
    index_path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def on_pre_build(config: Any, **_: Any) -> None:
    # Before mkdocs cleans site_dir (a full build) or the search plugin overwrites the index (a dirty one).
    _state.clear()
    _state["rendered"] = set()
    path = _index_path(config)
    _state["previous"] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def on_files(files: Any, config: Any, **_: Any) -> Any:
    _state["order"] = [f.url for f in files.documentation_pages()]
    return files


def on_page_context(context: Any, page: Any, **_: Any) -> Any:
    _state.setdefault("rendered", set()).add(page.url)
    return context


@event_priority(-100)  # after every plugin: the search plugin writes the index in its on_post_build
def on_post_build(config: Any, **_: Any) -> None:
    rendered: set[str] = _state.get("rendered", set())
    index_path = _index_path(config)
    if index_path.is_file():
        data: dict[str, Any] = json.loads(index_path.read_text(encoding="utf-8"))
        segment_docs(data.get("docs", []), load_lexicon(config.get("config_file_path")))
        order = _state.get("order") or [_page_of(str(d.get("location", ""))) for d in data.get("docs", [])]
        merged = merge_index(data, _state.get("previous"), order, rendered)
        index_path.write_text(json.dumps(merged, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    report = os.environ.get(REPORT_ENV)
    if report:
        Path(report).write_text(json.dumps({"rendered": sorted(rendered)}, ensure_ascii=False), encoding="utf-8")
    _state.clear()
