"""The kernel inside DuckDB's scan: the same library, loaded into a check run's DuckDB connection as an extension.

Built with DuckDB's C API headers (``setup.py``), the kernel library is also a DuckDB extension
(``csrc/inscan.c``) registering the aggregate ``govstd_count(plan, keys, column, ...)``, which runs the kernel over
DuckDB's own vectors on DuckDB's threads, inside its scan. Streaming the columns out as Arrow batches instead cost
more CPU than DuckDB's scan itself (docs/benchmarks.md, eighth round).

DuckDB loads an extension from a file ending in its metadata footer, and only an unsigned one from a connection
opened with ``allow_unsigned_extensions``: ``extension_file`` writes the library with that footer into the user
cache (named by a digest of both, rewritten when it differs), and ``connect_config`` is what
``engines.duckdb_session.connect`` opens a connection with. A check run's connection runs only the SQL govstd
composes, with every name and value quoted.

Samples are a check's first failing rows in source order, and DuckDB's threads take the rows in no set order:
each thread's state keeps the failing rows of the smallest row numbers it has seen, with their values, and merging
two states keeps the smallest of both. A key's first repeating rows need the rows in order: they come from a
second pass over the key's columns alone, which stops once they are found. ``GOVSTD_INSCAN=0`` streams Arrow
batches to the kernel for every run.
"""

from __future__ import annotations

import array
import ctypes
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from govstd import cachefiles

#: DUCKDB_EXTENSION_NAME of csrc/inscan.c: DuckDB calls ``<the file's base name>_init_c_api``.
EXTENSION_NAME = "govstd_kernel"
#: The DuckDB C API version csrc/inscan.c is written against (its DUCKDB_EXTENSION_API_VERSION_*).
CAPI_VERSION = "v1.2.0"
#: The footer's version field: the extension's own, shown by duckdb_extensions().
EXTENSION_VERSION = "govstd"
#: gk_run's column layout of DuckDB's 16-byte string views (csrc/kernel.h, LAYOUT_VIEWS).
LAYOUT_VIEWS = 2


def disabled() -> bool:
    """``GOVSTD_INSCAN=0`` (or ``off``/``false``/``no``): stream Arrow batches to the kernel instead."""
    return os.environ.get("GOVSTD_INSCAN", "").strip().lower() in ("0", "off", "false", "no")


def built(lib: ctypes.CDLL | None) -> bool:
    """Whether ``lib`` (``kernel.load()``) was built with the in-scan part (DuckDB's headers at install time)."""
    return lib is not None and hasattr(lib, f"{EXTENSION_NAME}_init_c_api")


def usable(lib: ctypes.CDLL | None) -> bool:
    return built(lib) and not disabled()


def connect_config() -> dict[str, str | bool | int | float | list[str]]:
    """The settings a check run's connection is opened with: unsigned extensions (the kernel's) when usable."""
    from govstd import kernel

    if kernel.disabled() or disabled() or not usable(kernel.load()):
        return {}
    return {"allow_unsigned_extensions": "true"}


def footer(platform: str) -> bytes:
    """The metadata DuckDB reads from the end of an extension file (its ``append_metadata`` layout): a WebAssembly
    custom section header, eight 32-byte fields last to first — magic "4", the platform, the C API version, the
    extension's version, the ABI ("C_STRUCT": the stable C API) — and 256 bytes for a signature (none)."""
    fields = ["4", platform, CAPI_VERSION, EXTENSION_VERSION, "C_STRUCT", "", "", ""]
    cells = []
    for text in fields:
        raw = text.encode()
        if len(raw) > 32:
            raise ValueError(f"extension metadata field longer than 32 bytes: {text!r}")
        cells.append(raw + b"\0" * (32 - len(raw)))
    return b"\0" + bytes([0x93, 0x04, 0x10]) + b"duckdb_signature" + bytes([0x80, 0x04]) \
        + b"".join(reversed(cells)) + b"\0" * 256


def extension_file(library: Path, platform: str) -> Path:
    """The kernel library with the footer for ``platform`` (DuckDB's ``PRAGMA platform``), in the user cache."""
    content = library.read_bytes() + footer(platform)
    digest = hashlib.sha256(content).hexdigest()
    target = cachefiles.folder(f"duckdb-extension-{digest[:16]}") / f"{EXTENSION_NAME}.duckdb_extension"
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == digest:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_bytes(content)
    os.replace(partial, target)  # another process writing the same bytes at once is harmless
    return target


def load_into(con: Any, library: Path) -> None:
    """LOAD the kernel into ``con`` (opened with ``connect_config``); raises duckdb.Error or OSError."""
    platform = str(con.execute("PRAGMA platform").fetchall()[0][0])
    path = str(extension_file(library, platform)).replace("'", "''")
    con.execute(f"LOAD '{path}'")


class KeyFeed:
    """The uniqueness keys' counters (``fpcount.KeyCounter``) as one handle the aggregate feeds under a lock."""

    def __init__(self, lib: ctypes.CDLL, counters: list[Any]) -> None:
        self.lib, self.counters = lib, counters
        lib.gk_inscan_keys_new.restype = ctypes.c_void_p
        lib.gk_inscan_keys_new.argtypes = [ctypes.c_int32, ctypes.c_void_p]
        lib.gk_inscan_keys_error.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.gk_inscan_keys_free.argtypes = [ctypes.c_void_p]
        handles = (ctypes.c_void_p * max(1, len(counters)))(*[c.handle for c in counters])
        self.handle: int | None = lib.gk_inscan_keys_new(len(counters), handles) if counters else None
        if counters and not self.handle:
            raise MemoryError("native check kernel: no memory for the key counters")

    def raise_error(self) -> None:
        """The error a key counter met while the aggregate fed it, raised as the counter raises it, if any."""
        if not self.handle:
            return
        key = ctypes.c_int32(0)
        code = int(self.lib.gk_inscan_keys_error(self.handle, ctypes.byref(key)))
        if code:
            self.counters[key.value].check(code)

    def close(self) -> None:
        if self.handle:
            self.lib.gk_inscan_keys_free(self.handle)
            self.handle = None


def max_columns(lib: ctypes.CDLL) -> int:
    """How many columns ``govstd_count`` takes (a plan reading more streams Arrow batches)."""
    return int(lib.gk_inscan_max_columns())


#: A sample's line where it has none (csrc/inscan.c writes INT64_MIN).
_NO_LINE = -(2**63)

#: One sampled row: its row number, its line (None: none), and every text column's value (None: NULL).
SampledRow = tuple[int, int | None, list[str | None]]


def decode(blob: bytes | None, ncounters: int, nchecks: int, samples: int) -> tuple[list[int], list[list[SampledRow]]]:
    """The aggregate's result: ``ncounters`` int64 counters (native byte order; none, for no rows, as zeros) and,
    with ``samples`` > 0, each check's sampled rows in row order (csrc/inscan.c's finalize writes the layout)."""
    if not blob:
        return [0] * ncounters, [[] for _ in range(nchecks if samples else 0)]
    words = array.array("q")
    words.frombytes(blob)
    if len(words) < ncounters:
        raise RuntimeError(f"govstd_count returned {len(words)} counters, the plan has {ncounters}")
    picked: list[list[SampledRow]] = []
    at = ncounters
    for _ in range(nchecks if samples else 0):
        rows: list[SampledRow] = []
        count, at = words[at], at + 1
        for _ in range(count):
            row, line, size = words[at], words[at + 1], words[at + 2]
            start = 8 * (at + 3)
            rows.append((row, None if line == _NO_LINE else line, _values(blob[start:start + size])))
            at += 3 + (size + 7) // 8
        picked.append(rows)
    if at != len(words):
        raise RuntimeError("govstd_count returned a result of the wrong length")
    return list(words[:ncounters]), picked


def _values(blob: bytes) -> list[str | None]:
    """A sample's text values: each an int32 length (-1: NULL) and its UTF-8 bytes."""
    out: list[str | None] = []
    at = 0
    while at < len(blob):
        size = int.from_bytes(blob[at:at + 4], sys.byteorder, signed=True)
        at += 4
        out.append(None if size < 0 else blob[at:at + size].decode("utf-8", errors="replace"))
        at += max(size, 0)
    return out
