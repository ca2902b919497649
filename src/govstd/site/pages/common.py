"""Pieces every entry page shares: header and status banners, identity table, downloads, versions."""

from __future__ import annotations

import json
from typing import Any

from govstd.site import urls
from govstd.site.labels import KIND_LABELS, STATUS_EN
from govstd.site.markdown import admonition, badge, code, en, esc, h, link, status_badge, table
from govstd.site.model import EntryGroup, SiteModel, semver_key
from govstd.site.search import SEARCH_KEYWORDS
from govstd.standards.models import AnyEntry, CodeSet, RegistrationStatus

DASH = '<span class="gs-muted">—</span>'



def standard_number(entry: AnyEntry) -> str | None:
    ref = entry.reference
    if ref is None:
        return None
    clause = f"，第 {esc(ref.clause)} 条 <span class=\"gs-en\">clause {h(ref.clause)}</span>" if ref.clause else ""
    return f"**{esc(ref.standard)}**{clause}"


def display_name(entry: AnyEntry) -> str:
    """Short label for nav and lists: the standard number when there is one, else the id."""
    return entry.reference.standard if entry.reference else entry.id


def keywords(entry: AnyEntry) -> list[str]:
    words = list(SEARCH_KEYWORDS.get(entry.id, ()))
    return [w for w in words if w not in entry.aliases]


_PRE_STANDARD = frozenset({
    RegistrationStatus.NOT_PROGRESSED, RegistrationStatus.INCOMPLETE, RegistrationStatus.CANDIDATE,
    RegistrationStatus.RECORDED, RegistrationStatus.QUALIFIED,
})
_WITHDRAWN = frozenset({RegistrationStatus.SUPERSEDED, RegistrationStatus.RETIRED})


def status_banner(group: EntryGroup, entry: AnyEntry, page: str, *, latest_page: bool) -> list[str]:
    """Superseded, retired, not-yet-standard and not-current versions say so before anything else."""
    status = group.status(entry)
    current = group.latest
    is_current = entry.version == current.version
    current_link = link(esc(current.version), urls.rel(page, group.latest_page))
    out: list[str] = []
    if status == RegistrationStatus.RETIRED:
        out += admonition("danger", "已废止 Retired", [
            f"此版本（{esc(entry.version)}）已废止，不得在新的系统或数据集中使用。"
            + ("" if is_current else f"现行版本：{current_link}。"),
            "",
            '<span class="gs-en">This version is retired and must not be used in new systems or datasets.</span>',
        ])
    elif status == RegistrationStatus.SUPERSEDED:
        successor = group.next(entry) if is_current else current
        replaced_by = "" if successor is None else (
            f"已被 {link(esc(successor.version), urls.rel(page, group.version_page(successor)))} 替代。")
        out += admonition("warning", "已替代 Superseded", [
            f"此版本（{esc(entry.version)}）{replaced_by}本页面永久保留，供已按此版本交换的数据查阅。",
            "",
            '<span class="gs-en">This version has been superseded. The page stays here so data exchanged under '
            "it can still be read against it.</span>",
        ])
    elif status in _PRE_STANDARD:
        out += admonition("note", f"{status.label_zh} {STATUS_EN[status]}", [
            f"此版本的注册状态为“{status.label_zh}”，尚未成为标准，内容可能调整。",
            "",
            f'<span class="gs-en">Registration status {STATUS_EN[status]}: not yet a standard; '
            "the content may still change.</span>",
        ])
    if not latest_page and not is_current and status not in _WITHDRAWN:
        out += admonition("info", "非现行版本 Not the current version", [
            f"您正在查看 {esc(entry.version)} 版。现行版本为 {current_link}。"
            + en(f"You are reading {entry.version}; the current version is {current.version}."),
        ])
    if latest_page:
        newer = [e for e in group.versions if semver_key(e.version) > semver_key(entry.version)]
        if newer:
            items = "、".join(
                link(esc(e.version), urls.rel(page, group.version_page(e))) + f"（{h(group.status(e).label_zh)}）"
                for e in newer
            )
            out += admonition("tip", "有更新的版本 Newer versions", [
                f"已发布但尚未成为现行标准的较新版本：{items}。"
                + en("Published, but not (yet) the current standard."),
            ])
    return out


def breadcrumbs(group: EntryGroup, page: str, *tail: str) -> list[str]:
    """``代码集 › 人的性别代码 › …`` for pages outside the navigation (versions, history, diffs)."""
    zh = KIND_LABELS[group.kind][0]
    parts = [
        link(h(zh), urls.rel(page, urls.kind_index(group.kind))),
        link(esc(group.latest.name_zh), urls.rel(page, group.latest_page)),
        *tail,
    ]
    return [" › ".join(parts), '{: .gs-crumbs }', ""]


def header(model: SiteModel, group: EntryGroup, entry: AnyEntry, page: str, *, latest_page: bool) -> list[str]:
    zh, en_singular, _ = KIND_LABELS[group.kind]
    status = group.status(entry)
    chips = [
        badge(f"{h(zh)} · {h(en_singular)}", "kind"),
        status_badge(status),
        badge(f"v{h(entry.version)}", "version", title="版本 Version"),
    ]
    if entry.version == group.latest.version:
        chips.append(badge("现行 · Current", "current", title="注册库解析 @latest 得到的版本"))
    if entry.reference:
        chips.append(badge(h(entry.reference.standard), "std", title="标准编号 Standard number"))
    lines = [] if latest_page else breadcrumbs(group, page, f"{esc(entry.version)}")
    lines += [f"# {esc(entry.name_zh)}", ""]
    if entry.name_en:
        lines += [f'<p class="gs-subtitle" lang="en">{h(entry.name_en)}</p>', ""]
    lines += ['<div class="gs-badges">' + " ".join(chips) + "</div>", ""]
    lines += status_banner(group, entry, page, latest_page=latest_page)
    return lines


def identity_rows(model: SiteModel, group: EntryGroup, entry: AnyEntry, page: str) -> list[tuple[str, str | None]]:
    status = group.status(entry)
    ref = entry.reference
    title = None
    if ref and (ref.title_zh or ref.title_en):
        title = esc(ref.title_zh or "") + en(ref.title_en)
    aka = [*entry.aliases, *keywords(entry)]
    record = group.record(entry)
    published = None
    if record.published_at is not None:
        published = h(record.published_at.strftime("%Y-%m-%d %H:%M UTC" if record.published_at.tzinfo else "%Y-%m-%d"))
        if record.published_by:
            published += f"（{esc(record.published_by)}）"
    versions = f"{esc(entry.version)} · " + link("版本历史 <span class=\"gs-en\">History</span>",
                                                 urls.rel(page, group.history_page))
    return [
        ("标识符" + en("Identifier"), code(entry.id)),
        ("版本" + en("Version"), versions),
        ("注册状态" + en("Registration status"), status_badge(status)),
        ("标准编号" + en("Standard"), standard_number(entry)),
        ("标准名称" + en("Standard title"), title),
        ("注册机构" + en("Registration authority"), esc(entry.registration_authority or "") or None),
        ("提交机构" + en("Submitting organisation"), esc(entry.submitting_organisation or "") or None),
        ("同义名称" + en("Also known as"), "、".join(esc(a) for a in aka) or None),
        ("发布" + en("Published"), published),
    ]


def definition(entry: AnyEntry, *, extra_zh: str | None = None) -> list[str]:
    texts = [t for t in (extra_zh, entry.definition_zh) if t]
    if not texts and not entry.definition_en:
        return []
    lines = ["## 定义 <span class=\"gs-en\">Definition</span> {#definition}", ""]
    for text in texts:
        lines += [esc(text), ""]
    if entry.definition_en:
        lines += [f'<p class="gs-en-block" lang="en">{h(entry.definition_en)}</p>', ""]
    return lines


def downloads(group: EntryGroup, entry: AnyEntry, page: str) -> list[str]:
    def file(suffix: str) -> str:
        return urls.rel(page, urls.download(group.kind, group.id, entry.version, suffix))

    items = [
        f"- :material-file-document-outline: {link('YAML', file('yaml'))} — 本版本的完整内容（可直接发布到注册库）"
        f"{en('this version, ready to publish to a registry')}",
        f"- :material-code-json: {link('JSON', file('json'))} — 同上，JSON 格式{en('the same as JSON')}",
        f"- :material-check-decagram-outline: "
        f"{link('JSON Schema', urls.rel(page, urls.kind_schema(group.kind)))} — "
        f"校验上述文件的模式{en('the schema those files validate against')}"
        f"（{link('所有类型 all kinds', urls.rel(page, urls.ENTRY_SCHEMA))}）",
    ]
    if isinstance(entry, CodeSet):
        items.insert(2, f"- :material-table-arrow-down: {link('CSV', file('codes.csv'))} — "
                        f"代码表，UTF-8 带 BOM，可用 Excel 打开{en('the codes, UTF-8 with BOM for Excel')}")
    return [
        "## 下载 <span class=\"gs-en\">Downloads</span> {#downloads}",
        "",
        *items,
        "",
        f"命令行 <span class=\"gs-en\">CLI</span>：{code(f'govstd registry show {entry.id}@{entry.version}')}",
        "",
    ]


def versions_section(group: EntryGroup, entry: AnyEntry, page: str) -> list[str]:
    rows = []
    for other in reversed(group.versions):
        record = group.record(other)
        name = esc(other.version)
        if other.version == entry.version:
            name = f"**{name}**（本页 this page）"
        else:
            name = link(name, urls.rel(page, group.version_page(other)))
        previous = group.previous(other)
        diff = link("变更 <span class=\"gs-en\">changes</span>", urls.rel(page, group.diff_page(previous, other))) \
            if previous else DASH
        date = h(record.published_at.date().isoformat()) if record.published_at else DASH
        rows.append((name, status_badge(record.status), date, diff))
    return [
        "## 版本 <span class=\"gs-en\">Versions</span> {#versions}",
        "",
        *table(["版本 <span class=\"gs-en\">Version</span>", "注册状态 <span class=\"gs-en\">Status</span>",
                "发布日期 <span class=\"gs-en\">Published</span>", "与上一版本比较 <span class=\"gs-en\">Diff</span>"],
               rows),
        link("完整版本历史 <span class=\"gs-en\">Full history</span>", urls.rel(page, group.history_page)),
        "",
    ]


def used_by(model: SiteModel, group: EntryGroup, page: str) -> list[str]:
    bindings = model.used_by(group)
    if not bindings:
        return []
    rows = [
        (link(esc(b.catalogue.latest.name_zh), urls.rel(page, b.catalogue.latest_page)), code(b.catalogue.id),
         code(b.field), code(b.ref) + " → " + link(esc(b.target.version), urls.rel(page, group.version_page(b.target))))
        for b in bindings
    ]
    return [
        "## 引用此标准的资源目录 <span class=\"gs-en\">Used by catalogues</span> {#used-by}",
        "",
        "现行资源目录中绑定本标准的信息项，以及其版本范围解析到的版本。"
        + en("Fields of current catalogue schemas bound to this standard, and the version their range resolves to."),
        "",
        *table(["资源目录 <span class=\"gs-en\">Catalogue</span>", "资源代码 <span class=\"gs-en\">Code</span>",
                "信息项 <span class=\"gs-en\">Field</span>", "引用 <span class=\"gs-en\">Reference</span>"], rows),
    ]


def show_value(value: Any, limit: int = 160) -> str:
    if value is None:
        return DASH
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float):
        text = json.dumps(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return code(text)


def yes(flag: bool) -> str:
    return "是 <span class=\"gs-en\">yes</span>" if flag else "否 <span class=\"gs-en\">no</span>"
