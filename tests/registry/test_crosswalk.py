"""The crosswalk and the two-region comparison on real SQLite and PostgreSQL, with hand-built catalogues
of Sichuan (511602) and Guangdong (440118) whose findings are written out here by hand.

What the standard leaves unsure (DOMAIN.md): which part of a local basic code is national. These tests
pin the rule the code chose instead — the crosswalk's mapping of an implementation code, else of a
basic code, else the basic code itself — never a cut of the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from registry_testlib import CliResult

from govstd.errors import InputError
from govstd.registry.store import Registry

SC_AREA, SC_BODY = "511602000000", "11511300008778693M"  # the real Sichuan sample's area and body
GD_AREA, GD_BODY = "440118000000", "11440100007482575H"  # a real Guangdong body (tests/standards/data)
BJ_AREA, BJ_BODY = "110101000000", "11440100007482575H"


def _impl(basic: str, area: str, body: str) -> str:
    return f"{basic}-{area}-000-{body}-1-00"  # layout dashed_area_body


# (basic code, name) per region. National items: N1 same code and name in both; N2 recoded by
# Guangdong (basic crosswalk rows); N3 renamed by Guangdong; N4 only Sichuan; N5 only Guangdong; N6
# recoded (Sichuan by implementation code, Guangdong by basic code) and renamed (full-width brackets).
SICHUAN = [
    ("511A09001023", "犬类准养证核发"),
    ("511A15006001", "采矿权转让变更登记"),
    ("511E15002003", "土地权属争议裁决"),
    ("511F64002003", "草原等级评定(县级)"),
    ("511Z64007001", "森林植物产地检疫合格证签发（县级）"),
]
GUANGDONG = [
    ("511A09001023", "犬类准养证核发"),
    ("440A15006001", "采矿权转让变更登记"),
    ("511E15002003", "土地权属争议的裁决"),
    ("440G12017001", "人民调解员补贴发放"),
    ("440Z64007001", "森林植物产地检疫合格证签发(县级)"),
]
BEIJING = [("110F64002003", "草原等级评定(县级)")]  # a third region: in neither comparison side


def _catalogue(path: Path, *, retired_sichuan: bool = False) -> Path:
    lines = ["实施编码,基本编码,事项名称,部门,行政区划"]
    regions = ((SICHUAN, SC_AREA, SC_BODY, "511602"), (GUANGDONG, GD_AREA, GD_BODY, "440118"),
               (BEIJING, BJ_AREA, BJ_BODY, "110101"))
    for rows, area, body, region in regions:
        for basic, name in rows:
            if retired_sichuan and basic == "511F64002003":
                continue  # the next release drops N4
            lines.append(f"{_impl(basic, area, body)},{basic},{name},自然资源局,{region}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _crosswalk(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    lines = ["实施编码,基本编码,国家标准事项编码,国家事项名称"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CROSSWALK = [
    ("", "511A15006001", "000115006001", "采矿权转让变更登记"),
    ("", "440A15006001", "000115006001", "采矿权转让变更登记"),
    (_impl("511Z64007001", SC_AREA, SC_BODY), "", "000164007001", "森林植物产地检疫合格证签发"),
    ("", "440Z64007001", "000164007001", ""),
    ("", "440A15006001", "000115006001", ""),  # the same mapping again: kept once
    ("", "999Z99999999", "000199999999", ""),  # a local code no catalogue item carries
]


@pytest.fixture
def reg(registry_url: str, tmp_path: Path) -> Iterator[Registry]:
    with Registry(registry_url, create=True) as r:
        r.import_items(_catalogue(tmp_path / "catalogue.csv"), actor="test")
        yield r


def _codes(items: list[object]) -> list[str]:
    return [i.national_code for i in items]  # type: ignore[attr-defined]


def test_without_a_crosswalk_the_basic_code_is_the_national_item(reg: Registry) -> None:
    found = reg.compare_items("510000", "440000")
    assert found.crosswalk is None and found.release == 1
    assert _codes(found.only_in_a) == ["511A15006001", "511F64002003", "511Z64007001"]
    assert _codes(found.only_in_b) == ["440A15006001", "440G12017001", "440Z64007001"]
    assert _codes(found.coded_differently) == []
    assert _codes(found.names_differ) == ["511E15002003"]
    assert found.counts == {"only_in_a": 3, "only_in_b": 3, "coded_differently": 0, "names_differ": 1}


def test_the_crosswalk_joins_recoded_items(reg: Registry, tmp_path: Path) -> None:
    done = reg.import_crosswalk(_crosswalk(tmp_path / "cw.csv", CROSSWALK), actor="test", message="first")
    assert (done.number, done.release, done.codes, done.unmatched) == (1, 1, 5, 1)
    found = reg.compare_items("510000", "440000")
    assert found.crosswalk == 1
    assert _codes(found.only_in_a) == ["511F64002003"]
    assert _codes(found.only_in_b) == ["440G12017001"]
    assert _codes(found.coded_differently) == ["000115006001", "000164007001"]
    assert _codes(found.names_differ) == ["000164007001", "511E15002003"]
    forest = found.coded_differently[1]
    assert forest.model_dump() == {
        "national_code": "000164007001", "national_name": "森林植物产地检疫合格证签发",
        "basic_codes_a": ["511Z64007001"], "basic_codes_b": ["440Z64007001"],
        "names_a": ["森林植物产地检疫合格证签发（县级）"], "names_b": ["森林植物产地检疫合格证签发(县级)"]}
    assert found.names_differ[1].names_b == ["土地权属争议的裁决"]
    # Swapping the sides swaps the "only" lists and nothing else.
    back = reg.compare_items("440000", "510000")
    assert _codes(back.only_in_a) == ["440G12017001"] and _codes(back.only_in_b) == ["511F64002003"]
    assert _codes(back.coded_differently) == ["000115006001", "000164007001"]


def test_pages_of_each_finding(reg: Registry, tmp_path: Path) -> None:
    reg.import_crosswalk(_crosswalk(tmp_path / "cw.csv", CROSSWALK))
    page = reg.compare_items("510000", "440000", limit=1, offset=1)
    assert _codes(page.coded_differently) == ["000164007001"]
    assert _codes(page.names_differ) == ["511E15002003"]
    assert page.only_in_a == [] and page.only_in_b == []
    assert page.counts["coded_differently"] == 2  # counts are the whole, not the page


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_a_spreadsheet_s_numeric_codes_are_read_as_the_whole_number(reg: Registry, tmp_path: Path,
                                                                     fmt: str) -> None:
    """A national code column of all-digit codes stored as floats (000115006001 → 115006001.0) is read
    as the integer it holds, in Parquet as in XLSX: one reader (``items.sources``) for both imports."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from openpyxl import Workbook

    rows = [("511A15006001", 115006001.0), ("440A15006001", 115006001.0)]
    path = tmp_path / f"cw.{fmt}"
    if fmt == "parquet":
        table = pa.table({"基本编码": [r[0] for r in rows], "国家标准事项编码": [r[1] for r in rows]})
        pq.write_table(table, path)
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["基本编码", "国家标准事项编码"])
        for r in rows:
            sheet.append(list(r))
        book.save(path)
    done = reg.import_crosswalk(path)
    assert done.codes == 2
    found = reg.national_item("115006001")
    assert found["national_code"] == "115006001"  # not "115006001.0", nor "1.15006001e+08"
    assert [i["basic_code"] for i in found["items"]] == ["440A15006001", "511A15006001"]


def test_a_new_crosswalk_is_a_new_version_bound_to_the_newest_release(reg: Registry, tmp_path: Path) -> None:
    reg.import_crosswalk(_crosswalk(tmp_path / "cw.csv", CROSSWALK))
    reg.import_items(_catalogue(tmp_path / "catalogue2.csv", retired_sichuan=True), actor="test")
    second = reg.import_crosswalk(_crosswalk(tmp_path / "cw2.csv", CROSSWALK[:2]))
    assert [(c.number, c.release, c.codes) for c in reg.crosswalks()] == [(1, 1, 5), (2, 2, 2)]
    assert second.unmatched == 0
    found = reg.compare_items("510000", "440000")
    assert found.crosswalk == 2 and found.release == 2
    assert _codes(found.only_in_a) == ["511Z64007001"]  # N4 retired; N6 no longer cross-walked
    assert _codes(found.only_in_b) == ["440G12017001", "440Z64007001"]
    assert _codes(found.coded_differently) == ["000115006001"]


def test_national_item_lists_every_local_entry(reg: Registry, tmp_path: Path) -> None:
    reg.import_crosswalk(_crosswalk(tmp_path / "cw.csv", CROSSWALK))
    for code in ("000164007001", "440Z64007001", _impl("511Z64007001", SC_AREA, SC_BODY)):
        found = reg.national_item(code)
        assert found["national_code"] == "000164007001"
        assert found["national_name"] == "森林植物产地检疫合格证签发"
        assert [i["basic_code"] for i in found["items"]] == ["440Z64007001", "511Z64007001"]
    # Unmapped: the basic code is the national item, across regions.
    assert [i["region"] for i in reg.national_item("511A09001023")["items"]] == ["440118", "511602"]
    assert [i["region"] for i in reg.national_item("511A09001023", limit=1, offset=1)["items"]] == ["511602"]


def test_a_local_code_mapped_twice_is_refused_with_its_line(reg: Registry, tmp_path: Path) -> None:
    bad = _crosswalk(tmp_path / "bad.csv", [("", "511A15006001", "000115006001", ""),
                                            ("", "440A15006001", "000115006001", ""),
                                            ("", "511A15006001", "000115006999", "")])
    with pytest.raises(InputError, match="local code 511A15006001 maps to national item") as err:
        reg.import_crosswalk(bad)
    # All-digit national codes are masked in the message by the errors' redaction (a 12-digit run looks
    # like personal data to it); the line numbers are not.
    assert err.value.line == 4 and "but line 2 mapped it" in str(err.value)
    assert reg.crosswalks() == []  # nothing half-written


def test_bad_crosswalk_files(reg: Registry, tmp_path: Path) -> None:
    no_national = tmp_path / "a.csv"
    no_national.write_text("基本编码,事项名称\n511A15006001,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="a local code column and a national code column"):
        reg.import_crosswalk(no_national)
    blank = _crosswalk(tmp_path / "b.csv", [("", "511A15006001", "", "")])
    with pytest.raises(InputError, match="national code") as err:
        reg.import_crosswalk(blank)
    assert err.value.line == 2


def test_no_crosswalk_before_a_catalogue(registry_url: str, tmp_path: Path) -> None:
    with Registry(registry_url, create=True) as empty, pytest.raises(InputError, match="no catalogue release"):
        empty.import_crosswalk(_crosswalk(tmp_path / "cw.csv", CROSSWALK))


def test_overlapping_regions_are_refused(reg: Registry) -> None:
    with pytest.raises(InputError, match="overlap"):
        reg.compare_items("510000", "511602")


def test_cli(reg: Registry, registry_url: str, tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    cw = _crosswalk(tmp_path / "cw.csv", CROSSWALK)
    done = cli("--lang", "en", "registry", "import-crosswalk", str(cw), "--registry", registry_url)
    assert done.code == 0, done.err
    assert done.out.strip() == "crosswalk 1 (catalogue release 1): 5 mappings, 1 local codes match no catalogue item"
    raw = cli("registry", "compare-items", "510000", "440000", "--json", "--registry", registry_url)
    assert raw.code == 0, raw.err
    data = json.loads(raw.out)
    assert [i["national_code"] for i in data["coded_differently"]] == ["000115006001", "000164007001"]
    assert data["counts"] == {"only_in_a": 1, "only_in_b": 1, "coded_differently": 2, "names_differ": 2}
    en = cli("--lang", "en", "registry", "compare-items", "510000", "440000", "--limit", "1",
             "--registry", registry_url)
    assert en.out.splitlines()[0] == "510000 against 440000: catalogue release 1, crosswalk 1"
    assert "coded differently: 2" in en.out and "… 1 more (--offset 1)" in en.out
    zh = cli("--lang", "zh", "registry", "compare-items", "510000", "440000", "--registry", registry_url)
    assert zh.out.splitlines()[0] == "510000 对照 440000：目录版本 1，对照表 1"
    assert "编码不一 (coded differently): 2" in zh.out
    overlap = cli("--lang", "en", "registry", "compare-items", "510000", "511600", "--registry", registry_url)
    assert overlap.code == 2 and "overlap" in overlap.err and "Traceback" not in overlap.err
    missing = cli("--lang", "en", "registry", "import-crosswalk", str(tmp_path / "nope.csv"),
                  "--registry", registry_url)
    assert missing.code == 2 and "no such file" in missing.err
    national = cli("registry", "national-item", "440Z64007001", "--json", "--registry", registry_url)
    assert [i["region"] for i in json.loads(national.out)["items"]] == ["440118", "511602"]


def test_http_api(reg: Registry, registry_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from govstd.service.app import create_app
    from govstd.service.settings import Settings

    reg.import_crosswalk(_crosswalk(tmp_path / "cw.csv", CROSSWALK))
    app = create_app(Settings(registry_url=registry_url, allow_anonymous_read=True), registry=reg)
    with TestClient(app) as http:
        got = http.get("/catalogue/compare", params={"a": "510000", "b": "440000", "limit": 1, "offset": 1})
        assert got.status_code == 200, got.text
        assert [i["national_code"] for i in got.json()["coded_differently"]] == ["000164007001"]
        assert got.json()["counts"]["names_differ"] == 2
        page = http.get("/catalogue/items", params={"code": "511A09001023", "limit": 1, "offset": 1}).json()
        assert [i["region"] for i in page] == ["440118"]  # catalogue (file) order: Sichuan first
        national = http.get("/catalogue/national-items/440A15006001").json()
        assert [i["basic_code"] for i in national["items"]] == ["440A15006001", "511A15006001"]
        assert [c["number"] for c in http.get("/catalogue/crosswalks").json()] == [1]
        overlap = http.get("/catalogue/compare", params={"a": "510000", "b": "511602"})
        assert overlap.status_code == 422 and "overlap" in overlap.json()["detail"]  # an InputError
        too_big = http.get("/catalogue/items", params={"code": "511A09001023", "limit": 5000})
        assert too_big.status_code == 422


def test_a_0004_registry_with_a_catalogue_gains_the_crosswalk_tables(registry_url: str, tmp_path: Path) -> None:
    """Revision 0005 only adds tables: a catalogue imported under 0004 is kept and compared after upgrade."""
    from alembic import command

    from govstd.registry import migrate

    with Registry(registry_url, create=True) as r:
        r.import_items(_catalogue(tmp_path / "catalogue.csv"), actor="test")
        cfg = migrate.alembic_config()
        with r.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
        assert migrate.current_revision(r.engine) == "0004"
    with Registry(registry_url) as r:
        assert migrate.current_revision(r.engine) == migrate.head_revision()
        assert r.compare_items("510000", "440000").counts["names_differ"] == 1
        r.import_crosswalk(_crosswalk(tmp_path / "cw.csv", CROSSWALK))
        assert r.compare_items("510000", "440000").counts["coded_differently"] == 2


def test_registry_list_and_history_page(registry_url: str, cli: Callable[..., CliResult]) -> None:
    """``registry list`` / ``history`` and their routes take --limit / --offset (hundreds of thousands of
    versions must not be read to show one page)."""
    from fastapi.testclient import TestClient
    from registry_testlib import CODE_SET, build

    from govstd.service.app import create_app
    from govstd.service.settings import Settings

    with Registry(registry_url, create=True) as r:
        for code in ("TEST_A", "TEST_B", "TEST_C"):
            r.publish([build({**CODE_SET, "id": code, "name_zh": code, "aliases": []})], actor="test")
        for message in ("l", "m", "n"):
            r.publish([build(CODE_SET, f"1.{'lmn'.index(message)}.0")], actor="test", message=message)
        assert [s.id for s in r.list(limit=2, offset=1)] == ["TEST_B", "TEST_C"]
        assert [s.id for s in r.list(limit=5, offset=3)] == ["TEST_CS"]
        assert [s.id for s in r.list()] == ["TEST_A", "TEST_B", "TEST_C", "TEST_CS"]
        events = r.history("TEST_CS")
        assert [e.message for e in r.history("TEST_CS", limit=1, offset=1)] == [events[1].message] == ["m"]
        with TestClient(create_app(Settings(registry_url=registry_url, allow_anonymous_read=True), registry=r)) as h:
            assert [s["id"] for s in h.get("/standards", params={"limit": 1, "offset": 2}).json()] == ["TEST_C"]
            assert [s["id"] for s in h.get("/standards", params={"q": "test_c", "limit": 1}).json()] == ["TEST_C"]
            page = h.get("/standards/TEST_CS/history", params={"limit": 1, "offset": 2}).json()
            assert [e["message"] for e in page["events"]] == ["n"] and len(page["versions"]) == 3
    listed = cli("registry", "list", "--limit", "1", "--offset", "1", "--json", "--registry", registry_url)
    assert [s["id"] for s in json.loads(listed.out)] == ["TEST_B"]
    hist = cli("registry", "history", "TEST_CS", "--limit", "1", "--json", "--registry", registry_url)
    assert len(json.loads(hist.out)["events"]) == 1


def _body(k: int) -> str:
    """A valid credit code (GB 32100) of an implementing body, the k-th of a made-up series."""
    from govstd.standards.numbers import gb11714, gb32100

    base = f"{31000000 + k * 7919:08d}"
    first17 = "11" + "510000" + base + gb11714.calc_check_digit(base)
    return first17 + gb32100.calc_check_digit(first17)


def test_compare_against_a_python_oracle(registry_url: str, tmp_path: Path) -> None:
    """A random two-region catalogue (several entries per item, shared and differing basic codes and
    names, crosswalk rows by basic and by implementation code): every finding, its count and each listed
    item's code and name sets equal what plain Python sets say."""
    import random

    rnd = random.Random(18)
    rows: list[tuple[str, str, str, str]] = []  # implementation code, basic code, name, region
    mapping: dict[str, str] = {}  # local code -> national code (the crosswalk)
    for n in range(60):
        national, shared = f"0001990{n:05d}", f"511B9{n:07d}"
        for side, (prefix, region, area) in enumerate((("511C", "511602", SC_AREA), ("440C", "440118", GD_AREA))):
            if rnd.random() < 0.15:
                continue  # this region lacks the item
            for e in range(rnd.randint(1, 3)):
                basic = shared if rnd.random() < 0.5 else f"{prefix}{side}{n:04d}{rnd.randint(0, 1)}00"
                impl = _impl(basic, area, _body(n * 10 + side * 5 + e))
                if basic != shared and rnd.random() < 0.7:
                    mapping[basic] = national
                elif rnd.random() < 0.2:
                    mapping[impl] = national
                rows.append((impl, basic, rnd.choice(["事项甲", "事项乙", "事项甲（县级）"]) + str(n % 7), region))
    cat = tmp_path / "random.csv"
    lines = [f"{impl},{basic},{name},民政局,{region}\n" for impl, basic, name, region in rows]
    cat.write_text("实施编码,基本编码,事项名称,部门,行政区划\n" + "".join(lines), encoding="utf-8")
    by_column = [(c, "", k, "") if "-" in c else ("", c, k, "") for c, k in mapping.items()]  # impl codes have dashes
    cw = _crosswalk(tmp_path / "random-cw.csv", by_column)
    sets: dict[str, dict[str, set[str]]] = {}
    for impl, basic, name, region in rows:
        k = mapping.get(impl) or mapping.get(basic) or basic
        side = "a" if region.startswith("51") else "b"
        entry = sets.setdefault(k, {"ca": set(), "cb": set(), "na": set(), "nb": set()})
        entry["c" + side].add(basic)
        entry["n" + side].add(name)
    both = {k for k, s in sets.items() if s["ca"] and s["cb"]}
    want = {"only_in_a": sorted(k for k, s in sets.items() if not s["cb"]),
            "only_in_b": sorted(k for k, s in sets.items() if not s["ca"]),
            "coded_differently": sorted(k for k in both if sets[k]["ca"] != sets[k]["cb"]),
            "names_differ": sorted(k for k in both if sets[k]["na"] != sets[k]["nb"])}
    with Registry(registry_url, create=True) as r:
        r.import_items(cat, actor="test")
        r.import_crosswalk(cw, actor="test")
        found = r.compare_items("510000", "440000", limit=1000)
        paged = r.compare_items("510000", "440000", limit=3, offset=2)
    assert found.counts == {f: len(v) for f, v in want.items()}
    assert all(want.values())  # every finding occurs: the data exercises each branch
    for finding, codes in want.items():
        listed = getattr(found, finding)
        assert [i.national_code for i in listed] == codes
        assert [i.national_code for i in getattr(paged, finding)] == codes[2:5]
        for item in listed:
            s = sets[item.national_code]
            assert (set(item.basic_codes_a), set(item.basic_codes_b)) == (s["ca"], s["cb"])
            assert (set(item.names_a), set(item.names_b)) == (s["na"], s["nb"])
