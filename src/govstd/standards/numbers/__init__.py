"""Identifier algorithms of Chinese national standards — one module per standard, one API.

Every module offers ``compact`` (normalise), ``validate`` (return the normalised value or raise a
specific :class:`~govstd.standards.numbers.exceptions.ValidationError`), ``is_valid`` and ``format``;
those with a check character add ``calc_check_digit``, those holding personal data add ``mask``.
Field standards name their algorithm (``value_domain.algorithm``) by a key of ``ALGORITHMS``.

An identifier's module also holds the facts the SQL checks, the exports and masking read: ``SHAPE``
(its canonical regular expression, ``[0-9]`` never ``\\d``), ``NAME``, ``NAME_ZH`` and ``PII`` (the kind
of personal data; the mask rule is the field standard's, in the library YAML). A new identifier is
its module, a row in ``ALGORITHMS`` and ``IDENTIFIERS``, its YAML entry and its tests.

>>> get('gb11643').is_valid('11010519491231002X')
True
>>> get('uscc').__name__
'govstd.standards.numbers.gb32100'
>>> sorted(ALGORITHMS)[:3]
['foreign_pr', 'gb11643', 'gb11714']
"""

from __future__ import annotations

import importlib
from types import ModuleType

from govstd.errors import NotFoundError

__all__ = ["ALGORITHMS", "ALIASES", "IDENTIFIERS", "MOD11_2_FAMILY", "get"]

# Algorithm name (as used in value_domain.algorithm) → module in this package.
ALGORITHMS: dict[str, str] = {
    "gb11643": "gb11643",  # 公民身份号码 citizen ID number
    "residence_permit": "residence_permit",  # 港澳台居民居住证
    "foreign_pr": "foreign_pr",  # 外国人永久居留身份证
    "gb11714": "gb11714",  # 组织机构代码 organisation code
    "gb32100": "gb32100",  # 统一社会信用代码 USCC
    "gbt2260": "gbt2260",  # 行政区划代码 region code
    "gbt7408": "gbt7408",  # dates (ISO 8601)
    "mobile": "mobile",  # mainland mobile number
    "service_item": "service_item",  # 政务服务事项编码
}
#: Algorithms whose values are identifiers, checked part by part (length, format, checksum, …),
#: normalised and masking-aware; each module exposes SHAPE, NAME, NAME_ZH and PII. The order is the
#: order messages list them in.
IDENTIFIERS: tuple[str, ...] = ("gb11643", "residence_permit", "foreign_pr", "gb32100", "gb11714", "mobile",
                                "service_item")
#: Identifiers sharing GB 11643's 18-character layout and ISO 7064 MOD 11-2 check (one derivation for all).
MOD11_2_FAMILY: tuple[str, ...] = ("gb11643", "residence_permit", "foreign_pr")
# Other names accepted by ``get`` (the names the domain glossary uses).
ALIASES: dict[str, str] = {
    "citizen_id": "gb11643",
    "org_code": "gb11714",
    "uscc": "gb32100",
    "region_code": "gbt2260",
    "date": "gbt7408",
}


def get(name: str) -> ModuleType:
    """The module implementing algorithm ``name`` (or an alias); raises NotFoundError if unknown."""
    key = ALIASES.get(name, name)
    if key not in ALGORITHMS:
        raise NotFoundError("identifier algorithm", name, [*ALGORITHMS, *ALIASES])
    return importlib.import_module(f"{__name__}.{ALGORITHMS[key]}")
