"""A uniqueness check's four numbers counted in C from its key's fingerprints, within a memory budget.

The kernel writes a 128-bit fingerprint of each present row's key (``kernel/csrc/keys.c``, "key fingerprints"); equal
fingerprints are equal keys, so a uniqueness check is the groups of equal fingerprints: rows evaluated,
distinct keys, keys held by more than one row, the rows holding them. Counting them in C (``_fpcount.c``:
radix partitions by a mixed hash, one open-addressing table per partition) costs a small fraction of inserting
every fingerprint into a DuckDB table and grouping it there. The counter keeps its memory within ``budget``
bytes by spilling partitions to an unlinked file in ``spill_dir``; any failure there (no room, no folder,
no memory) is a ``GovstdError`` saying so, never a wrong count.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

from govstd.errors import GovstdError
from govstd.kernel.repeats import _address

#: ``_fpcount.c``'s failure codes.
_NOMEM, _IO, _TOO_BIG = -1, -2, -3
_HINT = "raise --memory-limit, or give --temp-directory on a disk with room to spill"


class KeyCounter:
    """The groups of one key's fingerprints, fed batch by batch (``add``), counted once (``result``)."""

    def __init__(self, lib: ctypes.CDLL, budget: int, spill_dir: str) -> None:
        self.lib, self.spill_dir = lib, spill_dir
        self._handle: int | None = lib.gk_fpc_new(budget, os.fsencode(spill_dir))
        if not self._handle:
            raise GovstdError("no memory to count the uniqueness keys", hint=_HINT)

    def add(self, fingerprints: Any) -> None:
        """One Arrow record batch of fingerprints (``hi``, ``lo``: UINT64 without nulls, as ``count_batch``
        gives them)."""
        n = fingerprints.num_rows
        if n:
            self.check(self.lib.gk_fpc_add(self._live(), _address(fingerprints.column(0)),
                                            _address(fingerprints.column(1)), n))

    def result(self, null_hi: int, single: bool) -> tuple[int, int, int, int]:
        """(rows, distinct keys, keys held by more than one row, rows holding them). ``single``: a key of one
        part, whose NULL group (fingerprint ``null_hi``, 0: ``Kernel.key_null_hi``) is a group but not a distinct
        key, as SQL's COUNT(DISTINCT) does not count NULL."""
        out = (ctypes.c_int64 * 4)()
        self.check(self.lib.gk_fpc_result(self._live(), null_hi, int(single), out))
        return int(out[0]), int(out[1]), int(out[2]), int(out[3])

    @property
    def handle(self) -> int:
        """The C counter, for a caller feeding it from C (``inscan.KeyFeed``)."""
        return self._live()

    def spills(self) -> int:
        """How many times the fingerprints went to the spill file (0: counted in memory)."""
        return int(self.lib.gk_fpc_spills(self._live()))

    def levels(self) -> int:
        """Levels of partitions the count used: 1, or more where a partition's distinct keys did not fit."""
        return int(self.lib.gk_fpc_levels(self._live()))

    def close(self) -> None:
        """Frees the counter and its spill file (unlinked from the start: nothing stays in the folder)."""
        if self._handle:
            self.lib.gk_fpc_free(self._handle)
            self._handle = None

    def _live(self) -> int:
        if not self._handle:
            raise RuntimeError("the key counter is closed")
        return self._handle

    def check(self, code: int) -> None:
        """Raise the error ``code`` (a gk_fpc_* result) means, if any."""
        if code == 0:
            return
        if code == _IO:
            errno = int(self.lib.gk_fpc_errno(self._live()))
            raise GovstdError(f"cannot spill the uniqueness keys to {self.spill_dir}: {os.strerror(errno)}",
                              hint=_HINT)
        if code == _TOO_BIG:
            raise GovstdError("too many distinct uniqueness keys with the same hash bits for the memory budget",
                              hint=_HINT)
        raise GovstdError("no memory to count the uniqueness keys", hint=_HINT)
