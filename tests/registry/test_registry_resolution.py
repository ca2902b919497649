"""One rule for ``name@range`` (``versions.choose_version``), whoever answers the reference: the
registry (on SQLite, in memory, and on PostgreSQL), the built-in library, or ``govstd validate``
resolving a schema and its field bindings through either of them."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from registry_testlib import CODE_SET, SCHEMA, CliResult, build

from govstd.errors import NotFoundError
from govstd.registry.store import Registry
from govstd.registry.versions import NoMatchingVersionError, ResolutionWarning
from govstd.standards import library
from govstd.standards.models import AnyEntry, RegistrationStatus
from govstd.validators.api import validate

Make = Callable[..., AnyEntry]
SetLibrary = Callable[[Sequence[AnyEntry]], None]

#: GB/T 39554.1 ships as a candidate (its layout is unsure): no standard version of it exists.
SERVICE_ITEM = "GBT39554.1@^1"
SERVICE_ITEM_CODE = "511A09001023-511602000000-000-11511300008778693M-1-00"


@pytest.fixture
def builtins(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetLibrary]:
    """``builtins([...])`` — make these entries the whole built-in library for one test."""

    def replace(entries: Sequence[AnyEntry]) -> None:
        monkeypatch.setattr(library, "builtin_entries", lambda: tuple(entries))
        library._index.cache_clear()

    yield replace
    library._index.cache_clear()


def _schema(tmp_path: Path, *fields: dict[str, str]) -> Path:
    """A catalogue schema file whose fields are ``fields``, and a one-row CSV that fits it."""
    entry = build(SCHEMA, fields=list(fields))
    path = tmp_path / "schema.yaml"
    path.write_text(entry.model_dump_json(exclude_none=True), encoding="utf-8")  # JSON is YAML
    (tmp_path / "data.csv").write_text(
        ",".join(f["name"] for f in fields) + "\n" + ",".join(SERVICE_ITEM_CODE for _ in fields) + "\n",
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------- the built-in candidate


def test_builtin_candidate_resolves_by_range_in_the_registry_and_the_library(registry: Registry) -> None:
    registry.init(actor="test")
    in_registry, in_library = registry.lookup(SERVICE_ITEM), library.lookup(SERVICE_ITEM)
    assert in_registry.entry == in_library.entry
    assert in_registry.entry.version == "1.0.0" and in_registry.entry.status is RegistrationStatus.CANDIDATE
    # the choice is reported, in the same words by both
    assert in_registry.warning == in_library.warning
    assert in_registry.warning is not None
    assert in_registry.warning.startswith("GBT39554.1@^1 resolved to 1.0.0, a candidate (候选) version")
    with pytest.warns(ResolutionWarning, match="resolved to 1.0.0, a candidate"):
        registry.resolve(SERVICE_ITEM)
    with pytest.warns(ResolutionWarning, match="resolved to 1.0.0, a candidate"):
        library.find(SERVICE_ITEM)
    # a bare name falls back the same way; an exact pin needs no warning
    assert registry.lookup("service_item_code").entry.version == library.lookup("service_item_code").entry.version
    assert registry.lookup("GBT39554.1@1.0.0").warning is None and library.lookup("GBT39554.1@1.0.0").warning is None


def test_builtin_candidate_resolves_in_an_in_memory_registry() -> None:
    with Registry("sqlite:///:memory:") as registry:
        registry.init(actor="test")
        assert registry.lookup(SERVICE_ITEM).entry == library.lookup(SERVICE_ITEM).entry


# --------------------------------------------------------------------------- the rule, in both resolvers


def test_a_candidate_loses_to_a_standard_in_the_same_range(
    registry: Registry, code_set: Make, builtins: SetLibrary
) -> None:
    versions = [code_set("1.0.0"), code_set("1.1.0", status="candidate")]
    registry.publish(versions)
    builtins(versions)
    for found in (registry.lookup("TEST_CS@^1"), library.lookup("TEST_CS@^1")):
        assert found.entry.version == "1.0.0" and found.warning is None
    for found in (registry.lookup("TEST_CS@^1", include_candidates=True),):  # --candidates: a preview
        assert found.entry.version == "1.1.0" and found.warning is None
    for found in (registry.lookup("TEST_CS@~1.1"), library.lookup("TEST_CS@~1.1")):  # only the candidate fits
        assert found.entry.version == "1.1.0" and "candidate" in (found.warning or "")


def test_deprecated_resolves_with_a_warning(registry: Registry, code_set: Make, builtins: SetLibrary) -> None:
    registry.publish([code_set("1.0.0")])
    registry.publish([code_set("2.0.0")], allow_breaking=True)
    registry.set_status("TEST_CS@1.0.0", "superseded", actor="a", message="2.0.0 replaces it")
    builtins([code_set("1.0.0", status="superseded"), code_set("2.0.0")])
    expected = ("TEST_CS@^1 resolved to 1.0.0, which is superseded (已替代): no standard version is in range;"
                " the current standard is TEST_CS@2.0.0")
    for resolve in (registry.resolve, library.find):
        with pytest.warns(ResolutionWarning) as caught:
            assert resolve("TEST_CS@^1").version == "1.0.0"
        assert [str(w.message) for w in caught] == [expected]
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResolutionWarning)
            assert resolve("TEST_CS").version == "2.0.0"  # a bare name: the current standard, silently


def test_retired_never_resolves_by_range(registry: Registry, code_set: Make, builtins: SetLibrary) -> None:
    registry.publish([code_set("1.0.0")])
    registry.set_status("TEST_CS@1.0.0", "retired", actor="a", message="withdrawn")
    builtins([code_set("1.0.0", status="retired")])
    for lookup in (registry.lookup, library.lookup):
        with pytest.raises(NoMatchingVersionError, match="no version of TEST_CS matches 'TEST_CS@\\^1'"):
            lookup("TEST_CS@^1")
        assert "retired" in (lookup("TEST_CS@1.0.0").warning or "")  # an exact pin still reads it


def test_out_of_range_is_the_same_not_found_error_in_both(registry: Registry) -> None:
    registry.init(actor="test")
    errors = []
    for lookup in (registry.lookup, library.lookup):
        with pytest.raises(NotFoundError) as caught:
            lookup("GB11643@^2")
        errors.append(caught.value)
    assert [type(e) for e in errors] == [NoMatchingVersionError, NoMatchingVersionError]
    assert [e.message for e in errors] == ["no version of GB11643 matches 'GB11643@^2'"] * 2
    assert all(e.exit_code == 2 and "1.0.0 (standard)" in (e.hint or "") for e in errors)
    assert errors[1].hint is not None and "in the built-in library" in errors[1].hint


def test_out_of_range_on_the_command_line(
    registry_url: str, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    with Registry(registry_url) as registry:
        registry.init(actor="test")
    checked = cli("check", "GB11643@^2", "11010519491231002X")
    shown = cli("registry", "--registry", registry_url, "show", "GB11643@^2")
    for result in (checked, shown):
        assert result.code == 2
        assert "error: no version of GB11643 matches 'GB11643@^2'" in result.err
        assert "1.0.0 (standard)" in result.err
    schema = _schema(tmp_path, {"name": "sfzh", "standard": "GB11643@^2"})
    for extra in ([], ["--registry", registry_url]):  # field bindings: the library, then the registry
        result = cli("validate", str(tmp_path / "data.csv"), "--schema-file", str(schema), *extra)
        assert result.code == 2 and "no version of GB11643 matches 'GB11643@^2'" in result.err


# --------------------------------------------------------------------------- govstd validate


def test_validate_reports_the_candidate_whichever_resolver_answers(registry_url: str, tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"name": "sxbm", "name_zh": "事项编码", "standard": SERVICE_ITEM})
    data = tmp_path / "data.csv"
    with Registry(registry_url) as registry:
        registry.init(actor="test")
        registry.publish([build(SCHEMA, fields=[{"name": "sxbm", "standard": SERVICE_ITEM}])], actor="test")
    note = "GBT39554.1@^1 resolved to 1.0.0, a candidate"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResolutionWarning)  # reported in the result instead
        results = {
            "library": validate(data, schema),
            "registry, schema file": validate(data, schema, registry=registry_url),
            "registry, --schema REF": validate(data, "510100-00001@^1", registry=registry_url),
        }
    for how, result in results.items():
        assert sum(note in w for w in result.warnings) == 1, how
        assert result.checks and all(c.failed == 0 for c in result.checks if c.severity == "error"), how


def test_validate_cli_prints_the_resolution_warning(
    registry_url: str, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    with Registry(registry_url) as registry:
        registry.init(actor="test")
        registry.publish([build(SCHEMA, fields=[{"name": "sxbm", "standard": SERVICE_ITEM}])], actor="test")
    _schema(tmp_path, {"name": "sxbm", "standard": SERVICE_ITEM})
    result = cli("validate", str(tmp_path / "data.csv"), "--schema", "510100-00001@^1", "--registry", registry_url)
    assert result.code == 0, result.err
    assert "warning: GBT39554.1@^1 resolved to 1.0.0, a candidate" in result.err


# --------------------------------------------------------------------------- one resolver for every command


def _binds_beyond_the_file(tmp_path: Path) -> Path:
    """A schema file that defines TEST_CS@1.0.0 but binds ``TEST_CS@^2``, and a CSV that fits it."""
    schema = build(SCHEMA, fields=[{"name": "dm", "code_set": "TEST_CS@^2"}])
    path = tmp_path / "schema.yaml"
    docs = [build(CODE_SET).model_dump_json(exclude_none=True), schema.model_dump_json(exclude_none=True)]
    path.write_text("\n---\n".join(docs), encoding="utf-8")
    (tmp_path / "data.csv").write_text("dm\n1\n", encoding="utf-8")
    return path


def test_every_command_refuses_a_range_the_schema_file_does_not_hold(tmp_path: Path) -> None:
    """``validate``, ``lint``, ``export`` (JSON Schema and GX) and the GX conditions once disagreed here:
    the exports pinned 1.0.0 silently. One resolver: all refuse, in the same words."""
    from govstd.commands.lint import lint_paths
    from govstd.export import export, load_source
    from govstd.integrations.gx.conditions import field_condition

    path = _binds_beyond_the_file(tmp_path)
    errors: dict[str, NotFoundError] = {}
    with pytest.raises(NotFoundError) as caught:
        validate(tmp_path / "data.csv", path)
    errors["validate"] = caught.value
    for fmt in ("jsonschema", "gx"):
        with pytest.raises(NotFoundError) as caught:
            export(fmt, load_source(schema_file=path))
        errors[f"export {fmt}"] = caught.value
    with pytest.raises(NotFoundError) as caught:
        field_condition("dm", "code_set", {"code_set": "TEST_CS@^2"}, entries=[CODE_SET])
    errors["gx condition"] = caught.value
    assert {type(e) for e in errors.values()} == {NoMatchingVersionError}
    assert {e.message for e in errors.values()} == {"no version of TEST_CS matches 'TEST_CS@^2'"}
    hints = {k: e.hint or "" for k, e in errors.items()}
    assert all("1.0.0 (standard)" in h for h in hints.values()), hints
    assert len({h for k, h in hints.items() if k != "gx condition"}) == 1  # same file: same words
    findings = lint_paths([path])
    assert [(f.level, f.entry) for f in findings] == [("error", "510100-00001@1.0.0")]
    assert findings[0].message == f"{errors['validate'].message} (hint: {errors['validate'].hint})"


def test_every_command_on_the_command_line(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = _binds_beyond_the_file(tmp_path)
    runs = {
        "validate": cli("validate", str(tmp_path / "data.csv"), "--schema-file", str(path)),
        "lint": cli("lint", str(path)),
        "export jsonschema": cli("export", "jsonschema", "--schema-file", str(path), "-o", str(tmp_path / "s.json")),
        "export gx": cli("export", "gx", "--schema-file", str(path), "-o", str(tmp_path / "gx.json")),
    }
    for how, result in runs.items():
        assert result.code == (1 if how == "lint" else 2), (how, result.err)
        assert "no version of TEST_CS matches 'TEST_CS@^2'" in result.err, how
    assert not (tmp_path / "s.json").exists() and not (tmp_path / "gx.json").exists()


def test_the_file_still_answers_a_range_it_holds(tmp_path: Path) -> None:
    """The control: bound as ``TEST_CS@^1``, every command takes the file's 1.0.0."""
    from govstd.commands.lint import lint_paths
    from govstd.export import load_source

    path = _binds_beyond_the_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("TEST_CS@^2", "TEST_CS@^1"), encoding="utf-8")
    assert validate(tmp_path / "data.csv", path).check("dm.code_set").failed == 0
    assert load_source(schema_file=path).binding("dm").code_set is not None
    assert lint_paths([path]) == []
