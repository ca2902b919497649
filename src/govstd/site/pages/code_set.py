"""Code set (代码集) pages: small sets as a table in the page, large ones (GB/T 2260) as a browser fed by
``codes.json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govstd.site import urls
from govstd.site.labels import LEVEL_ZH
from govstd.site.markdown import code, en, esc, h, kv_table, table
from govstd.site.model import EntryGroup, SiteModel
from govstd.site.pages.common import definition, identity_rows
from govstd.standards.models import Code, CodeSet

#: Code sets with more codes than this are shown by a paginated table fed from ``codes.json``
#: (GB/T 2260 has ~7,100): rendering them into the page would make it megabytes heavy.
LARGE_CODE_SET = 300


def uses_years(codes: Sequence[Code]) -> bool:
    dates = [d for c in codes for d in (c.valid_from, c.valid_to) if d is not None]
    return bool(dates) and all(d.month == 1 and d.day == 1 for d in dates)


def code_validity(code_: Code, years: bool) -> tuple[str, str]:
    def fmt(d: Any) -> str:
        if d is None:
            return ""
        return str(d.year) if years else d.isoformat()

    return fmt(code_.valid_from), fmt(code_.valid_to)


def body(model: SiteModel, group: EntryGroup, entry: CodeSet, page: str) -> list[str]:
    total = len(entry.codes)
    in_force = sum(1 for c in entry.codes if c.valid_to is None)
    count = f"{total:,} 个代码" + en(f"{total:,} codes")
    if in_force != total:
        count = f"{total:,} 个代码（现行 {in_force:,}，已停用 {total - in_force:,}）" + en(
            f"{total:,} codes: {in_force:,} in force, {total - in_force:,} withdrawn")
    rows = identity_rows(model, group, entry, page)
    rows.append(("代码数量" + en("Codes"), count))
    if entry.provenance:
        p = entry.provenance
        source = esc(p.source)
        if p.commit:
            source += f"<br>commit {code(p.commit[:12])}"
        rows += [
            ("数据来源" + en("Source"), source),
            ("许可" + en("Licence"), esc(p.licence) if p.licence else None),
            ("数据截止日期" + en("Data as of"), h(p.data_date.isoformat()) if p.data_date else None),
        ]
    lines = [*kv_table(rows), *definition(entry)]
    lines += ["## 代码表 <span class=\"gs-en\">Codes</span> {#codes}", ""]
    if len(entry.codes) > LARGE_CODE_SET:
        lines += _large_code_table(group, entry, page)
    else:
        lines += _small_code_table(entry)
    return lines


def _small_code_table(entry: CodeSet) -> list[str]:
    codes = entry.codes
    years = uses_years(codes)
    has = {
        "en": any(c.label_en for c in codes),
        "aliases": any(c.aliases for c in codes),
        "parent": any(c.parent for c in codes),
        "level": any(c.level for c in codes),
        "dates": any(c.valid_from or c.valid_to for c in codes),
    }
    headers = ["代码 <span class=\"gs-en\">Code</span>", "名称 <span class=\"gs-en\">Name</span>"]
    if has["en"]:
        headers.append("英文名称 <span class=\"gs-en\">English</span>")
    if has["aliases"]:
        headers.append("别名 <span class=\"gs-en\">Aliases</span>")
    if has["level"]:
        headers.append("层级 <span class=\"gs-en\">Level</span>")
    if has["parent"]:
        headers.append("上级 <span class=\"gs-en\">Parent</span>")
    if has["dates"]:
        headers += ["启用 <span class=\"gs-en\">From</span>", "停用 <span class=\"gs-en\">Until</span>"]
    rows = []
    for c in codes:
        row = [code(c.code), esc(c.label_zh)]
        if has["en"]:
            row.append(esc(c.label_en or ""))
        if has["aliases"]:
            row.append("、".join(esc(a) for a in c.aliases))
        if has["level"]:
            row.append(esc(LEVEL_ZH.get(c.level or "", c.level or "")))
        if has["parent"]:
            row.append(code(c.parent) if c.parent else "")
        if has["dates"]:
            start, end = code_validity(c, years)
            row += [h(start), h(end)]
        rows.append(row)
    return [
        '<div class="gs-table" data-gs-filter="按代码或名称筛选 Filter by code or name" markdown>',
        "",
        *table(headers, rows),
        "</div>",
        "",
    ]


def _large_code_table(group: EntryGroup, entry: CodeSet, page: str) -> list[str]:
    """Summary and a client-side table: the codes load from ``codes.json`` beside the version page."""
    years = uses_years(entry.codes)
    levels: dict[str, list[int]] = {}
    for c in entry.codes:
        counts = levels.setdefault(c.level or "", [0, 0])
        counts[0] += 1
        counts[1] += 1 if c.valid_to is None else 0
    lines: list[str] = []
    if any(levels):
        lines += table(
            ["层级 <span class=\"gs-en\">Level</span>", "现行 <span class=\"gs-en\">In force</span>",
             "历年合计 <span class=\"gs-en\">All time</span>"],
            [(esc(LEVEL_ZH.get(level, level)) + en(level), f"{n_now:,}", f"{n_all:,}")
             for level, (n_all, n_now) in levels.items()],
            align=("l", "r", "r"),
        )
    src = urls.rel(page, urls.download(group.kind, group.id, entry.version, "codes.json"))
    csv = urls.rel(page, urls.download(group.kind, group.id, entry.version, "codes.csv"))
    lines += [
        f'<div class="gs-codes" data-src="{h(src)}" data-years="{"1" if years else "0"}">',
        f'<p class="gs-codes__loading">正在载入 {len(entry.codes):,} 个代码… '
        f'<span class="gs-en">Loading {len(entry.codes):,} codes…</span></p>',
        f'<noscript><p>此表需要 JavaScript。请<a href="{h(csv)}">下载 CSV</a>。'
        f'<span class="gs-en">This table needs JavaScript; download the CSV instead.</span></p></noscript>',
        "</div>",
        "",
    ]
    top_level = next((c.level for c in entry.codes if c.level), None)
    if top_level:
        tops = [c for c in entry.codes if c.level == top_level and c.valid_to is None]
        if 0 < len(tops) <= LARGE_CODE_SET:
            label = LEVEL_ZH.get(top_level, top_level)
            lines += [
                f"### 现行{esc(label)}代码 <span class=\"gs-en\">Top-level codes in force</span> {{#top-level}}",
                "",
                '<div class="gs-chips" markdown>',
                "",
                " ".join(f'<span class="gs-chip"><code>{h(c.code)}</code> {h(c.label_zh)}</span>' for c in tops),
                "",
                "</div>",
                "",
            ]
    return lines
