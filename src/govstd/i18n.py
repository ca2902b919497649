"""The CLI's own words in Chinese first, English beside — or English alone with ``--lang en``.

A data steward at a 区民政局 reads the CLI in Chinese; a pipeline's log reader may not. Only the words the
CLI itself prints at the top level live here (error kinds, "expected", "hint", the validate table's
headers and summary line, exit messages); the reports are bilingual already, and a library message (what
an ``InputError`` found) stays as its module wrote it. A dict per message id is all this needs: no
gettext catalogue to compile.

The language: ``govstd --lang zh|en``, else ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` (the first one set,
POSIX order) starting with ``en`` gives English, anything else Chinese.

>>> with language("en"):
...     label("hint")
'hint'
>>> with language("zh"):
...     label("hint")
'提示 hint'
>>> with language("zh"):
...     text("summary", checks=3, errors=1, warnings=0, notes=0)
'共 3 项检查：1 项有错误，0 项有警告，0 项仅提示'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")

#: message id → language → text. ``text`` fills ``{placeholders}`` with ``str.format``.
MESSAGES: dict[str, dict[Lang, str]] = {
    # what went wrong, by kind (``GovstdError.code``, the CLI's own kinds)
    "error": {"zh": "错误", "en": "error"},
    "error.input": {"zh": "输入错误", "en": "input error"},
    "error.not_found": {"zh": "未找到", "en": "not found"},
    "error.conflict": {"zh": "冲突", "en": "conflict"},
    "error.usage": {"zh": "用法错误", "en": "usage error"},
    "error.internal": {"zh": "内部错误", "en": "internal error"},
    "warning": {"zh": "警告", "en": "warning"},
    "hint": {"zh": "提示", "en": "hint"},
    "expected": {"zh": "应为", "en": "expected"},
    "debug": {"zh": "设置 GOVSTD_DEBUG=1 可查看调用栈", "en": "set GOVSTD_DEBUG=1 for a traceback"},
    "aborted": {"zh": "已中止", "en": "aborted"},
    # ``govstd validate``'s table and summary
    "col.rule": {"zh": "规则", "en": "rule"},
    "col.dimension": {"zh": "维度", "en": "dimension"},
    "col.evaluated": {"zh": "检查数", "en": "evaluated"},
    "col.failed": {"zh": "失败数", "en": "failed"},
    "col.samples": {"zh": "样例（行 [位置]：脱敏值）", "en": "samples (row [line]: masked values)"},
    "unmeasured": {"zh": "未测量", "en": "unmeasured"},
    "against": {"zh": "{source}（{details}，{rows:,} 行）对照 {schema}，引擎 {engine}",
                "en": "{source} ({details}, {rows:,} rows) against {schema} on {engine}"},
    "summary": {"zh": "共 {checks} 项检查：{errors} 项有错误，{warnings} 项有警告，{notes} 项仅提示",
                "en": "{checks} checks: {errors} with errors, {warnings} with warnings, {notes} informational"},
    "summary.unmeasured": {"zh": "，{count} 项未测量", "en": ", {count} unmeasured"},
    "verdict.errors": {"zh": "发现错误", "en": "errors found"},
    "verdict.clean": {"zh": "无错误", "en": "no errors"},
    "fix_list": {"zh": "整改清单：{path} — {rows:,} 条失败记录", "en": "fix list: {path} — {rows:,} failing rows"},
    # ``govstd schema infer`` and ``govstd mask``: what the steward has left to do, what was written
    "infer.done": {"zh": "共 {fields} 个字段，{bound} 个已绑定标准，数据 {rows:,} 行{written}。"
                         "请补全各项 TODO（提供方、共享属性、更新周期），再运行 `govstd lint`。",
                   "en": "{fields} fields, {bound} bound to a standard, from {rows:,} rows{written}. "
                         "Complete the TODOs (provider, share_type, update_cycle), then `govstd lint`."},
    "check.done": {"zh": "共检查 {total} 个值：{invalid} 个无效，{warned} 个有警告（{ref}）",
                   "en": "{total} checked, {invalid} invalid, {warned} with warnings ({ref})"},
    # ``govstd lint``: the English stays beside the Chinese, as pre-commit logs are read by both
    "lint.done": {"zh": "已检查 {files} 个文件{compat}：{errors} 个错误，{warnings} 个警告",
                  "en": "{files} file(s) checked{compat}: {errors} error(s), {warnings} warning(s)"},
    "lint.no_registry": {"zh": "，未检查兼容性（未指定 --registry）",
                         "en": "; compatibility not checked (no --registry)"},
    "infer.written": {"zh": "；已写入 {out}", "en": "; written to {out}"},
    "mask.done": {"zh": "已将 {rows:,} 行写入 {out}；原文件未改动。",
                  "en": "{rows:,} rows written to {out}; the original is unchanged."},
}

_chosen: Lang | None = None


def from_environment(environ: dict[str, str] | None = None) -> Lang:
    """The language the locale asks for: English when it starts with ``en``, else Chinese."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:  # POSIX: the first one set wins, even when it is not English
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def current() -> Lang:
    """``--lang`` when given, else the locale's."""
    return _chosen if _chosen is not None else from_environment()


def choose(lang: Lang | None) -> None:
    """Set the language for this process (``govstd --lang``); None: follow the locale again."""
    global _chosen
    _chosen = lang


@contextmanager
def language(lang: Lang) -> Iterator[None]:
    """Use ``lang`` inside the block (tests, doctests), then what was chosen before."""
    before = _chosen
    choose(lang)
    try:
        yield
    finally:
        choose(before)


def text(key: str, **values: object) -> str:
    """A sentence in the current language only (a Chinese sentence with its English beside is too long
    for a terminal line). The names filled in (a file, a folder, a reference) are the user's, and a file
    may be named after a person: values are masked (``govstd.errors.redact``), numbers kept as numbers."""
    if any(not isinstance(v, int | float) for v in values.values()):
        from govstd.errors import redact

        values = {k: v if isinstance(v, int | float) else redact(str(v)) for k, v in values.items()}
    return MESSAGES[key][current()].format(**values)


def label(key: str) -> str:
    """A short word or heading: Chinese with English beside (like the reports), or English alone."""
    words = MESSAGES[key]
    return words["en"] if current() == "en" else f"{words['zh']} {words['en']}"
