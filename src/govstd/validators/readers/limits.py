"""Input limits: how big a spreadsheet govstd reads before refusing it as hostile or broken.

A 1 MB workbook can declare a 1 GB cell, a 16,384 × 1,048,576 range or millions of rows; read as
declared it takes minutes and gigabytes. Each limit has a default (Excel's own limits where Excel has
one — "Excel specifications and limits") and an environment variable that overrides it for a run, e.g.
``GOVSTD_XLSX_MAX_ROWS=2000000 govstd validate …``. Exceeding one is an ``InputError`` (exit 2) that
names the limit and its variable. docs/pipelines.md lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from govstd.errors import InputError


@dataclass(frozen=True)
class Limit:
    """One limit: its environment variable, its default and what it bounds (for messages)."""

    env: str
    default: int
    what: str

    def value(self) -> int:
        """The limit in force: the environment variable if set, else the default."""
        raw = os.environ.get(self.env)
        if raw is None or not raw.strip():
            return self.default
        try:
            value = int(raw.strip().replace("_", ""))
        except ValueError:
            value = 0
        if value <= 0:
            raise InputError(f"{self.env}={raw!r} is not a positive whole number", expected=f"{self.what} limit")
        return value

    def exceeded(self, found: str, *, path: str, line: int | None = None) -> InputError:
        """The error for an input beyond this limit."""
        return InputError(f"{found}: more than the limit of {self.value():,} {self.what}", path=path, line=line,
                          hint=f"if the file is genuine, raise the limit with the environment variable {self.env}")


#: Sum of the declared uncompressed sizes of a workbook's ZIP members (zipfile enforces the declared
#: size while inflating, so a member cannot inflate past it).
XLSX_UNCOMPRESSED_BYTES = Limit("GOVSTD_XLSX_MAX_UNCOMPRESSED_BYTES", 1 << 30, "bytes uncompressed")
#: Uncompressed / compressed size of one member above ``RATIO_MIN_BYTES``: sheets saved by Excel, WPS
#: or LibreOffice compress ~5-20×; a bomb of repeated bytes 1000×. Apache POI refuses above 100× too.
XLSX_RATIO = Limit("GOVSTD_XLSX_MAX_RATIO", 100, "× compression ratio")
RATIO_MIN_BYTES = 1 << 20
#: Characters in one cell: Excel's limit (32,767 characters per cell).
XLSX_CELL_CHARS = Limit("GOVSTD_XLSX_MAX_CELL_CHARS", 32_767, "characters in a cell")
#: Rows in a sheet, blank ones included: Excel's limit (1,048,576 rows).
XLSX_ROWS = Limit("GOVSTD_XLSX_MAX_ROWS", 1_048_576, "rows")
#: Columns in a sheet: Excel's limit (16,384 columns, A … XFD).
XLSX_COLUMNS = Limit("GOVSTD_XLSX_MAX_COLUMNS", 16_384, "columns")

ALL = (XLSX_UNCOMPRESSED_BYTES, XLSX_RATIO, XLSX_CELL_CHARS, XLSX_ROWS, XLSX_COLUMNS)
