"""责任清单: owner blocks in catalogue schemas, ``govstd registry owners``, and the site's owner pages —
on a real SQLite registry (with the national library), the real CLI and a real mkdocs build.

Every output must show an owner's phone masked unless --show-values: the raw numbers below are grepped
for in every output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from registry_testlib import CliResult

from govstd.registry.owners import OwnedItem, registry_owners
from govstd.registry.store import Registry
from govstd.standards.loader import load_paths
from govstd.standards.owner import mask_phone

Cli = Callable[..., CliResult]

OFFICE_PHONE = "028-86661234"
MOBILE = "13912345678"  # a contact's own mobile: personal data
POLICE_PHONE = "(028)86305678"

WELFARE = """\
kind: catalogue_schema
id: MZ-0001
version: {version}
status: {status}
name_zh: 低保对象名册
provider: {{name: 成都市民政局}}
owner: {{department: {department}, contact: 社会救助处数据科, phone: "{phone}"}}
share: {{share_type: conditional}}
fields:
  - {{name: sfzh, name_zh: 公民身份号码, standard: GB11643@^1, key: true}}
  - {{name: xm, name_zh: 姓名, pii: name}}
  - name: hjd
    name_zh: 户籍地
    code_set: "GBT2260@>=2024"
    owner: {{department: 市公安局, contact: 户政科, phone: "{police}"}}
  - name: lxdh
    name_zh: 联系电话
    standard: mobile_phone@^1
    owner: {{department: 区民政局, phone: "{mobile}"}}
"""


def welfare(version: str, status: str, phone: str, department: str = "市民政局") -> str:
    return WELFARE.format(version=version, status=status, phone=phone, department=department, police=POLICE_PHONE,
                          mobile=MOBILE)


# No owner: its provider answers for it.
HOUSING = """\
kind: catalogue_schema
id: ZJ-0001
version: 1.0.0
name_zh: 保障房名册
provider: {name: 市住建局}
share: {share_type: unconditional}
fields:
  - {name: fwbh, name_zh: 房屋编号, key: true}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reg_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A registry: the library, MZ-0001 1.0.0 (standard) and 1.1.0 (candidate, another department), ZJ-0001."""
    tmp = tmp_path_factory.mktemp("owners")
    path = tmp / "registry.sqlite"
    reg = Registry(f"sqlite:///{path}", create=True)
    try:
        reg.init(actor="test")
        files = [
            _write(tmp, "mz-1.0.0.yaml", welfare("1.0.0", "standard", OFFICE_PHONE)),
            _write(tmp, "zj.yaml", HOUSING),
        ]
        reg.publish(load_paths(files), actor="steward")
        draft = welfare("1.1.0", "candidate", "028-86669999", department="市财政局")
        reg.publish(load_paths([_write(tmp, "mz-1.1.0.yaml", draft)]), actor="steward")
    finally:
        reg.close()
    yield path


def _rows(items: list[OwnedItem]) -> list[tuple[str, str | None, str, str | None, bool, int]]:
    return [(i.schema_ref, i.field, i.department, i.phone, i.declared, i.inherited_fields) for i in items]


def test_registry_owners_lists_schemas_and_their_fields(reg_path: Path) -> None:
    with Registry(f"sqlite:///{reg_path}") as reg:
        items = registry_owners(reg)
        whole = registry_owners(reg, show_values=True)
    # By department (code point order); the candidate 1.1.0 (市财政局) answers for nothing; ZJ-0001's
    # provider stands in for its missing owner.
    assert _rows(items) == [
        ("MZ-0001@1.0.0", "lxdh", "区民政局", "139****5678", True, 0),
        ("ZJ-0001@1.0.0", None, "市住建局", None, False, 1),
        ("MZ-0001@1.0.0", "hjd", "市公安局", "028****5678", True, 0),
        ("MZ-0001@1.0.0", None, "市民政局", "028****1234", True, 2),
    ]
    assert {(i.field, i.phone) for i in whole} == {("hjd", POLICE_PHONE), (None, OFFICE_PHONE), ("lxdh", MOBILE),
                                                   (None, None)}
    assert items[2].contact == "户政科" and items[2].field_name_zh == "户籍地"


def test_owners_cli_json_masks_phones_and_filters(cli: Cli, reg_path: Path) -> None:
    reg = ["registry", "--registry", f"sqlite:///{reg_path}"]
    out = cli(*reg, "owners", "--json")
    assert out.code == 0, out.err
    owners = out.json()["owners"]
    assert [(o["department"], o["schema_ref"], o["field"]) for o in owners] == [
        ("区民政局", "MZ-0001@1.0.0", "lxdh"),
        ("市住建局", "ZJ-0001@1.0.0", None),
        ("市公安局", "MZ-0001@1.0.0", "hjd"),
        ("市民政局", "MZ-0001@1.0.0", None),
    ]
    by_field = {o["field"]: o for o in owners if o["schema_ref"].startswith("MZ")}
    assert by_field[None] | {"contact": "社会救助处数据科", "phone": "028****1234", "inherited_fields": 2,
                             "declared": True} == by_field[None]
    assert by_field["lxdh"]["phone"] == "139****5678" and by_field["hjd"]["phone"] == "028****5678"
    assert owners[1]["declared"] is False and owners[1]["phone"] is None
    for raw in (OFFICE_PHONE, MOBILE, "86305678", "86661234"):
        assert raw not in out.out

    shown = cli(*reg, "owners", "--json", "--show-values").json()["owners"]
    assert {o["phone"] for o in shown} == {OFFICE_PHONE, MOBILE, POLICE_PHONE, None}

    police = cli(*reg, "owners", "--department", "公安", "--json").json()["owners"]
    assert [(o["department"], o["field"]) for o in police] == [("市公安局", "hjd")]
    # 民政 matches both 市民政局 and 区民政局.
    assert {o["department"] for o in cli(*reg, "owners", "--department", "民政", "--json").json()["owners"]} == {
        "市民政局", "区民政局"}
    assert cli(*reg, "owners", "--department", "教育", "--json").json() == {"owners": []}


def test_owners_cli_table(cli: Cli, reg_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line, so cells can be matched whole
    reg = ["registry", "--registry", f"sqlite:///{reg_path}"]
    out = cli(*reg, "owners")
    assert out.code == 0, out.err
    for text in ("市民政局", "社会救助处数据科", "028****1234", "139****5678", "市住建局（提供方 provider）"):
        assert text in out.out, text
    assert MOBILE not in out.out and OFFICE_PHONE not in out.out
    none = cli(*reg, "owners", "--department", "教育")
    assert none.code == 0 and "没有匹配的责任方 no owner matches" in none.out


def test_show_and_diff_mask_owner_phones(cli: Cli, reg_path: Path) -> None:
    reg = ["registry", "--registry", f"sqlite:///{reg_path}"]
    entry = cli(*reg, "show", "MZ-0001@1.0.0", "--json").json()["entry"]
    assert entry["owner"]["phone"] == "028****1234"
    assert entry["fields"][3]["owner"] == {"department": "区民政局", "phone": "139****5678"}
    assert cli(*reg, "show", "MZ-0001@1.0.0", "--json", "--show-values").json()["entry"]["owner"]["phone"] == \
        OFFICE_PHONE
    table = cli(*reg, "show", "MZ-0001@1.0.0")
    assert "owner 责任方 市民政局  社会救助处数据科  028****1234" in table.out and OFFICE_PHONE not in table.out
    diff = cli(*reg, "diff", "MZ-0001@1.0.0", "MZ-0001@1.1.0", "--json")
    assert diff.code == 0, diff.err
    changes = {c["path"]: c for c in diff.json()["changes"]}
    # An owner change is documentation: never breaking, and the phones stay masked.
    assert changes["owner.phone"] | {"old": "028****1234", "new": "028****9999", "breaks_backward": False} == \
        changes["owner.phone"]
    assert changes["owner.department"]["old"] == "市民政局" and not changes["owner.department"]["breaks_backward"]
    assert "86661234" not in diff.out and "86669999" not in diff.out


@pytest.mark.parametrize("phone", ["13912345678", "028-86661234", "(028)86661234", "+86 139 1234 5678",
                                   "028-86661234转123", "12345"])
def test_mask_phone_never_shows_the_number_whole_and_is_idempotent(phone: str) -> None:
    masked = mask_phone(phone)
    digits = "".join(ch for ch in phone if ch.isdigit())
    assert "*" in masked and digits not in masked.replace("-", "")
    assert mask_phone(masked) == masked  # the site masks an already-masked entry again


LINT_SCHEMA = """\
kind: catalogue_schema
id: LINT-0001
name_zh: 测试
provider: {{name: 测试局}}
owner:
  department: 测试局
  phone: {phone}
share: {{share_type: conditional}}
fields:
  - name: a
    owner: {{department: "{department}", contact: 数据科}}
"""


@pytest.mark.parametrize(("phone", "department", "line", "expected"), [
    ("电话13912345678", "数据局", 7, "owner.phone: Value error, expected a telephone number"),
    ("028-86661234", "  ", 11, "fields[0].owner.department: Value error, must not be blank"),
])
def test_lint_reports_a_bad_owner_block_by_file_and_line(cli: Cli, tmp_path: Path, phone: str, department: str,
                                                         line: int, expected: str) -> None:
    path = _write(tmp_path, "schema.yaml", LINT_SCHEMA.format(phone=phone, department=department))
    out = cli("lint", str(path), "--json")
    assert out.code == 1, out.out
    errors = [f for f in out.json()["findings"] if f["level"] == "error"]
    assert [(f["path"], f["line"]) for f in errors] == [(str(path), line)], errors
    assert expected in errors[0]["message"]
    assert "13912345678" not in out.out and "86661234" not in out.out  # a message never repeats a phone
    clean = _write(tmp_path, "clean.yaml", LINT_SCHEMA.format(phone="028-86661234", department="数据局"))
    assert cli("lint", str(clean)).code == 0


@pytest.fixture(scope="module")
def site_dir(reg_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry's site, built strictly by mkdocs."""
    from govstd.site.build import build_site

    tmp = tmp_path_factory.mktemp("owners-site")
    with Registry(f"sqlite:///{reg_path}") as reg:
        return build_site(reg, tmp / "out", work_dir=tmp / "project").out_dir


def test_site_shows_owners_masked(site_dir: Path) -> None:
    out = site_dir
    page = (out / "catalogues" / "mz-0001" / "index.html").read_text(encoding="utf-8")
    assert 'id="owners"' in page and "社会救助处数据科" in page and "028****1234" in page
    owners = (out / "owners" / "index.html").read_text(encoding="utf-8")
    for text in ("责任清单", "市公安局", "户政科", "市住建局", "028****5678", "139****5678"):
        assert text in owners, text
    assert "市财政局" not in owners  # the candidate answers for nothing
    # No raw phone anywhere in the built site: pages, downloads, diffs, the search index.
    for file in out.rglob("*"):
        if file.is_file() and file.suffix in {".html", ".json", ".yaml", ".js", ".xml", ".txt"}:
            text = file.read_text(encoding="utf-8", errors="replace")
            for raw in ("86661234", MOBILE, "86305678", "86669999"):
                assert raw not in text, (file, raw)
    download = json.loads((out / "catalogues" / "mz-0001" / "1.0.0" / "mz-0001-1.0.0.json").read_text("utf-8"))
    assert download["owner"]["phone"] == "028****1234"


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_owners_page_in_chromium(site_dir: Path, tmp_path: Path) -> None:
    """The owners page in headless Chromium: its table lists every owned item, phones masked, and a
    catalogue link leads to the catalogue page's owners section. A missing Chromium fails, never skips."""
    import functools
    import http.server
    import os
    import threading

    from playwright.sync_api import sync_playwright

    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} not found: install Debian's chromium (as .ci/run does)"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            try:
                page = browser.new_page(locale="zh-CN")
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.goto(url + "owners/")
                assert page.locator("h1").first.inner_text().startswith("责任清单")
                rows = page.locator("article table tbody tr")
                assert rows.count() == 4
                texts = [rows.nth(i).inner_text() for i in range(4)]
                assert texts[0].startswith("区民政局") and "139****5678" in texts[0] and "lxdh" in texts[0]
                assert "市住建局" in texts[1] and "提供方" in texts[1]
                assert MOBILE not in page.content()
                page.screenshot(path=str(tmp_path / "owners.png"), full_page=True)
                page.locator("article table tbody tr", has_text="市公安局").locator("a").first.click()
                page.wait_for_url("**/catalogues/mz-0001/")
                owners = page.locator("#owners")
                assert owners.count() == 1
                assert "社会救助处数据科" in page.locator("article").inner_text()
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert problems == []
