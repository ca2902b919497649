"""Catalogue schema (政务数据资源目录) pages: metadata, sharing, every field with its bound standard linked."""

from __future__ import annotations

import json

from govstd.site import urls
from govstd.site.markdown import badge, code, en, esc, h, kv_table, link, table
from govstd.site.model import EntryGroup, SiteModel
from govstd.site.pages.common import DASH, definition, identity_rows, show_value, yes
from govstd.site.pages.owners import owner_section
from govstd.standards.models import CatalogueSchema


def body(model: SiteModel, group: EntryGroup, entry: CatalogueSchema, page: str) -> list[str]:
    share = entry.share
    rows = identity_rows(model, group, entry, page)
    rows[0] = ("资源代码" + en("Resource code"), code(entry.id))
    provider = esc(entry.provider.name) + (f"（{code(entry.provider.code)}）" if entry.provider.code else "")
    rows += [
        ("目录类别" + en("Catalogue class"), h(entry.catalogue_class.label_zh) + en(entry.catalogue_class.value)),
        ("信息资源分类" + en("Classification"), esc(entry.classification) if entry.classification else None),
        ("提供方" + en("Provider"), provider),
        ("资源格式" + en("Format"), esc(entry.format) if entry.format else None),
        ("更新周期" + en("Update cycle"), h(entry.update_cycle.label_zh) + en(entry.update_cycle.value)),
        ("发布日期" + en("Publish date"), h(entry.publish_date.isoformat()) if entry.publish_date else None),
        ("共享类型" + en("Share type"), h(share.share_type.label_zh) + en(share.share_type.value.replace("_", " "))),
        ("共享条件" + en("Share conditions"), esc(share.conditions) if share.conditions else None),
        ("共享方式" + en("Share method"), esc(share.method) if share.method else None),
        ("向社会开放" + en("Open to the public"), yes(entry.open.open_to_public)
         + (f"：{esc(entry.open.conditions)}" if entry.open.conditions else "")),
        ("数据分级" + en("Sensitivity"), h(entry.sensitivity.label_zh) + en(entry.sensitivity.value)),
        ("关联资源" + en("Related resources"), "、".join(code(r) for r in entry.related_resources) or None),
    ]
    lines = [*kv_table(rows), *definition(entry, extra_zh=entry.summary)]
    lines += _fields(model, entry, page)
    lines += owner_section(entry)
    lines += _rules(entry)
    if entry.quality:
        lines += [
            "## 质量要求 <span class=\"gs-en\">Quality settings</span> {#quality}", "",
            "```json", json.dumps(entry.quality, ensure_ascii=False, indent=2, default=str), "```", "",
        ]
    return lines


def _fields(model: SiteModel, entry: CatalogueSchema, page: str) -> list[str]:
    with_notes = any(spec.description or spec.pii is not None for spec in entry.fields)
    rows = []
    for i, spec in enumerate(entry.fields, 1):
        bound = DASH
        for ref in (spec.standard, spec.code_set):
            if not ref:
                continue
            target = model.resolve(ref)
            if target is None:
                bound = f"{code(ref)} " + badge("未解析 · unresolved", "bad", title="注册库中找不到此引用")
            else:
                g, e = target
                bound = link(esc(e.name_zh), urls.rel(page, g.version_page(e))) + f"<br>{code(ref)} → {h(e.version)}"
            break
        flags = []
        if spec.key:
            flags.append(badge("主键 key", "info"))
        if spec.required:
            flags.append(badge("必填 required", "kind"))
        if spec.masked:
            flags.append(badge("已脱敏 masked", "muted"))
        name = code(spec.name) + (f"<br>{esc(spec.name_zh)}" if spec.name_zh else "")
        data_type = h(spec.data_type.label_zh) + (f"({spec.length})" if spec.length else "") + en(spec.data_type.value)
        row = [str(i), name, data_type, " ".join(flags), bound]
        if with_notes:
            notes = [esc(spec.description)] if spec.description else []
            if spec.pii is not None:
                notes.append(f"个人信息：{h(spec.pii.label_zh)}")
            row.append("<br>".join(notes))
        rows.append(row)
    headers = ["#", "信息项 <span class=\"gs-en\">Field</span>", "类型(长度) <span class=\"gs-en\">Type</span>",
               "约束 <span class=\"gs-en\">Constraints</span>", "绑定标准 <span class=\"gs-en\">Bound standard</span>"]
    if with_notes:
        headers.append("说明 <span class=\"gs-en\">Notes</span>")
    return [
        "## 信息项 <span class=\"gs-en\">Fields</span> {#fields}",
        "",
        f"共 {len(entry.fields)} 个信息项；绑定标准链接到其解析到的版本。"
        + en(f"{len(entry.fields)} fields; each bound standard links to the version it resolves to."),
        "",
        '<div class="gs-table gs-table--wide" markdown>',
        "",
        *table(headers, rows, align=("r",)),
        "</div>",
        "",
    ]


_RULE_ZH = {
    "compare": "字段比较 Comparison",
    "id_consistency": "证件号码一致性 ID consistency",
    "range": "取值范围 Range",
    "service_item_registered": "事项已登记 Registered service item",
    "timeliness": "时效性 Timeliness",
}


def _rules(entry: CatalogueSchema) -> list[str]:
    if not entry.rules:
        return []
    rows = []
    for rule in entry.rules:
        data = rule.model_dump(exclude_none=True, exclude={"kind", "id", "description"})
        detail = "，".join(f"{code(k)} = {show_value(v)}" for k, v in data.items())
        rows.append((esc(_RULE_ZH.get(rule.kind, rule.kind)), detail, esc(rule.description or "")))
    return [
        "## 数据集规则 <span class=\"gs-en\">Dataset rules</span> {#rules}",
        "",
        *table(["规则 <span class=\"gs-en\">Rule</span>", "参数 <span class=\"gs-en\">Parameters</span>",
                "说明 <span class=\"gs-en\">Description</span>"], rows),
    ]
