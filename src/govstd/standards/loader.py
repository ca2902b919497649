"""Authoring: read standards from YAML and report mistakes by file, line, column and field.

A file holds one entry, or several as YAML documents separated by ``---``. Each document names its
``kind`` (data_element, code_set, catalogue_schema, service_item). Errors never show a traceback: the
first problem of each document becomes an ``InputError`` pointing at the offending key.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from govstd.errors import InputError, first_line
from govstd.standards.models import (
    ENTRY_MODELS,
    AnyEntry,
    CatalogueSchema,
    CodeSet,
    ConsistentWithRule,
    Entry,
    EntryKind,
)

_KINDS = ", ".join(k.value for k in EntryKind)
_KIND_VALUES = frozenset(k.value for k in EntryKind)
#: Largest YAML text read (bytes of UTF-8): the biggest shipped standard is a few hundred KB; large
#: code sets keep their rows in a CSV (``codes_file``).
MAX_YAML_BYTES = 16 << 20
#: Values a document may hold once its aliases are expanded. "Billion laughs" — nine anchors of ten
#: aliases each — is 90 aliases in 1 KB that expand to 10⁹ values; a real standard holds thousands.
MAX_EXPANDED_VALUES = 1_000_000


@functools.cache
def _entry_adapter() -> TypeAdapter[AnyEntry]:
    """The validator of the ``Entry`` union, built on first use (~15 ms CPU: pydantic assembles the four
    models' schemas into one); ``parse_entry`` needs it only for a document whose ``kind`` is missing or
    unknown, for the union's own error."""
    return TypeAdapter(Entry)


class _NotADate(MarkedYAMLError):
    """A value YAML reads as a date (2024-02-30) that is no real date."""


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, but an impossible date is an error at its line and column: ruamel
    raised a bare ValueError ("day is out of range for month"), shown with no position as "not valid YAML"."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as exc:
            raise _NotADate(problem=f"{node.value!r} is not a real date ({exc})", problem_mark=node.start_mark) \
                from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")  # round-trip nodes remember their line and column
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def _position(node: Any, loc: Sequence[int | str]) -> tuple[int | None, int | None]:
    """Walk a pydantic error location through ruamel nodes to the deepest line/column we know."""
    line: int | None = None
    col: int | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line, col = node.lc.key(part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, col = node.lc.item(part)
            node = node[part]
        elif isinstance(node, CommentedMap) and isinstance(node.lc.line, int):
            # Discriminator tags (e.g. 'catalogue_schema') appear in loc but not in the document.
            line, col = node.lc.line, node.lc.col
            continue
        else:
            break
    return (line + 1 if line is not None else None, col + 1 if col is not None else None)


def _field_path(loc: Sequence[int | str], kinds: set[str]) -> str:
    parts = [str(p) for p in loc if str(p) not in kinds]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "(document)"


def _plain(node: Any) -> Any:
    """ruamel nodes → plain dicts/lists, so pydantic sees ordinary Python values."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def parse_entry(data: Any, *, path: str = "<data>", node: Any = None) -> AnyEntry:
    """Validate one entry (a mapping) and raise ``InputError`` naming where it is wrong."""
    node = data if node is None else node
    if not isinstance(data, dict):
        line = getattr(getattr(node, "lc", None), "line", None)
        raise InputError(
            "a standard must be a mapping", path=path, line=(line + 1 if line is not None else None),
            expected=f"a mapping with 'kind' ({_KINDS})",
        )
    plain = _plain(data)
    kind = plain.get("kind")
    # The model the union's discriminator would pick validates the document alone: the same result and
    # errors, without building the union's validator (``_entry_adapter``) on every run.
    model = ENTRY_MODELS[EntryKind(kind)] if isinstance(kind, str) and kind in _KIND_VALUES else None
    try:
        if model is None:
            return _entry_adapter().validate_python(plain)
        return cast("AnyEntry", model.model_validate(plain))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        err = errors[0]
        # The union's error locations start with the tag its discriminator chose.
        loc = err["loc"] if model is None else (EntryKind(kind).value, *err["loc"])
        line, col = _position(node, loc)
        message = err["msg"]
        expected = None
        if err["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            message = "missing or unknown 'kind'"
            expected = _KINDS
            if isinstance(node, CommentedMap) and "kind" in node:
                loc = ("kind",)
                line, col = _position(node, loc)
        more = len(errors) - 1
        hint = f"{more} more problem(s) in this document after this one" if more else None
        raise InputError(
            message, path=path, line=line, column=col, field=_field_path(loc, {k.value for k in EntryKind}),
            expected=expected, hint=hint,
        ) from None


def iter_yaml_documents(text: str, *, path: str) -> Iterator[Any]:
    """The documents of a YAML text, each within the size limits (``MAX_YAML_BYTES``,
    ``MAX_EXPANDED_VALUES``); broken YAML is an InputError at its line and column."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_YAML_BYTES:
        raise InputError(f"YAML text of {size:,} bytes is larger than the limit of {MAX_YAML_BYTES:,}", path=path,
                         expected="a standard's YAML; large code sets keep their rows in a codes_file CSV")
    try:
        for doc in _yaml().load_all(text):
            _check_expansion(doc, path)
            yield doc
        return
    except InputError:
        raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            exc.problem if isinstance(exc, _NotADate) else f"not valid YAML: {exc.problem or exc.context}",
            path=path,
            line=(mark.line + 1 if mark else None),
            column=(mark.column + 1 if mark else None),
            expected="a real date, YYYY-MM-DD" if isinstance(exc, _NotADate) else None,
        ) from None
    except Exception as exc:  # ruamel raises several unrelated types for broken input; RecursionError too
        raise InputError(f"not valid YAML: {first_line(exc)}", path=path) from None


def _check_expansion(doc: Any, path: str) -> None:
    """Raise if a document's aliases expand past ``MAX_EXPANDED_VALUES`` values or refer to themselves.

    ruamel shares one object per anchor, so the document itself stays small; what explodes is every
    later walk over it (``_plain``, pydantic). Sizes are counted once per shared object.
    """
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else list(node)
        if done:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[key] > MAX_EXPANDED_VALUES:
                raise InputError(f"the document's aliases expand to more than {MAX_EXPANDED_VALUES:,} values",
                                 path=path, expected="a YAML standard without alias bombs (\"billion laughs\")")
            continue
        if key in sizes:
            continue
        if key in open_:
            raise InputError("an alias refers to the value that contains it", path=path,
                             expected="YAML without recursive aliases")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, dict | list) and id(c) not in sizes)


def load_text(text: str, *, path: str = "<string>", base_dir: Path | None = None) -> list[AnyEntry]:
    """All entries in a YAML text; ``codes_file`` of a code set is resolved against ``base_dir``."""
    entries: list[AnyEntry] = []
    for doc in iter_yaml_documents(text, path=path):
        if doc is None:
            continue
        entry = parse_entry(doc, path=path)
        if isinstance(entry, CodeSet) and entry.codes_file and not entry.codes:
            entry = _with_codes_from_csv(entry, base_dir, path)
        if isinstance(entry, CatalogueSchema) and base_dir is not None:
            entry = _with_other_paths(entry, base_dir)
        entries.append(entry)
    if not entries:
        raise InputError("no standard found in file", path=path, expected="at least one YAML document")
    return entries


def load_file(path: str | Path) -> list[AnyEntry]:
    """All entries of one YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", path=str(p)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=str(p), expected="a UTF-8 YAML file") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(p)) from None
    return load_text(text, path=str(p), base_dir=p.parent)


def load_paths(paths: Sequence[str | Path]) -> list[AnyEntry]:
    """Entries from files and directories (``*.yaml`` / ``*.yml`` below a directory, sorted)."""
    entries: list[AnyEntry] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")])
            if not files:
                raise InputError("no *.yaml files in directory", path=str(p))
            for f in files:
                entries.extend(load_file(f))
        else:
            entries.extend(load_file(p))
    return entries


def _packaged_rows(codes_file: str) -> list[dict[str, str]] | None:
    """The rows of a packaged table that an identifier module owns, as that module reads them — with
    the rows its standard derives — so a code set accepts exactly the codes the algorithm accepts.

    GB/T 2260: ``gbt2260.history_rows()``, i.e. the history table plus the derived 市辖区 codes xxxx01
    (level ``city_districts``), with ``gbt2260.parent_code()`` as the parent.
    """
    from govstd.standards.numbers import gbt2260

    if codes_file != gbt2260.HISTORY_FILE:
        return None
    return [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent_code": gbt2260.parent_code(r) or "",
            "valid_from_year": str(r.valid_from_year),
            "valid_to_year_exclusive": "" if r.valid_to_year_exclusive is None else str(r.valid_to_year_exclusive),
        }
        for r in gbt2260.history_rows()
    ]


def _with_other_paths(entry: CatalogueSchema, base_dir: Path) -> CatalogueSchema:
    """A ``consistent_with`` rule's relative ``other.schema`` (a YAML file) and ``other.source`` (a file,
    not a URL) resolved against the schema file's folder, as ``codes_file`` is: the schema then means the
    same files whichever directory validate or lint runs in."""
    rules = []
    for rule in entry.rules:
        if isinstance(rule, ConsistentWithRule):
            other = rule.other
            schema, source = other.schema_, other.source
            if schema.lower().endswith((".yaml", ".yml")) and not Path(schema).is_absolute():
                schema = str(base_dir / schema)
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source) and not Path(source).is_absolute():
                source = str(base_dir / source)
            rule = rule.model_copy(update={"other": other.model_copy(update={"schema_": schema, "source": source})})
        rules.append(rule)
    return entry.model_copy(update={"rules": rules})


def _with_codes_from_csv(entry: CodeSet, base_dir: Path | None, path: str) -> CodeSet:
    """Large code sets keep their rows in a CSV: code,label_zh[,label_en,parent,level,valid_from,valid_to].

    The GB/T 2260 history table's own columns (name, valid_from_year, valid_to_year_exclusive) are
    read as they are, so the shipped file stays byte-identical to its source. A packaged table that an
    identifier module owns is read through that module (``_packaged_rows``).
    """
    assert entry.codes_file is not None
    csv_path = path
    _check_codes_file_name(entry.codes_file, base_dir, path)
    if base_dir is not None and (base_dir / entry.codes_file).exists():
        csv_path = str(base_dir / entry.codes_file)
        rows = _csv_rows(_read_codes_file(base_dir / entry.codes_file))
    else:
        packaged = _packaged_rows(entry.codes_file)
        if packaged is None:
            resource = resources.files("govstd.standards").joinpath("data", entry.codes_file)
            if not resource.is_file():
                raise InputError(f"codes_file not found: {entry.codes_file}", path=path, field="codes_file")
            packaged = _csv_rows(resource.read_text(encoding="utf-8"))
        rows = packaged
    codes = []
    # Line 1 is the CSV's header; a row's line is its index + 2 (a code set's rows hold no line breaks).
    for line, row in enumerate(rows, start=2):
        if not row.get("code"):
            raise InputError("a row without a code", path=csv_path, line=line, field="code",
                             expected="a CSV with a 'code' column: code,label_zh[,label_en,parent,level,valid_from,"
                                      "valid_to]")
        try:
            valid_from = _date_or_none(row.get("valid_from") or _year_start(row.get("valid_from_year")))
            valid_to = _date_or_none(row.get("valid_to") or _year_start(row.get("valid_to_year_exclusive")))
        except ValueError as exc:
            raise InputError(f"not a date or year: {first_line(exc)}", path=csv_path, line=line,
                             field="valid_from / valid_to", expected="YYYY-MM-DD dates or whole years") from None
        codes.append(
            {
                "code": row["code"],
                "label_zh": row.get("label_zh") or row.get("name") or "",
                "label_en": row.get("label_en") or None,
                "parent": row.get("parent") or row.get("parent_code") or None,
                "level": row.get("level") or None,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
    try:
        checked = CodeSet.model_validate({**entry.model_dump(), "codes": codes}).codes
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = err["loc"]
        index = loc[1] if len(loc) > 1 and loc[0] == "codes" and isinstance(loc[1], int) else None
        raise InputError(err["msg"], path=csv_path, line=index + 2 if index is not None else None,
                         field=".".join(str(p) for p in loc[2:]) or None) from None
    return entry.model_copy(update={"codes": checked})


def _check_codes_file_name(name: str, base_dir: Path | None, path: str) -> None:
    """A ``codes_file`` names a CSV in the code set's own folder (or a packaged table): its codes are
    published to the registry and the docs site, so a name reaching outside the folder (absolute, ``..``,
    or a link resolving elsewhere) could publish any file the author's account can read."""
    expected = "a CSV in the code set's folder, named relative to it (codes.csv, data/codes.csv)"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not name.strip() or PurePosixPath(name).is_absolute() or Path(name).is_absolute() or ".." in parts \
            or (parts and re.match(r"^[A-Za-z]:", parts[0])):
        raise InputError("codes_file must stay inside the code set's folder", path=path, field="codes_file",
                         expected=expected)
    if base_dir is not None and (base_dir / name).exists() \
            and not (base_dir / name).resolve().is_relative_to(base_dir.resolve()):
        raise InputError("codes_file links outside the code set's folder", path=path, field="codes_file",
                         expected=expected)


def _read_codes_file(path: Path) -> str:
    """A code set's CSV as text; unreadable is the author's error, named by the CSV's path."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=str(path), expected="a UTF-8 CSV") from None
    except OSError as exc:
        raise InputError(f"cannot read the codes_file: {exc.strerror}", path=str(path),
                         expected="a UTF-8 CSV file") from None


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def _date_or_none(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _year_start(year: str | None) -> str | None:
    return f"{int(year):04d}-01-01" if year else None
