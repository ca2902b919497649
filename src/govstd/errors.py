"""Errors meant for humans.

Every error a user can cause (bad file, unknown reference, refused publish) is a `GovstdError`;
the CLI prints its message and exits with its `exit_code` — never a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class GovstdError(Exception):
    """Base of all errors the CLI reports without a traceback (exit code 2 unless set)."""

    exit_code = 2
    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        # An error quotes what it found (a cell, a header, a URL): personal numbers and passwords in it
        # are masked here, once, so the CLI, logs and a pipeline's ``str(exc)`` never carry them.
        message, hint = redact(message), redact(hint) if hint else hint
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"

    def to_dict(self) -> dict[str, object]:
        """The error's members, masked: its kind (``error``), message, hint, and what a subclass adds."""
        return {"error": self.code, "message": self.message, "hint": self.hint}

    def to_json(self) -> dict[str, object]:
        """The one JSON document ``--json`` prints for this error:
        ``{"error": {"code", "message", "hint", …its other members}}``."""
        members = self.to_dict()
        members.pop("error", None)
        # A subclass's members (the name asked for, suggestions) quote the user's input as it was typed.
        return {"error": {"code": self.code, **{k: _masked(v) for k, v in members.items()}}}


class InputError(GovstdError):
    """Bad input: names the file, the line and column, the field, and what was expected."""

    code = "input"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path, self.line, self.column, self.field, self.expected = path, line, column, field, expected
        self.detail = message
        super().__init__(self.located(), hint=hint)

    def located(self, expected_word: str = "expected") -> str:
        """``path:line:column: field: detail (expected …)``; ``expected_word`` lets the CLI say it in
        the user's language (``govstd.i18n``). Masked like the message."""
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        detail = self.detail
        if self.field:
            detail = f"{self.field}: {detail}"
        if self.expected:
            detail += f" ({expected_word} {self.expected})"
        return redact(where + detail)

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(),
            "path": redact(self.path) if self.path else self.path,
            "line": self.line,
            "column": self.column,
            "field": redact(self.field) if self.field else self.field,
            "expected": redact(self.expected) if self.expected else self.expected,
        }


class NotFoundError(GovstdError):
    """An unknown reference; suggests the closest known names."""

    code = "not_found"

    def __init__(self, what: str, name: str, known: Iterable[str] = ()) -> None:
        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else None
        super().__init__(f"unknown {what}: {name!r}", hint=hint)
        self.name = name
        self.suggestions = close


class GovstdWarning(UserWarning):
    """Something a user should know that does not stop the work; the CLI prints it as ``warning: …``."""


class ConflictError(GovstdError):
    """A write lost a race or would change something immutable."""

    code = "conflict"



def redact(text: str) -> str:
    """``govstd.standards.masking.redact``, imported when an error is made (not when this module is)."""
    from govstd.standards.masking import redact as mask_text

    return mask_text(text)


def _masked(value: object) -> object:
    """``value`` with ``redact`` applied to every string in it (lists and dicts followed)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def first_line(exc: BaseException) -> str:
    """The first line of a library's error message, at most 200 characters: what went wrong, without
    the lines below it that may quote the offending data."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
