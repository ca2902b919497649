"""Field standard (数据元) pages: layout and value domain, examples with why, masking rule."""

from __future__ import annotations

from govstd.site import urls
from govstd.site.labels import REASON_ZH
from govstd.site.markdown import badge, code, en, esc, h, kv_table, link, table
from govstd.site.model import EntryGroup, SiteModel
from govstd.site.pages.common import DASH, definition, identity_rows, show_value
from govstd.standards.models import DataElement


def body(model: SiteModel, group: EntryGroup, entry: DataElement, page: str) -> list[str]:
    rows = identity_rows(model, group, entry, page)
    rows += [
        ("数据类型" + en("Data type"), f"{h(entry.data_type.label_zh)}" + en(entry.data_type.value)),
        ("个人信息" + en("Personal information"), f"{h(entry.pii.label_zh)}" + en(entry.pii.value.replace("_", " "))),
        ("标签" + en("Tags"), " ".join(code(t) for t in entry.tags) or None),
    ]
    lines = [*kv_table(rows), *definition(entry)]
    lines += _layout(model, entry, page)
    lines += _examples(entry)
    lines += _masking(entry)
    return lines


def _layout(model: SiteModel, entry: DataElement, page: str) -> list[str]:
    rep, domain = entry.representation, entry.value_domain
    length = None
    if rep.min_length is not None or rep.max_length is not None:
        if rep.min_length == rep.max_length:
            length = f"{rep.min_length} 个字符 <span class=\"gs-en\">characters</span>"
        else:
            low = rep.min_length if rep.min_length is not None else 0
            high = rep.max_length if rep.max_length is not None else "∞"
            length = f"{low}–{high} 个字符 <span class=\"gs-en\">characters</span>"
    code_set = None
    if domain.code_set:
        target = model.resolve(domain.code_set)
        code_set = code(domain.code_set)
        if target is not None:
            g, e = target
            code_set = link(f"{esc(e.name_zh)} {esc(e.version)}", urls.rel(page, g.version_page(e))) + \
                f" （{code(domain.code_set)}）"
    algorithm = None
    if domain.algorithm:
        algorithm = code(domain.algorithm) + "（govstd.standards.numbers）"
        if domain.options:
            algorithm += "<br>" + "，".join(f"{code(k)} = {show_value(v)}" for k, v in domain.options.items())
    value_range = None
    if domain.minimum is not None or domain.maximum is not None:
        value_range = f"{show_value(domain.minimum)} – {show_value(domain.maximum)}"
    rows = [
        ("表示格式" + en("Format"), code(rep.format) if rep.format else None),
        ("正则表达式" + en("Pattern"), code(rep.pattern) if rep.pattern else None),
        ("长度" + en("Length"), length),
        ("计量单位" + en("Unit"), esc(rep.unit) if rep.unit else None),
        ("校验算法" + en("Algorithm"), algorithm),
        ("代码集" + en("Code set"), code_set),
        ("取值范围" + en("Range"), value_range),
    ]
    body = kv_table(rows)
    if not body:
        return []
    return ["## 表示格式与值域 <span class=\"gs-en\">Layout and value domain</span> {#layout}", "", *body]


def _examples(entry: DataElement) -> list[str]:
    if not entry.examples:
        return []
    try:
        from govstd.standards.check import value_checker

        checker = value_checker(entry)
    except Exception:  # an algorithm this build does not ship: show the documented verdicts only
        checker = None
    rows = []
    for example in entry.examples:
        verdict = (badge("有效 · valid", "ok") if example.valid else badge("无效 · invalid", "bad"))
        why = DASH
        if not example.valid:
            reason = example.reason or ""
            why = h(REASON_ZH.get(reason, reason)) if reason else ""
            message = None
            if checker is not None:
                result = checker(example.value)
                message = result.message
                if result.valid:
                    message = "注意：当前校验器接受此值 (the current validator accepts this value)"
            if message:
                why += en(message)
            if reason:
                why += f" {code(reason)}"
        rows.append((code(example.value), verdict, why or DASH))
    return [
        "## 示例 <span class=\"gs-en\">Examples</span> {#examples}",
        "",
        '<div class="gs-examples" markdown>',
        "",
        *table(["值 <span class=\"gs-en\">Value</span>", "结果 <span class=\"gs-en\">Result</span>",
                "原因 <span class=\"gs-en\">Why</span>"], rows),
        "</div>",
        "",
    ]


def _masking(entry: DataElement) -> list[str]:
    rule = entry.masking
    if rule is None:
        if entry.pii.value == "none":
            return []
        return [
            "## 脱敏规则 <span class=\"gs-en\">Masking</span> {#masking}", "",
            "此字段含个人信息，但本标准未规定脱敏规则；govstd 默认仅保留首末各 1 个字符。"
            + en("Personal data without a rule: govstd keeps only the first and last character."), "",
        ]
    from govstd.standards.masking import mask

    sample = next((e.value for e in entry.examples if e.valid), None)
    lines = [
        "## 脱敏规则 <span class=\"gs-en\">Masking</span> {#masking}",
        "",
        f"展示时保留前 **{rule.keep_start}** 位和后 **{rule.keep_end}** 位，其余字符以 {code(rule.mask_char)} 代替。"
        + en(f"Shown with the first {rule.keep_start} and last {rule.keep_end} characters kept, the rest "
             f"replaced by '{rule.mask_char}'."),
        "",
    ]
    if sample:
        lines += [f"示例 <span class=\"gs-en\">Example</span>：{code(sample)} → {code(mask(sample, rule))}", ""]
    lines += [
        '<p class="gs-note">脱敏规则是发布方的展示策略，国家标准未作统一规定；过短的值至少隐藏 4 个字符或三分之一。'
        '<span class="gs-en"> Masking is a display policy, not a national rule; short values always keep at '
        "least four characters (or a third) hidden.</span></p>",
        "",
    ]
    return lines
