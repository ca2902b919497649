"""mkdocs hooks for govstd sites (named in the generated ``mkdocs.yml`` under ``hooks:``).

After mkdocs-material's search plugin has written ``search/search_index.json``, segment the Chinese in
it so lunr can find words inside Chinese prose (see :mod:`govstd.site.search`). The lexicon is
``search-lexicon.txt`` beside ``mkdocs.yml`` when the generator wrote one, else the built-in words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

from govstd.site.search import Lexicon, segment

LEXICON_FILE = "search-lexicon.txt"


def load_lexicon(config_file: str | None) -> Lexicon:
    if config_file:
        path = Path(config_file).parent / LEXICON_FILE
        if path.is_file():
            return Lexicon.load(path.read_text(encoding="utf-8"))
    return Lexicon()


def segment_index(index_path: Path, lexicon: Lexicon) -> None:
    """Rewrite a Material search index with the Chinese in titles and texts segmented."""
    data: dict[str, Any] = json.loads(index_path.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        for key in ("title", "text"):
            if isinstance(doc.get(key), str):
                doc[key] = segment(doc[key], lexicon)
    index_path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


@event_priority(-100)  # after every plugin: the search plugin writes the index in its on_post_build
def on_post_build(config: Any, **_: Any) -> None:
    index_path = Path(config["site_dir"]) / "search" / "search_index.json"
    if index_path.is_file():
        segment_index(index_path, load_lexicon(config.get("config_file_path")))
