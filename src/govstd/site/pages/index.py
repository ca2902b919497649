"""Pages about the whole registry: home, one index per kind, the publication log, about."""

from __future__ import annotations

from govstd.site import urls
from govstd.site.labels import KIND_BLURBS, KIND_ICONS, KIND_LABELS
from govstd.site.markdown import code, en, esc, front_matter, h, link, status_badge, table
from govstd.site.model import SiteModel, semver_key
from govstd.site.pages.common import DASH, display_name
from govstd.standards.models import EntryKind, RegistrationStatus

#: Entries per page of a kind's index: a thousand catalogue schemas make five pages, not one of 1 MB.
INDEX_PAGE_ROWS = 200


def kind_index_pages(model: SiteModel, kind: EntryKind) -> list[tuple[str, str]]:
    """A kind's index as (docs path, Markdown) pages of :data:`INDEX_PAGE_ROWS` entries each."""
    groups = model.groups[kind]
    count = max(1, -(-len(groups) // INDEX_PAGE_ROWS))
    return [(urls.kind_index_page(kind, n), kind_index_page(model, kind, n, count)) for n in range(1, count + 1)]


def _pager(kind: EntryKind | None, page: str, number: int, count: int) -> list[str]:
    """Links to every page of a paged index (``kind`` None: the publication log)."""
    if count <= 1:
        return []

    def path(n: int) -> str:
        return urls.kind_index_page(kind, n) if kind is not None else urls.changes_page(n)

    cells = [h(str(n)) if n == number else link(str(n), urls.rel(page, path(n))) for n in range(1, count + 1)]
    return [f"第 {number} / {count} 页 · Page {number} of {count}：" + " ".join(cells), ""]


def kind_index_page(model: SiteModel, kind: EntryKind, number: int = 1, count: int = 1) -> str:
    page = urls.kind_index_page(kind, number)
    zh, _, en_plural = KIND_LABELS[kind]
    blurb_zh, blurb_en = KIND_BLURBS[kind]
    groups = model.groups[kind][(number - 1) * INDEX_PAGE_ROWS : number * INDEX_PAGE_ROWS]
    lines = [f"# {h(zh)}", "", f'<p class="gs-subtitle" lang="en">{h(en_plural)}</p>', "",
             esc(blurb_zh) + en(blurb_en), ""]
    if kind is EntryKind.SERVICE_ITEM:
        browser = urls.rel(page, urls.ITEM_BROWSER)
        lines += [link("政务服务事项目录（各地实施清单）→ Service-item catalogue", browser), ""]
    lines += _pager(kind, page, number, count)
    if not groups:
        lines += [f"注册库中暂无{h(zh)}。" + en(f"No {en_plural.lower()} in the registry yet."), ""]
    else:
        rows = []
        for g in groups:
            latest = g.latest
            rows.append((
                link(esc(latest.name_zh), urls.rel(page, g.latest_page))
                + (f"<br>{en(latest.name_en)}" if latest.name_en else ""),
                code(g.id),
                esc(latest.reference.standard) if latest.reference else DASH,
                status_badge(g.status(latest)),
                link(esc(latest.version), urls.rel(page, g.version_page(latest))),
                link(str(len(g.versions)), urls.rel(page, g.history_page)),
            ))
        lines += [
            '<div class="gs-table gs-index" data-gs-filter="筛选 Filter" markdown>',
            "",
            *table(["名称 <span class=\"gs-en\">Name</span>", "标识符 <span class=\"gs-en\">Id</span>",
                    "标准编号 <span class=\"gs-en\">Standard</span>", "注册状态 <span class=\"gs-en\">Status</span>",
                    "现行版本 <span class=\"gs-en\">Current</span>", "版本数 <span class=\"gs-en\">Versions</span>"],
                   rows),
            "</div>",
            "",
            *_pager(kind, page, number, count),
        ]
    return front_matter({"title": f"{zh} {en_plural}", "hide": ["toc"]}) + "\n".join(lines) + "\n"


def _recent(model: SiteModel, page: str, limit: int | None, offset: int = 0) -> list[str]:
    items = []
    for g in model.all_groups():
        for e in g.versions:
            record = g.record(e)
            items.append((record.published_at, g, e))
    items.sort(key=lambda t: (t[0] is not None, t[0].isoformat() if t[0] else "", semver_key(t[2].version)),
               reverse=True)
    if limit is not None:
        items = items[offset : offset + limit]
    rows = []
    for when, g, e in items:
        previous = g.previous(e)
        change = link("变更 changes", urls.rel(page, g.diff_page(previous, e))) if previous else "首次发布 first"
        rows.append((
            h(when.strftime("%Y-%m-%d")) if when else DASH,
            link(esc(e.name_zh), urls.rel(page, g.version_page(e))),
            h(KIND_LABELS[g.kind][0]),
            esc(e.version),
            status_badge(g.status(e)),
            change,
        ))
    return table(["日期 <span class=\"gs-en\">Date</span>", "名称 <span class=\"gs-en\">Name</span>",
                  "类型 <span class=\"gs-en\">Kind</span>", "版本 <span class=\"gs-en\">Version</span>",
                  "注册状态 <span class=\"gs-en\">Status</span>", "变更 <span class=\"gs-en\">Changes</span>"], rows)


def changes_pages(model: SiteModel) -> list[tuple[str, str]]:
    """The publication log as (docs path, Markdown) pages of :data:`INDEX_PAGE_ROWS` versions each."""
    versions = sum(len(g.versions) for g in model.all_groups())
    count = max(1, -(-versions // INDEX_PAGE_ROWS))
    return [(urls.changes_page(n), changes_page(model, n, count)) for n in range(1, count + 1)]


def changes_page(model: SiteModel, number: int = 1, count: int = 1) -> str:
    page = urls.changes_page(number)
    rows = _recent(model, page, INDEX_PAGE_ROWS, (number - 1) * INDEX_PAGE_ROWS)
    lines = ["# 发布记录", "", '<p class="gs-subtitle" lang="en">Every published version, newest first</p>', "",
             *_pager(None, page, number, count),
             '<div class="gs-table" data-gs-filter="筛选 Filter" markdown>', "", *rows,
             "</div>", "", *_pager(None, page, number, count)]
    return front_matter({"title": "发布记录 Changes", "hide": ["toc"]}) + "\n".join(lines) + "\n"


def home_page(model: SiteModel, site_name: str) -> str:
    page = urls.HOME
    n_versions = sum(len(g.versions) for g in model.all_groups())
    cards = []
    for kind in model.groups:
        zh, _, en_plural = KIND_LABELS[kind]
        blurb_zh = KIND_BLURBS[kind][0]
        n = len(model.groups[kind])
        cards += [
            f"-   :{KIND_ICONS[kind]}:{{ .lg .middle }} **{h(zh)}** <span class=\"gs-en\">{h(en_plural)}</span>",
            "",
            "    ---",
            "",
            f"    {esc(blurb_zh)}",
            "",
            f"    {link(f'{n} 项 · {n} entries →', urls.rel(page, urls.kind_index(kind)))}",
            "",
        ]
    featured = [g for g in model.groups[EntryKind.DATA_ELEMENT] + model.groups[EntryKind.CODE_SET]][:8]
    lines = [
        f"# {esc(site_name)}",
        "",
        '<p class="gs-subtitle" lang="en">Registry of Chinese government data standards</p>',
        "",
        '<div class="gs-hero" markdown>',
        "",
        "各部门据以采集、交换和共享数据的国家标准与地方规范：字段标准、代码集、政务数据资源目录和政务服务事项。"
        "每个版本都有固定的网址、可下载的 YAML/JSON 和 JSON Schema；已替代和已废止的版本永久保留。"
        + en("The national standards and local rules departments collect, exchange and share data by. "
             "Every version has a permanent address and machine-readable downloads; superseded and retired "
             "versions stay online."),
        "",
        f"**{sum(len(g) for g in model.groups.values())}** 项标准 · **{n_versions}** 个已发布版本"
        + en(f"{sum(len(g) for g in model.groups.values())} entries · {n_versions} published versions"),
        "",
        "</div>",
        "",
        '<div class="grid cards gs-cards" markdown>',
        "",
        *cards,
        "</div>",
        "",
        "## 查找标准 <span class=\"gs-en\">Finding a standard</span> {#find}",
        "",
        "按 <kbd>/</kbd> 或点击右上角的搜索框，输入中文名称、常用叫法、标准编号或代码，例如 "
        "**身份证**、**统一社会信用代码**、**GB 11643**、**行政区划**。"
        + en("Press / or use the search box: Chinese names, common names, standard numbers or codes."),
        "",
    ]
    if featured:
        lines += ["## 常用标准 <span class=\"gs-en\">Frequently used</span> {#featured}", ""]
        lines += table(
            ["名称 <span class=\"gs-en\">Name</span>", "标准编号 <span class=\"gs-en\">Standard</span>",
             "注册状态 <span class=\"gs-en\">Status</span>"],
            [(link(esc(g.latest.name_zh), urls.rel(page, g.latest_page)) + en(g.latest.name_en),
              esc(display_name(g.latest)), status_badge(g.status(g.latest))) for g in featured],
        )
    lines += ["## 最近发布 <span class=\"gs-en\">Recently published</span> {#recent}", ""]
    lines += _recent(model, page, 10)
    lines += [link("全部发布记录 <span class=\"gs-en\">All changes</span> →", urls.rel(page, urls.CHANGES)), ""]
    lines += [
        "## 机器可读 <span class=\"gs-en\">Machine-readable</span> {#machine-readable}",
        "",
        f"- {link('index.json', urls.rel(page, urls.SITE_INDEX_JSON))} — 本站全部条目、版本及其网址"
        + en("every entry, version and URL on this site"),
        f"- {link('JSON Schema', urls.rel(page, urls.ENTRY_SCHEMA))} — 标准条目的模式，编辑器可直接引用"
        + en("the schema entries are authored against"),
        f"- {link('关于本站 About', urls.rel(page, urls.ABOUT))} — 网址规则、注册状态说明"
        + en("URL scheme and registration statuses"),
        "",
    ]
    return front_matter({"title": site_name, "hide": ["navigation", "toc"]}) + "\n".join(lines) + "\n"


_STATUS_MEANING: dict[RegistrationStatus, str] = {
    RegistrationStatus.NOT_PROGRESSED: "已提交但未处理",
    RegistrationStatus.INCOMPLETE: "信息不完整，尚待补充",
    RegistrationStatus.CANDIDATE: "已提交审核，可试用，内容可能调整",
    RegistrationStatus.RECORDED: "信息完整，已登记",
    RegistrationStatus.QUALIFIED: "已通过审核，满足质量要求",
    RegistrationStatus.STANDARD: "现行标准，应当遵循",
    RegistrationStatus.PREFERRED_STANDARD: "同类中首选的标准",
    RegistrationStatus.SUPERSEDED: "已被较新版本替代，保留供历史数据查阅",
    RegistrationStatus.RETIRED: "已废止，不得在新系统中使用",
}


_URL_SCHEME = (
    ("standards/<id>/", "现行版本", "current version"),
    ("standards/<id>/<version>/", "指定版本，永久有效", "one version, permanent"),
    ("standards/<id>/history/", "版本历史", "version history"),
    ("standards/<id>/diff/<a>-to-<b>/", "两个相邻版本之间的变更", "changes between consecutive versions"),
    ("standards/<id>/<version>/<id>-<version>.yaml", "该版本的 YAML（另有 .json）", "that version as YAML (and .json)"),
    ("code-sets/ catalogues/ service-items/", "代码集、资源目录、服务事项，规则相同", "the same for the other kinds"),
)


def about_page(model: SiteModel) -> str:
    page = urls.ABOUT
    rows = [(status_badge(s), esc(_STATUS_MEANING[s])) for s in RegistrationStatus]
    example = next(iter(model.all_groups()), None)
    lines = [
        "# 关于本站", "", '<p class="gs-subtitle" lang="en">About this site</p>', "",
        "本站由 govstd 从标准注册库自动生成。注册库中的每个版本一经发布即不再改变；本站为每个版本生成固定网址的页面，"
        "重新生成时已有页面的网址保持不变。"
        + en("Generated by govstd from the standards registry. A published version never changes, and its page "
             "keeps its address across rebuilds."),
        "",
        "## 网址规则 <span class=\"gs-en\">URL scheme</span> {#urls}", "",
        *table(["网址 <span class=\"gs-en\">URL</span>", "内容 <span class=\"gs-en\">Content</span>"], [
            (code(path), h(zh) + en(english)) for path, zh, english in _URL_SCHEME
        ]),
        "## 注册状态 <span class=\"gs-en\">Registration statuses</span> {#statuses}", "",
        "注册状态遵循 GB/T 18391（ISO/IEC 11179）。" + en("Statuses follow ISO/IEC 11179 (GB/T 18391)."), "",
        *table(["状态 <span class=\"gs-en\">Status</span>", "含义 <span class=\"gs-en\">Meaning</span>"], rows),
        "## 下载与接口 <span class=\"gs-en\">Downloads</span> {#downloads}", "",
        f"- {link('JSON Schema（全部类型）', urls.rel(page, urls.ENTRY_SCHEMA))}",
        *[f"- {link(f'{KIND_LABELS[k][0]} JSON Schema', urls.rel(page, urls.kind_schema(k)))}" for k in model.groups],
        f"- {link('index.json', urls.rel(page, urls.SITE_INDEX_JSON))}",
        "",
    ]
    if example is not None:
        lines += [
            "## 在数据管道中使用 <span class=\"gs-en\">Use in pipelines</span> {#pipelines}", "",
            "```bash",
            f"govstd registry show {example.id}@{example.latest.version} --json",
            "govstd site build --out site/",
            "```", "",
        ]
    return front_matter({"title": "关于本站 About"}) + "\n".join(lines) + "\n"
