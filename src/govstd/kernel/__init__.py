"""The native check kernel: the check IR's row checks counted in C over Arrow record batches.

A second backend of the same IR (``govstd.validators.ir``), not a second definition of the checks:
``plan.compile_suite`` re-expresses each row check for the fixed C interpreter in ``_kernel.c``; the
constants of the standards (weights, alphabets, check-character tables, character classes) come from
``govstd.standards.numbers`` (through ``compiler.base``, the SQL path's own source) when a plan is loaded.
The DuckDB engine streams the needed columns as Arrow batches and hands them here; a uniqueness check's
key comes back as 128-bit fingerprints per row (``kernel/csrc/keys.c``, "key fingerprints"), grouped in C (``fpcount``)
and, fed in row order to a set of keys seen, gives the first rows repeating a key (``repeats``);
samples and every check the kernel does not implement stay in SQL.

The library is built by setuptools at ``pip install`` (``setup.py``: an optional extension, so an
install without a C compiler still succeeds and the SQL path runs). ``GOVSTD_KERNEL=0`` turns it off.
"""

from __future__ import annotations

import array
import ctypes
import datetime as dt
import importlib.machinery
import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.kernel import automata
from govstd.kernel.fpcount import KeyCounter
from govstd.kernel.plan import W_GB11714, W_GB32100, CheckPlan, KeyPlan, Plan, compile_suite
from govstd.kernel.repeats import Repeats
from govstd.kernel.rows import take
from govstd.validators import ir

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["Kernel", "KeyCounter", "KeyPlan", "Plan", "Repeats", "Samples", "cache_disabled", "compile_suite",
           "disabled", "fingerprint", "load", "status"]

_HERE = Path(__file__).resolve().parent
_LIB_STEM = "_govstd_kernel"
_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_error: str | None = None
P = ctypes.c_void_p


def disabled() -> bool:
    """``GOVSTD_KERNEL=0`` (or ``off``/``false``/``no``): count every check in SQL."""
    return os.environ.get("GOVSTD_KERNEL", "").strip().lower() in ("0", "off", "false", "no")


def cache_disabled() -> bool:
    """``GOVSTD_KERNEL_CACHE=0`` (or ``off``/``false``/``no``): evaluate every check on every row, without the
    kernel's per-value result cache (the same counts; for tests and measurements)."""
    return os.environ.get("GOVSTD_KERNEL_CACHE", "").strip().lower() in ("0", "off", "false", "no")


def library_path() -> Path | None:
    """The built library's file, or None."""
    for suffix in (*importlib.machinery.EXTENSION_SUFFIXES, ".so"):
        path = _HERE / f"{_LIB_STEM}{suffix}"
        if path.exists():
            return path
    return None


def load() -> ctypes.CDLL | None:
    """The built library, or None (``status()`` says why)."""
    global _lib, _error
    with _lock:
        if _lib is not None or _error is not None:
            return _lib
        path = library_path()
        if path is None:
            _error = "not built (no C compiler at install time?): pip install -e . with gcc to build it"
            return None
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as exc:
            _error = f"cannot be loaded: {exc}"
            return None
        lib.gk_plan_new.restype = P
        lib.gk_plan_new.argtypes = [ctypes.c_int32, P, P, P, P, ctypes.c_int32, P, P, P, P, ctypes.c_int32, P,
                                    ctypes.c_int32]
        lib.gk_set_charset.argtypes = [P, ctypes.c_int32, P, ctypes.c_int32, P]
        lib.gk_set_id.argtypes = [P, P, ctypes.c_int32, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32]
        lib.gk_set_weighted.argtypes = [P, ctypes.c_int32, ctypes.c_char_p, P, ctypes.c_int32, ctypes.c_char_p,
                                        ctypes.c_int32, ctypes.c_int32]
        lib.gk_set_sets.argtypes = [P, ctypes.c_int32, P, P, P]
        lib.gk_set_fresh.argtypes = [P, ctypes.c_int32, P]
        lib.gk_set_groups.argtypes = [P, ctypes.c_int32, P]
        lib.gk_cache_on.argtypes = [P, P, P]
        lib.gk_plan_free.argtypes = [P]
        lib.gk_set_shapes.argtypes = [P, ctypes.c_int32, P, P, P, P]
        lib.gk_match.argtypes = [P, ctypes.c_int32, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32]
        lib.gk_ctx_new.restype = P
        lib.gk_ctx_new.argtypes = [P]
        lib.gk_ctx_free.argtypes = [P, P]
        lib.gk_run.argtypes = [P, P, ctypes.c_int32, P, P, P, P, P, ctypes.c_int64, P]
        lib.gk_ctx_samples.argtypes = [P, ctypes.c_int32, P, P]
        lib.gk_set_keys.argtypes = [P, ctypes.c_int32, P]
        lib.gk_ctx_keys.argtypes = [P, P, P]
        lib.gk_ctx_key_rows.argtypes = [P, P]
        lib.gk_seen_new.restype = P
        lib.gk_seen_new.argtypes = [ctypes.c_int64]
        lib.gk_seen_free.argtypes = [P]
        lib.gk_seen_add.restype = ctypes.c_int64
        lib.gk_seen_add.argtypes = [P, P, P, P, ctypes.c_int64, P, P, ctypes.c_int64, P, P, P]
        lib.gk_key_null_hi.restype = ctypes.c_uint64
        lib.gk_key_null_hi.argtypes = []
        lib.gk_key_fingerprint.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32, P]
        lib.gk_fpc_new.restype = P  # _fpcount.c: uniqueness groups (fpcount.KeyCounter)
        lib.gk_fpc_new.argtypes = [ctypes.c_int64, ctypes.c_char_p]
        lib.gk_fpc_add.argtypes = [P, P, P, ctypes.c_int64]
        lib.gk_fpc_result.argtypes = [P, ctypes.c_uint64, ctypes.c_int32, P]
        lib.gk_fpc_errno.argtypes = [P]
        lib.gk_fpc_spills.restype = ctypes.c_int64
        lib.gk_fpc_spills.argtypes = [P]
        lib.gk_fpc_levels.argtypes = [P]
        lib.gk_fpc_free.argtypes = [P]
        _lib = lib
        return lib


def status() -> tuple[bool, str]:
    """(whether ``govstd validate --engine duckdb`` counts row checks natively, a one-line reason)."""
    if disabled():
        return False, "turned off by GOVSTD_KERNEL=0: every check is counted in SQL"
    if load() is None:
        return False, f"native check kernel {_error}; checks are counted in SQL"
    from govstd.kernel import inscan

    lib = load()
    if inscan.disabled():
        how = "fed Arrow batches (GOVSTD_INSCAN=0)"
    elif inscan.built(lib):
        how = "inside DuckDB's scan"
    else:
        how = "fed Arrow batches (built without DuckDB's C API headers)"
    return True, f"native check kernel {library_path()}, {how}"


#: ctypes integer types → ``array.array`` type codes of the same size (a pointer as an unsigned word).
_CODES = {ctypes.c_int8: "b", ctypes.c_uint8: "B", ctypes.c_int16: "h", ctypes.c_int32: "i", ctypes.c_uint32: "I",
          ctypes.c_int64: "q", ctypes.c_uint64: "Q", ctypes.c_void_p: "Q"}


def _array(ctype: Any, values: Iterable[int]) -> Any:
    """A ctypes array of ``values`` (at least one element: C reads a valid pointer even for none). Built through
    ``array.array``, which converts in C: the automata's tables are ~10⁵ ints, too many for ctypes' own
    argument-by-argument constructor at every run's start."""
    items = array.array(_CODES[ctype], values)
    if not items:
        items.append(0)
    return (ctype * len(items)).from_buffer(items)


class Kernel:
    """One plan loaded into the C library, ready to count batches on several threads at once."""

    def __init__(self, lib: ctypes.CDLL, plan: Plan, cache: bool | None = None, shapes: bool = True) -> None:
        """``cache``: count the checks reading one column once per distinct value (``Plan.groups``); None:
        unless ``GOVSTD_KERNEL_CACHE=0``. ``shapes``: match a pattern by its per-length product of byte classes
        where it is one (``automata.shapes``; False: always walk the automaton, to compare)."""
        from govstd.standards.numbers import gb11643, gb11714, gb32100
        from govstd.validators.compiler import base

        self.lib, self.plan = lib, plan
        keep: list[Any] = []  # every buffer the C side points into lives as long as this object

        def buf(ctype: Any, values: Iterable[int]) -> Any:
            arr = _array(ctype, values)
            keep.append(arr)
            return arr

        nodes = buf(ctypes.c_int64, [w for n in plan.nodes for w in n])
        args = buf(ctypes.c_int32, plan.args)
        lit_off = [0]
        for lit in plan.literals:
            lit_off.append(lit_off[-1] + len(lit))
        lit_data = ctypes.create_string_buffer(b"".join(plan.literals) or b"\0")
        keep.append(lit_data)
        tables: list[int] = []
        accepts: list[int] = []
        dfa_off, acc_off = [], []
        for a in plan.automata:
            dfa_off.append(len(tables))
            acc_off.append(len(accepts))
            tables += a.table
            accepts += a.accept
        dfa_off.append(len(tables))  # one more: where the last automaton ends (its number of states)
        acc_off.append(len(accepts))
        self.checks_words = buf(ctypes.c_int32, plan.check_words())
        handle = lib.gk_plan_new(
            len(plan.nodes), nodes, args, lit_data, buf(ctypes.c_int64, lit_off), len(plan.automata),
            buf(ctypes.c_int16, tables), buf(ctypes.c_int64, dfa_off), buf(ctypes.c_uint8, accepts),
            buf(ctypes.c_int64, acc_off), len(plan.checks), self.checks_words, plan.counters)
        if not handle:
            raise MemoryError("native check kernel: no memory for the plan")
        self.handle = handle
        if shapes and plan.automata:
            modes, bits, classes, off = automata.shape_words([automata.shapes(a) for a in plan.automata])
            self._ok(lib.gk_set_shapes(handle, automata.MAX_SHAPE_LEN, buf(ctypes.c_uint8, modes),
                                       buf(ctypes.c_uint64, bits), buf(ctypes.c_uint8, classes),
                                       buf(ctypes.c_int64, off)), "pattern shapes")
        self._ok(lib.gk_set_fresh(handle, len(plan.fresh), buf(ctypes.c_int32, plan.fresh_words())), "freshness")
        self.cache = not cache_disabled() if cache is None else cache
        if self.cache and plan.groups:
            self._ok(lib.gk_set_groups(handle, len(plan.groups), buf(ctypes.c_int32, plan.group_words())), "groups")
        self._maxed = plan.max_counters()
        self._ok(lib.gk_set_keys(handle, len(plan.keys), buf(ctypes.c_int32, plan.key_words())), "uniqueness keys")
        # Character classes of govstd.standards.numbers.normalize, as the SQL compiler derives them.
        charsets = [base.WHITESPACE_CHARS, base.DASH_CHARS, base.APOSTROPHE_CHARS, base.MASK_CHARS,
                    base.FULLWIDTH_FROM]
        for which, chars in enumerate(charsets):
            cps = sorted({ord(c) for c in chars})
            to = [ord(base.FULLWIDTH_TO[base.FULLWIDTH_FROM.index(chr(cp))]) for cp in cps] if chars is \
                base.FULLWIDTH_FROM else []
            ok = lib.gk_set_charset(handle, which, buf(ctypes.c_uint32, cps), len(cps), buf(ctypes.c_uint32, to))
            self._ok(ok, "character class")
        self._ok(lib.gk_set_id(handle, buf(ctypes.c_int32, gb11643.WEIGHTS), len(gb11643.WEIGHTS),
                               gb11643.CHECK_CHARS.encode(), gb11643.LENGTH, gb11643.LEGACY_LENGTH), "GB 11643")
        self._ok(lib.gk_set_weighted(handle, W_GB32100, gb32100.ALPHABET.encode(), buf(ctypes.c_int32, gb32100.WEIGHTS),
                                     len(gb32100.WEIGHTS), base.GB32100_CHECK_TABLE.encode(), gb32100.MODULUS,
                                     gb32100.LENGTH), "GB 32100")
        self._ok(lib.gk_set_weighted(handle, W_GB11714, base.ALNUM.encode(), buf(ctypes.c_int32, gb11714.WEIGHTS),
                                     len(gb11714.WEIGHTS), base.GB11714_CHECK_TABLE.encode(), gb11714.MODULUS,
                                     gb11714.LENGTH), "GB 11714")
        starts, offsets, data = [0], [0], []
        for values in plan.sets:
            for v in values:
                data.append(v)
                offsets.append(offsets[-1] + len(v))
            starts.append(starts[-1] + len(values))
        set_data = ctypes.create_string_buffer(b"".join(data) or b"\0")
        keep.append(set_data)
        self._ok(lib.gk_set_sets(handle, len(plan.sets), buf(ctypes.c_int64, starts), set_data,
                                 buf(ctypes.c_int64, offsets)), "code sets")
        self._keep = keep
        self._contexts: list[int] = []
        self._free: list[int] = []
        self._ctx_lock = threading.Lock()

    def _ok(self, code: int, what: str) -> None:
        if code != 0:
            self.close()
            raise RuntimeError(f"native check kernel refused the {what} constants")

    def close(self) -> None:
        for c in getattr(self, "_contexts", []):
            self.lib.gk_ctx_free(self.handle, c)
        self._contexts = []
        if getattr(self, "handle", None):
            self.lib.gk_plan_free(self.handle)
            self.handle = None

    def _context(self) -> int:
        with self._ctx_lock:
            if self._free:
                return self._free.pop()
            c = self.lib.gk_ctx_new(self.handle)
            if not c:
                raise MemoryError("native check kernel: no memory for a context")
            self._contexts.append(c)
            return int(c)

    def cache_on(self) -> list[list[bool]]:
        """Per context made so far, per group of ``plan.groups``: whether its per-value cache is still on (a
        group of near-unique values switches its cache off)."""
        out = []
        for c in self._contexts:
            flags = (ctypes.c_int32 * max(1, len(self.plan.groups)))()
            n = self.lib.gk_cache_on(self.handle, c, flags)
            out.append([bool(flags[g]) for g in range(n)])
        return out

    def count_batch(self, batch: Any, samples: int = 0) -> tuple[list[int], list[Any], list[Any]]:
        """One Arrow record batch whose first columns are ``plan.columns``, as text (later columns are not
        read): its counters; with ``samples`` > 0 the batch-local indices of each plan check's first
        ``samples`` failing rows, in row order (else no lists); and per ``plan.keys`` a record batch (``hi``,
        ``lo``: UINT64) of the fingerprints of its present rows' keys, in row order — with ``samples`` > 0
        also ``at`` (INT64), each fingerprint's batch-local row (for duplicate samples, ``Repeats``). The
        sample and fingerprint buffers belong to this call (and then to what it returns), never to a context
        shared between threads."""
        import pyarrow as pa

        n = len(self.plan.columns)
        validity, offsets, data, starts, large = [], [], [], [], []
        arrays = []
        for k in range(n):
            arr = batch.column(k)
            if arr.type not in (pa.string(), pa.large_string()):
                arr = arr.cast(pa.string())
            arrays.append(arr)
            bufs = arr.buffers()
            validity.append(bufs[0].address if bufs[0] is not None else 0)
            offsets.append(bufs[1].address)
            data.append(bufs[2].address if bufs[2] is not None and bufs[2].size else 0)
            starts.append(arr.offset)
            large.append(int(arr.type == pa.large_string()))
        counters = (ctypes.c_int64 * self.plan.counters)()
        nkeys, rows = len(self.plan.keys), batch.num_rows
        key_bufs = [pa.allocate_buffer(8 * max(1, rows)) for _ in range(2 * nkeys)]
        # The context keeps these pointers until the call's end: they must outlive gk_run.
        written = (ctypes.c_int64 * max(1, nkeys))()
        key_ptrs = _array(ctypes.c_void_p, [b.address for b in key_bufs])
        row_bufs = [pa.allocate_buffer(8 * max(1, rows)) for _ in range(nkeys if samples else 0)]
        row_ptrs = _array(ctypes.c_void_p, [b.address for b in row_bufs])
        nchecks = len(self.plan.checks)
        picked = (ctypes.c_int64 * max(1, nchecks * samples))()
        found = (ctypes.c_int32 * max(1, nchecks))()
        ctx = self._context()
        try:
            # A pooled context serves every kind of call: each call says what it wants.
            self.lib.gk_ctx_samples(ctx, samples, picked, found)
            self.lib.gk_ctx_keys(ctx, key_ptrs if nkeys else None, written)
            self.lib.gk_ctx_key_rows(ctx, row_ptrs if row_bufs else None)
            # Empty data buffers: a valid pointer is still needed for the (zero-length) reads.
            empty = ctypes.create_string_buffer(1)
            data_ptrs = [d or ctypes.addressof(empty) for d in data]
            self.lib.gk_run(self.handle, ctx, n, _array(ctypes.c_void_p, validity), _array(ctypes.c_void_p, offsets),
                            _array(ctypes.c_void_p, data_ptrs), _array(ctypes.c_int64, starts),
                            _array(ctypes.c_int8, large), batch.num_rows, counters)
        finally:
            with self._ctx_lock:
                self._free.append(ctx)
        del arrays
        # Arrow arrays over the C buffer: ``pa.array`` of Python ints would import pandas (pyarrow's shim).
        rows_buf = pa.py_buffer(picked)
        picks = [pa.Array.from_buffers(pa.int64(), found[k], [None, rows_buf], offset=k * samples)
                 for k in range(nchecks)] if samples else []
        keys = [pa.RecordBatch.from_arrays(
                    [pa.Array.from_buffers(pa.uint64(), written[k], [None, key_bufs[2 * k + half]])
                     for half in (0, 1)]
                    + ([pa.Array.from_buffers(pa.int64(), written[k], [None, row_bufs[k]])] if row_bufs else []),
                    names=["hi", "lo", "at"][:3 if row_bufs else 2]) for k in range(nkeys)]
        return list(counters), picks, keys

    def count(self, batches: Iterator[Any], threads: int = 1, samples: Samples | None = None,
              keys: Callable[[Any, list[Any]], None] | None = None) -> list[int]:
        """The summed counters of every batch, counted on up to ``threads`` threads (the C call releases
        the GIL); at most two batches per thread wait in memory. Batches are merged in the order they came,
        on the calling thread: with ``samples``, each check's first failing rows are kept there (so they are
        the first of the data); ``keys`` receives each batch with its key fingerprints (``count_batch``), in the
        order the batches came (so a ``Repeats`` fed there sees the rows in row order)."""
        total = [0] * self.plan.counters
        n = samples.n if samples is not None else 0
        Counted = tuple[list[int], list[Any], list[Any]]

        def merge(batch: Any, counted: Counted) -> None:
            nonlocal total
            total = self._merge(total, counted[0])
            if samples is not None:
                samples.add(batch, counted[1])
            if keys is not None and counted[2]:
                keys(batch, counted[2])

        # A source of one batch (every small file) is counted here, without starting a pool of threads.
        batches = iter(batches)
        ahead = list(itertools.islice(batches, 2))
        if threads <= 1 or len(ahead) < 2:
            for b in itertools.chain(ahead, batches):
                merge(b, self.count_batch(b, n))
            return total
        from concurrent.futures import ThreadPoolExecutor  # with logging under it: only for several batches

        pending: list[tuple[Any, Future[Counted]]] = []
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="govstd-kernel") as pool:
            for b in itertools.chain(ahead, batches):
                pending.append((b, pool.submit(self.count_batch, b, n)))
                if len(pending) >= 2 * threads:
                    batch, done = pending.pop(0)
                    merge(batch, done.result())
            for batch, done in pending:
                merge(batch, done.result())
        return total

    def _merge(self, total: list[int], batch: list[int]) -> list[int]:
        """Counts add up; the newest values (``Plan.max_counters``) are the largest of the batches'."""
        return [max(x, y) if k in self._maxed else x + y for k, (x, y) in enumerate(zip(total, batch, strict=True))]

    def values(self, counters: list[int]) -> dict[str, Any]:
        """The counters under the names ``outputs()`` gives each check (for ``engines.base.assemble``); a
        freshness check's newest value as DuckDB gives it (a date, or a timestamp without time zone)."""
        out: dict[str, Any] = {"__rows": counters[0]}
        for i, f in enumerate(self.plan.fresh):
            out[f"__fe{i}"] = counters[f.base]
            out[f"__fn{i}"] = _moment(counters[f.base + 1], f.kind)
        for i, c in enumerate(self.plan.checks):
            out[f"__ke{i}"] = counters[c.base]
            out[f"__kx{i}"] = counters[c.base + 1]
            for j in range(len(c.breakdown)):
                out[f"__kb{i}_{j}"] = counters[c.base + 2 + j]
        return out

    def outputs(self) -> dict[str, tuple[str, str, dict[str, str], dict[str, str]]]:
        """rule id → (evaluated, failed, breakdown name → counter, tally name → counter) of each row check;
        a tally is the evaluated counter of the hidden check that counts it (``CheckPlan.tally``)."""
        out: dict[str, tuple[str, str, dict[str, str], dict[str, str]]] = {}
        for i, c in enumerate(self.plan.checks):
            if c.tally is None:
                out[c.check.rule_id] = (f"__ke{i}", f"__kx{i}",
                                        {name: f"__kb{i}_{j}" for j, name in enumerate(c.check.breakdown)}, {})
            else:
                out[c.check.rule_id][3][c.tally] = f"__ke{i}"
        return out

    def fresh_outputs(self) -> dict[str, tuple[str, str]]:
        """rule id → (values present, newest value) of each freshness check."""
        return {f.check.rule_id: (f"__fe{i}", f"__fn{i}") for i, f in enumerate(self.plan.fresh)}

    def key_null_hi(self) -> int:
        """The ``hi`` word of a single NULL key part's fingerprint (``lo`` 0): a group, not a distinct key."""
        return int(self.lib.gk_key_null_hi())

    def checksum_checks(self) -> list[CheckPlan]:
        return [c for c in self.plan.checks if c.uses_checksum]


class Samples:
    """The first ``n`` failing rows of each plan check (``Plan.checks`` order) over the batches added so far,
    in the order added: each check's rows taken from its batches (every column of the batch) while it has
    fewer than ``n``. A check failing on every row costs one small take, then nothing."""

    def __init__(self, n: int, nchecks: int) -> None:
        self.n = n
        self._parts: list[list[Any]] = [[] for _ in range(nchecks)]
        self._have = [0] * nchecks

    def add(self, batch: Any, picks: list[Any]) -> None:
        for k, rows in enumerate(picks):
            need = self.n - self._have[k]
            if need > 0 and len(rows):
                self._parts[k].append(take(batch, rows[:need].to_pylist()))
                self._have[k] += min(need, len(rows))

    def put(self, k: int, batch: Any) -> None:
        """Check ``k``'s sampled rows, found all at once (inside DuckDB's scan, ``kernel.inscan``)."""
        self._parts[k] = [batch]
        self._have[k] = batch.num_rows

    def rows(self, k: int) -> list[Any]:
        """Check ``k``'s sampled rows (Arrow record batches), in row order."""
        return self._parts[k]


def fingerprint(lib: ctypes.CDLL, value: str | None) -> tuple[int, int]:
    """(hi, lo): the kernel's fingerprint of ``value`` as a single key part (for tests of the encodings)."""
    data = (value or "").encode()
    out = (ctypes.c_uint64 * 2)()
    lib.gk_key_fingerprint(data, len(data), int(value is None), out)
    return int(out[0]), int(out[1])


def _moment(value: int, kind: str) -> dt.date | dt.datetime | None:
    """yyyymmdd (a date) or yyyymmddHHMMSS (a timestamp) as Python's value; 0 is none (no row had one)."""
    if value <= 0:
        return None
    if kind == "date":
        return dt.date(value // 10000, value // 100 % 100, value % 100)
    day, time = divmod(value, 1000000)
    return dt.datetime(day // 10000, day // 100 % 100, day % 100, time // 10000, time // 100 % 100, time % 100)


def row_checks(suite: ir.CheckSuite) -> list[ir.RowCheck]:
    return [c for c in suite.checks if isinstance(c, ir.RowCheck)]
