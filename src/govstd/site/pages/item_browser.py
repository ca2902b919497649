"""The service-item catalogue page (政务服务事项目录): a client-side browser over the JSON shards of
:mod:`govstd.site.items`, the catalogue's releases, and a link to the national service items.

The browser itself is ``assets/items.js``: this page holds only its mount point (``data-gs-items``
naming the data folder relative to the page) and a message for readers without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from govstd.site import urls
from govstd.site.markdown import en, esc, front_matter, h, link, table
from govstd.site.pages.common import DASH
from govstd.site.source import ItemRelease
from govstd.standards.models import EntryKind

_STATE_ZH = {"complete": "已完成", "importing": "导入中"}


def item_browser_page(releases: Sequence[ItemRelease], items: int) -> str:
    page = urls.ITEM_BROWSER
    data = urls.rel(page, urls.ITEM_DATA) + "/"
    national = link("国家服务事项 National service items", urls.rel(page, urls.kind_index(EntryKind.SERVICE_ITEM)))
    lines = ["# 政务服务事项目录", "", '<p class="gs-subtitle" lang="en">Service-item catalogue</p>', ""]
    complete = [r for r in releases if r.state == "complete"]
    if not complete:
        lines += ["注册库中尚未导入事项目录（`govstd registry import-items`）。"
                  + en("No catalogue has been imported into the registry yet."), "", national, ""]
        return front_matter({"title": "事项目录 Item catalogue", "hide": ["toc"]}) + "\n".join(lines) + "\n"
    lines += [
        f"第 {complete[-1].number} 版目录中现行事项 {items:,} 条。"
        "按事项名称（中文，任意连续字）或实施编码（或其前缀）查找；"
        "不输入时按实施编码顺序分页浏览。数据在浏览器中按需分片加载，无需服务器。"
        + en(f"{items:,} items in force in catalogue release {complete[-1].number}. Search by item name (any run "
             "of Chinese characters) or implementation code (or a prefix); with no query, page through the "
             "catalogue in code order. Data loads in shards, as needed, with no server behind it."),
        "",
        f'<div class="gs-items" data-gs-items="{h(data)}">',
        "<noscript>事项目录浏览需要启用 JavaScript。The catalogue browser needs JavaScript.</noscript>",
        "</div>",
        "",
        f"基本编码与国家事项一致的条目链接到其国家事项页面：{national}。"
        + en("Items whose basic code is a national item link to its page."),
        "",
        "## 目录版本 <span class=\"gs-en\">Releases</span> {#releases}",
        "",
    ]
    rows = [(str(r.number), h(_STATE_ZH.get(r.state, r.state)) + en(r.state), esc(PurePath(r.source).name),
             _count(r.added), _count(r.changed), _count(r.retired), _count(r.rejected))
            for r in reversed(releases)]
    lines += table(["版本 <span class=\"gs-en\">Release</span>", "状态 <span class=\"gs-en\">State</span>",
                    "来源文件 <span class=\"gs-en\">Source</span>", "新增 <span class=\"gs-en\">Added</span>",
                    "变更 <span class=\"gs-en\">Changed</span>", "撤销 <span class=\"gs-en\">Retired</span>",
                    "拒收 <span class=\"gs-en\">Rejected</span>"], rows, align=("r", "l", "l", "r", "r", "r", "r"))
    return front_matter({"title": "事项目录 Item catalogue", "hide": ["toc"]}) + "\n".join(lines) + "\n"


def _count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"
