"""The generated registry site: strict build, URL scheme, page content, downloads, page weight."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema
import pytest
from pydantic import TypeAdapter

from govstd.errors import GovstdError
from govstd.site.build import MARKER, build_site
from govstd.standards.loader import load_text
from govstd.standards.models import Entry

ENTRY: TypeAdapter[AnyEntry] = TypeAdapter(Entry)

if TYPE_CHECKING:
    from govstd.registry.store import Registry
    from govstd.site.build import SiteBuild
    from govstd.standards.models import AnyEntry


def html(site: SiteBuild, url: str) -> str:
    return (site.out_dir / url / "index.html").read_text(encoding="utf-8")


def test_strict_build_is_clean(built_site: SiteBuild) -> None:
    # How long the build takes is measured by `make bench`, not asserted here.
    assert built_site.warnings == []
    assert (built_site.out_dir / "index.html").is_file()
    assert (built_site.out_dir / MARKER).is_file()


@pytest.mark.parametrize("url", [
    "",
    "standards/", "code-sets/", "catalogues/", "service-items/", "changes/", "about/",
    "standards/gb11643/", "standards/gb11643/1.0.0/", "standards/gb11643/1.1.0/",
    "standards/gb11643/history/", "standards/gb11643/diff/1.0.0-to-1.1.0/",
    "code-sets/gbt2261.1/diff/1.0.0-to-2.0.0/", "code-sets/gbt2260/2024.1.0/",
    "catalogues/510100-00001/", "catalogues/510100-00001/1.0.0/", "service-items/511a09001023/",
])
def test_url_scheme(built_site: SiteBuild, url: str) -> None:
    assert (built_site.out_dir / url / "index.html").is_file(), url
    assert url in built_site.pages


def test_every_version_has_yaml_json_and_the_schema(built_site: SiteBuild, site_registry: Registry) -> None:
    schema = json.loads((built_site.out_dir / "schema/govstd-entry.schema.json").read_text(encoding="utf-8"))
    for entry in site_registry.entries(all_versions=True):
        kind_dir = {"data_element": "standards", "code_set": "code-sets", "catalogue_schema": "catalogues",
                    "service_item": "service-items"}[entry.kind.value]
        base = built_site.out_dir / kind_dir / entry.id.lower() / entry.version
        stem = f"{entry.id.lower()}-{entry.version}"
        data = json.loads((base / f"{stem}.json").read_text(encoding="utf-8"))
        assert ENTRY.validate_python(data) == entry, entry.ref
        if entry.id == "GBT2260":
            continue  # 6,800 codes: the YAML reader and the schema validator take seconds; same code path
        jsonschema.validate(data, schema)
        # The YAML download is the exact published content: it loads back into an equal entry.
        (loaded,) = load_text((base / f"{stem}.yaml").read_text(encoding="utf-8"), path=stem)
        assert loaded == entry, entry.ref
    for kind in ("data_element", "code_set", "catalogue_schema", "service_item"):
        assert (built_site.out_dir / "schema" / f"{kind}.schema.json").is_file()


def test_field_standard_page_has_everything_a_department_needs(built_site: SiteBuild) -> None:
    page = html(built_site, "standards/gb11643/")
    for text in ("公民身份号码", "Citizen identification number", "GB 11643-1999", "clause 4–5", "国家标准化管理委员会",
                 "定义", "Definition", "^[0-9]{17}[0-9X]$", "示例", "校验码不符", "the check character does not match",
                 "脱敏规则", "1.1.0", "身份证号码", "gb11643-1.1.0.yaml", "gb11643-1.1.0.json",
                 "data_element.schema.json", "户籍人口基本信息"):  # 'used by' the sample catalogue
        assert text in page, text
    # Masking example follows the rule of the version shown (1.1.0 keeps 1 + 2).
    assert "1***************2X" in page


def test_superseded_version_is_marked_and_points_to_its_successor(built_site: SiteBuild) -> None:
    page = html(built_site, "standards/gb11643/1.0.0/")
    assert "已替代 Superseded" in page
    assert 'href="../1.1.0/"' in page
    assert "110105********002X" in page  # the masking rule of 1.0.0 itself, not of the newer version


def test_candidate_is_not_the_current_version(built_site: SiteBuild) -> None:
    latest = html(built_site, "standards/gb32100/")
    assert "v1.0.0" in latest and "有更新的版本" in latest
    candidate = html(built_site, "standards/gb32100/1.1.0/")
    assert "候选 Candidate" in candidate and "非现行版本" in candidate


def test_diff_pages_say_what_changed_and_whether_it_breaks(built_site: SiteBuild) -> None:
    breaking = html(built_site, "code-sets/gbt2261.1/diff/1.0.0-to-2.0.0/")
    assert "不兼容的变更 Breaking change" in breaking
    assert "codes[0]" in breaking and "未知的性别" in breaking
    assert "li.na" in breaking and "删除代码 0" in breaking
    compatible = html(built_site, "standards/gb11643/diff/1.0.0-to-1.1.0/")
    assert "向后兼容 Compatible" in compatible and "masking.keep_start" in compatible
    diff = json.loads((built_site.out_dir / "code-sets/gbt2261.1/diff/1.0.0-to-2.0.0/diff.json").read_text())
    assert diff["compatible"] is False and diff["suggested_bump"] == "major"
    history = html(built_site, "code-sets/gbt2261.1/history/")
    assert 'href="../diff/1.0.0-to-2.0.0/"' in history and 'href="../1.0.0/"' in history


def test_catalogue_links_every_bound_field_to_the_version_it_resolves_to(built_site: SiteBuild) -> None:
    page = html(built_site, "catalogues/510100-00001/")
    expected = {
        "GB11643@^1": "../../standards/gb11643/1.1.0/",
        "GBT2261.1@^1": "../../code-sets/gbt2261.1/1.0.0/",  # ^1 does not reach the breaking 2.0.0
        "GBT3304@^1": "../../code-sets/gbt3304/1.1.0/",  # 1.1.0 added the short labels (汉, 回 …)
        "GBT7408@^1": "../../standards/gbt7408/1.0.0/",
        "GBT2260@&gt;=2024": "../../code-sets/gbt2260/2024.1.0/",
        "mobile_phone@^1": "../../standards/mobile_phone/1.0.0/",
    }
    for ref, href in expected.items():
        assert ref in page, ref
        assert f'href="{href}"' in page, href
    for text in ("有条件共享", "每日", "重要", "市公安局", "证件号码一致性"):
        assert text in page, text


def test_service_item_page(built_site: SiteBuild) -> None:
    page = html(built_site, "service-items/511a09001023/")
    for text in ("犬类准养证核发", "行政许可", "511A09001023-511602000000-000-11511300008778693M-1-00", "4 县"):
        assert text in page, text


def test_large_code_set_stays_light(built_site: SiteBuild) -> None:
    page_path = built_site.out_dir / "code-sets/gbt2260/index.html"
    codes_path = built_site.out_dir / "code-sets/gbt2260/2024.1.0/codes.json"
    page = page_path.read_text(encoding="utf-8")
    data = json.loads(codes_path.read_text(encoding="utf-8"))
    assert len(data["rows"]) > 6000
    assert data["columns"][:2] == ["code", "label_zh"]
    # The derived 市辖区 codes are listed like any other, under their city, marked by their level.
    col = {name: i for i, name in enumerate(data["columns"])}
    city_districts = next(r for r in data["rows"] if r[0] == "130101")
    assert (city_districts[col["label_zh"]], city_districts[col["level"]], city_districts[col["parent"]]) == (
        "市辖区", "city_districts", "130100")
    assert "市辖区（推导）" in page  # the page's count by level names them
    # The page carries a summary and the client-side browser, not thousands of table rows.
    assert "110105" not in page  # a county code: only in codes.json
    assert page.count("<tr") < 50
    assert page_path.stat().st_size < 80_000, page_path.stat().st_size
    assert codes_path.stat().st_size < 400_000, codes_path.stat().st_size
    csv_text = (built_site.out_dir / "code-sets/gbt2260/2024.1.0/codes.csv").read_text(encoding="utf-8")
    assert csv_text.startswith("\ufeffcode,label_zh")


def test_small_code_set_is_a_table_in_the_page(built_site: SiteBuild) -> None:
    page = html(built_site, "code-sets/gbt3304/")
    assert "基诺族" in page and "毛难族" in page  # label and old-name alias, searchable
    assert 'class="gs-table"' in page


def test_registry_text_is_escaped(tmp_path: Path) -> None:
    from govstd.registry.store import Registry
    from govstd.standards.models import DataElement

    reg = Registry(f"sqlite:///{tmp_path / 'r.sqlite'}", create=True)
    tricky = DataElement(id="tricky", name_zh="奇怪 | *名称* <b>", definition_zh="<script>alert(1)</script> a|b _x_",
                         examples=[{"value": "a|b`c", "valid": False, "reason": "format"}])
    reg.publish([tricky], actor="t")
    site = build_site(reg, tmp_path / "out")
    page = (site.out_dir / "standards/tricky/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; a|b _x_" in page
    assert "奇怪 | *名称* &lt;b&gt;" in page
    reg.close()


def test_refuses_to_overwrite_a_directory_it_did_not_build(tmp_path: Path, site_registry: Registry) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    with pytest.raises(GovstdError, match="refusing to build"):
        build_site(site_registry, out)
    assert (out / "thesis.docx").exists()


def test_site_index_json_lists_every_version(built_site: SiteBuild) -> None:
    index = json.loads((built_site.out_dir / "index.json").read_text(encoding="utf-8"))
    by_id = {e["id"]: e for e in index["entries"]}
    assert by_id["GB11643"]["current_version"] == "1.1.0"
    assert [v["version"] for v in by_id["GB11643"]["versions"]] == ["1.0.0", "1.1.0"]
    assert by_id["GB11643"]["versions"][0]["status"] == "superseded"
    for entry in index["entries"]:
        for version in entry["versions"]:
            assert (built_site.out_dir / version["url"] / "index.html").is_file()
            assert (built_site.out_dir / version["yaml"]).is_file()


def test_no_page_links_outside_the_site(built_site: SiteBuild) -> None:
    """Offline: no Google Fonts, no CDN scripts."""
    page = html(built_site, "")
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
    assert not re.search(r'<script[^>]+src="https?://', page)


def test_used_by_names_the_version_each_catalogue_resolves_to(built_site: SiteBuild) -> None:
    page = html(built_site, "code-sets/gbt2261.1/")  # current version: the breaking 2.0.0
    section = page[page.index('id="used-by"'):]
    assert "户籍人口基本信息" in section and "GBT2261.1@^1" in section
    assert 'href="1.0.0/"' in section  # the catalogue still gets 1.0.0, not this page's 2.0.0


def test_refuses_to_generate_the_project_into_a_foreign_directory(tmp_path: Path,
                                                                   site_registry: Registry) -> None:
    work = tmp_path / "repo"
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "index.md").write_text("the project's own docs")
    with pytest.raises(GovstdError, match="not a govstd site project"):
        build_site(site_registry, tmp_path / "out", work_dir=work)
    assert (work / "docs" / "index.md").exists()
