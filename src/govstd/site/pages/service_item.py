"""Service item (政务服务事项) pages: item type, legal basis, the implementation list."""

from __future__ import annotations

from govstd.site.markdown import code, en, esc, h, kv_table, table
from govstd.site.model import EntryGroup, SiteModel
from govstd.site.pages.common import DASH, definition, identity_rows
from govstd.standards.models import ServiceItem


def body(model: SiteModel, group: EntryGroup, entry: ServiceItem, page: str) -> list[str]:
    from govstd.standards.numbers.service_item import EXERCISE_LEVELS, ITEM_TYPES

    rows = identity_rows(model, group, entry, page)
    rows[0] = ("基本编码" + en("Basic code"), code(entry.id))
    rows += [
        ("事项类型" + en("Item type"), f"{code(entry.item_type)} {esc(ITEM_TYPES.get(entry.item_type, '未知类型'))}"),
        ("事项版本" + en("Item version"), str(entry.item_version)),
        ("主管部门" + en("Department"), esc(entry.department) if entry.department else None),
        ("设定依据" + en("Legal basis"), "<br>".join(esc(b) for b in entry.legal_basis) or None),
    ]
    lines = [*kv_table(rows), *definition(entry)]
    if entry.implementations:
        impl_rows = [
            (esc(i.body_name), code(i.body_uscc) if i.body_uscc else DASH, code(i.implementation_code),
             (f"{h(i.exercise_level)} {h(EXERCISE_LEVELS.get(i.exercise_level, ''))}" if i.exercise_level else DASH),
             code(i.region_code) if i.region_code else DASH)
            for i in entry.implementations
        ]
        lines += [
            "## 实施清单 <span class=\"gs-en\">Implementations</span> {#implementations}",
            "",
            '<div class="gs-table" markdown>',
            "",
            *table(["实施主体 <span class=\"gs-en\">Implementing body</span>",
                    "统一社会信用代码 <span class=\"gs-en\">USCC</span>",
                    "实施编码 <span class=\"gs-en\">Implementation code</span>",
                    "行使层级 <span class=\"gs-en\">Level</span>",
                    "行政区划 <span class=\"gs-en\">Region</span>"], impl_rows),
            "</div>",
            "",
        ]
    return lines
