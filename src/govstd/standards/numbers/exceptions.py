"""Errors raised by the identifier validators in :mod:`govstd.standards.numbers`.

Every error carries a stable machine ``code`` (what a report groups by) and a message for humans.
Messages never contain the value that failed — identifiers are personal data — at most a masked form.

>>> err = InvalidChecksum()
>>> err.code, str(err)
('checksum', 'the check character does not match')
>>> isinstance(InvalidBirthDate("no 30 February"), InvalidComponent)
True
"""

from __future__ import annotations

__all__ = [
    "ExcelDamaged",
    "InvalidBirthDate",
    "InvalidBody",
    "InvalidCategory",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "InvalidOrgCode",
    "InvalidRegion",
    "InvalidSequence",
    "MaskedValue",
    "NotCanonical",
    "ValidationError",
]


class ValidationError(ValueError):
    """A value is not a valid identifier. ``code`` is stable; ``message`` is for humans."""

    code: str = "invalid"
    default_message: str = "the value is not valid"

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, str]:
        """The error as data, e.g. for a JSON report: ``{"code": ..., "message": ...}``."""
        return {"code": self.code, "message": self.message}


class InvalidFormat(ValidationError):
    """Characters that the layout does not allow, or a value in the wrong shape."""

    code = "format"
    default_message = "the value has characters the layout does not allow"


class InvalidLength(ValidationError):
    """The value has the wrong number of characters."""

    code = "length"
    default_message = "the value has the wrong length"


class InvalidChecksum(ValidationError):
    """The check character does not match the rest of the value (typo, truncation, zeroed digits)."""

    code = "checksum"
    default_message = "the check character does not match"


class InvalidComponent(ValidationError):
    """A part of the value (date, region, category, ...) is not a valid value for that part."""

    code = "component"
    default_message = "a component of the value is not valid"


class InvalidBirthDate(InvalidComponent):
    """The birth date is not a real date, is in the future, or is implausibly early."""

    code = "birth_date"
    default_message = "the birth date is not valid"


class InvalidRegion(InvalidComponent):
    """The region (address) code is not a GB/T 2260 code under the chosen policy."""

    code = "region"
    default_message = "the region code is not a known GB/T 2260 code"


class InvalidSequence(InvalidComponent):
    """The sequence number is not allowed."""

    code = "sequence"
    default_message = "the sequence number is not allowed"


class InvalidCategory(InvalidComponent):
    """A USCC registration authority or organisation category not in the table."""

    code = "category"
    default_message = "unknown registration authority or organisation category"


class InvalidOrgCode(InvalidComponent):
    """The GB 11714 organisation code embedded in a USCC fails its own check."""

    code = "org_code"
    default_message = "the embedded GB 11714 organisation code fails its check"


class InvalidBody(InvalidComponent):
    """The implementing body in a service item implementation code is not a valid credit code
    (an organisation code, a placeholder, a truncated or mistyped code)."""

    code = "body"
    default_message = "the implementing body is not a valid credit code"


class NotCanonical(InvalidFormat):
    """A finding, not an error: the value conforms only after normalising (lower case, spaces,
    full-width characters) — recoverable, but not written as the standard writes it."""

    code = "normalised"
    default_message = "not in the standard's representation (lower case, spaces, full-width characters)"


class MaskedValue(InvalidFormat):
    """The value is already masked (``110101********1234``): not an error in a masked dataset, but
    not a valid identifier either."""

    code = "masked"
    default_message = "the value is already masked"


class ExcelDamaged(InvalidFormat):
    """The value went through a spreadsheet as a number (``1.10105E+17``): digits are lost and
    cannot be recovered — re-export the column as text."""

    code = "excel_damage"
    default_message = (
        "the value was stored as a number by a spreadsheet (scientific notation or a trailing .0): "
        "digits are lost; re-export the column as text"
    )
