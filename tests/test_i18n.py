"""The CLI speaks Chinese by default with English beside, English alone with ``--lang en`` or an English
locale: errors, hints, ``expected``, the validate table's headers and summary. Real subprocesses."""

from __future__ import annotations

import os
import string
import subprocess
import sys
from pathlib import Path

import pytest

from govstd import demo, i18n


def run(*args: str | Path, lang_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"LANG", "LC_ALL", "LC_MESSAGES"}}
    return subprocess.run([sys.executable, "-m", "govstd", *map(str, args)], capture_output=True, text=True,
                          timeout=180, env={**env, **(lang_env or {})})


def test_every_message_has_both_languages() -> None:
    assert all(set(m) == {"zh", "en"} and all(m.values()) for m in i18n.MESSAGES.values())
    for key, texts in i18n.MESSAGES.items():  # the same placeholders in both: a format never fails in one
        names = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts.values()]
        assert names[0] == names[1], key


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "C.UTF-8"}, "zh"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"), ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US"}, "zh"),
])
def test_the_locale_chooses(env: dict[str, str], expected: str) -> None:
    assert i18n.from_environment(env) == expected


def test_an_error_in_chinese_with_english_beside_or_english_alone() -> None:
    zh = run("standards", "show", "GB1164")
    assert zh.returncode == 2
    assert zh.stderr.startswith("未找到 error: unknown standard: 'GB1164'") and "提示 hint: did you mean" in zh.stderr
    for en in (run("--lang", "en", "standards", "show", "GB1164"),
               run("standards", "show", "GB1164", lang_env={"LANG": "en_US.UTF-8"})):
        assert en.returncode == 2
        assert en.stderr.startswith("error: unknown standard: 'GB1164'") and "\n  hint: did you mean" in en.stderr
        assert "提示" not in en.stderr and "未找到" not in en.stderr
    # --lang wins over the locale
    assert "提示 hint" in run("--lang", "zh", "standards", "show", "GB1164", lang_env={"LANG": "en_US"}).stderr


def test_expected_is_said_in_the_language(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    args = ["validate", str(data), "--schema-file", str(tmp_path / "s.yaml"), "--format", "json", "--format", "md"]
    zh = run(*args)
    assert zh.returncode == 2 and "输入错误 error:" in zh.stderr and "（应为" not in zh.stderr
    assert "(应为 --out DIR" in zh.stderr
    en = run("--lang", "en", *args)
    assert en.returncode == 2 and "(expected --out DIR" in en.stderr and "应为" not in en.stderr


def test_validate_table_and_summary(tmp_path: Path) -> None:
    records, _ = demo.generate(100)
    data = demo.write_csv(records, tmp_path / "cases.csv")
    schema = tmp_path / "s.yaml"
    schema.write_text(demo.schema_yaml(), encoding="utf-8")
    zh = run("validate", data, "--schema-file", schema)
    assert zh.returncode in (0, 1), zh.stderr
    for header in ("规则 rule", "维度 dimension", "失败数 failed"):
        assert header in zh.stdout, zh.stdout
    assert "项检查：" in zh.stdout and ("发现错误 errors found" in zh.stdout or "无错误 no errors" in zh.stdout)
    en = run("--lang", "en", "validate", data, "--schema-file", schema)
    assert en.returncode == zh.returncode
    assert "rule" in en.stdout and "规则" not in en.stdout and " checks: " in en.stdout and "项检查" not in en.stdout
    assert "against" in en.stdout and "对照" in zh.stdout


def test_check_and_lint_summaries(tmp_path: Path) -> None:
    """The last line of ``check`` and ``lint``: Chinese (lint keeps the English beside, for CI logs), or English."""
    zh = run("check", "GB11643", "11010119900307851X")
    assert zh.stderr.strip().endswith("共检查 1 个值：1 个无效，0 个有警告（GB11643@1.0.0）"), zh.stderr
    en = run("--lang", "en", "check", "GB11643", "11010119900307851X")
    assert en.stderr.strip().endswith("1 checked, 1 invalid, 0 with warnings (GB11643@1.0.0)"), en.stderr
    schema = tmp_path / "schema.yaml"
    schema.write_text(demo.schema_yaml(), encoding="utf-8")
    zh = run("lint", schema)
    assert "已检查 1 个文件，未检查兼容性（未指定 --registry）：0 个错误，0 个警告" in zh.stderr, zh.stderr
    assert "1 file(s) checked; compatibility not checked (no --registry): 0 error(s)" in zh.stderr
    en = run("--lang", "en", "lint", schema)
    assert "已检查" not in en.stderr and "1 file(s) checked; compatibility" in en.stderr
