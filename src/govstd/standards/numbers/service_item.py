"""政务服务事项编码 — service item codes (GB/T 39554.1-2020 catalogue; basic and implementation codes).

A basic code (基本编码) names the item in the basic catalogue; an implementation code (实施编码) adds the
implementing body (its USCC) and more. Their inner layout differs by province and is (unsure), so the
known layouts are versioned data (``LAYOUTS``): a value is valid if one matches, and reports name it.

>>> match_layout('511A09001023-511602000000-000-11511300008778693M-1-00')[0]
'sichuan_implementation'
>>> name, parts = match_layout('1145072100811537184452004020000')
>>> name, parts['exercise_level'], EXERCISE_LEVELS[parts['exercise_level']]
('uscc_level_basic', '4', '县')
>>> validate('511a09001023')
'511A09001023'
>>> validate('not a code')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidFormat: matches no known service item code layout
>>> item_type('1'), ITEM_TYPES[item_type('1')]
('01', '行政许可')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from govstd.standards.numbers import gb11714, gb32100
from govstd.standards.numbers.exceptions import InvalidComponent, InvalidFormat, MaskedValue
from govstd.standards.numbers.normalize import is_masked, normalize

__all__ = [
    "EXERCISE_LEVELS",
    "ITEM_TYPES",
    "LAYOUTS",
    "LAYOUTS_VERSION",
    "LOCAL_ITEM_TYPES",
    "Layout",
    "body_kind",
    "compact",
    "is_valid",
    "item_type",
    "match_layout",
    "validate",
]

# 事项类型 (item type), GB/T 39554.1-2020 (fairly sure). 30, 31, 32 and 99 are local extensions whose
# labels differ by province (unsure): they are accepted, and labelled as local.
ITEM_TYPES: dict[str, str] = {
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
    "30": "地方扩展类型",
    "31": "地方扩展类型",
    "32": "地方扩展类型",
    "99": "地方扩展类型",
}
LOCAL_ITEM_TYPES = frozenset({"30", "31", "32", "99"})
# 行使层级 (exercise level), GB/T 39554.1-2020 (fairly sure).
EXERCISE_LEVELS: dict[str, str] = {
    "1": "国家",
    "2": "省",
    "3": "市",
    "4": "县",
    "5": "镇(乡、街道)",
    "6": "村(社区)",
}


@dataclass(frozen=True)
class Layout:
    """One observed code layout: a regular expression whose named groups are the parts."""

    name: str
    kind: Literal["implementation", "basic"]
    pattern: str
    source: str
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))


# Versioned data: a new layout (another province, a new edition) is a new entry and a new version; an
# entry is never edited. Order matters: the first match wins. None of the inner parts are validated
# (the basic code's inner structure is unsure), only the shape.
LAYOUTS_VERSION = "2025.1"
LAYOUTS: tuple[Layout, ...] = (
    # 基本编码-12-digit area code-reserved-implementing body-handling item-suffix, e.g.
    # 511A09001023-511602000000-000-11511300008778693M-1-00. The body is normally the implementing
    # body's USCC, but real values hold organisation codes and placeholders: 8-18 characters.
    Layout(
        name="sichuan_implementation",
        kind="implementation",
        pattern=(
            r"^(?P<basic_code>[0-9A-Z]{12,14})-(?P<area_code>[0-9]{12})-(?P<reserved>[0-9]{3})"
            r"-(?P<body>[0-9A-Z]{8,18})-(?P<handling>[0-9]+)-(?P<suffix>[0-9]{2})$"
        ),
        source="Sichuan 511602 sample (data/service_item_codes_sample.csv)",
    ),
    # The same, with the body an organisation code written with its dash (00877868-5): 3 of the 100
    # sample rows.
    Layout(
        name="sichuan_implementation_org_code_dash",
        kind="implementation",
        pattern=(
            r"^(?P<basic_code>[0-9A-Z]{12,14})-(?P<area_code>[0-9]{12})-(?P<reserved>[0-9]{3})"
            r"-(?P<body>[0-9A-Z]{8}-[0-9A-Z])-(?P<handling>[0-9]+)-(?P<suffix>[0-9]{2})$"
        ),
        source="Sichuan 511602 sample (data/service_item_codes_sample.csv)",
    ),
    # Implementing body's USCC + exercise level digit + 12-character basic code, no separators (31).
    Layout(
        name="uscc_level_basic",
        kind="implementation",
        pattern=r"^(?P<body>[0-9A-HJ-NPQRTUWXY]{18})(?P<exercise_level>[1-6])(?P<basic_code>[0-9A-Z]{12})$",
        source="one real record of another province (body region 450721), see data/SOURCES.md",
    ),
    # A bare basic code: platform schemas store it in 12 characters; Sichuan's have 12 or 14.
    Layout(
        name="basic_code",
        kind="basic",
        pattern=r"^(?P<basic_code>[0-9A-Z]{12,14})$",
        source="Sichuan 511602 sample; platform schemas (12 characters)",
    ),
)


def compact(code: str) -> str:
    """Normalise harmless damage (width, spaces, apostrophe, lower case); dashes are kept."""
    return normalize(code, strip_dashes=False).value


def match_layout(code: str) -> tuple[str, dict[str, str]] | None:
    """The first layout ``code`` matches and its parts, or None. Never raises."""
    try:
        code = compact(code)
    except ValueError:
        return None
    for layout in LAYOUTS:
        match = layout.regex.match(code)
        if match:
            return layout.name, match.groupdict()
    return None


def validate(code: str, *, kind: Literal["implementation", "basic"] | None = None) -> str:
    """Return the compact code if a layout (of ``kind``, if given) matches; raise MaskedValue,
    ExcelDamaged or InvalidFormat."""
    code = compact(code)
    if is_masked(code):
        raise MaskedValue("the service item code is already masked")
    for layout in LAYOUTS:
        if (kind is None or layout.kind == kind) and layout.regex.match(code):
            return code
    raise InvalidFormat(
        "matches no known service item code layout" if kind is None else f"matches no known {kind} code layout"
    )


def is_valid(code: str, *, kind: Literal["implementation", "basic"] | None = None) -> bool:
    """True if ``validate`` accepts the code."""
    try:
        validate(code, kind=kind)
    except ValueError:
        return False
    return True


def body_kind(body: str) -> Literal["uscc", "org_code", "irregular"]:
    """What an implementation code's body holds: a valid USCC, a valid GB 11714 organisation code, or
    something else (placeholders, truncated codes) — so a report can say what it is."""
    if gb32100.is_valid(body):
        return "uscc"
    if gb11714.is_valid(body):
        return "org_code"
    return "irregular"


def item_type(value: str | int) -> str:
    """The 2-digit item type code for ``value`` ('1', 1 or '01' → '01'); raises InvalidComponent."""
    text = str(value).strip()
    code = text.zfill(2) if text.isascii() and text.isdigit() and len(text) <= 2 else text
    if code not in ITEM_TYPES:
        raise InvalidComponent("not a service item type (01-10, 20, or local 30-32, 99)")
    return code
