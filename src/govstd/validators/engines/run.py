"""The one run loop of ``govstd.validate``, whichever engine counts: bind → open → derive → run → assemble.

1. Bind every field to its standard (unless the caller already did), to know which columns are
   identifiers (read as text, never as numbers that would drop a leading zero or an ``X``).
2. Open the source on the engine (``engines.NAME.open_data``) and, for a file, fingerprint it on a
   thread while the engine scans it.
3. Match the data's columns to the schema's fields (``govstd.validators.columns``) and derive the
   check suite from the schema and the columns present; stage the other departments' datasets its
   ``consistent_with`` rules compare with (``engines.other``).
4. Run the suite on the engine: counts, and masked samples of the first failing rows.
5. Assemble one ``ValidationResult``: the same fields, filled the same way, from every engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from govstd import __version__
from govstd.errors import InputError
from govstd.standards.models import CatalogueSchema
from govstd.validators import fixlist
from govstd.validators.columns import field_names, match_columns
from govstd.validators.derive import Binding, Resolver, ServiceItemCodes, bind_fields, derive
from govstd.validators.engines import engine_module, other
from govstd.validators.engines.base import SourceOptions
from govstd.validators.privacy import SampleMasking
from govstd.validators.readers import LoadedSource, hash_file
from govstd.validators.results import CheckResult, DatasetInfo, ValidationResult

#: File fingerprints a run may record in DatasetInfo: SHA-256, and SM3 (GB/T 32905) where OpenSSL provides it.
HASHES = ("sha256", "sm3")
#: The default: SHA-256 alone. SM3 runs at ~320 MB/s per core (half a CPU second per million CSV rows,
#: as much as DuckDB's own scan), so it is asked for (``fingerprint=("sha256", "sm3")``, ``--fingerprint``).
DEFAULT_HASHES = ("sha256",)


def run(engine: str, source: Any, catalogue: CatalogueSchema, *, resolve: Resolver,
        bindings: Mapping[str, Binding] | None = None, items: ServiceItemCodes | None = None,
        encoding: str | None = None, sheet: str | int | None = None,
        table: str | None = None, query: str | None = None, sample_size: int = 5, today: dt.date | None = None,
        progress: bool = False, memory_limit: str | None = None, threads: int | None = None,
        temp_directory: str | None = None, spark_master: str | None = None, registry_label: str | None = None,
        started: dt.datetime | None = None, show_values: bool = False,
        fix_list: Path | None = None, fingerprint: Sequence[str] = DEFAULT_HASHES) -> ValidationResult:
    """``catalogue``'s checks counted on ``engine`` over ``source`` (see ``govstd.validate`` for the
    options; each engine ignores the resources of the others). ``bindings``: the fields already bound
    (``derive.bind_fields``), so a run binds each field once. ``show_values``: samples unmasked.
    ``fix_list``: write every failing row there (``govstd.validators.fixlist``; DuckDB only).
    ``fingerprint``: the algorithms of ``HASHES`` to fingerprint a source file with (``fingerprint_algorithms``)."""
    started = started or dt.datetime.now(dt.UTC)
    module = engine_module(engine)
    bindings = bindings if bindings is not None else bind_fields(catalogue, resolve)
    # Synonyms too: a header row naming 身份证号码 is found, and that column is read as text.
    expected = [n for f in catalogue.fields for n in field_names(f)]
    text_columns = [n for f in catalogue.fields if bindings[f.name].is_identifier for n in field_names(f)]
    algorithms = available_hashes(fingerprint)
    # Asked for but missing from this Python's OpenSSL (some builds lack SM3): said, not silently dropped.
    unhashed = [f"{name.upper()} is not offered by this Python's OpenSSL: the file is not fingerprinted with it"
                for name in fingerprint_algorithms(fingerprint) if name not in algorithms]
    if temp_directory:
        Path(temp_directory).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govstd-", dir=temp_directory) as tmp:
        options = SourceOptions(
            expected_columns=expected, text_columns=text_columns, workdir=Path(tmp), encoding=encoding, sheet=sheet,
            table=table, query=query, hash_algorithms=algorithms, spark_master=spark_master,
            memory_limit=memory_limit, threads=threads, temp_directory=temp_directory, progress=progress,
        )
        with module.open_data(source, options) as opened:
            loaded = opened.loaded
            hasher = HashThread(loaded, algorithms)
            mapping, warnings = match_columns(catalogue, loaded.columns, source=loaded.source)
            derivation = derive(catalogue, columns=list(mapping), resolver=resolve, today=today, service_items=items,
                                bindings=bindings)
            # Other departments' datasets (consistent_with) become reference tables the engine joins.
            suite = other.stage(derivation.suite, Path(tmp))
            runner = opened.engine(mapping)
            masking = SampleMasking(derivation.masking, show_values=show_values)
            rows, checks = runner.run(suite, masking=masking, sample_size=sample_size)
            fixes = None
            if fix_list is not None:
                fix_rows = getattr(runner, "fix_rows", None)
                if fix_rows is None:
                    raise InputError(f"--fix-list is not supported on engine {runner.name}", expected="--engine duckdb")
                # Always masked: a file outlives the terminal (--show-values applies to the terminal only).
                fixes = fixlist.write(fix_list, fix_rows(suite, checks, derivation.masking),
                                      derivation.masking)
            hashes = hasher.result()
    result = result_of(catalogue, loaded, engine=runner.name, rows=rows, checks=checks, hashes=hashes,
                       warnings=[*loaded.warnings, *warnings, *suite.warnings, *hasher.warnings, *unhashed],
                       registry_label=registry_label, started=started)
    # Labels of other departments' columns carry their masking, so reports mask them as the samples were.
    labels = {k: v for k, v in derivation.masking.items() if k not in derivation.bindings}
    return result.model_copy(update={"fix_list": fixes, "label_masking": labels})


def result_of(catalogue: CatalogueSchema, loaded: LoadedSource, *, engine: str, rows: int,
              checks: list[CheckResult], hashes: Mapping[str, str], warnings: list[str],
              registry_label: str | None, started: dt.datetime) -> ValidationResult:
    """The ValidationResult of one run, whichever engine counted it."""
    info = DatasetInfo(
        source=loaded.source, format=loaded.format, rows=rows, columns=loaded.columns, encoding=loaded.encoding,
        sha256=hashes.get("sha256"), sm3=hashes.get("sm3"), bytes=loaded.size,
    )
    return ValidationResult(
        dataset=info, schema_ref=catalogue.ref, engine=engine, tool_version=__version__, registry=registry_label,
        started_at=started, finished_at=dt.datetime.now(dt.UTC), checks=checks, warnings=warnings,
    )


# --------------------------------------------------------------------------- fingerprints


def fingerprint_algorithms(names: str | Iterable[str]) -> tuple[str, ...]:
    """``"sha256,sm3"`` or ``["sha256", "sm3"]`` as algorithms of ``HASHES``, in that order; SHA-256 is always
    among them (the scorecard's fingerprint, which a signature and the registry refer to)."""
    items = [n.strip().lower() for n in (names.split(",") if isinstance(names, str) else names)]
    unknown = [n for n in items if n and n not in HASHES]
    if unknown:
        raise InputError(f"unknown fingerprint algorithm {unknown[0]!r}", field="fingerprint",
                         expected=f"a comma-separated list of {', '.join(HASHES)}")
    return tuple(n for n in HASHES if n == "sha256" or n in items)


def available_hashes(wanted: Iterable[str] = DEFAULT_HASHES) -> tuple[str, ...]:
    """The algorithms of ``wanted`` this Python's OpenSSL provides (SM3 is missing from some builds)."""
    out = []
    for name in fingerprint_algorithms(wanted):
        try:
            hashlib.new(name)
        except ValueError:
            continue
        out.append(name)
    return tuple(out)


class HashThread:
    """Hash the source file while the engine scans it (hashlib releases the GIL on large chunks)."""

    def __init__(self, loaded: LoadedSource, algorithms: tuple[str, ...]) -> None:
        self.hashes: dict[str, str] = dict(loaded.hashes)
        self.warnings: list[str] = []
        self._thread: threading.Thread | None = None
        if loaded.path is not None and not self.hashes and algorithms:
            self._thread = threading.Thread(target=self._work, args=(loaded.path, algorithms), daemon=True)
            self._thread.start()

    def _work(self, path: Path, algorithms: tuple[str, ...]) -> None:
        try:
            self.hashes.update(hash_file(path, algorithms))
        except OSError as exc:
            self.warnings.append(f"could not fingerprint the file: {exc.strerror}")

    def result(self) -> dict[str, str]:
        if self._thread is not None:
            self._thread.join()
        return self.hashes


__all__ = ["DEFAULT_HASHES", "HASHES", "HashThread", "available_hashes", "fingerprint_algorithms", "result_of",
           "run"]
