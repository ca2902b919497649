"""责任清单 on the site: the owner block of a catalogue page, and one index of who owns which data items.

Both read ``govstd.registry.owners.owned_items`` (the same rows as ``govstd registry owners``), for the
version each catalogue's id resolves to. The site is public: phones are always masked (the site model
masks every entry; ``owned_items`` masks again, which leaves a masked phone as it is).
"""

from __future__ import annotations

from govstd.registry.owners import OwnedItem, owned_items
from govstd.site import urls
from govstd.site.markdown import code, en, esc, front_matter, h, link, table
from govstd.site.model import SiteModel
from govstd.standards.models import CatalogueSchema, EntryKind

#: Where the owners index lives (beside the kind indexes).
OWNERS_PAGE = "owners/index.md"

_HEADERS = ["责任部门 <span class=\"gs-en\">Department</span>", "联系 <span class=\"gs-en\">Contact</span>",
            "电话 <span class=\"gs-en\">Phone</span>"]


def _who(item: OwnedItem) -> list[str]:
    department = esc(item.department) + ("" if item.declared else " " + en("（提供方 provider）"))
    return [department, esc(item.contact or ""), code(item.phone) if item.phone else ""]


def owner_section(entry: CatalogueSchema) -> list[str]:
    """The catalogue page's 责任方 section: the schema's owner and every field owned by someone else."""
    items = owned_items(entry)
    rows = [[("整个目录" + en(f"whole schema, {i.inherited_fields} fields")) if i.field is None
             else code(i.field) + (f" {esc(i.field_name_zh)}" if i.field_name_zh else ""), *_who(i)] for i in items]
    return [
        "## 责任方 <span class=\"gs-en\">Owners</span> {#owners}",
        "",
        "谁对这些数据负责；电话已脱敏。" + en("Who answers for this data; phones are masked."),
        "",
        '<div class="gs-table" markdown>',
        "",
        *table(["数据项 <span class=\"gs-en\">Data item</span>", *_HEADERS], rows),
        "</div>",
        "",
    ]


def owners_page(model: SiteModel) -> str:
    """One table: every department and the data items (schemas, fields) it answers for."""
    page = OWNERS_PAGE
    items: list[tuple[OwnedItem, str]] = []
    for group in model.groups[EntryKind.CATALOGUE_SCHEMA]:
        if isinstance(group.latest, CatalogueSchema):
            items += [(i, group.latest_page) for i in owned_items(group.latest)]
    items.sort(key=lambda pair: (pair[0].department, pair[0].schema_ref, pair[0].field is not None))
    lines = ["# 责任清单", "", '<p class="gs-subtitle" lang="en">Data owners</p>', "",
             "每个目录及其信息项由哪个部门负责（未声明责任方的目录由其提供方负责）。电话已脱敏。"
             + en("Which department answers for each catalogue schema and field (a schema naming no owner is its "
                  "provider's). Phones are masked."), ""]
    if not items:
        return front_matter({"title": "责任清单 Data owners"}) + "\n".join(
            [*lines, "注册库中暂无目录。" + en("No catalogue schemas in the registry yet."), ""]) + "\n"
    rows = []
    for item, target in items:
        schema = link(esc(item.schema_name_zh), urls.rel(page, target)) + f"<br>{code(item.schema_ref)}"
        what = (h("整个目录") + en(f"whole schema, {item.inherited_fields} fields") if item.field is None
                else code(item.field) + (f" {esc(item.field_name_zh)}" if item.field_name_zh else ""))
        rows.append([*_who(item), schema, what])
    lines += ['<div class="gs-table gs-index" data-gs-filter="筛选 Filter" markdown>', "",
              *table([*_HEADERS, "目录 <span class=\"gs-en\">Catalogue</span>",
                      "数据项 <span class=\"gs-en\">Data item</span>"], rows),
              "</div>", ""]
    return front_matter({"title": "责任清单 Data owners", "hide": ["toc"]}) + "\n".join(lines) + "\n"
