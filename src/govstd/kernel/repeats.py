"""Duplicate samples found while the kernel's pass streams: the first rows repeating an earlier row's key.

A uniqueness check's sample is a row repeating an earlier row's key (the row to remove), with the first row
of its key (the row kept) and both rows' lines — the first N such rows in row order. The SQL path ranks every
key's rows with a window over the whole data; here the kernel's fingerprints of each batch (``count_batch``:
``hi``, ``lo`` and the batch-local row ``at``) are fed, in row order, into a set of the fingerprints seen
(``kernel/csrc/keys.c``, "seen keys"), which reports a repeat at the moment its row streams by: its shown values are
taken from the batch at hand (``rows.take``), the first row and its line from the set. Equal fingerprints
are equal keys (``kernel/csrc/keys.c``, "key fingerprints"), so these are the SQL path's samples.

A key's set is freed as soon as it has N repeats, so on data with a few early duplicates it costs next to
nothing. It never outgrows its memory budget: a key whose set would is marked ``overflowed`` and the engine
finds its repeats from the fingerprint table instead (``DuckDBEngine._repeat_pairs``).
"""

from __future__ import annotations

import ctypes
from typing import Any

from govstd.kernel.rows import gather, int64, take

#: The first row's line when the line column holds NULL there (none): kept apart from every real line.
NO_LINE = -(2**63)
#: Columns appended to a sampled row: its key's first row and that row's line.
FIRST = "__govstd_first"
FIRST_LINE = "__govstd_first_line"


class Repeats:
    """Per plan key (``Plan.keys`` order), the first ``n`` rows repeating an earlier row's key, fed batch by
    batch in row order (``add``); each set within ``budget`` bytes. ``row_column`` and ``line_column`` (or
    None) name the batches' row number and physical line (INT64 or castable)."""

    def __init__(self, lib: ctypes.CDLL, n: int, nkeys: int, budget: int, row_column: str,
                 line_column: str | None) -> None:
        self.lib, self.n = lib, n
        self.row_column, self.line_column = row_column, line_column
        self._sets: list[int | None] = [lib.gk_seen_new(budget) for _ in range(nkeys)]
        #: A key whose set outgrew the budget (or found no memory to start): its repeats are not known here.
        self.overflowed = [s is None for s in self._sets]
        self._parts: list[list[Any]] = [[] for _ in range(nkeys)]
        self._have = [0] * nkeys

    def found(self, k: int) -> int:
        """How many repeating rows of key ``k`` were found so far (at most ``n``)."""
        return self._have[k]

    def pending(self, k: int) -> bool:
        """Whether key ``k`` may still need the fingerprint table's row numbers: neither done nor known here."""
        return self._have[k] < self.n

    def add(self, batch: Any, fingerprints: list[Any]) -> None:
        """One batch (with the row and line columns) and its keys' fingerprints, the next in row order."""
        live = [k for k, fp in enumerate(fingerprints) if self._sets[k] is not None and fp.num_rows]
        if not live:
            return
        rows = int64(batch.column(self.row_column), 0)
        lines = int64(batch.column(self.line_column), NO_LINE) if self.line_column else None
        for k in live:
            fp, room = fingerprints[k], self.n - self._have[k]
            found = [(ctypes.c_int64 * room)() for _ in range(3)]
            got = self.lib.gk_seen_add(self._sets[k], _address(fp.column(0)), _address(fp.column(1)),
                                       _address(fp.column(2)), fp.num_rows, _address(rows),
                                       _address(lines) if lines is not None else None, room, *found)
            if got < 0:
                self._drop(k)
                self.overflowed[k], self._parts[k] = True, []
                continue
            if got:
                at = gather(fp.column(2), _ints(found[0], got))
                taken = take(batch, at.to_pylist()).append_column(FIRST, _ints(found[1], got))
                if self.line_column:  # a first row without a line: NULL
                    taken = taken.append_column(FIRST_LINE, _ints(found[2], got, null=NO_LINE))
                self._parts[k].append(taken)
                self._have[k] += got
            if self._have[k] >= self.n:
                self._drop(k)

    def rows(self, k: int) -> list[Any] | None:
        """Key ``k``'s repeating rows (record batches: the streamed columns, ``FIRST`` and, with a line column,
        ``FIRST_LINE``), in row order; None when its set overflowed (then they are not known here)."""
        return None if self.overflowed[k] else self._parts[k]

    def close(self) -> None:
        for k in range(len(self._sets)):
            self._drop(k)

    def _drop(self, k: int) -> None:
        if self._sets[k] is not None:
            self.lib.gk_seen_free(self._sets[k])
            self._sets[k] = None


def _ints(values: Any, n: int, null: int | None = None) -> Any:
    """The first ``n`` (at most a sample's N) of a ctypes INT64 array as an Arrow array over its memory, the
    value ``null`` as NULL. Not ``pa.array`` nor a Python scalar in pyarrow.compute: either imports pandas
    (pyarrow's pandas shim), which a CSV validate otherwise never loads."""
    import pyarrow as pa

    valid = None
    if null is not None and any(values[i] == null for i in range(n)):
        bits = sum(1 << i for i in range(n) if values[i] != null)
        valid = pa.py_buffer(bits.to_bytes((n + 7) // 8, "little"))
    return pa.Array.from_buffers(pa.int64(), n, [valid, pa.py_buffer(values)])


def _address(array: Any) -> int:
    """The address of the first value of a fixed-width Arrow array without nulls."""
    return int(array.buffers()[1].address + array.offset * array.type.byte_width)
