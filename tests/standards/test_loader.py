"""Authoring errors name the file, line, column and field; valid YAML becomes models."""

from __future__ import annotations

from pathlib import Path

import pytest

from govstd.errors import InputError
from govstd.standards.loader import load_file, load_paths, load_text
from govstd.standards.models import CatalogueSchema, DataElement, ShareType

SCHEMA = """\
kind: catalogue_schema
id: 510100-00001
version: 1.0.0
name_zh: 社会保障卡申领信息
provider: {name: 某市人力资源和社会保障局, code: 11510100MB0000000X}
update_cycle: 每日
share: {share_type: 有条件共享, conditions: 仅用于社保业务}
fields:
  - {name: id_number, name_zh: 公民身份号码, standard: GB11643@^1, required: true, key: true}
  - {name: sex, standard: GBT2261.1@^1}
rules:
  - {kind: id_consistency, id_field: id_number, sex_field: sex}
"""


def test_valid_schema_loads_with_chinese_enum_labels() -> None:
    [entry] = load_text(SCHEMA, path="s.yaml")
    assert isinstance(entry, CatalogueSchema)
    assert entry.share.share_type is ShareType.CONDITIONAL
    assert entry.update_cycle.label_zh == "每日"
    assert entry.field("id_number").key


def test_error_names_file_line_column_and_field(tmp_path: Path) -> None:
    bad = SCHEMA.replace("required: true", "required: maybe")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_file(path)
    e = err.value
    assert e.path == str(path)
    assert e.line == 9  # the first entry under fields:
    line = bad.splitlines()[e.line - 1]
    assert e.column is not None and line[e.column - 1 :].startswith("required")
    assert e.field == "fields[0].required"
    assert f"{path}:9:{e.column}" in str(e)


def test_unknown_key_is_reported_not_ignored() -> None:
    with pytest.raises(InputError) as err:
        load_text(SCHEMA.replace("update_cycle:", "update_cylce:"), path="typo.yaml")
    assert err.value.field == "update_cylce"
    assert err.value.line == 6


def test_missing_kind_lists_the_kinds() -> None:
    with pytest.raises(InputError) as err:
        load_text("id: X\nname_zh: x\n", path="k.yaml")
    assert "kind" in str(err.value)
    assert "catalogue_schema" in str(err.value)


def test_broken_yaml_points_at_the_line() -> None:
    with pytest.raises(InputError) as err:
        load_text("kind: data_element\nid: [unclosed\nname_zh: x\n", path="b.yaml")
    assert err.value.path == "b.yaml"
    assert err.value.line is not None and err.value.line >= 2


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(InputError):
        load_text("kind: data_element\nid: A\nid: B\nname_zh: x\n", path="d.yaml")


def test_rule_naming_unknown_field_is_refused() -> None:
    with pytest.raises(InputError) as err:
        load_text(SCHEMA.replace("sex_field: sex", "sex_field: gender"), path="r.yaml")
    assert "gender" in str(err.value)


def test_multi_document_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: data_element\nid: A\nname_zh: 甲\n---\nkind: data_element\nid: B\nname_zh: 乙\n", encoding="utf-8"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yml").write_text(SCHEMA, encoding="utf-8")
    entries = load_paths([tmp_path])
    assert [e.id for e in entries] == ["A", "B", "510100-00001"]
    assert isinstance(entries[0], DataElement)


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_file(tmp_path / "nope.yaml")
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("name_zh: 公民身份号码\n".encode("gbk"))
    with pytest.raises(InputError, match="UTF-8"):
        load_file(gbk)


def test_bad_regex_in_representation_is_reported() -> None:
    with pytest.raises(InputError) as err:
        load_text("kind: data_element\nid: A\nname_zh: x\nrepresentation: {pattern: '[0-9'}\n", path="p.yaml")
    assert err.value.field == "representation.pattern"


def test_unknown_kind_points_at_the_kind_key() -> None:
    with pytest.raises(InputError) as err:
        load_text("id: X\nname_zh: x\nkind: catalog\n", path="k.yaml")
    assert err.value.line == 3 and err.value.field == "kind"


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [{', '.join([f'*{chr(ord(chr(97)) + i - 1)}'] * 10)}]\n"
    for i in range(1, 9)
) + "kind: data_element\n"


@pytest.mark.timeout(60)  # a hang guard only: unguarded this grew memory until killed
def test_an_alias_bomb_is_refused() -> None:
    assert len(BILLION_LAUGHS) < 1024  # 10⁹ values once expanded
    with pytest.raises(InputError, match="aliases expand to more than 1,000,000 values") as err:
        load_text(BILLION_LAUGHS, path="lol.yaml")
    assert err.value.path == "lol.yaml"


def test_a_value_containing_itself_is_refused() -> None:
    # ruamel (0.18) gives `x: &x [1, *x]` a copy, not a loop; the guard covers a loader that would not.
    from govstd.standards.loader import _check_expansion

    loop: list[object] = [1]
    loop.append({"again": loop})
    with pytest.raises(InputError, match="alias refers to the value that contains it"):
        _check_expansion({"x": loop}, "loop.yaml")


def test_shared_aliases_within_the_limit_still_load() -> None:
    text = SCHEMA.replace("share: {", "share: &s {", 1)
    assert isinstance(load_text(text)[0], CatalogueSchema)


def test_an_oversized_document_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from govstd.standards import loader

    monkeypatch.setattr(loader, "MAX_YAML_BYTES", 100)
    with pytest.raises(InputError, match="larger than the limit of 100"):
        load_text(SCHEMA, path="big.yaml")


def test_the_alias_bomb_on_the_command_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "lol.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "govstd", "lint", str(path)], capture_output=True, text=True,
                          timeout=120)
    # lint reports a file's errors and exits 1 (errors found), as for any other broken standard.
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert "lol.yaml: error: the document's aliases expand" in proc.stdout + proc.stderr
