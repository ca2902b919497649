"""The fix list: every failing row of every failing check, where the department can find it.

Samples show five rows per check; a department fixing its file needs all of them, with the place it
opens (``Sample.line``: the CSV line, the sheet row Excel shows, the Parquet record), the column, the
rule, a short message in Chinese and English, the form expected, and the value masked by the same
rules as every other output (``govstd.validators.privacy.redact_row``; ``--show-values`` does not
apply: a file outlives the terminal). The engine streams the failing rows (``DuckDBEngine.fix_rows``:
the sample queries without their limit); this module only writes them, as they come, so memory stays
flat however many rows fail.

- ``.xlsx``: one sheet per severity (错误 error, 警告 warning, 提示 info), header frozen and filtered so
  the department sorts by column and rule; openpyxl's write-only mode streams the rows to disk.
- ``.csv``: one file, a severity column, UTF-8 with BOM (Excel opens it with the Chinese intact).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from govstd.errors import InputError
from govstd.standards.models import MaskingRule
from govstd.validators import ir
from govstd.validators.privacy import redact_row
from govstd.validators.results import FixListInfo, Sample

FORMATS = (".xlsx", ".csv")
HEADER = ("行 row", "文件位置 line", "字段 column", "规则 rule", "说明", "message", "应为 expected",
          "值 value (masked)", "重复于 repeats row", "严重性 severity")
SHEETS = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}
#: Rule kind → (zh, en): what is wrong, in a few words; the check's description says what is expected.
MESSAGES: dict[str, tuple[str, str]] = {
    "not_null": ("必填项为空", "required value missing"),
    "type": ("类型不符", "not of the declared type"),
    "length": ("长度不符", "wrong length"),
    "format": ("格式不符", "wrong format"),
    "pattern": ("不符合格式要求", "does not match the pattern"),
    "code_set": ("不在代码表中", "not in the code set"),
    "checksum": ("校验码错误", "wrong check character"),
    "birth_date": ("出生日期不合理", "impossible or implausible birth date"),
    "sequence": ("顺序码不合理", "implausible sequence number"),
    "org_code": ("组织机构代码校验错误", "wrong organisation-code check character"),
    "region": ("行政区划代码不在表中", "region code not in GB/T 2260"),
    "category": ("类别代码不在表中", "category code not in the table"),
    "range": ("超出取值范围", "out of range"),
    "unique": ("重复记录，应删除", "repeats an earlier row's key: remove"),
    "compare_time": ("时间先后不符", "times in the wrong order"),
    "compare": ("字段间关系不符", "columns disagree"),
    "id_consistency": ("与身份证号码不一致", "disagrees with the ID number"),
    "registered": ("事项编码未登记", "service item not registered"),
    "pii_exposure": ("未脱敏的个人信息", "unmasked personal data"),
    "normalised": ("写法不规范", "non-canonical form"),
    "excel_damage": ("数字被表格软件损坏", "digits lost to a spreadsheet"),
    "masked": ("已脱敏的值", "value already masked"),
    "required_if": ("条件必填项为空", "required value missing (conditional)"),
    "standard_by": ("不符合所选标准", "fails the standard chosen by another column"),
    "sentinel": ("特殊值", "sentinel value"),
    "whitespace": ("首尾有空白", "leading or trailing white space"),
}
_DEFAULT_MESSAGE = ("不符合规则", "fails the rule")


def check_target(path: str | Path) -> Path:
    """The fix list's path, its format known from the suffix — refused before a long run."""
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise InputError(f"cannot write a fix list as {target.suffix or 'a file without suffix'}", path=str(target),
                         expected="a file name ending in .xlsx or .csv")
    if not target.parent.is_dir():
        raise InputError("the fix list's folder does not exist", path=str(target), expected="an existing folder")
    return target


def row_of(check: ir.Check, sample: Sample, masking: Mapping[str, MaskingRule | None]) -> list[Any]:
    """One fix-list line: a failing row of ``check``, its values masked (never cut: the row is to be fixed)."""
    zh, en = MESSAGES.get(check.rule, _DEFAULT_MESSAGE)
    shown = redact_row(sample.values, masking, max_chars=None)
    value = next(iter(shown.values())) if len(shown) == 1 else "; ".join(
        f"{k}={'' if v is None else v}" for k, v in shown.items())
    return [sample.row, sample.line, ", ".join(check.columns), check.rule_id, zh, en, check.description, value,
            sample.repeats_row, check.severity]


def write(target: Path, rows: Iterable[tuple[ir.Check, Sample]],
          masking: Mapping[str, MaskingRule | None]) -> FixListInfo:
    """Write every (check, failing row) of ``rows`` to ``target`` (.xlsx or .csv), streamed."""
    counts = {"error": 0, "warning": 0, "info": 0}
    try:
        if target.suffix.lower() == ".csv":
            with target.open("w", encoding="utf-8-sig", newline="") as fh:
                out = csv.writer(fh)
                out.writerow(HEADER)
                for check, sample in rows:
                    counts[check.severity] += 1
                    out.writerow(["" if v is None else v for v in row_of(check, sample, masking)])
        else:
            _write_xlsx(target, rows, masking, counts)
    except OSError as exc:
        raise InputError(f"cannot write the fix list: {exc.strerror}", path=str(target)) from None
    return FixListInfo(path=target.name, rows=sum(counts.values()), by_severity=counts)


def _write_xlsx(target: Path, rows: Iterable[tuple[ir.Check, Sample]], masking: Mapping[str, MaskingRule | None],
                counts: dict[str, int]) -> None:
    from openpyxl import Workbook  # openpyxl (0.1 s of imports) only when a workbook is written
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    sheets = {}
    for severity, title in SHEETS.items():
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.append(HEADER[:-1])  # the sheet says the severity
        sheets[severity] = ws
    for check, sample in rows:
        counts[check.severity] += 1
        sheets[check.severity].append(row_of(check, sample, masking)[:-1])
    for severity, ws in sheets.items():
        last = get_column_letter(len(HEADER) - 1)
        ws.auto_filter.ref = f"A1:{last}{counts[severity] + 1}"  # sortable by column and rule
    wb.save(target)


__all__ = ["FORMATS", "MESSAGES", "check_target", "row_of", "write"]
