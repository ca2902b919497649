"""Parity: the same data validated on DuckDB, Spark and PostgreSQL gives the same ValidationResult —
evaluated and failed counts for every rule id, masked samples with their row numbers, details,
warnings, dataset fingerprint — and the same scorecard, apart from the engine's name and the times.

Datasets: the hand-built messy dataset (``tests/validators/messy.py``, exact expected counts), the
benchmark generator's synthetic department data (every kind of defect at realistic rates, several
Spark partitions), and hostile values aimed at the places the engines' SQL differs (date/time
layouts, whitespace of every kind, regular expressions).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import messy
import pytest
from engine_testlib import assert_same, comparable, load_table, without_places

from govstd.registry.resolve import load_schema
from govstd.validators import api, scorecard
from govstd.validators.results import ValidationResult

#: pyspark warns about pandas 3 on import; nothing here goes through pandas.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

TODAY = messy.TODAY


def validate(source: Any, schema: Any = messy.SCHEMA, **kw: Any) -> ValidationResult:
    kw.setdefault("today", TODAY)
    kw.setdefault("service_items", messy.SERVICE_ITEMS)
    return api.validate(source, schema, **kw)


def expected_failed(result: ValidationResult) -> None:
    """The messy dataset's known counts (PII exposure counts every valid ID: see test_validate_counts)."""
    for check in result.checks:
        if not check.rule_id.endswith(".pii_exposure"):
            assert check.failed == messy.EXPECTED.get(check.rule_id, 0), check.rule_id


@pytest.fixture(scope="module")
def messy_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = messy.write_parquet(tmp_path_factory.mktemp("messy") / "messy.parquet")
    return path


@pytest.fixture(scope="module")
def messy_table(pg_url: str) -> str:
    load_table(pg_url, "messy", messy.COLUMNS, [[r[c] or None for c in messy.COLUMNS] for r in messy.ROWS])
    return "messy"


@pytest.fixture(scope="module")
def on_duckdb(messy_parquet: Path) -> ValidationResult:
    result = validate(messy_parquet)
    expected_failed(result)
    return result


# --------------------------------------------------------------------------- the messy dataset


@pytest.mark.spark
def test_spark_gives_duckdbs_result_on_the_messy_dataset(spark: Any, messy_parquet: Path,
                                                         on_duckdb: ValidationResult) -> None:
    on_spark = validate(messy_parquet, engine="spark")
    assert on_spark.engine == "spark" and on_duckdb.engine == "duckdb"
    expected_failed(on_spark)
    assert_same(on_duckdb, on_spark)


@pytest.mark.postgres
def test_postgres_gives_duckdbs_result_on_the_messy_dataset(pg_url: str, messy_table: str,
                                                            on_duckdb: ValidationResult) -> None:
    duck = validate(pg_url, table=messy_table)  # DuckDB reads the table, PostgreSQL runs the checks
    pushed = validate(pg_url, table=messy_table, engine="postgres")
    assert pushed.engine == "postgres"
    expected_failed(pushed)
    assert_same(duck, pushed)
    # And the same checks, counts and samples as DuckDB on the Parquet copy of the rows — but for the
    # physical place, which a Parquet record has (its index) and a database row has not.
    assert without_places(comparable(pushed)["checks"]) == without_places(comparable(on_duckdb)["checks"])
    assert all(s["line"] is None for c in comparable(pushed)["checks"] for s in c["samples"])


@pytest.mark.spark
@pytest.mark.postgres
def test_scorecards_identical_on_all_three_engines(spark: Any, pg_url: str, messy_table: str,
                                                   messy_parquet: Path, on_duckdb: ValidationResult) -> None:
    schema, _ = load_schema(messy.SCHEMA)
    cards = {
        "duckdb": scorecard.build(on_duckdb, schema),
        "spark": scorecard.build(validate(messy_parquet, engine="spark"), schema),
        "postgres": scorecard.build(validate(pg_url, table=messy_table, engine="postgres"), schema),
    }
    dumps = {}
    for engine, card in cards.items():
        assert card.engine == engine
        dumps[engine] = card.model_dump(mode="json", exclude={"engine", "started_at", "finished_at", "dataset"})
    assert dumps["spark"] == dumps["duckdb"]
    assert without_places(dumps["postgres"]) == without_places(dumps["duckdb"])  # a row has no line
    assert cards["spark"].dataset == cards["duckdb"].dataset  # same file: same fingerprint
    assert cards["duckdb"].score is not None and cards["duckdb"].verdict is not None


@pytest.mark.spark
@pytest.mark.parametrize("variant", ["utf8", "bom_crlf_semicolon", "gb18030_title", "xlsx"])
def test_spark_reads_every_format_as_duckdb_does(spark: Any, tmp_path: Path, variant: str) -> None:
    """Plain UTF-8 CSV is read by Spark itself; GB18030, title rows and XLSX by govstd's readers."""
    if variant == "utf8":
        path = messy.write_csv(tmp_path / "messy.csv")
    elif variant == "bom_crlf_semicolon":
        path = messy.write_csv(tmp_path / "messy.csv", encoding="utf-8-sig", delimiter=";", newline="\r\n")
    elif variant == "gb18030_title":
        path = messy.write_csv(tmp_path / "messy.csv", encoding="gb18030", title="某市社会保障卡申领信息")
    else:
        path = messy.write_xlsx(tmp_path / "messy.xlsx")
    duck = validate(path)
    on_spark = validate(path, engine="spark")
    assert_same(duck, on_spark)
    if variant != "xlsx":  # the XLSX row holds the ID as a number: a different count, by design
        expected_failed(on_spark)


# --------------------------------------------------------------------------- synthetic department data

BENCH_ROWS = 20_000


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from benchmarks.run import generate_csv, to_parquet

    folder = tmp_path_factory.mktemp("synthetic")
    csv_path, parquet_path = folder / "synthetic.csv", folder / "synthetic.parquet"
    generate_csv(csv_path, BENCH_ROWS)
    to_parquet(csv_path, parquet_path)
    return csv_path, parquet_path


def _bench_validate(source: Any, **kw: Any) -> ValidationResult:
    from benchmarks.run import SCHEMA, SERVICE_ITEMS
    from benchmarks.run import TODAY as BENCH_TODAY

    return api.validate(source, SCHEMA, today=BENCH_TODAY, service_items=SERVICE_ITEMS, **kw)


@pytest.mark.spark
@pytest.mark.postgres
def test_synthetic_department_data_same_everywhere(spark: Any, pg_url: str,
                                                   synthetic: tuple[Path, Path]) -> None:
    csv_path, parquet_path = synthetic
    duck = _bench_validate(parquet_path)
    assert sum(c.failed for c in duck.checks) > 1000  # every kind of defect is there
    # Small file splits: several Spark partitions, so sample row numbers cross partition boundaries.
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(256 * 1024))
    try:
        assert spark.read.parquet(str(parquet_path)).rdd.getNumPartitions() > 1
        assert_same(duck, _bench_validate(parquet_path, engine="spark"))
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [[v or None for v in r] for r in reader]
    load_table(pg_url, "synthetic", header, rows)
    pushed = _bench_validate(pg_url, table="synthetic", engine="postgres")
    assert without_places(comparable(pushed)["checks"]) == without_places(comparable(duck)["checks"])


# --------------------------------------------------------------------------- hostile values

#: Date/time text around DuckDB's strptime rules (digits per field, spaces, ranges, leap years).
TIMES = [
    "2024-03-01 09:00:00", "2024-3-1 9:5:3", "2024-03-01  09:00:00", "2024-03-01\t09:00:00", "2024-03-01T09:00:00",
    "2024-03-01t09:00:00", "2024-03-01 09:00:00.5", "2024-03-01 09:00:00.123456", "2024-03-01 09:00:00.1234567",
    "2024-03-01 09:00:00.", "2024-03-01 24:00:00", "2024-03-01 23:59:60", "2024-02-29 10:00:00",
    "2023-02-29 10:00:00", "1900-02-29", "2000-02-29", "24-03-01", "02024-03-01", "+2024-03-01", "2024-03-0109:00:00",
    "20240301", "2024031", "2024301", "20240301090000", "2024030109000", "20240301 09:00:00", "2024/3/1 9:00",
    "2024/03/01 09:00:00", "2024.03.01", "2024年3月1日", "2024年03月01日", "2024-03-01 09:00", "2024- 3-01",
    "１２３４-03-01", "2024-03-01Z", "昨天", "", " 2024-03-01 ", "\u30002024-03-01\u3000", "2024-13-01", "2024-00-10",
    "2024-01-00", "2024-04-31", "0001-01-01", "9999-12-31 23:59:59", "2024-03-01 09:00:00 ",
    "2024-03-01 09:00:00.123456789", "2024-03-01T23:59:59.999999999", "2024-03-01 09:00:00.1234567890",
    "9999-12-31 23:59:59.99999999", "2024-03-01 9:0:0.12345678",
]
NUMBERS = ["12", " 12 ", "+12", "-0", "12.5", ".5", "5.", "1e3", "1E+17", "inf", "nan", "0x10", "1_000", "１２", "",
           "1,000", "99999999999999999999", "9223372036854775807", "123456789012345678", "-100000.01", "100000",
           "100000.001"]
IDS = [
    "11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", " 11010519491231002X\n",
    "11010519491231002X\u0085", "\u300011010519491231002X\ufeff", "'11010519491231002X", "110105-19491231-002X",
    "110105\u201419491231002X", "1.10105E+17", "110105194912310000", "110105194912310020.0", "110101********1234",
    "110105194912310021", "11010519491231002Xa", "11010519491231002\nX", "110105194902290015", "440524188001010014",
    "999999199001011234", "810000199001011234", "110105490101001", "11010519491231002ẞ", "", "   ",
    "110105000001010015", "110105202402290015", "110105202302290015", "110105999912310015", "+1010519491231002X",
    "11010519491331002X", "110105194912000025",
]
PATTERN_VALUES = ["AB-12", "ab-12", "AB-12\n", "AB-123", "AB_12", "AB-１２", "A\nB-12", "AB-1", "XX-99", ""]


def _hostile_rows() -> list[dict[str, str | None]]:
    n = max(len(TIMES), len(NUMBERS), len(IDS), len(PATTERN_VALUES))
    return [
        {
            "id_number": IDS[i % len(IDS)],
            "ts": TIMES[i % len(TIMES)],
            "day": TIMES[(i + 7) % len(TIMES)].split(" ")[0],
            "amount": NUMBERS[i % len(NUMBERS)],
            "count": NUMBERS[(i + 3) % len(NUMBERS)],
            "code": PATTERN_VALUES[i % len(PATTERN_VALUES)],
            "han": ["张伟", "王𠇔", "Zhang", "张 伟", ""][i % 5],
        }
        for i in range(n * 2)
    ]


HOSTILE_SCHEMA = """
kind: catalogue_schema
id: TEST-HOSTILE
version: 1.0.0
name_zh: 边界值测试
provider: {name: 测试局}
update_cycle: daily
share: {share_type: unconditional}
fields:
  - {name: id_number, name_zh: 公民身份号码, standard: "GB11643@^1", key: true}
  - {name: ts, name_zh: 时间, data_type: datetime}
  - {name: day, name_zh: 日期, data_type: date}
  - {name: amount, name_zh: 金额, data_type: decimal, minimum: -100000, maximum: 100000}
  - {name: count, name_zh: 数量, data_type: integer}
  - {name: code, name_zh: 编码, pattern: "^[A-Z]{2}-\\\\d{2}$"}
  - {name: han, name_zh: 姓名}
rules:
  - {kind: timeliness, id: fresh, field: ts}
  - {kind: range, id: recent, field: day, minimum: "2000-01-01", maximum: "2030-12-31"}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, str | None]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("hostile")
    rows = _hostile_rows()
    columns = list(rows[0])
    path = folder / "hostile.parquet"
    pq.write_table(pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in columns}), path)
    schema = folder / "hostile.yaml"
    schema.write_text(HOSTILE_SCHEMA, encoding="utf-8")
    return path, schema, rows


def test_hostile_schema_has_the_checks_it_aims_at(hostile: tuple[Path, Path, list[dict[str, str | None]]]) -> None:
    path, schema, _ = hostile
    result = validate(path, schema, today=dt.date(2025, 6, 2))
    ids = {c.rule_id for c in result.checks}
    assert {"ts.type", "day.type", "amount.type", "count.type", "amount.range", "code.pattern", "id_number.checksum",
            "id_number.normalised", "key.unique", "rules.recent", "rules.fresh"} <= ids
    assert result.check("ts.type").failed > 10 and result.check("code.pattern").failed > 3


@pytest.mark.spark
@pytest.mark.postgres
def test_hostile_values_same_everywhere(spark: Any, pg_url: str,
                                        hostile: tuple[Path, Path, list[dict[str, str | None]]]) -> None:
    path, schema, rows = hostile
    duck = validate(path, schema, today=dt.date(2025, 6, 2))
    assert_same(duck, validate(path, schema, today=dt.date(2025, 6, 2), engine="spark"))
    columns = list(rows[0])
    load_table(pg_url, "hostile", columns, [[r[c] for c in columns] for r in rows])
    duck_pg = validate(pg_url, schema, table="hostile", today=dt.date(2025, 6, 2))
    assert_same(duck_pg, validate(pg_url, schema, table="hostile", today=dt.date(2025, 6, 2), engine="postgres"))
    assert without_places(comparable(duck_pg)["checks"]) == without_places(comparable(duck)["checks"])


# --------------------------------------------------------------------------- nanosecond fractions


@pytest.fixture(scope="module")
def fractions_parquet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    rows, expected = messy.fraction_rows()
    return messy.write_parquet(tmp_path_factory.mktemp("fractions") / "f.parquet", rows), expected


@pytest.mark.postgres
def test_postgres_reads_nine_fraction_digits_as_duckdb(pg_url: str,
                                                       fractions_parquet: tuple[Path, dict[str, int]]) -> None:
    """7-9 fraction digits are a time on PostgreSQL too (cut to microseconds, not rounded); 10 are not."""
    path, expected = fractions_parquet
    duck = validate(path)
    assert messy.failed(duck) == expected
    rows, _ = messy.fraction_rows()
    load_table(pg_url, "fractions", messy.COLUMNS, [[r[c] for c in messy.COLUMNS] for r in rows])
    pushed = validate(pg_url, table="fractions", engine="postgres")
    assert messy.failed(pushed) == expected
    assert without_places(comparable(pushed)["checks"]) == without_places(comparable(duck)["checks"])


@pytest.mark.spark
def test_spark_reads_nine_fraction_digits_as_duckdb(spark: Any, fractions_parquet: tuple[Path, dict[str, int]]) -> None:
    path, expected = fractions_parquet
    on_spark = validate(path, engine="spark")
    assert messy.failed(on_spark) == expected
    assert_same(validate(path), on_spark)


# --------------------------------------------------------------------------- samples at scale


@pytest.fixture(scope="module")
def many_row_groups(synthetic: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic rows in 2,048-row groups: engines read them in parallel, and any engine whose
    sampling trusts its output order shows it."""
    import duckdb

    csv_path, _ = synthetic
    path = tmp_path_factory.mktemp("row_groups") / "synthetic.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=true, header=true)) TO '{path}' "
                   "(FORMAT parquet, ROW_GROUP_SIZE 2048)")
    return path


@pytest.mark.spark
@pytest.mark.postgres
def test_samples_are_the_first_failing_rows(spark: Any, pg_url: str, synthetic: tuple[Path, Path],
                                            many_row_groups: Path) -> None:
    import duckdb

    on_spark = _bench_validate(many_row_groups, engine="spark")
    csv_path, _ = synthetic
    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        load_table(pg_url, "synthetic_rg", header, [[v or None for v in r] for r in reader])
    pushed = _bench_validate(pg_url, table="synthetic_rg", engine="postgres")
    assert without_places(comparable(pushed)["checks"]) == without_places(comparable(on_spark)["checks"])
    # An outside oracle for one check: the first five rows without an ID, by plain SQL.
    first = duckdb.execute(f"SELECT file_row_number + 1 FROM read_parquet('{many_row_groups}', "
                           "file_row_number=true) WHERE id_number IS NULL ORDER BY 1 LIMIT 5").fetchall()
    assert [s.row for s in on_spark.check("id_number.not_null").samples] == [r[0] for r in first]


@pytest.mark.spark
def test_duckdb_samples_match_on_many_row_groups(spark: Any, many_row_groups: Path) -> None:
    assert_same(_bench_validate(many_row_groups), _bench_validate(many_row_groups, engine="spark"))


@pytest.mark.postgres
@pytest.mark.parametrize("standard", ["GB32100@^1", "GBT39554.1@^1"])
def test_real_identifier_codes_same_on_postgres(pg_url: str, standard: str, tmp_path: Path) -> None:
    # Real issued codes (tests/standards/data/real_codes.csv) plus irregular forms: the GB 32100
    # warning checks and the service-item part checks (area code, body by position) count the same.
    from govstd.standards.models import CatalogueSchema, FieldSpec, Provider, ShareAttributes, ShareType

    data = Path(__file__).parents[1] / "standards" / "data" / "real_codes.csv"
    kind = "uscc" if standard.startswith("GB32100") else "item"
    values = [r["value"] for r in csv.DictReader(data.read_text("utf-8").splitlines()) if r["kind"] == kind]
    values += ["511a09001023-511602000000-000-11511300008778693m-1-00",
               "511A09001023-999999000000-000-11511300008778693M-1-00", "9932999960003734", " 91320594780268314t"]
    schema = CatalogueSchema(id="real", name_zh="真实代码", provider=Provider(name="t"),
                             share=ShareAttributes(share_type=ShareType.NOT_SHARED),
                             fields=[FieldSpec(name="code", standard=standard)])
    table = "real_" + kind
    load_table(pg_url, table, ["code"], [[v] for v in values])
    duck = validate(pg_url, schema, table=table, service_items=None)
    pushed = validate(pg_url, schema, table=table, service_items=None, engine="postgres")
    assert comparable(pushed)["checks"] == comparable(duck)["checks"]
    failed = {c.rule_id: c.failed for c in pushed.checks}
    if kind == "uscc":
        assert failed["code.region"] == 6  # five real development-zone codes + the lower-case one
    else:
        # Bodies: the lower-case one and the irregular real ones in real_codes.csv (one has 17 characters).
        assert failed["code.body"] == 3 and failed["code.area_code"] == 1
