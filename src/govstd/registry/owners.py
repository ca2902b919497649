"""责任清单 across a registry: who answers for which data items (catalogue schemas and their fields).

Read-only. For every catalogue schema, the version its id resolves to (a candidate or retired version
is not what users get, so it answers for nothing). One row for the schema: its ``owner``, or its
``provider`` when it names none (``declared`` false). One row per field that names an ``owner`` of its
own; every other field is answered for by the schema's row (``inherited_fields`` counts them).
Phones come masked unless ``show_values`` (``govstd.standards.owner``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from govstd.standards.models import CatalogueSchema, EntryKind
from govstd.standards.owner import Owner

if TYPE_CHECKING:
    from govstd.registry.reading import Reading
    from govstd.registry.remote import RemoteRegistry


class OwnedItem(BaseModel):
    """One data item and who answers for it."""

    model_config = ConfigDict(extra="forbid")

    schema_ref: str = Field(description="The catalogue schema, id@version.")
    schema_name_zh: str
    field: str | None = Field(None, description="The field (信息项); None: the schema itself.")
    field_name_zh: str | None = None
    department: str
    contact: str | None = None
    phone: str | None = Field(None, description="Masked unless show_values.")
    declared: bool = Field(description="False when the schema names no owner and its provider stands in.")
    inherited_fields: int = Field(0, ge=0, description="Schema rows: fields answered for by this owner.")


def schema_owner(schema: CatalogueSchema) -> tuple[Owner, bool]:
    """The schema's owner, or its provider standing in (and whether it was declared)."""
    if schema.owner is not None:
        return schema.owner, True
    return Owner(department=schema.provider.name), False


def owned_items(schema: CatalogueSchema, *, show_values: bool = False) -> list[OwnedItem]:
    """The schema's row, then a row per field with an owner of its own (in field order)."""
    owner, declared = schema_owner(schema)
    own = [f for f in schema.fields if f.owner is not None]
    rows = [_row(schema, None, None, owner, show_values, declared=declared,
                 inherited_fields=len(schema.fields) - len(own))]
    rows += [_row(schema, f.name, f.name_zh, f.owner, show_values, declared=True) for f in own if f.owner]
    return rows


def _row(schema: CatalogueSchema, field: str | None, field_name_zh: str | None, owner: Owner, show_values: bool,
         *, declared: bool, inherited_fields: int = 0) -> OwnedItem:
    shown = owner.shown(show_values=show_values)
    return OwnedItem(schema_ref=schema.ref, schema_name_zh=schema.name_zh, field=field, field_name_zh=field_name_zh,
                     department=shown.department, contact=shown.contact, phone=shown.phone, declared=declared,
                     inherited_fields=inherited_fields)


def registry_owners(reading: Reading | RemoteRegistry, *, department: str | None = None,
                    show_values: bool = False) -> list[OwnedItem]:
    """Every owned item of the registry's resolvable catalogue schemas, by department then schema.

    ``department``: keep the rows whose department contains it (case-insensitive; 民政 finds 市民政局).
    """
    items: list[OwnedItem] = []
    for summary in reading.list(EntryKind.CATALOGUE_SCHEMA):
        if summary.latest is None:
            continue
        schema = reading.get(summary.id, summary.latest)
        if isinstance(schema, CatalogueSchema):
            items += owned_items(schema, show_values=show_values)
    if department is not None:
        wanted = department.strip().casefold()
        items = [i for i in items if wanted in i.department.casefold()]
    return sorted(items, key=lambda i: (i.department, i.schema_ref, i.field is not None))
