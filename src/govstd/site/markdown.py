"""Small helpers that write safe Markdown and HTML fragments for the generated pages.

Registry text is data, never markup: everything a steward wrote goes through :func:`esc` (Markdown)
or :func:`h` (HTML) before it reaches a page, so a ``*`` or ``|`` in a definition cannot break a table.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence

from govstd.site.labels import STATUS_EN, STATUS_TONE
from govstd.standards.models import RegistrationStatus

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|])")


def h(text: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def esc(text: object) -> str:
    """Text that Markdown shows literally (also inside a table cell)."""
    value = html.escape(str(text), quote=False)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    # A leading '-', '>' or '1.' would start a list or quote; newlines would end a table row.
    return re.sub(r"\s*\n\s*", " ", value).strip()


def code(text: object) -> str:
    """Inline code, literal whatever it contains (pipes included, for table cells)."""
    value = str(text)
    if "|" in value or "`" in value or "<" in value or "&" in value:
        # Markdown code spans cannot hold an escaped pipe inside a table; HTML <code> can.
        return f"<code>{h(value)}</code>".replace("|", "&#124;")
    return f"`{value}`" if value.strip() else "<code>&nbsp;</code>"


def en(text: str | None) -> str:
    """English beside Chinese: muted, marked as English for screen readers and fonts."""
    return f' <span class="gs-en" lang="en">{h(text)}</span>' if text else ""


def bi(zh: str, english: str | None) -> str:
    """``中文 English`` as an HTML fragment."""
    return h(zh) + en(english)


def badge(text: str, tone: str, *, title: str | None = None) -> str:
    attr = f' title="{h(title)}"' if title else ""
    return f'<span class="gs-badge gs-badge--{tone}"{attr}>{text}</span>'


def status_badge(status: RegistrationStatus) -> str:
    return badge(f"{h(status.label_zh)} · {h(STATUS_EN[status])}", STATUS_TONE[status],
                 title=f"注册状态 Registration status: {status.value}")


def link(text: str, target: str) -> str:
    """A Markdown link (mkdocs checks it at build time); ``text`` must already be safe."""
    return f"[{text}]({target})"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, align: Sequence[str] = ()) -> list[str]:
    """A Markdown table; cells must already be escaped."""
    rows = list(rows)
    if not rows:
        return []
    marks = [{"l": ":--", "r": "--:", "c": ":-:"}.get(a, "---") for a in align] if align else []
    marks += ["---"] * (len(headers) - len(marks))
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks) + " |"]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return [*out, ""]


def kv_table(rows: Iterable[tuple[str, str | None]]) -> list[str]:
    """Two-column property table, skipping empty values (its header row is hidden by the CSS)."""
    body = table(["项目 <span class=\"gs-en\">Property</span>", "内容 <span class=\"gs-en\">Value</span>"],
                 [(k, v) for k, v in rows if v])
    return ['<div class="gs-kv" markdown>', "", *body, "</div>", ""] if body else []


def admonition(kind: str, title: str, body: str | Sequence[str]) -> list[str]:
    lines = [body] if isinstance(body, str) else list(body)
    return [f'!!! {kind} "{title}"', "", *[f"    {line}" if line else "" for line in lines], ""]


def front_matter(meta: dict[str, object]) -> str:
    # JSON is YAML: every value is quoted and escaped, whatever the registry text holds.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"
