"""责任清单: who answers for a catalogue schema or one of its fields (责任部门, 联系科室, 联系电话).

The 2017 政务信息资源目录编制指南 asks every resource to name its 提供方; a department's 责任清单 goes one
step further and names, per data item, the department and office a user of the data asks when a value is
wrong. A field may be owned by another department than its schema (a 户籍 column kept by 公安 in a
民政 register); a field without ``owner`` is answered for by its schema's owner, and a schema without
``owner`` by its provider (``govstd.registry.owners`` says which).

The phone is personal data: an office line is often one person's direct line, and authors do write a
mobile. It is masked (``138****5678``, the mobile-number rule) in every output govstd writes: the owners
list, ``registry show``, the site (pages, downloads, diffs). Only ``--show-values`` on the CLI shows it
whole; a registry dump (``registry export``) carries it as published, since a dump is the registry's data,
not a display. ``contact`` should name an office or role (数据科), not a person; it is shown as written.

This module is imported by ``models`` (``CatalogueSchema.owner``, ``FieldSpec.owner``), so it imports no
model from there.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: A telephone number as authors write one: an optional +86, digits grouped by spaces, dashes or an area
#: code in parentheses, and an optional extension (转 / ext / -). 5 to 15 digits before the extension
#: cover 12345 hotlines, 8-digit local numbers, 0xx-xxxxxxxx landlines and 11-digit mobiles.
_PHONE_RE = re.compile(r"^(?:\+86[ -]?)?(?:\(0[0-9]{2,3}\)|[0-9])[0-9 \-]{3,16}(?:[ ]?(?:转|ext\.?|x)[ ]?[0-9]{1,6})?$")
_DIGITS_RE = re.compile(r"[0-9]")

M = TypeVar("M", bound=BaseModel)


class Owner(BaseModel):
    """责任方: the department answering for a data item, and how to reach it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    department: str = Field(min_length=1, description="责任部门, e.g. 市民政局.")
    contact: str | None = Field(None, min_length=1,
                                description="联系科室或岗位, e.g. 数据科 (an office or role, not a person).")
    phone: str | None = Field(None, description="联系电话, e.g. 028-12345678. Personal data: masked in every "
                                                "output unless --show-values.", examples=["028-12345678"])

    @field_validator("department", "contact")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value.strip() if value is not None else None

    @field_validator("phone")
    @classmethod
    def _a_phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip()
        if not _PHONE_RE.match(text) or not 5 <= len(_DIGITS_RE.findall(text.split("转")[0])) <= 17:
            # The value itself is not echoed: it may be someone's number.
            raise ValueError("expected a telephone number (digits, spaces, dashes, an area code in parentheses, "
                             "an extension after 转/ext), e.g. 028-12345678 or 028-12345678转123")
        return text

    def shown(self, *, show_values: bool = False) -> Owner:
        """This owner as outputs show it: the phone masked unless ``show_values``."""
        if self.phone is None or show_values:
            return self
        return self.model_copy(update={"phone": mask_phone(self.phone)})


def mask_phone(phone: str) -> str:
    """``phone`` masked by the mobile-number rule (first 3, last 4 kept; a short number shows at most a third)."""
    # Imported here: numbers.mobile imports models, which imports this module.
    from govstd.standards.numbers import mobile

    return mobile.mask(phone)


def shown_owners(entry: M, *, show_values: bool = False) -> M:
    """A copy of ``entry`` whose owner phones (its own and its fields') are masked unless ``show_values``.

    Any entry may be passed: only a catalogue schema has owners, the others come back unchanged.
    """
    if show_values:
        return entry
    update: dict[str, Any] = {}
    owner = getattr(entry, "owner", None)
    if isinstance(owner, Owner):
        update["owner"] = owner.shown()
    fields = getattr(entry, "fields", None)
    if isinstance(fields, list) and any(isinstance(getattr(f, "owner", None), Owner) for f in fields):
        update["fields"] = [f.model_copy(update={"owner": f.owner.shown()}) if isinstance(getattr(f, "owner", None),
                                                                                          Owner) else f for f in fields]
    return entry.model_copy(update=update) if update else entry
