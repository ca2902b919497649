"""The page of one version of one entry; the kind-specific body comes from the module of its kind."""

from __future__ import annotations

from govstd.site.markdown import front_matter, h
from govstd.site.model import EntryGroup, SiteModel
from govstd.site.pages import catalogue, code_set, data_element, service_item
from govstd.site.pages.common import downloads, header, keywords, used_by, versions_section
from govstd.standards.models import AnyEntry, CatalogueSchema, CodeSet, DataElement, ServiceItem


def entry_page(model: SiteModel, group: EntryGroup, entry: AnyEntry, page: str, *, latest_page: bool) -> str:
    """The page of one version (``latest_page``: the same content at the entry's version-less URL)."""
    meta: dict[str, object] = {
        "title": f"{entry.name_zh} {entry.version}" if not latest_page else entry.name_zh,
        # Themes put this in <meta content="…"> unescaped: escape it here, it is registry text.
        "description": h((entry.definition_zh or entry.name_en or entry.name_zh)[:160]),
    }
    if latest_page:
        tags = [t for t in (*entry.aliases, *keywords(entry)) if t]
        if tags:
            meta["tags"] = tags
        meta["search"] = {"boost": 2}
    else:
        # One search hit per entry: the current page. Old versions are reached from its history.
        meta["search"] = {"exclude": True}
        meta["hide"] = ["navigation"]
    lines = header(model, group, entry, page, latest_page=latest_page)
    if isinstance(entry, DataElement):
        lines += data_element.body(model, group, entry, page)
    elif isinstance(entry, CodeSet):
        lines += code_set.body(model, group, entry, page)
    elif isinstance(entry, CatalogueSchema):
        lines += catalogue.body(model, group, entry, page)
    elif isinstance(entry, ServiceItem):
        lines += service_item.body(model, group, entry, page)
    lines += used_by(model, group, page)
    lines += downloads(group, entry, page)
    lines += versions_section(group, entry, page)
    return front_matter(meta) + "\n".join(lines) + "\n"
