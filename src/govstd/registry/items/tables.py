"""The service-item catalogue's tables (SQLAlchemy Core; created by migration r0003).

They live in their own ``MetaData``, not the ORM ``Base``: a registry is recognised by the ORM
tables (``store.Registry._refuse_foreign``), and a registry made before r0003 must still open and be
upgraded, not refused for lacking these.

- ``catalogue_releases`` — one row per import of the whole catalogue: its number, source file and
  SHA-256, who and when, its state (``importing`` until the merge commits, then ``complete``), the
  resumable checkpoint (``rows_read``: source records consumed by committed chunks) and the counts of
  its diff;
- ``catalogue_items`` — the catalogue as of the newest release: one row per implementation entry
  (实施编码, unique), retired entries kept with the release that retired them;
- ``catalogue_staging`` — rows of the release being imported, each chunk committed with the checkpoint;
  emptied by the merge;
- ``catalogue_rejects`` — rows refused by a release, for its fix list;
- ``catalogue_changes`` — a release's diff: implementation code and added / changed / retired;
- ``catalogue_crosswalks`` / ``catalogue_crosswalk_codes`` — versions of the crosswalk (r0005): local code
  (basic or implementation) → national item code.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

from govstd.registry.tables import UtcDateTime

METADATA = MetaData()

#: The columns an item carries, in the order of the staging and item tables (all text, as written).
ITEM_FIELDS = (
    "implementation_code", "basic_code", "name", "item_type", "department", "item_version", "body",
    "body_uscc", "exercise_level", "region",
)


def _item_columns() -> list[Column[str]]:
    return [
        Column("implementation_code", String(64), nullable=False),
        Column("basic_code", String(32), nullable=False),
        Column("name", Text, nullable=False),
        Column("item_type", String(8)),
        Column("department", Text),
        Column("item_version", String(32)),
        Column("body", Text),
        Column("body_uscc", String(32)),
        Column("exercise_level", String(4)),
        Column("region", String(16)),
        # SHA-256 (hex, first 32) of the fields: "changed" means this differs between two releases.
        Column("row_hash", String(32), nullable=False),
    ]


releases = Table(
    "catalogue_releases", METADATA,
    Column("id", Integer, primary_key=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("state", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("message", Text),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("staged", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("added", Integer),
    Column("changed", Integer),
    Column("retired", Integer),
    Column("unchanged", Integer),
)

items = Table(
    "catalogue_items", METADATA,
    Column("id", Integer, primary_key=True),
    *_item_columns(),
    Column("added_release", Integer, nullable=False),
    Column("changed_release", Integer, nullable=False),
    Column("retired_release", Integer),
    Index("uq_catalogue_items_implementation_code", "implementation_code", unique=True),
    Index("ix_catalogue_items_basic_code", "basic_code"),
    Index("ix_catalogue_items_department", "department"),
    Index("ix_catalogue_items_region", "region", "id"),  # r0006: a region page in index order
    Index("ix_catalogue_items_name", "name"),
)

staging = Table(
    "catalogue_staging", METADATA,
    Column("release_id", Integer, nullable=False),
    Column("source_row", Integer, nullable=False),
    *_item_columns(),
    Index("ix_catalogue_staging_release_code", "release_id", "implementation_code"),
)

rejects = Table(
    "catalogue_rejects", METADATA,
    Column("release_id", Integer, nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("code", Text),
    Column("reason", Text, nullable=False),
    Index("ix_catalogue_rejects_release", "release_id", "source_row"),
)

changes = Table(
    "catalogue_changes", METADATA,
    Column("release_id", Integer, nullable=False),
    Column("implementation_code", String(64), nullable=False),
    Column("change", String(8), nullable=False),
    Index("ix_catalogue_changes_release", "release_id", "change"),
)

# The crosswalk (migration r0005; ``crosswalk.py`` says why): which local codes are one national item.
crosswalks = Table(
    "catalogue_crosswalks", METADATA,
    Column("id", Integer, primary_key=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("release", Integer, nullable=False),  # the catalogue release it was imported against
    Column("source", Text, nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("message", Text),
    Column("imported_at", UtcDateTime(), nullable=False),
    Column("codes", Integer, nullable=False),
)

crosswalk_codes = Table(
    "catalogue_crosswalk_codes", METADATA,
    Column("crosswalk_id", Integer, nullable=False),
    Column("local_code", String(64), nullable=False),
    Column("national_code", String(64), nullable=False),
    Column("national_name", Text),
    Column("source_row", Integer, nullable=False),
    Index("ix_catalogue_crosswalk_codes_local", "crosswalk_id", "local_code"),
    Index("ix_catalogue_crosswalk_codes_national", "crosswalk_id", "national_code"),
)
