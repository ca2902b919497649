"""Words the site shows: Chinese first, English beside it. Presentation only — no rules live here."""

from __future__ import annotations

from govstd.standards.models import EntryKind, RegistrationStatus

#: kind → (中文, English singular, English plural)
KIND_LABELS: dict[EntryKind, tuple[str, str, str]] = {
    EntryKind.DATA_ELEMENT: ("字段标准", "Field standard", "Field standards"),
    EntryKind.CODE_SET: ("代码集", "Code set", "Code sets"),
    EntryKind.CATALOGUE_SCHEMA: ("资源目录", "Catalogue schema", "Catalogue schemas"),
    EntryKind.SERVICE_ITEM: ("服务事项", "Service item", "Service items"),
}

KIND_BLURBS: dict[EntryKind, tuple[str, str]] = {
    EntryKind.DATA_ELEMENT: (
        "数据元（字段标准）规定一个字段的含义、表示格式、值域、校验算法与脱敏规则。",
        "Data elements: what a field means, its layout, allowed values, check algorithm and masking rule.",
    ),
    EntryKind.CODE_SET: (
        "值域代码集列出允许的代码及其名称和有效期。",
        "Value domains: the codes allowed, their names, and when each code was valid.",
    ),
    EntryKind.CATALOGUE_SCHEMA: (
        "政务数据资源目录条目：资源的元数据、共享与开放属性，以及每个信息项绑定的字段标准。",
        "Catalogue entries of government data resources: metadata, sharing, and the standard bound to every field.",
    ),
    EntryKind.SERVICE_ITEM: (
        "政务服务事项：基本编码、事项类型、设定依据和各实施主体的实施编码。",
        "Government service items: basic code, item type, legal basis and each implementing body's code.",
    ),
}

#: Icons (Material Design icon names, bundled with mkdocs-material; no network).
KIND_ICONS: dict[EntryKind, str] = {
    EntryKind.DATA_ELEMENT: "material-card-account-details-outline",
    EntryKind.CODE_SET: "material-format-list-numbered",
    EntryKind.CATALOGUE_SCHEMA: "material-database-outline",
    EntryKind.SERVICE_ITEM: "material-office-building-outline",
}

STATUS_EN: dict[RegistrationStatus, str] = {
    RegistrationStatus.NOT_PROGRESSED: "Not progressed",
    RegistrationStatus.INCOMPLETE: "Incomplete",
    RegistrationStatus.CANDIDATE: "Candidate",
    RegistrationStatus.RECORDED: "Recorded",
    RegistrationStatus.QUALIFIED: "Qualified",
    RegistrationStatus.STANDARD: "Standard",
    RegistrationStatus.PREFERRED_STANDARD: "Preferred standard",
    RegistrationStatus.SUPERSEDED: "Superseded",
    RegistrationStatus.RETIRED: "Retired",
}

#: Badge colour family per status (CSS class suffix).
STATUS_TONE: dict[RegistrationStatus, str] = {
    RegistrationStatus.NOT_PROGRESSED: "muted",
    RegistrationStatus.INCOMPLETE: "muted",
    RegistrationStatus.CANDIDATE: "info",
    RegistrationStatus.RECORDED: "info",
    RegistrationStatus.QUALIFIED: "info",
    RegistrationStatus.STANDARD: "ok",
    RegistrationStatus.PREFERRED_STANDARD: "ok",
    RegistrationStatus.SUPERSEDED: "warn",
    RegistrationStatus.RETIRED: "bad",
}

#: Why an example value is invalid: the validators' stable error codes, in Chinese.
REASON_ZH: dict[str, str] = {
    "format": "格式不符",
    "length": "长度错误",
    "checksum": "校验码不符",
    "component": "组成部分无效",
    "birth_date": "出生日期无效",
    "region": "地址码不是有效的行政区划代码",
    "sequence": "顺序码不允许",
    "category": "登记管理部门或机构类别代码未知",
    "org_code": "组织机构代码校验失败",
    "masked": "已脱敏的值",
    "excel_damage": "被 Excel 损坏（科学计数法）",
    "empty": "空值",
    "code_set": "不在代码集中",
    "historical_code": "代码已停用",
}

CHANGE_KIND_ZH: dict[str, str] = {
    "added": "新增",
    "add": "新增",
    "removed": "删除",
    "remove": "删除",
    "changed": "修改",
    "change": "修改",
    "modified": "修改",
    "replace": "修改",
}

BUMP_ZH: dict[str, str] = {
    "major": "主版本号 major",
    "minor": "次版本号 minor",
    "patch": "修订号 patch",
    "none": "无需升级 none",
}

#: Levels seen in code sets (GB/T 2260 uses province / city / county).
LEVEL_ZH: dict[str, str] = {
    "province": "省级",
    "city": "地级",
    "prefecture": "地级",
    "county": "县级",
    "township": "乡级",
    "city_districts": "市辖区（推导）",  # GB/T 2260 xxxx01, derived by govstd.standards.numbers.gbt2260
}

