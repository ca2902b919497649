"""Exact defect counts on a hand-built messy dataset, in every format a department sends.

The dataset (``messy.py``) injects each defect into its own row and records which checks it trips;
here every rule id's failed count is asserted exactly, per format, and the formats must agree.
Checksum counts are cross-checked against python-stdnum, an outside implementation.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import messy
import pytest
from stdnum.cn import ric, uscc

from govstd.errors import InputError
from govstd.standards.numbers import mobile, normalize
from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

WRITERS: dict[str, Callable[[Path], Path]] = {
    "csv_utf8": lambda d: messy.write_csv(d / "messy.csv"),
    "csv_bom_crlf_semicolon_title": lambda d: messy.write_csv(
        d / "messy_bom.csv", encoding="utf-8-sig", delimiter=";", newline="\r\n", title="某市社会保障卡申领信息;;"
    ),
    "csv_gb18030": lambda d: messy.write_csv(d / "messy_gb.csv", encoding="gb18030", newline="\r\n"),
    "xlsx": lambda d: messy.write_xlsx(d / "messy.xlsx"),
    "parquet": lambda d: messy.write_parquet(d / "messy.parquet"),
    "jsonl": lambda d: messy.write_jsonl(d / "messy.jsonl"),
}


def _normalised(value: str) -> str | None:
    try:
        return normalize.normalize(value).value
    except ValueError:
        return None


def _oracle_id_checksums() -> tuple[int, int]:
    """(evaluated, failed) of the ID checksum by python-stdnum: 17 digits + check character shape."""
    evaluated = failed = 0
    for row in messy.ROWS:
        value = _normalised(row["id_number"]) if row["id_number"].strip() else None
        if value is None or len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
            continue
        evaluated += 1
        failed += ric.calc_check_digit(value) != value[17]  # stdnum takes the whole number
    return evaluated, failed


def expected_counts() -> dict[str, int]:
    expected = dict(messy.EXPECTED)
    evaluated, failed = _oracle_id_checksums()
    expected["id_number.pii_exposure"] = evaluated - failed  # every full, checksum-valid ID is exposed
    expected["phone.pii_exposure"] = sum(
        1 for r in messy.ROWS if r["phone"].strip() and mobile.is_valid(r["phone"])
    )
    return expected


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ValidationResult]:
    folder = tmp_path_factory.mktemp("formats")
    out = {}
    for name, write in WRITERS.items():
        out[name] = validate(write(folder), messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS)
    return out


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_every_count_is_exact(results: dict[str, ValidationResult], fmt: str) -> None:
    result = results[fmt]
    assert result.dataset.rows == len(messy.ROWS) == 78
    expected = expected_counts()
    got = result.failed_counts
    assert set(expected) <= set(got), sorted(set(expected) - set(got))
    mismatches = {k: (got[k], expected.get(k, 0)) for k in got if got[k] != expected.get(k, 0)}
    assert not mismatches, mismatches


def test_the_formats_agree_on_counts_and_sample_rows(results: dict[str, ValidationResult]) -> None:
    reference = results["csv_utf8"]
    for name, result in results.items():
        assert result.failed_counts == reference.failed_counts, name
        assert [c.evaluated for c in result.checks] == [c.evaluated for c in reference.checks], name
        for mine, theirs in zip(result.checks, reference.checks, strict=True):
            assert [s.row for s in mine.samples] == [s.row for s in theirs.samples], (name, mine.rule_id)


def test_checksum_counts_match_python_stdnum(results: dict[str, ValidationResult]) -> None:
    evaluated, failed = _oracle_id_checksums()
    check = results["csv_utf8"].check("id_number.checksum")
    assert (check.evaluated, check.failed) == (evaluated, failed) == (74, 3)
    shaped = [v for r in messy.ROWS if (v := _normalised(r["employer_uscc"])) and len(v) == 18
              and all(c in uscc._alphabet for c in v)]
    # python-stdnum insists on digits in positions 1-8 and 3-8; our rows keep those digits.
    stdnum_failed = sum(1 for v in shaped if uscc.calc_check_digit(v[:17]) != v[17])
    uscc_check = results["csv_utf8"].check("employer_uscc.checksum")
    assert (uscc_check.evaluated, uscc_check.failed) == (len(shaped), stdnum_failed)


def test_evaluated_counts_follow_the_part_by_part_design(results: dict[str, ValidationResult]) -> None:
    r = results["csv_utf8"]
    assert r.check("id_number.not_null").evaluated == 78  # every row
    assert r.check("id_number.length").evaluated == 76  # present, unmasked values
    assert r.check("id_number.masked").evaluated == 77  # present values: 1 masked, 76 not
    assert r.check("id_number.format").evaluated == 74  # of the right length
    assert r.check("id_number.checksum").evaluated == 74  # of the right shape
    # present values less the two spreadsheet-damaged IDs (1.10105E+17, digits zeroed): not keys
    assert r.check("key.unique").evaluated == 75
    assert r.check("rules.fresh").evaluated == 1


def test_breakdowns_name_the_kind_of_damage(results: dict[str, ValidationResult]) -> None:
    r = results["csv_utf8"]
    assert r.check("id_number.normalised").details["breakdown"] == {
        "fullwidth": 1, "whitespace": 1, "apostrophe": 0, "lowercase": 1, "dash": 0,
    }
    assert r.check("id_number.excel_damage").details["breakdown"] == {"number_format": 1, "zeroed_digits": 1}
    assert r.check("region.code_set").details["breakdown"] == {"retired": 1, "number_format": 0}
    assert r.check("rules.item_registered").details["breakdown"] == {"retired": 1}
    assert r.check("employer_uscc.length").details["breakdown"] == {"old_registration_number": 1}
    assert r.check("phone.normalised").details["breakdown"]["whitespace"] == 1


def test_info_checks_do_not_count_as_errors(results: dict[str, ValidationResult]) -> None:
    r = results["csv_utf8"]
    info = {c.rule_id for c in r.checks if c.severity == "info"}
    assert {"id_number.excel_damage"} <= info
    assert all(c.rule == "excel_damage" for c in r.checks if c.severity == "info")
    # Non-canonical forms and masked values in a field not declared masked are warnings (规范性).
    warnings = {c.rule_id for c in r.checks if c.severity == "warning"}
    assert {"id_number.normalised", "id_number.masked", "phone.normalised", "sex.normalised"} <= warnings
    assert all(c.dimension.value == "conformity" for c in r.checks if c.rule in {"normalised", "masked"})


def test_samples_are_masked_and_point_at_the_failing_rows(results: dict[str, ValidationResult]) -> None:
    r = results["csv_utf8"]
    dumped = r.model_dump(mode="json")
    for check in dumped["checks"]:
        check.pop("description")  # descriptions quote made-up examples such as 1.10105E+17
    text = json.dumps(dumped, ensure_ascii=False)
    for row in messy.ROWS:
        for column in ("id_number", "phone"):
            value = row[column].strip()
            if len(value) >= 11 and "*" not in value:  # already-masked values stay as they are
                assert value not in text, f"unmasked {column} in the result"
    checksum = r.check("id_number.checksum")
    assert 0 < len(checksum.samples) <= 5
    for sample in checksum.samples:
        raw = _normalised(messy.ROWS[sample.row - 1]["id_number"])
        assert raw is not None and ric.calc_check_digit(raw) != raw[17]
        assert "*" in (sample.values["id_number"] or "")
    assert not r.check("sex.code_set").samples  # passing checks carry no samples
    finish = r.check("rules.finish_after_accept").samples[0]
    assert set(finish.values) == {"finish_time", "accept_time"}


def test_the_file_is_fingerprinted(results: dict[str, ValidationResult]) -> None:
    import hashlib

    info = results["csv_gb18030"].dataset
    assert info.encoding == "gb18030" and info.bytes
    assert info.sha256 and len(info.sha256) == 64
    assert info.sm3 is None  # SM3 is opt-in: it costs as much CPU as the scan
    assert hashlib.sha256(Path(info.source).read_bytes()).hexdigest() == info.sha256


@pytest.mark.parametrize("asked", ["sha256,sm3", ["sm3"], " SM3 "])
def test_sm3_fingerprint_on_request(asked: str | list[str], tmp_path: Path) -> None:
    """The bytes of the file as given (GB 18030, transcoded to UTF-8 for DuckDB), SHA-256 always beside SM3."""
    import hashlib

    path = messy.write_csv(tmp_path / "messy_gb.csv", encoding="gb18030", newline="\r\n")
    info = validate(path, messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS, sample_size=0,
                    fingerprint=asked).dataset
    assert info.sm3 == hashlib.new("sm3", path.read_bytes()).hexdigest()
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_sm3_asked_for_where_openssl_lacks_it_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some OpenSSL builds have no SM3 (hashlib.new raises ValueError there): the run says so."""
    import hashlib

    real = hashlib.new

    def without_sm3(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.lower() == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(hashlib, "new", without_sm3)
    result = validate(messy.write_csv(tmp_path / "m.csv"), messy.SCHEMA, today=messy.TODAY, sample_size=0,
                      fingerprint="sha256,sm3")
    assert result.dataset.sm3 is None and result.dataset.sha256
    assert any("SM3 is not offered" in w for w in result.warnings)


def test_an_unknown_fingerprint_algorithm_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="md5"):
        validate(messy.write_csv(tmp_path / "m.csv"), messy.SCHEMA, today=messy.TODAY, fingerprint="sha256,md5")


def test_rare_characters_survive_gb18030(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "gb.csv", encoding="gb18030")
    assert "𠇔".encode("gb18030") in path.read_bytes()
    result = validate(path, messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS, sample_size=0)
    assert result.dataset.encoding == "gb18030"
    assert result.check("name.not_null").failed == 1


# --------------------------------------------------------------------------- other sources


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_in_memory_tables_give_the_same_counts(results: dict[str, ValidationResult], kind: str) -> None:
    import pyarrow as pa

    columns = {c: [r[c] or None for r in messy.ROWS] for c in messy.COLUMNS}
    if kind == "pandas":
        import pandas as pd

        source: object = pd.DataFrame(columns)
    elif kind == "polars":
        import polars as pl

        source = pl.DataFrame(columns)
    else:
        source = pa.table(columns)
    result = validate(source, messy.SCHEMA, today=messy.TODAY, service_items=messy.SERVICE_ITEMS)
    assert result.failed_counts == results["csv_utf8"].failed_counts
    assert result.dataset.sha256 is None and result.dataset.source.startswith("<")


def test_sqlite_table_and_query(results: dict[str, ValidationResult], tmp_path: Path) -> None:
    db = tmp_path / "dept.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE TABLE applications ({', '.join(f'{c} TEXT' for c in messy.COLUMNS)})")
        conn.executemany(f"INSERT INTO applications VALUES ({', '.join('?' * len(messy.COLUMNS))})",
                         [[r[c] or None for c in messy.COLUMNS] for r in messy.ROWS])
    url = f"sqlite:///{db}"
    by_table = validate(url, messy.SCHEMA, table="applications", today=messy.TODAY,
                        service_items=messy.SERVICE_ITEMS)
    assert by_table.failed_counts == results["csv_utf8"].failed_counts
    assert by_table.dataset.format == "sqlite"
    by_query = validate(url, messy.SCHEMA, query="SELECT * FROM applications WHERE amount <> '-5'",
                        today=messy.TODAY, service_items=messy.SERVICE_ITEMS, sample_size=0)
    assert by_query.dataset.rows == 77 and by_query.check("amount.range").failed == 0


def test_service_items_come_from_the_registry(tmp_path: Path) -> None:
    from govstd.validators.derive import builtin_resolver

    class FakeRegistry:
        location = "sqlite:///fake.db"

        def resolve(self, ref: str, kind: object = None) -> object:
            return builtin_resolver(ref, getattr(kind, "value", kind))

        def service_item_codes(self, include_retired: bool = False) -> set[str]:
            active = {"511A09001023", "511A09001025"}
            return active | {"511A09001024"} if include_retired else active

    path = messy.write_parquet(tmp_path / "m.parquet")
    result = validate(path, messy.SCHEMA, registry=FakeRegistry(), today=messy.TODAY, sample_size=0)
    check = result.check("rules.item_registered")
    assert check.failed == 3 and check.details["breakdown"] == {"retired": 1}
    assert result.registry == "sqlite:///fake.db"


def test_without_a_registry_the_referential_rule_is_reported_not_run(tmp_path: Path) -> None:
    result = validate(messy.write_parquet(tmp_path / "m.parquet"), messy.SCHEMA, today=messy.TODAY, sample_size=0)
    assert "rules.item_registered" not in result.failed_counts
    assert any("rules.item_registered" in w and "registry" in w for w in result.warnings)
