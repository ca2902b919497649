"""What a standard is: the pydantic models every layer shares.

The models are the contract. The registry stores them, the site renders them, the validators derive
checks from them, and their JSON Schema (``govstd.standards.schema``) is what stewards author against.
Four kinds of entry, each versioned the same way (semver + ISO/IEC 11179 registration status):

- ``DataElement`` — a field standard (数据元, GB/T 19488 / ISO/IEC 11179), e.g. GB 11643 citizen ID;
- ``CodeSet`` — a value domain (值域 / 代码集), e.g. GB/T 2261.1 sex, GB/T 2260 regions with history;
- ``CatalogueSchema`` — a dataset's catalogue entry (政务数据资源目录) and its fields (信息项);
- ``ServiceItem`` — a government service item (政务服务事项, GB/T 39554.1).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from govstd.standards.owner import Owner

SEMVER_PATTERN = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-[0-9A-Za-z.-]+)?$"
#: Entry ids are what users type: letters, digits, dot, dash, underscore (``GB11643``, ``510100-00001``).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
#: A reference to another entry: ``id`` or ``id@version-or-range`` (``GB11643@^1``).
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*(@[~^<>=*.,0-9A-Za-z -]+)?$"


class _Model(BaseModel):
    """Strict by default: an unknown key in authored YAML is a typo to report, not to ignore."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False, defer_build=True)


class _LabelledEnum(StrEnum):
    """An enum whose members carry a Chinese label; authored YAML may use either form."""

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH.get(self, self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        for member in cls:
            if value == _LABELS_ZH.get(member):
                return member
        if isinstance(value, str):
            folded = value.strip().lower().replace(" ", "_").replace("-", "_")
            for member in cls:
                if member.value == folded:
                    return member
        return None


class EntryKind(StrEnum):
    DATA_ELEMENT = "data_element"
    CODE_SET = "code_set"
    CATALOGUE_SCHEMA = "catalogue_schema"
    SERVICE_ITEM = "service_item"


class RegistrationStatus(_LabelledEnum):
    """ISO/IEC 11179 registration status (注册状态); allowed transitions live in the registry."""

    NOT_PROGRESSED = "not_progressed"
    INCOMPLETE = "incomplete"
    CANDIDATE = "candidate"
    RECORDED = "recorded"
    QUALIFIED = "qualified"
    STANDARD = "standard"
    PREFERRED_STANDARD = "preferred_standard"
    SUPERSEDED = "superseded"
    RETIRED = "retired"


class DataType(_LabelledEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


class PiiClass(_LabelledEnum):
    """Kinds of personal information a field may hold; drives masking and the PII-exposure check."""

    NONE = "none"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    OTHER = "other"


class ShareType(_LabelledEnum):
    """共享类型 (2017 政务信息资源目录编制指南)."""

    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NOT_SHARED = "not_shared"


class UpdateCycle(_LabelledEnum):
    """更新周期. The official list is unsure (DOMAIN.md); these are the values seen in catalogues."""

    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    IRREGULAR = "irregular"

    @property
    def max_age(self) -> dt.timedelta | None:
        """How old the newest record may be before the dataset counts as stale (None: no limit)."""
        return _UPDATE_CYCLE_MAX_AGE.get(self)


class SensitivityLevel(_LabelledEnum):
    """数据分级, GB/T 43697-2024."""

    GENERAL = "general"
    IMPORTANT = "important"
    CORE = "core"


class CatalogueClass(_LabelledEnum):
    """信息资源目录 classes."""

    BASE = "base"
    THEME = "theme"
    DEPARTMENT = "department"


class QualityDimension(_LabelledEnum):
    """GB/T 36344-2018 data-quality dimensions."""

    CONFORMITY = "conformity"
    COMPLETENESS = "completeness"
    ACCURACY = "accuracy"
    CONSISTENCY = "consistency"
    TIMELINESS = "timeliness"
    ACCESSIBILITY = "accessibility"


_LABELS_ZH: dict[StrEnum, str] = {
    RegistrationStatus.NOT_PROGRESSED: "未处理",
    RegistrationStatus.INCOMPLETE: "不完整",
    RegistrationStatus.CANDIDATE: "候选",
    RegistrationStatus.RECORDED: "已记录",
    RegistrationStatus.QUALIFIED: "合格",
    RegistrationStatus.STANDARD: "标准",
    RegistrationStatus.PREFERRED_STANDARD: "首选标准",
    RegistrationStatus.SUPERSEDED: "已替代",
    RegistrationStatus.RETIRED: "已废止",
    DataType.STRING: "字符型",
    DataType.INTEGER: "整数型",
    DataType.DECIMAL: "数值型",
    DataType.BOOLEAN: "布尔型",
    DataType.DATE: "日期型",
    DataType.DATETIME: "日期时间型",
    PiiClass.NONE: "非个人信息",
    PiiClass.ID_NUMBER: "身份证件号码",
    PiiClass.PHONE: "电话号码",
    PiiClass.NAME: "姓名",
    PiiClass.ADDRESS: "住址",
    PiiClass.OTHER: "其他个人信息",
    ShareType.UNCONDITIONAL: "无条件共享",
    ShareType.CONDITIONAL: "有条件共享",
    ShareType.NOT_SHARED: "不予共享",
    UpdateCycle.REALTIME: "实时",
    UpdateCycle.DAILY: "每日",
    UpdateCycle.WEEKLY: "每周",
    UpdateCycle.MONTHLY: "每月",
    UpdateCycle.QUARTERLY: "每季度",
    UpdateCycle.SEMIANNUAL: "每半年",
    UpdateCycle.ANNUAL: "每年",
    UpdateCycle.IRREGULAR: "不定期",
    SensitivityLevel.GENERAL: "一般",
    SensitivityLevel.IMPORTANT: "重要",
    SensitivityLevel.CORE: "核心",
    CatalogueClass.BASE: "基础",
    CatalogueClass.THEME: "主题",
    CatalogueClass.DEPARTMENT: "部门",
    QualityDimension.CONFORMITY: "规范性",
    QualityDimension.COMPLETENESS: "完整性",
    QualityDimension.ACCURACY: "准确性",
    QualityDimension.CONSISTENCY: "一致性",
    QualityDimension.TIMELINESS: "时效性",
    QualityDimension.ACCESSIBILITY: "可访问性",
}

# A grace of one day on top of each cycle: a daily dataset refreshed yesterday evening is not stale.
_UPDATE_CYCLE_MAX_AGE: dict[UpdateCycle, dt.timedelta] = {
    UpdateCycle.REALTIME: dt.timedelta(days=1),
    UpdateCycle.DAILY: dt.timedelta(days=2),
    UpdateCycle.WEEKLY: dt.timedelta(days=8),
    UpdateCycle.MONTHLY: dt.timedelta(days=32),
    UpdateCycle.QUARTERLY: dt.timedelta(days=93),
    UpdateCycle.SEMIANNUAL: dt.timedelta(days=185),
    UpdateCycle.ANNUAL: dt.timedelta(days=367),
}


# --------------------------------------------------------------------------- shared parts


class Reference(_Model):
    """Where the standard is written down: its number and clause."""

    standard: str = Field(description="Standard number with year, e.g. 'GB 11643-1999'.")
    clause: str | None = Field(None, description="Clause or table, e.g. '5.2'.")
    title_zh: str | None = None
    title_en: str | None = None


class Provenance(_Model):
    """Where reference data came from, so a table can be traced and re-derived."""

    source: str
    commit: str | None = None
    licence: str | None = None
    data_date: dt.date | None = None
    note: str | None = None


class Example(_Model):
    """A documented example value; invalid ones say why (shown on the site, checked in tests)."""

    value: str
    valid: bool
    reason: str | None = Field(None, description="Why it is invalid (an error code such as 'checksum').")


class MaskingRule(_Model):
    """How a value is shown when it may not be shown whole (脱敏). A policy, not a national rule."""

    keep_start: int = Field(6, ge=0)
    keep_end: int = Field(4, ge=0)
    mask_char: str = Field("*", min_length=1, max_length=1)


class Representation(_Model):
    """表示格式: the layout a value must have."""

    pattern: str | None = Field(None, description="Regular expression the whole value must match (use [0-9]).")
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=0)
    format: str | None = Field(None, description="Human layout, e.g. 'YYYYMMDD' or 'an18'.")
    unit: str | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


class ValueDomain(_Model):
    """值域: the values allowed — a code set, an identifier algorithm, or a range."""

    code_set: str | None = Field(None, pattern=REF_PATTERN, description="Code set reference, e.g. 'GBT2261.1@^1'.")
    algorithm: str | None = Field(
        None, description="Identifier algorithm in govstd.standards.numbers, e.g. 'gb11643'."
    )
    options: dict[str, Any] = Field(default_factory=dict, description="Algorithm options (e.g. allow_legacy_15).")
    minimum: float | None = None
    maximum: float | None = None


class _Entry(_Model):
    """What every registry entry has: identity, version, status, names, authority."""

    id: str = Field(pattern=ID_PATTERN, description="Registry id, e.g. 'GB11643' or '510100-00001'.")
    version: str = Field("1.0.0", pattern=SEMVER_PATTERN)
    status: RegistrationStatus = RegistrationStatus.STANDARD
    name_zh: str = Field(min_length=1, description="中文名称")
    name_en: str | None = Field(None, description="English name")
    aliases: list[str] = Field(default_factory=list, description="Other ids that resolve to this entry.")
    definition_zh: str | None = Field(None, description="说明 / 定义")
    definition_en: str | None = None
    registration_authority: str | None = Field(None, description="注册机构")
    submitting_organisation: str | None = Field(None, description="提交机构")
    reference: Reference | None = None
    tags: list[str] = Field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


# --------------------------------------------------------------------------- the four kinds


class DataElement(_Entry):
    """数据元 (field standard): GB/T 19488 / ISO/IEC 11179 attributes that validation needs."""

    kind: Literal[EntryKind.DATA_ELEMENT] = EntryKind.DATA_ELEMENT
    data_type: DataType = DataType.STRING
    representation: Representation = Field(default_factory=Representation)
    value_domain: ValueDomain = Field(default_factory=ValueDomain)
    pii: PiiClass = PiiClass.NONE
    masking: MaskingRule | None = None
    examples: list[Example] = Field(default_factory=list)


class Code(_Model):
    """One code of a code set, optionally time-bounded (valid_to is exclusive)."""

    code: str = Field(min_length=1)
    label_zh: str
    label_en: str | None = None
    aliases: list[str] = Field(default_factory=list, description="Old or alternative labels still met in data.")
    parent: str | None = None
    level: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = Field(None, description="First day the code is no longer valid.")

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


class CodeSet(_Entry):
    """值域代码集. Large sets (GB/T 2260) keep their codes in a CSV named by ``codes_file``."""

    kind: Literal[EntryKind.CODE_SET] = EntryKind.CODE_SET
    codes: list[Code] = Field(default_factory=list)
    codes_file: str | None = Field(None, description="CSV holding the codes: a packaged table, or a file in the "
                                     "code set's own folder, named relative to it.")
    provenance: Provenance | None = None

    def current_codes(self, day: dt.date | None = None) -> set[str]:
        day = day or dt.date.today()
        return {c.code for c in self.codes if c.is_valid_on(day)}

    def all_codes(self) -> set[str]:
        return {c.code for c in self.codes}


class FieldSpec(_Model):
    """信息项: one column of a dataset, bound to a field standard."""

    name: str = Field(min_length=1, description="Column name as it appears in the data.")
    name_zh: str | None = None
    aliases: list[str] = Field(
        default_factory=list,
        description="同义名称 (GB/T 19488.1, ISO/IEC 11179): other column names this field arrives under, "
        "e.g. 身份证号码 for 公民身份号码. Matched when no column has the field's own name, only when exactly "
        "one column matches, and always reported in the result's warnings.",
    )
    data_type: DataType = DataType.STRING
    length: int | None = Field(None, ge=1, description="Maximum length in characters.")
    required: bool = False
    key: bool = Field(False, description="Part of the dataset's (possibly composite) unique key.")
    standard: str | None = Field(None, pattern=REF_PATTERN, description="Bound field standard, 'id@range'.")
    code_set: str | None = Field(None, pattern=REF_PATTERN, description="Code set when no standard binds one.")
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    pii: PiiClass | None = Field(None, description="Overrides the bound standard's PII class.")
    masked: bool = Field(False, description="Values are expected to be masked already (脱敏数据).")
    options: dict[str, Any] = Field(default_factory=dict, description="Options for the bound algorithm.")
    sentinels: list[str] = Field(
        default_factory=list,
        description="Values with an agreed meaning rather than a value of the type, e.g. 长期 / 长期有效 / "
        "9999-12-31 meaning 'no expiry' in a date column: valid (not type errors), left out of range "
        "and compare rules, counted in the info check '<field>.sentinel'.",
    )
    description: str | None = None
    owner: Owner | None = Field(None, description="责任方 of this field when not its schema's (docs/owners.md).")

    @field_validator("sentinels", mode="before")
    @classmethod
    def _sentinels_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 9999-12-31 as a date; a sentinel is compared as text.
        return [_as_text(v) for v in value] if isinstance(value, list) else value


def _as_text(value: Any) -> Any:
    """Scalars an author wrote unquoted (a number, a YAML date) as the text they are in the data."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.date):  # a datetime too: 2024-01-01T08:00:00
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return value


class CompareRule(_Model):
    """Cross-field comparison, e.g. 办结时间 >= 受理时间."""

    kind: Literal["compare"] = "compare"
    id: str | None = None
    left: str
    op: Literal["<", "<=", "=", "!=", ">=", ">"]
    right: str
    description: str | None = None


class IdConsistencyRule(_Model):
    """The birth date, sex and region embedded in an ID number agree with the dataset's own columns."""

    kind: Literal["id_consistency"] = "id_consistency"
    id: str | None = None
    id_field: str
    birth_date_field: str | None = None
    sex_field: str | None = None
    region_field: str | None = None
    description: str | None = None


class RangeRule(_Model):
    """Bounds on a field's value: numbers for numeric fields, ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``
    for date and datetime fields (a date bound means midnight at the start of that day)."""

    kind: Literal["range"] = "range"
    id: str | None = None
    field: str
    minimum: float | str | None = None
    maximum: float | str | None = None
    description: str | None = None

    @field_validator("minimum", "maximum", mode="before")
    @classmethod
    def _dates_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 2024-01-01T08:00:00 as a datetime: keep it as the ISO text it was.
        return _as_text(value) if isinstance(value, dt.date) else value


class Condition(_Model):
    """When a conditional rule applies: a field's (trimmed) value is in / not in a list, or the field is
    present or blank. A blank field is neither ``in`` nor ``not_in`` any list."""

    field: str
    in_: list[str] | None = Field(None, alias="in", min_length=1, description="The field holds one of these.")
    not_in: list[str] | None = Field(None, min_length=1, description="The field holds a value not in these.")
    present: bool | None = Field(None, description="true: the field is not blank; false: it is blank.")

    @field_validator("in_", "not_in", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        return [_as_text(v) for v in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Condition:
        given = [name for name in ("in", "not_in", "present")
                 if getattr(self, "in_" if name == "in" else name) is not None]
        if len(given) != 1:
            raise ValueError(f"a condition takes exactly one of in, not_in, present (got {', '.join(given) or 'none'})")
        return self


class RequiredIfRule(_Model):
    """A field must not be blank on the rows where a condition holds, e.g. 办结时间 when 办件状态 is 办结."""

    kind: Literal["required_if"] = "required_if"
    id: str | None = None
    field: str
    when: Condition
    description: str | None = None


class StandardByRule(_Model):
    """The standard of a column is chosen, row by row, by another column: 证件类型 → 证件号码 checked as
    GB 11643, GB 32100, a passport number, … Each chosen standard's checks run on the rows whose
    selector value names it; ``otherwise`` says whether other selector values are an error."""

    kind: Literal["standard_by"] = "standard_by"
    id: str | None = None
    field: str = Field(description="The column whose standard is chosen (it binds no standard itself).")
    by: str = Field(description="The selector column, e.g. 证件类型.")
    cases: dict[str, Annotated[str, Field(pattern=REF_PATTERN)]] = Field(
        min_length=1, description="Selector value → data element reference, e.g. {'111': 'GB11643@^1'}.")
    otherwise: Literal["error", "skip"] = Field(
        "error", description="A selector value not in cases: an error, or only counted (info) and skipped.")
    description: str | None = None

    @field_validator("cases", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        # An unquoted YAML key such as 111 is an int: selector values are compared as text.
        return {str(_as_text(k)): v for k, v in value.items()} if isinstance(value, dict) else value


class RegisteredServiceItemRule(_Model):
    """Referential: each service-item code is registered, and not retired, in the registry."""

    kind: Literal["service_item_registered"] = "service_item_registered"
    id: str | None = None
    field: str
    description: str | None = None


class TimelinessRule(_Model):
    """The newest record is no older than the declared update cycle allows."""

    kind: Literal["timeliness"] = "timeliness"
    id: str | None = None
    field: str
    description: str | None = None


class OtherDataset(_Model):
    """Another department's dataset a ``consistent_with`` rule compares with: its catalogue schema and
    where its rows are. Relative paths are relative to the folder of the schema file that names them."""

    schema_: str = Field(alias="schema", min_length=1, description="Its catalogue schema: a registry reference "
                         "'id@range', or a schema YAML file.")
    source: str = Field(min_length=1, description="Its rows: a CSV, XLSX, Parquet or JSON Lines file, or a "
                        "sqlite:/// or postgresql:// URL (then table or query).")
    table: str | None = Field(None, description="Database table, with a database URL.")
    query: str | None = Field(None, description="Database query, with a database URL.")
    encoding: str | None = Field(None, description="Text encoding of a CSV or JSON Lines file (detected if unset).")
    sheet: str | int | None = Field(None, description="XLSX sheet name or 0-based index.")


class ColumnPair(_Model):
    """A column of this dataset and the column of the other dataset holding the same item."""

    this: str = Field(min_length=1, description="Field name in this schema.")
    other: str = Field(min_length=1, description="Field name in the other dataset's schema.")


#: How a compared attribute is normalised on both sides before comparing (see docs/checks.md).
CompareAs = Literal["name", "date", "region", "code", "text"]


class ComparedAttribute(ColumnPair):
    """An attribute both datasets hold about the same person or entity, compared after normalising."""

    as_: CompareAs = Field("text", alias="as", description="name: full-width to ASCII, no whitespace, upper "
                           "case; date: the date itself, whatever its layout; region: a GB/T 2260 code, a 12-digit "
                           "statistical code as its first 6; code: normalised like an identifier; text: trimmed.")


class ConsistentWithRule(_Model):
    """Cross-department consistency: rows whose key (an ID number, a credit code) is in another
    department's dataset must agree with it on each compared attribute (name, birth date, region, status)."""

    kind: Literal["consistent_with"] = "consistent_with"
    id: str | None = None
    other: OtherDataset
    key: ColumnPair
    compare: list[ComparedAttribute] = Field(min_length=1)
    severity: Literal["error", "warning"] = Field(
        "error", description="Of a disagreement; keys absent from the other dataset are only counted (info).")
    description: str | None = None

    @model_validator(mode="after")
    def _distinct_attributes(self) -> ConsistentWithRule:
        names = [c.this for c in self.compare]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"consistent_with compares {', '.join(dupes)} more than once")
        if self.key.this in names:
            raise ValueError(f"consistent_with compares its key {self.key.this!r}")
        return self


DatasetRule = Annotated[
    CompareRule | IdConsistencyRule | RangeRule | RegisteredServiceItemRule | TimelinessRule | RequiredIfRule
    | StandardByRule | ConsistentWithRule,
    Field(discriminator="kind"),
]

_RULE_COLUMN_ATTRS = ("left", "right", "field", "by", "id_field", "birth_date_field", "sex_field", "region_field")


def rule_columns(rule: Any) -> list[str]:
    """The columns of this dataset a rule reads, in order: its own attributes, then its condition's field
    (a consistent_with rule: its key, then its compared columns)."""
    if isinstance(rule, ConsistentWithRule):
        return [rule.key.this, *(c.this for c in rule.compare)]
    names = [v for attr in _RULE_COLUMN_ATTRS if (v := getattr(rule, attr, None))]
    when = getattr(rule, "when", None)
    if when is not None:
        names.append(when.field)
    return names


class ShareAttributes(_Model):
    """共享属性."""

    share_type: ShareType
    conditions: str | None = Field(None, description="共享条件")
    method: str | None = Field(None, description="共享方式, e.g. 接口 / 文件 / 库表")


class OpenAttributes(_Model):
    """开放属性."""

    open_to_public: bool = False
    conditions: str | None = None


class Provider(_Model):
    """提供方."""

    name: str
    code: str | None = Field(None, description="提供方代码 (often the department's USCC).")


class Volume(_Model):
    """How many rows one delivery of the dataset must hold (GB/T 36344 数据记录完整性).

    An extract with no rows is almost always a failed export, not a perfect dataset: every check
    passes vacuously. So the default asks for at least one row; a dataset that may legitimately be
    empty (e.g. a daily list of exceptions) says ``min_rows: 0``.
    """

    min_rows: int = Field(1, ge=0, description="Fewer rows than this: the share gate fails.")
    max_rows: int | None = Field(None, ge=0, description="More rows than this: the share gate fails.")

    @model_validator(mode="after")
    def _max_not_below_min(self) -> Volume:
        if self.max_rows is not None and self.max_rows < self.min_rows:
            raise ValueError("max_rows must be >= min_rows")
        return self


class CatalogueSchema(_Entry):
    """政务数据资源目录 entry (2017 编制指南 / GB/T 21063) with its fields and dataset rules."""

    kind: Literal[EntryKind.CATALOGUE_SCHEMA] = EntryKind.CATALOGUE_SCHEMA
    catalogue_class: CatalogueClass = CatalogueClass.DEPARTMENT
    classification: str | None = Field(None, description="信息资源分类 (类/项/目/细目)")
    provider: Provider
    owner: Owner | None = Field(None, description="责任方: department and office answering for the data "
                                                  "(default: the provider; docs/owners.md).")
    summary: str | None = Field(None, description="摘要")
    format: str | None = Field(None, description="信息资源格式, e.g. 数据库 / 电子表格")
    update_cycle: UpdateCycle = UpdateCycle.IRREGULAR
    publish_date: dt.date | None = None
    share: ShareAttributes
    open: OpenAttributes = Field(default_factory=OpenAttributes)
    sensitivity: SensitivityLevel = SensitivityLevel.GENERAL
    related_resources: list[str] = Field(default_factory=list, description="关联资源代码")
    fields: list[FieldSpec] = Field(min_length=1)
    rules: list[DatasetRule] = Field(default_factory=list)
    volume: Volume = Field(default_factory=Volume, description="Row count one delivery must have.")
    quality: dict[str, Any] = Field(
        default_factory=dict, description="Scoring weights and share-gate thresholds (see docs/scoring.md)."
    )

    @model_validator(mode="after")
    def _fields_unique_and_rules_bound(self) -> CatalogueSchema:
        names = [f.name for f in self.fields]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"field names must be unique; repeated: {', '.join(dupes)}")
        known = set(names)
        for rule in self.rules:
            for col in rule_columns(rule):
                if col not in known:
                    raise ValueError(f"rule {rule.kind!r} names unknown field {col!r}")
        chosen = [r.field for r in self.rules if isinstance(r, StandardByRule)]
        for name in chosen:
            if chosen.count(name) > 1:
                raise ValueError(f"field {name!r} has more than one standard_by rule")
            if self.field(name).standard is not None:
                raise ValueError(f"field {name!r} binds a standard and has a standard_by rule: its standard "
                                 "is either fixed (standard) or chosen by another column (standard_by)")
        for rule in self.rules:
            if isinstance(rule, StandardByRule) and rule.by == rule.field:
                raise ValueError(f"standard_by: field {rule.field!r} cannot choose its own standard")
        return self

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


class Implementation(_Model):
    """An implementing body of a service item and its implementation code (实施编码)."""

    body_name: str
    body_uscc: str | None = None
    implementation_code: str
    exercise_level: Literal["1", "2", "3", "4", "5", "6"] | None = Field(
        None, description="行使层级: 1 国家, 2 省, 3 市, 4 县, 5 镇(乡、街道), 6 村(社区)"
    )
    region_code: str | None = None


class ServiceItem(_Entry):
    """政务服务事项 (GB/T 39554.1-2020). ``id`` is the basic code (基本编码)."""

    kind: Literal[EntryKind.SERVICE_ITEM] = EntryKind.SERVICE_ITEM
    item_type: str = Field(pattern=r"^[0-9]{2}$", description="事项类型, e.g. 01 行政许可, 20 公共服务")
    item_version: int = Field(1, ge=1, description="事项版本")
    legal_basis: list[str] = Field(default_factory=list, description="设定依据")
    department: str | None = None
    implementations: list[Implementation] = Field(default_factory=list)


Entry = Annotated[DataElement | CodeSet | CatalogueSchema | ServiceItem, Field(discriminator="kind")]

ENTRY_MODELS: dict[EntryKind, type[_Entry]] = {
    EntryKind.DATA_ELEMENT: DataElement,
    EntryKind.CODE_SET: CodeSet,
    EntryKind.CATALOGUE_SCHEMA: CatalogueSchema,
    EntryKind.SERVICE_ITEM: ServiceItem,
}

AnyEntry = DataElement | CodeSet | CatalogueSchema | ServiceItem
