"""One catalogue record checked and made a row: the same code checks as the validators' (one module,
``govstd.standards.numbers.service_item``), plus what a catalogue row must agree with itself on.

A refused record is not an error of the import: it is a reason for its fix list, and the rest of
the catalogue is imported.
"""

from __future__ import annotations

import functools
import hashlib

from govstd.registry.items.tables import ITEM_FIELDS
from govstd.standards.numbers import service_item
from govstd.standards.numbers.exceptions import ValidationError

Record = dict[str, str | None]


@functools.lru_cache(maxsize=65_536)
def _basic_problem(code: str) -> str | None:
    # Basic codes repeat across a catalogue (one per item, many implementation entries each): checked once.
    problems = service_item.check(code, kind="basic")
    return f"basic code: {problems[0]}" if problems else None


def _compact(code: str) -> str:
    try:
        return service_item.compact(code)
    except ValidationError:
        return code


def check_record(record: Record) -> tuple[dict[str, str | None] | None, str | None, str | None]:
    """``(row, None, code)`` for a record fit for the catalogue, ``(None, reason, code)`` otherwise;
    ``code`` is the implementation code as written (for the fix list)."""
    raw = record.get("implementation_code")
    if not raw:
        return None, "implementation code (实施编码) is empty", raw
    basic_raw = record.get("basic_code")
    if not basic_raw:
        return None, "basic code (基本编码) is empty", raw
    if not record.get("name"):
        return None, "item name (事项名称) is empty", raw
    problems = service_item.check(raw, kind="implementation")
    if problems:
        return None, f"implementation code: {problems[0]}", raw
    basic_problem = _basic_problem(basic_raw)
    if basic_problem:
        return None, basic_problem, raw
    code, basic = service_item.compact(raw), _compact(basic_raw)
    matched = service_item.match_layout(code)
    parts = matched[1] if matched else {}
    if parts.get("basic_code") not in (None, basic):
        return None, f"the implementation code embeds basic code {parts['basic_code']}, the row says {basic}", raw
    row: dict[str, str | None] = {**{f: record.get(f) for f in ITEM_FIELDS}, "implementation_code": code,
                                  "basic_code": basic}
    if row["item_type"]:
        try:
            row["item_type"] = service_item.item_type(row["item_type"])
        except ValidationError as err:
            return None, f"item type (事项类型) {row['item_type']!r}: {err}", raw
    level = row["exercise_level"]
    if level and level not in service_item.EXERCISE_LEVELS:
        by_label = {v: k for k, v in service_item.EXERCISE_LEVELS.items()}
        if level not in by_label:
            return None, f"exercise level (行使层级) {level!r} is not one of 1-6 ({'/'.join(by_label)})", raw
        row["exercise_level"] = by_label[level]
    row["row_hash"] = row_hash(row)
    return row, None, raw


def row_hash(row: dict[str, str | None]) -> str:
    """What makes two releases' rows "the same": every field, in a fixed order, NUL for absent."""
    text = "\x1f".join(row.get(f) or "\x00" for f in ITEM_FIELDS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
