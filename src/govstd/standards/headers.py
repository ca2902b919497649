"""The names a column holding a field standard goes by in department files (同义名称, GB/T 19488.1).

One source for both readers of headers: ``schema infer`` (which standard a column holds) and
``validate`` (which file column a schema field bound to a standard is). The names are the library
entry's ``name_zh``, id and ``aliases``, plus the common column names below that no entry lists.
"""

from __future__ import annotations

from govstd.errors import GovstdError
from govstd.standards import library

#: Column names met in department files that no library entry lists (pinyin initials included:
#: sfzh = 身份证号, xb = 性别, mz = 民族, lxdh = 联系电话, xzqh = 行政区划).
EXTRA_HEADERS: dict[str, tuple[str, ...]] = {
    "GB11643": ("身份证号", "身份证号码", "身份证", "证件号码", "证件号", "id_number", "idcard", "id_card", "id_no",
                "sfzh", "sfzhm", "zjhm"),
    "GB32100": ("信用代码", "社会信用代码", "credit_code", "tyshxydm"),
    "GB11714": ("机构代码", "zzjgdm"),
    "GBT2260": ("行政区划", "区划代码", "region", "area_code", "xzqh", "xzqhdm"),
    "GBT2261.1": ("性别", "gender", "xb"),
    "GBT3304": ("民族", "nation", "mz"),
    "mobile_phone": ("手机", "手机号", "联系电话", "电话", "联系方式", "phone", "mobile", "tel", "lxdh", "sjhm"),
    "GBT39554.1": ("事项编码", "实施编码", "基本编码"),
}


def header_names(ref: str) -> set[str]:
    """Every name (as written, not folded) a column holding the standard ``ref`` (``id`` or
    ``id@range``) may carry; only the extra names for a standard the built-in library does not hold."""
    entry_id = ref.split("@", 1)[0]
    try:
        # lookup, not find: a candidate version's warning is for the run that checks by it, not for
        # reading its names.
        entry = library.lookup(entry_id).entry
    except GovstdError:
        return set(EXTRA_HEADERS.get(entry_id, ()))
    names = {entry.name_zh, entry.id, *entry.aliases, *EXTRA_HEADERS.get(entry.id, ())}
    return {n for n in names if n}


__all__ = ["EXTRA_HEADERS", "header_names"]
