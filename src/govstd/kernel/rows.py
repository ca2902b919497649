"""Rows picked from Arrow batches without ``pyarrow.compute``.

``RecordBatch.take``, ``Array.take``, ``Array.cast`` and ``fill_null`` all import ``pyarrow.compute``, whose
Python module wraps every Arrow function when it loads (~30 ms CPU, a tenth of a 10-row validate). The kernel's
pass needs far less: a sample's few rows of a batch (``take``) and one INT64 column gathered at the kernel's
row indices (``gather``, ``int64``). Arrow's core (slices, ``concat_batches``) and numpy (which pyarrow itself
imports) do both, vectorised, without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def take(batch: Any, rows: Sequence[int]) -> Any:
    """The rows of ``batch`` at the batch-local indices ``rows``, in that order, as a new record batch of the
    same schema: each run of consecutive indices one slice, the slices concatenated — a copy, so a sample
    kept to the end of a run does not hold its whole batch in memory."""
    import pyarrow as pa

    parts, start, end = [], 0, -1
    for row in rows:
        if row == end:
            end += 1
            continue
        if end > start:
            parts.append(batch.slice(start, end - start))
        start, end = row, row + 1
    parts.append(batch.slice(start, end - start) if end > start else batch.slice(0, 0))
    return pa.concat_batches(parts)


def gather(values: Any, at: Any) -> Any:
    """``values[at[i]]`` for each ``i``: ``values`` an INT64 Arrow array without NULLs (``int64``), ``at``
    an INT64 Arrow array of indices into it. A new Arrow array."""
    import pyarrow as pa

    picked = _numpy(values)[_numpy(at)]
    return pa.Array.from_buffers(pa.int64(), len(picked), [None, pa.py_buffer(picked)])


def int64(array: Any, null: int) -> Any:
    """``array`` as contiguous INT64 values without NULLs (each NULL as ``null``), for the C side to index;
    the array itself when it already is one."""
    import numpy as np
    import pyarrow as pa

    if array.type != pa.int64():
        import pyarrow.compute as pc  # a row or line column is BIGINT from every reader: not met in practice

        array = pc.cast(array, pa.int64())
    if not array.null_count:
        return array
    values = _numpy(array).copy()
    bits = np.frombuffer(array.buffers()[0], dtype=np.uint8)
    valid = np.unpackbits(bits, bitorder="little")[array.offset:array.offset + len(array)]
    values[valid == 0] = null
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def _numpy(array: Any) -> Any:
    """The values of an INT64 Arrow array as a numpy view of its buffer (NULL slots hold whatever is there)."""
    import numpy as np

    if not len(array):
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(array.buffers()[1], dtype=np.int64, count=len(array), offset=array.offset * 8)
