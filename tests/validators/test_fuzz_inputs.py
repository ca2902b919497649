"""Fuzz: hostile bytes and YAML through the code path the CLI takes end in a result or an InputError.

Bounded (few examples each, no per-example deadline; the whole module runs in well under a minute):
the point is that no other exception — the CLI's exit 3 "internal error" — escapes ``govstd.validate``
or the standards loader. Inputs are mutations of real files (CSV, XLSX, Parquet, JSON Lines), so they
get past the format sniffing into the parsers, plus generated YAML documents.
"""

from __future__ import annotations

import json
from pathlib import Path

import messy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.errors import InputError
from govstd.standards.loader import load_text
from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_edits = st.lists(st.tuples(st.integers(min_value=0), st.binary(max_size=8), st.integers(0, 8)), max_size=6)


def _mutate(data: bytes, edits: list[tuple[int, bytes, int]]) -> bytes:
    """Splice: at each position, drop up to n bytes and insert the given ones."""
    out = bytearray(data)
    for position, insert, drop in edits:
        at = position % (len(out) + 1)
        out[at : at + drop] = insert
    return bytes(out)


def _jsonl(path: Path) -> Path:
    rows = [dict(r) for r in messy.ROWS[:20]]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


_WRITERS = {
    "csv": lambda p: messy.write_csv(p),
    "gb.csv": lambda p: messy.write_csv(p, encoding="gb18030"),
    "xlsx": lambda p: messy.write_xlsx(p),
    "parquet": lambda p: messy.write_parquet(p),
    "jsonl": _jsonl,
}


_ORIGINALS: dict[str, bytes] = {}


def _original(kind: str, folder: Path) -> bytes:
    if kind not in _ORIGINALS:
        _ORIGINALS[kind] = _WRITERS[kind](folder / f"original.{kind}").read_bytes()
    return _ORIGINALS[kind]


def _outcome(path: Path) -> str:
    """What the CLI would turn into exit 0/1 (a result, which the gate then judges) or exit 2 (an
    InputError); any other exception — exit 3 — fails the test."""
    try:
        result = validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=1)
    except InputError as exc:
        assert exc.path == str(path) and "Traceback" not in str(exc)
        return "input error"
    assert isinstance(result, ValidationResult)
    assert result.dataset.rows >= 0
    return "result"


@pytest.mark.timeout(300)  # a hang guard for the whole property, not a speed assertion
@FUZZ
@given(kind=st.sampled_from(sorted(_WRITERS)), edits=_edits)
def test_mutated_files_end_in_a_result_or_an_input_error(
        tmp_path: Path, kind: str, edits: list[tuple[int, bytes, int]]) -> None:
    path = tmp_path / f"f.{kind}"
    path.write_bytes(_mutate(_original(kind, tmp_path), edits))
    assert _outcome(path) in {"result", "input error"}


@pytest.mark.timeout(300)
@FUZZ
@given(header=st.lists(st.text(max_size=12), min_size=1, max_size=6), body=st.text(max_size=300),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_generated_text_files_end_in_a_result_or_an_input_error(
        tmp_path: Path, header: list[str], body: str, encoding: str) -> None:
    text = ",".join(header) + "\n" + body
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # lone surrogates: not text any encoder writes
        data = text.encode(encoding, errors="replace")
    path = tmp_path / "g.csv"
    path.write_bytes(data)
    assert _outcome(path) in {"result", "input error"}


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10))
_yaml_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(min_size=1, max_size=8), inner, max_size=4), max_leaves=20)


@pytest.mark.timeout(300)
@FUZZ
@given(doc=st.dictionaries(st.sampled_from(["kind", "id", "version", "name_zh", "fields", "codes", "x"]),
                           _yaml_values, max_size=6),
       kind=st.sampled_from(["data_element", "code_set", "catalogue_schema", "service_item", "other"]))
def test_generated_yaml_documents_load_or_are_input_errors(doc: dict[str, object], kind: str) -> None:
    doc = {"kind": kind, **doc}
    text = json.dumps(doc, ensure_ascii=False)  # JSON is YAML: any value, quoted safely
    try:
        entries = load_text(text, path="fuzz.yaml")
    except InputError as exc:
        assert exc.path == "fuzz.yaml"
        return
    assert entries


@pytest.mark.timeout(300)
@FUZZ
@given(text=st.lists(st.sampled_from([*"&*ab: -[]{},\n'\"!|>%@`#\t", "kind", "lol", "<<"]), max_size=80).map("".join))
def test_yaml_syntax_soup_is_an_input_error_or_loads(text: str) -> None:
    try:
        load_text(text, path="soup.yaml")
    except InputError as exc:
        assert exc.path == "soup.yaml"
