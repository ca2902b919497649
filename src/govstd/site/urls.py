"""The site's URL scheme — the one place that decides where a page lives.

Every URL is derived from an entry's kind, id and version only, so a page keeps its address for as
long as the registry keeps the version (published versions are never deleted). Paths here are the
Markdown source paths inside the generated ``docs/``; mkdocs turns ``a/b/index.md`` into ``a/b/``.

=====================================  =====================================================
``standards/gb11643/``                 latest version of a field standard
``standards/gb11643/1.0.0/``           one version, forever (superseded and retired included)
``standards/gb11643/history/``         version history
``standards/gb11643/diff/1.0.0-to-1.1.0/``  what changed between two consecutive versions
``standards/gb11643/1.0.0/gb11643-1.0.0.yaml`` / ``.json``  that version, machine-readable
``code-sets/…``, ``catalogues/…``, ``service-items/…``  the same for the other kinds
``schema/govstd-entry.schema.json``    the JSON Schema every entry validates against
``item-catalogue/``                    the service-item catalogue browser (no page per item)
``item-catalogue/data/…``              its JSON shards: ``meta.json``, ``shards/N.json``, ``tokens/N.json``
=====================================  =====================================================
"""

from __future__ import annotations

import posixpath

from govstd.standards.models import EntryKind

#: Top-level folder of each kind of entry.
KIND_DIRS: dict[EntryKind, str] = {
    EntryKind.DATA_ELEMENT: "standards",
    EntryKind.CODE_SET: "code-sets",
    EntryKind.CATALOGUE_SCHEMA: "catalogues",
    EntryKind.SERVICE_ITEM: "service-items",
}

SCHEMA_DIR = "schema"
ENTRY_SCHEMA = f"{SCHEMA_DIR}/govstd-entry.schema.json"
HOME = "index.md"
CHANGES = "changes/index.md"
ABOUT = "about/index.md"
SITE_INDEX_JSON = "index.json"
#: The catalogue browser and its data (a folder no kind uses, so no entry id can clash with it).
ITEM_BROWSER = "item-catalogue/index.md"
ITEM_DATA = "item-catalogue/data"


def changes_page(number: int) -> str:
    """Page ``number`` (1-based) of the publication log."""
    return CHANGES if number <= 1 else f"changes/page/{number}/index.md"


def kind_index_page(kind: EntryKind, number: int) -> str:
    """Page ``number`` (1-based) of a kind's index: the first is the kind's folder itself."""
    return kind_index(kind) if number <= 1 else f"{KIND_DIRS[kind]}/page/{number}/index.md"


def slug(entry_id: str) -> str:
    """URL form of an id. Ids are already URL-safe (``ID_PATTERN``); URLs are lower case."""
    return entry_id.lower()


def kind_index(kind: EntryKind) -> str:
    return f"{KIND_DIRS[kind]}/index.md"


def entry_dir(kind: EntryKind, entry_id: str) -> str:
    return f"{KIND_DIRS[kind]}/{slug(entry_id)}"


def latest_page(kind: EntryKind, entry_id: str) -> str:
    return f"{entry_dir(kind, entry_id)}/index.md"


def version_dir(kind: EntryKind, entry_id: str, version: str) -> str:
    return f"{entry_dir(kind, entry_id)}/{version}"


def version_page(kind: EntryKind, entry_id: str, version: str) -> str:
    return f"{version_dir(kind, entry_id, version)}/index.md"


def history_page(kind: EntryKind, entry_id: str) -> str:
    return f"{entry_dir(kind, entry_id)}/history/index.md"


def diff_dir(kind: EntryKind, entry_id: str, old: str, new: str) -> str:
    return f"{entry_dir(kind, entry_id)}/diff/{old}-to-{new}"


def diff_page(kind: EntryKind, entry_id: str, old: str, new: str) -> str:
    return f"{diff_dir(kind, entry_id, old, new)}/index.md"


def download(kind: EntryKind, entry_id: str, version: str, suffix: str) -> str:
    """A file beside a version page: ``yaml``, ``json``, or ``codes.csv`` / ``codes.json`` for code sets."""
    if suffix.startswith("codes."):
        return f"{version_dir(kind, entry_id, version)}/{suffix}"
    return f"{version_dir(kind, entry_id, version)}/{slug(entry_id)}-{version}.{suffix}"


def kind_schema(kind: EntryKind) -> str:
    return f"{SCHEMA_DIR}/{kind.value}.schema.json"


def url_of(path: str) -> str:
    """The served URL (relative to the site root) of a docs path: ``a/b/index.md`` → ``a/b/``."""
    if path.endswith("index.md"):
        return path[: -len("index.md")]
    if path.endswith(".md"):
        return path[: -len(".md")] + "/"
    return path


def rel(from_page: str, to_path: str) -> str:
    """Relative link from one docs page to another docs file, as mkdocs expects in Markdown links."""
    return posixpath.relpath(to_path, posixpath.dirname(from_page) or ".")
