"""Version history and diff pages: what changed between consecutive versions, and whether it breaks."""

from __future__ import annotations

import json
from typing import Any

from govstd.site import urls
from govstd.site.labels import BUMP_ZH, CHANGE_KIND_ZH
from govstd.site.markdown import (
    admonition,
    badge,
    code,
    en,
    esc,
    front_matter,
    h,
    kv_table,
    link,
    status_badge,
    table,
)
from govstd.site.model import EntryGroup, SiteModel, bump_between
from govstd.site.pages.common import DASH, breadcrumbs, show_value
from govstd.site.source import ChangeRecord, DiffRecord
from govstd.standards.models import AnyEntry

#: Diff pages list at most this many changes; the full diff is in ``diff.json`` beside the page.
DIFF_ROWS = 400


def history_page(model: SiteModel, group: EntryGroup) -> str:
    page = group.history_page
    latest = group.latest
    rows = []
    for entry in reversed(group.versions):
        record = group.record(entry)
        previous = group.previous(entry)
        version = link(f"**{esc(entry.version)}**", urls.rel(page, group.version_page(entry)))
        if entry.version == latest.version:
            version += " " + badge("现行 · Current", "current")
        when = h(record.published_at.strftime("%Y-%m-%d %H:%M")) if record.published_at else DASH
        who = esc(record.published_by) if record.published_by else DASH
        digest = f'<code title="{h(record.content_hash)}">{h(record.content_hash[:12])}</code>' \
            if record.content_hash else DASH
        diff = DASH
        if previous is not None:
            bump = bump_between(previous.version, entry.version)
            target = urls.rel(page, group.diff_page(previous, entry))
            diff = link(f"{esc(previous.version)} → {esc(entry.version)}", target)
            diff += f"<br><span class=\"gs-muted\">{h(BUMP_ZH.get(bump, bump))}</span>"
        message = esc(record.message) if record.message else ""
        rows.append((version, status_badge(record.status), when, who, message, diff, digest))
    meta: dict[str, object] = {"title": f"{latest.name_zh} · 版本历史", "search": {"exclude": True},
                               "hide": ["navigation"]}
    lines = [
        *breadcrumbs(group, page, "版本历史 History"),
        f"# {esc(latest.name_zh)}：版本历史",
        "",
        f'<p class="gs-subtitle" lang="en">Version history{" · " + h(latest.name_en) if latest.name_en else ""}</p>',
        "",
        f"{code(group.id)} 共发布 {len(group.versions)} 个版本。"
        "每个版本的页面永久保留，已替代和已废止的版本同样可以访问。"
        + en(f"{len(group.versions)} published versions. Every version keeps its page, superseded and "
             "retired ones included."),
        "",
        f"{link('← 现行版本 Current version', urls.rel(page, group.latest_page))}",
        "",
        *table(["版本 <span class=\"gs-en\">Version</span>", "注册状态 <span class=\"gs-en\">Status</span>",
                "发布时间 <span class=\"gs-en\">Published</span>", "发布人 <span class=\"gs-en\">By</span>",
                "说明 <span class=\"gs-en\">Message</span>", "变更 <span class=\"gs-en\">Changes</span>",
                "内容摘要 <span class=\"gs-en\">Content hash</span>"], rows),
    ]
    return front_matter(meta) + "\n".join(lines) + "\n"


def _list_delta(old: list[Any], new: list[Any]) -> tuple[str, str] | None:
    """For a changed list, only what left and what came (a full list repeated twice is unreadable)."""

    def key(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False, sort_keys=True, default=str)

    old_keys, new_keys = {key(i) for i in old}, {key(i) for i in new}
    removed = [i for i in old if key(i) not in new_keys]
    added = [i for i in new if key(i) not in old_keys]
    if not removed and not added:
        return None  # reordered only: show both lists

    def items(values: list[Any], sign: str) -> str:
        return "<br>".join(f"{sign} {show_value(v, limit=100)}" for v in values[:5]) + (
            f"<br>… {len(values) - 5} more" if len(values) > 5 else "")
    return (items(removed, "−") if removed else DASH, items(added, "+") if added else DASH)


def _change_row(change: ChangeRecord) -> tuple[str, ...]:
    kind = CHANGE_KIND_ZH.get(change.kind, change.kind)
    impact = badge("破坏兼容 · breaking", "bad") if change.breaking else badge("兼容 · compatible", "ok")
    if change.reason:
        impact += f"<br>{esc(change.reason)}"
    old, new = show_value(change.old), show_value(change.new)
    if isinstance(change.old, list) and isinstance(change.new, list):
        delta = _list_delta(change.old, change.new)
        if delta is not None:
            old, new = delta
    return (code(change.path or "(entry)"), f"{h(kind)}" + en(change.kind), old, new, impact)


def diff_page(model: SiteModel, group: EntryGroup, old: AnyEntry, new: AnyEntry, diff: DiffRecord) -> str:
    page = group.diff_page(old, new)
    record = group.record(new)
    actual = bump_between(old.version, new.version)
    breaking = diff.breaking
    meta: dict[str, object] = {"title": f"{new.name_zh} · {old.version} → {new.version}",
                               "search": {"exclude": True}, "hide": ["navigation"]}
    lines = [
        *breadcrumbs(group, page, link("版本历史 History", urls.rel(page, group.history_page)),
                     f"{esc(old.version)} → {esc(new.version)}"),
        f"# {esc(new.name_zh)}：{esc(old.version)} → {esc(new.version)}",
        "",
        f'<p class="gs-subtitle" lang="en">What changed{" · " + h(new.name_en) if new.name_en else ""}</p>',
        "",
        '<div class="gs-badges">'
        + (badge("不兼容 · Breaking", "bad") if not diff.compatible else badge("兼容 · Compatible", "ok"))
        + " " + badge(f"{len(diff.changes)} 处变更 · changes", "kind")
        + (" " + badge(f"兼容级别 {h(diff.compatibility)}", "info",
                       title="两个版本之间保持的最强兼容性 The strongest guarantee the pair keeps")
           if diff.compatibility else "")
        + "</div>",
        "",
    ]
    old_link = link(f"{esc(old.version)}", urls.rel(page, group.version_page(old)))
    new_link = link(f"{esc(new.version)}", urls.rel(page, group.version_page(new)))
    summary = [f"从 {old_link}（{h(group.status(old).label_zh)}）到 {new_link}（{h(group.status(new).label_zh)}）。"]
    if record.published_at:
        summary[0] += f" 发布于 {h(record.published_at.strftime('%Y-%m-%d %H:%M'))}"
        summary[0] += f"，发布人 {esc(record.published_by)}。" if record.published_by else "。"
    if record.message:
        summary += ["", f"发布说明 <span class=\"gs-en\">Message</span>：{esc(record.message)}"]
    lines += [*summary, ""]
    if not diff.compatible:
        body = [
            f"{len(breaking)} 处变更破坏兼容：按 {esc(old.version)} 编写的数据或程序可能不再通过校验。"
            + en(f"{len(breaking)} change(s) break compatibility: data or code written for {old.version} "
                 "may no longer validate."),
        ]
        lines += admonition("danger", "不兼容的变更 Breaking change", body)
    elif diff.changes:
        lines += admonition("success", "向后兼容 Compatible", [
            "按旧版本编写的数据和程序在新版本下继续有效。"
            + en("Data and code written for the old version keep working."),
        ])
    bump_rows = [("实际升级 <span class=\"gs-en\">Actual bump</span>", h(BUMP_ZH.get(actual, actual)))]
    if diff.mode:
        bump_rows.insert(0, ("兼容模式 <span class=\"gs-en\">Compatibility mode</span>",
                             f"{code(diff.mode)} — {h(_MODE_ZH.get(diff.mode, ''))}"))
    if diff.compatibility:
        bump_rows.insert(1, ("兼容级别 <span class=\"gs-en\">Compatibility kept</span>",
                             f"{code(diff.compatibility)} — {h(_COMPAT_ZH.get(diff.compatibility, ''))}"))
    if diff.suggested_bump:
        bump_rows.append(("建议升级 <span class=\"gs-en\">Suggested bump</span>",
                          h(BUMP_ZH.get(diff.suggested_bump, diff.suggested_bump))))
    lines += kv_table(bump_rows)
    if diff.suggested_bump and _bump_rank(actual) < _bump_rank(diff.suggested_bump):
        lines += admonition("warning", "版本号升级不足 Version bump too small", [
            f"这些变更建议升级{h(BUMP_ZH.get(diff.suggested_bump, diff.suggested_bump))}，实际只升级了"
            f"{h(BUMP_ZH.get(actual, actual))}。"
        ])
    lines += ["## 变更明细 <span class=\"gs-en\">Changes</span> {#changes}", ""]
    if not diff.changes:
        lines += ["两个版本内容相同（仅注册状态或元数据不同）。"
                  + en("Same content; only status or metadata differ."), ""]
    else:
        ordered = sorted(diff.changes, key=lambda c: (not c.breaking, c.path))
        shown = ordered[:DIFF_ROWS]
        lines += [
            '<div class="gs-table gs-table--wide gs-diff" markdown>',
            "",
            *table(["路径 <span class=\"gs-en\">Path</span>", "变更 <span class=\"gs-en\">Change</span>",
                    "原值 <span class=\"gs-en\">Old</span>", "新值 <span class=\"gs-en\">New</span>",
                    "影响 <span class=\"gs-en\">Impact</span>"], [_change_row(c) for c in shown]),
            "</div>",
            "",
        ]
        if len(ordered) > len(shown):
            lines += [f"仅列出前 {len(shown):,} 处（共 {len(ordered):,} 处），破坏兼容的变更在前。完整列表见下方 JSON。"
                      + en(f"First {len(shown):,} of {len(ordered):,} changes, breaking first; all in the JSON."), ""]
    lines += [
        link(":material-code-json: diff.json", "diff.json") + " · "
        + link("版本历史 <span class=\"gs-en\">History</span>", urls.rel(page, group.history_page)),
        "",
    ]
    return front_matter(meta) + "\n".join(lines) + "\n"


_MODE_ZH = {
    "BACKWARD": "新版本须接受按上一版本有效的数据",
    "BACKWARD_TRANSITIVE": "新版本须接受按所有旧版本有效的数据",
    "FORWARD": "上一版本须接受按新版本有效的数据",
    "FORWARD_TRANSITIVE": "所有旧版本须接受按新版本有效的数据",
    "FULL": "新旧版本须互相接受对方的有效数据",
    "FULL_TRANSITIVE": "所有版本须互相接受对方的有效数据",
    "NONE": "不检查兼容性",
}
_COMPAT_ZH = {
    "FULL": "新旧版本互相兼容",
    "BACKWARD": "向后兼容：旧数据在新版本下仍然有效",
    "FORWARD": "向前兼容：新数据在旧版本下仍然有效",
    "NONE": "互不兼容",
}


def _bump_rank(bump: str) -> int:
    return {"none": 0, "patch": 1, "minor": 2, "major": 3}.get(bump, 0)


def diff_json(diff: DiffRecord) -> dict[str, Any]:
    return {
        "old": diff.old,
        "new": diff.new,
        "compatible": diff.compatible,
        "compatibility": diff.compatibility,
        "mode": diff.mode,
        "suggested_bump": diff.suggested_bump,
        "changes": [
            {"path": c.path, "kind": c.kind, "old": c.old, "new": c.new, "effect": c.effect, "breaking": c.breaking,
             "breaks_backward": c.breaks_backward, "breaks_forward": c.breaks_forward, "reason": c.reason}
            for c in diff.changes
        ],
    }
