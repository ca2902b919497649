"""``govstd.kernel.rows`` picks rows as Arrow's own compute functions do (``take``, ``fill_null``), which serve
as the oracle here; the module exists so that the kernel's pass need not import them."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from govstd.kernel.rows import gather, int64, take

TEXT = st.one_of(st.none(), st.text(max_size=6))
NUMBER = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))


@st.composite
def batches_and_rows(draw: st.DrawFn) -> tuple[pa.RecordBatch, int, list[int]]:
    """A batch (strings and nullable INT64), an offset to slice it at, and ascending indices into the slice."""
    n = draw(st.integers(1, 40))
    texts = draw(st.lists(TEXT, min_size=n, max_size=n))
    numbers = draw(st.lists(NUMBER, min_size=n, max_size=n))
    batch = pa.record_batch([pa.array(texts, pa.string()), pa.array(numbers, pa.int64())], names=["s", "i"])
    offset = draw(st.integers(0, n - 1))
    rows = draw(st.lists(st.integers(0, n - offset - 1), max_size=12, unique=True))
    return batch, offset, sorted(rows)


@settings(deadline=None, max_examples=200)
@given(batches_and_rows())
def test_take_is_arrows_take(case: tuple[pa.RecordBatch, int, list[int]]) -> None:
    batch, offset, rows = case
    part = batch.slice(offset)  # a batch whose arrays start past their buffers' beginning
    taken = take(part, rows)
    assert taken.schema == part.schema
    assert taken.to_pylist() == part.take(pa.array(rows, pa.int64())).to_pylist()


def test_take_copies_the_rows_it_keeps() -> None:
    # A sample lives to the end of the run: it must not hold its whole batch's buffers.
    batch = pa.record_batch([pa.array([str(i) * 50 for i in range(10_000)])], names=["s"])
    taken = take(batch, [3, 4, 9_000])
    assert taken.to_pylist() == [{"s": "3" * 50}, {"s": "4" * 50}, {"s": "9000" * 50}]
    assert taken.get_total_buffer_size() < 1_000 < batch.get_total_buffer_size()


@settings(deadline=None, max_examples=200)
@given(st.lists(NUMBER, min_size=1, max_size=40), st.data())
def test_int64_fills_nulls_and_gather_picks_like_arrow(values: list[int | None], data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(values) - 1))
    array = pa.array(values, pa.int64()).slice(offset)
    filled = int64(array, -1)
    assert filled.null_count == 0
    assert filled.to_pylist() == pc.fill_null(array, -1).to_pylist()
    at = pa.array(data.draw(st.lists(st.integers(0, len(array) - 1), max_size=20)), pa.int64())
    assert gather(filled, at).to_pylist() == filled.take(at).to_pylist()


def test_int64_casts_other_integer_types() -> None:
    assert int64(pa.array([1, None, 3], pa.int32()), 0).to_pylist() == [1, 0, 3]
