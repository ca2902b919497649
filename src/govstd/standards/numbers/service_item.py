"""政务服务事项编码 — service item codes (GB/T 39554.1-2020 catalogue; basic and implementation codes).

A basic code (基本编码) names the item in the basic catalogue; an implementation code (实施编码) adds the
implementing body (its USCC) and, by province, a 12-digit area code, the exercise level and a handling
item. Layouts are versioned data (``data/service_item_layouts.yaml``): a value must match one, and the
parts it embeds are checked — the area code against GB/T 2260, the body as a GB 32100 credit code. The
inner structure of the basic code is (unsure): only its shape is checked.

>>> match_layout('511A09001023-511602000000-000-11511300008778693M-1-00')[0]
'dashed_area_body'
>>> name, parts = match_layout('11440100007482575H3440118009000')
>>> name, parts['exercise_level'], EXERCISE_LEVELS[parts['exercise_level']]
('body_level_basic', '3', '市')
>>> validate('511a09001023')
'511A09001023'
>>> [f.code for f in findings('511a09001023')]
['normalised']
>>> validate('not a code')
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidFormat: matches no known service item code layout
>>> validate('513A0166300000-511602000000-000-008778175-1-00')  # an organisation code, not a USCC
Traceback (most recent call last):
    ...
govstd.standards.numbers.exceptions.InvalidBody: the implementing body is an organisation code, not a credit code
>>> item_type('1'), ITEM_TYPES[item_type('1')]
('01', '行政许可')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from govstd import cachefiles
from govstd.standards.models import PiiClass
from govstd.standards.numbers import gb11714, gb32100, gbt2260
from govstd.standards.numbers.exceptions import (
    InvalidBody,
    InvalidComponent,
    InvalidFormat,
    InvalidRegion,
    MaskedValue,
    NotCanonical,
    ValidationError,
)
from govstd.standards.numbers.normalize import is_masked, normalize

__all__ = [
    "BODY_USCC_PATTERN",
    "EXERCISE_LEVELS",
    "ITEM_TYPES",
    "LAYOUTS",
    "LAYOUTS_VERSION",
    "LOCAL_ITEM_TYPES",
    "NAME",
    "NAME_ZH",
    "PII",
    "PLACEHOLDER_PATTERN",
    "SHAPE",
    "Layout",
    "Segment",
    "body_kind",
    "check",
    "compact",
    "findings",
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


#: An implementing body written as a GB 32100 credit code (positions 3-8 digits), for the SQL checks.
BODY_USCC_PATTERN = gb32100.SHAPE
#: A placeholder in place of a body or code: one digit repeated (000000000, 2222222222222). RE2 has no
#: backreferences, hence the alternation.
PLACEHOLDER_PATTERN = "|".join(f"{d}{{8,}}" for d in "0123456789")
_PLACEHOLDER_RE = re.compile(f"^(?:{PLACEHOLDER_PATTERN})$")


@dataclass(frozen=True)
class Segment:
    """One piece of a layout: the part it holds (None for a separator), its pattern, its fixed length."""

    pattern: str
    part: str | None = None
    length: int | None = None


@dataclass(frozen=True)
class Layout:
    """One layout: segments whose named groups are the parts. ``positions`` gives each part whose start
    is fixed — what a SQL check can read with ``substr``."""

    name: str
    kind: Literal["implementation", "basic"]
    segments: tuple[Segment, ...]
    description: str = ""
    sources: tuple[str, ...] = ()
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))

    @property
    def pattern(self) -> str:
        """The whole layout as one regular expression with a named group per part."""
        return self.pattern_with()

    def pattern_with(self, **parts: str) -> str:
        """The layout's pattern with some parts' patterns replaced (``body=BODY_USCC_PATTERN``)."""
        out = []
        for seg in self.segments:
            inner = parts.get(seg.part, seg.pattern) if seg.part else seg.pattern
            out.append(f"(?P<{seg.part}>{inner})" if seg.part else f"(?:{inner})")
        return "".join(out)

    @property
    def positions(self) -> dict[str, tuple[int, int | None]]:
        """Part → (1-based start, length or None when variable), for parts at a fixed start."""
        found: dict[str, tuple[int, int | None]] = {}
        start = 1
        for seg in self.segments:
            if seg.part:
                found[seg.part] = (start, seg.length)
            if seg.length is None:
                break
            start += seg.length
        return found


#: Parsed layout files kept in the user cache (one per version of the file: an edit, a worktree).
KEEP_CACHED = 4


def _parsed(text: str) -> dict[str, Any]:
    """The layouts file's data (plain dicts and lists), through a pickle in the user cache named by the
    text's digest: the pure-Python YAML parser takes ~12 ms CPU over this 4 KB file at every import, a
    twentieth of a 10-row validate. A changed file is a new name; a missing or damaged pickle is parsed
    again (``govstd.cachefiles``)."""
    path = cachefiles.folder("library") / f"layouts-{hashlib.sha256(text.encode()).hexdigest()[:32]}.pickle"

    def parse() -> dict[str, Any]:
        from ruamel.yaml import YAML

        data: dict[str, Any] = YAML(typ="safe").load(text)
        return data

    return cachefiles.through(path, dict, parse, keep=KEEP_CACHED)


def _load_layouts() -> tuple[str, tuple[Layout, ...]]:
    text = resources.files("govstd.standards").joinpath("data", "service_item_layouts.yaml").read_text("utf-8")
    data = _parsed(text)
    layouts = tuple(
        Layout(name=item["name"], kind=item["kind"], description=item.get("description", ""),
               sources=tuple(item.get("sources", ())),
               segments=tuple(Segment(pattern=str(seg["pattern"]), part=seg.get("part"), length=seg.get("length"))
                              for seg in item["segments"]))
        for item in data["layouts"]
    )
    return str(data["version"]), layouts


# Versioned data (data/service_item_layouts.yaml): a new layout (another province, a new edition) is a
# new entry and a new version. Order matters: the first match wins and is the one reported.
LAYOUTS_VERSION, LAYOUTS = _load_layouts()
NAME = "service item code"
NAME_ZH = "政务服务事项编码"
PII = PiiClass.NONE
#: Any known layout (group names dropped: alternatives repeat them). The checks read each layout's own.
SHAPE = "|".join("(?:" + re.sub(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>", "(?:", lay.pattern) + ")" for lay in LAYOUTS)


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
        match = layout.regex.fullmatch(code)
        if match:
            return layout.name, match.groupdict()
    return None


def check(code: str, *, kind: Literal["implementation", "basic"] | None = None) -> list[ValidationError]:
    """Every problem with ``code``: no layout (of ``kind``) matches; or, in an implementation code, the
    area code's first six digits are no GB/T 2260 code, or the body is not a valid credit code."""
    try:
        code = compact(code)
    except ValidationError as err:  # spreadsheet damage
        return [err]
    if is_masked(code):
        return [MaskedValue("the service item code is already masked")]
    layout = next((lay for lay in LAYOUTS if (kind is None or lay.kind == kind) and lay.regex.fullmatch(code)), None)
    if layout is None:
        what = "service item code" if kind is None else f"{kind} code"
        return [InvalidFormat(f"matches no known {what} layout")]
    parts = layout.regex.fullmatch(code).groupdict()  # type: ignore[union-attr]
    problems: list[ValidationError] = []
    area = parts.get("area_code")
    if area is not None and not gbt2260.is_known(area[:6]):
        problems.append(InvalidRegion("the area code's first six digits are no GB/T 2260 code (1981-2024)"))
    body = parts.get("body")
    if body is not None and body_kind(body) != "uscc":
        problems.append(InvalidBody(_BODY_MESSAGES[body_kind(body)]))
    return problems


_BODY_MESSAGES = {
    "org_code": "the implementing body is an organisation code, not a credit code",
    "placeholder": "the implementing body is a placeholder (one digit repeated), not a credit code",
    "irregular": "the implementing body is not a valid credit code (GB 32100: length, shape or check)",
}


def findings(code: str, *, kind: Literal["implementation", "basic"] | None = None) -> list[ValidationError]:
    """What conforms only after normalising (lower case, spaces, full-width characters): the value is
    recoverable, but not written as the standard writes it."""
    try:
        return [] if code == compact(code) else [NotCanonical()]
    except ValidationError:
        return []


def validate(code: str, *, kind: Literal["implementation", "basic"] | None = None) -> str:
    """Return the compact code, or raise the first problem ``check`` finds: MaskedValue, ExcelDamaged,
    InvalidFormat (no layout), InvalidRegion (area code) or InvalidBody (implementing body)."""
    problems = check(code, kind=kind)
    if problems:
        raise problems[0]
    return compact(code)


def is_valid(code: str, *, kind: Literal["implementation", "basic"] | None = None) -> bool:
    """True if ``validate`` accepts the code."""
    try:
        validate(code, kind=kind)
    except ValueError:
        return False
    return True


def body_kind(body: str) -> Literal["uscc", "org_code", "placeholder", "irregular"]:
    """What an implementation code's body holds: a valid USCC (region and category findings aside), a
    valid GB 11714 organisation code, a placeholder, or something else (truncated, mistyped)."""
    if gb32100.is_valid(body):
        return "uscc"
    if _PLACEHOLDER_RE.match(body.replace("-", "")):
        return "placeholder"
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
