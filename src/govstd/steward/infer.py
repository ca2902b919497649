"""``infer_schema``: draft a catalogue schema from a department's data file.

For each column: the field standard its values hold, with the evidence (the share of non-blank values
that fit, masked examples), whether it looks required (no blanks) and like the key (a unique
identifier), and its personal-data class. Catalogue metadata no file can tell (provider, 共享属性,
更新周期) is left as placeholders that validate, each marked ``# TODO`` in the YAML.

Fast on large files: every candidate is tried on a sample of the first ``sample_rows`` rows in one
aggregate query; the candidates the sample leaves standing are then counted over the whole file in a
second one. The choice rests on the whole-file counts, never on a Python loop over rows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from govstd.standards import library, masking
from govstd.standards.models import CatalogueSchema, DataElement, FieldSpec, PiiClass
from govstd.steward import detect
from govstd.steward.detect import Candidate, header_matches
from govstd.steward.masksql import mask_expr, rule_of
from govstd.validators.readers import open_source

#: Rows tried against every candidate before the whole-file confirmation.
SAMPLE_ROWS = 1000
#: Share of a column's non-blank values that must fit a standard for it to be proposed. Department
#: files carry defects (the demo's phone column: 12 % landlines and typos) yet hold their standard.
ACCEPT_SHARE = 0.8
#: Candidates fitting less of the sample than this are not counted over the whole file.
SAMPLE_SHARE = 0.5
#: Share of legacy 15-digit numbers from which an ID column is proposed to accept them (a guess: a few
#: are defects to report, many are the dataset's own choice).
LEGACY_SHARE = 0.05
#: Share of repeated values a key column may show (a record exported twice) and still be proposed.
KEY_DUPLICATES = 0.01
EXAMPLES = 3
#: Text lengths proposed (信息项长度): the observed maximum rounded up to one of these.
LENGTH_STEPS = (10, 20, 50, 100, 200, 500, 1000, 2000, 4000)
#: Identifier-like text: what a case number or record id is made of.
TOKEN_PATTERN = "[0-9A-Za-z_./-]+"

TODO = "TODO"


@dataclass
class Evidence:
    """Why a column got its standard: what fits, out of how many non-blank values, shown masked."""

    candidate: str
    label: str
    fit: int
    non_blank: int
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.fit / self.non_blank if self.non_blank else 0.0

    def describe(self) -> str:
        shown = f"; e.g. {', '.join(self.examples)}" if self.examples else ""
        notes = f"; {'; '.join(self.notes)}" if self.notes else ""
        return f"{self.label}: {self.share:.1%} of {self.non_blank:,} non-blank values fit{shown}{notes}"


@dataclass
class InferredField:
    """One column: the field drafted for it and what the data showed."""

    column: str
    spec: FieldSpec
    rows: int
    blanks: int
    distinct: int
    max_length: int
    evidence: Evidence | None = None
    #: Every non-blank value is made of letters, digits and ``_./-`` (a key may be).
    identifier_like: bool = False
    #: Other candidates the whole-file pass counted: key → share of non-blank values.
    alternatives: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column, "field": self.spec.model_dump(mode="json", exclude_defaults=True),
            "rows": self.rows, "blanks": self.blanks, "distinct": self.distinct, "max_length": self.max_length,
            "evidence": None if self.evidence is None else {
                "candidate": self.evidence.candidate, "label": self.evidence.label, "fit": self.evidence.fit,
                "non_blank": self.evidence.non_blank, "share": round(self.evidence.share, 4),
                "examples": self.evidence.examples, "notes": self.evidence.notes},
            "alternatives": {k: round(v, 4) for k, v in self.alternatives.items()},
        }


@dataclass
class InferredSchema:
    """The draft: a catalogue schema that validates, and the evidence for each field."""

    schema: CatalogueSchema
    fields: list[InferredField]
    source: str
    format: str
    encoding: str | None
    rows: int
    sampled_rows: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The draft's evidence as JSON, masked (``redact_any``): a header cell may be data."""
        from govstd.validators.privacy import redact_any

        return redact_any(self._dict())  # type: ignore[no-any-return]

    def _dict(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "encoding": self.encoding, "rows": self.rows,
                "sampled_rows": self.sampled_rows, "schema_id": self.schema.id,
                "fields": [f.to_dict() for f in self.fields], "warnings": self.warnings,
                "todo": ["provider", "share.share_type", "update_cycle"]}

    def to_yaml(self) -> str:
        """The draft as catalogue-schema YAML, evidence and TODOs as comments (``govstd lint`` passes it).

        Masked like every output: a column named by an ID number (a data row taken for the header) is
        drafted as a field named by its mask, which no column matches — it is not a field to keep."""
        return masking.redact(render_yaml(self))


# --------------------------------------------------------------------------- the API


def infer_schema(path: str | Path, *, sample_rows: int = SAMPLE_ROWS, encoding: str | None = None,
                 sheet: str | int | None = None, schema_id: str | None = None) -> InferredSchema:
    """Draft a catalogue schema for the data file at ``path`` (CSV in any encoding, XLSX with title
    rows, Parquet, JSON Lines). Raises ``InputError`` for a file that cannot be read."""
    from govstd.errors import InputError

    if sample_rows < 1:
        raise InputError("the sample must hold at least one row", field="sample_rows", expected="1 or more")
    if Path(str(path)).suffix.lower() in (".yaml", ".yml"):
        # A reader takes an unknown suffix for CSV: a schema given by mistake would draft a schema of its lines.
        raise InputError("this is a YAML file (a schema?), not a data file", path=str(path),
                         expected="the department's data: .csv, .xlsx, .parquet or .jsonl",
                         hint="govstd schema infer DATA --out schema.yaml")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    with tempfile.TemporaryDirectory(prefix="govstd-infer-") as tmp:
        loaded = open_source(con, Path(path), workdir=Path(tmp), encoding=encoding, sheet=sheet)
        detect.register_reference_tables(con)
        columns = list(loaded.columns)
        cands = detect.candidates()
        try:
            con.execute(f"CREATE TEMP TABLE __sample AS "
                        f"{detect.forms_sql(columns, f'(SELECT * FROM {loaded.data} LIMIT {sample_rows})')}")
            sampled = _sample_counts(con, columns, cands)
            whole = _whole_counts(con, f"({detect.forms_sql(columns, loaded.data)})", columns, cands, sampled)
        except duckdb.Error as exc:
            raise loaded.error(exc) from None
        fields = [_infer_field(con, column, detect.Inputs(i), cands, whole[column]) for i, column in enumerate(columns)]
        rows = whole[columns[0]]["rows"] if columns else 0
        sample_size = int(con.execute("SELECT count(*) FROM __sample").fetchone()[0])  # type: ignore[index]
    con.close()
    _guess_key(fields)
    shown = Path(masking.redact(str(path)))  # the draft's name, summary and id come from a file that may name a person
    schema = _schema(fields, shown, schema_id)
    return InferredSchema(schema=schema, fields=fields, source=str(shown), format=loaded.format,
                          encoding=loaded.encoding, rows=rows, sampled_rows=sample_size, warnings=list(loaded.warnings))


# --------------------------------------------------------------------------- counting


def _tests_for(x: detect.Inputs, cands: list[Candidate]) -> dict[str, str]:
    tests = {c.key: c.test(x) for c in cands}
    tests.update({f"extra:{k}": t(x) for k, t in detect.EXTRA_TESTS.items()})
    tests["extra:token"] = detect._matches(TOKEN_PATTERN)(x)
    return tests


def _sample_counts(con: duckdb.DuckDBPyConnection, columns: list[str],
                   cands: list[Candidate]) -> dict[str, dict[str, int]]:
    """Column → candidate key → sampled values that fit (and ``non_blank``), in one query."""
    q = detect.DIALECT.quote_identifier
    parts: list[str] = []
    keys: list[tuple[str, str]] = []
    for i, column in enumerate(columns):
        x = detect.Inputs(i)
        parts.append(f"count({q(x.raw)})")
        keys.append((column, "non_blank"))
        for key, test in _tests_for(x, cands).items():
            parts.append(f"count_if({q(x.raw)} IS NOT NULL AND COALESCE({test}, FALSE))")
            keys.append((column, key))
    row = con.execute(f"SELECT {', '.join(parts)} FROM __sample").fetchone() or ()
    out: dict[str, dict[str, int]] = {c: {} for c in columns}
    for (column, key), value in zip(keys, row, strict=True):
        out[column][key] = int(value or 0)  # an aggregate over no row is NULL
    return out


def _whole_counts(con: duckdb.DuckDBPyConnection, source: str, columns: list[str], cands: list[Candidate],
                  sampled: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The whole-file pass: rows, blanks, distinct values, longest value, and the fit of every
    candidate the sample left standing — one aggregate query for all columns."""
    q = detect.DIALECT.quote_identifier
    parts: list[str] = ["count(*)"]
    keys: list[tuple[str, str]] = [("", "rows")]
    for i, column in enumerate(columns):
        x = detect.Inputs(i)
        c = q(x.raw)
        parts += [f"count({c})", f"count(DISTINCT {c})", f"COALESCE(max(length({q(x.trim)})), 0)"]
        keys += [(column, "non_blank"), (column, "distinct"), (column, "max_length")]
        seen = sampled[column]
        for key, test in _tests_for(x, cands).items():
            if seen.get("non_blank") and (seen.get(key, 0) / seen["non_blank"] >= SAMPLE_SHARE
                                          or (key.startswith("extra:") and seen.get(key, 0))):
                parts.append(f"count_if({c} IS NOT NULL AND COALESCE({test}, FALSE))")
                keys.append((column, key))
    row = con.execute(f"SELECT {', '.join(parts)} FROM {source}").fetchone() or ()
    out: dict[str, dict[str, int]] = {c: {} for c in columns}
    for (column, key), value in zip(keys, row, strict=True):
        if column:
            out[column][key] = int(value or 0)  # an aggregate over no row is NULL
    for column in columns:
        out[column]["rows"] = int(row[0])
    return out


# --------------------------------------------------------------------------- choosing


def _choose(column: str, cands: list[Candidate], counts: dict[str, int]) -> tuple[Candidate, int, list[str]] | None:
    """The most specific candidate fitting ``ACCEPT_SHARE`` of the non-blank values (tier by tier; the
    highest share within a tier, the earlier candidate on a tie), its fit and notes."""
    non_blank = counts["non_blank"]
    if not non_blank:
        return None
    for tier in sorted({c.tier for c in cands}):
        best: tuple[Candidate, int, list[str]] | None = None
        for cand in (c for c in cands if c.tier == tier and (c.key in counts or c.key == "GB11643")):
            legacy = counts.get("extra:legacy_15", 0) if cand.key == "GB11643" else 0
            if cand.key not in counts and not legacy:
                continue
            if cand.needs_header and not header_matches(column, cand.header_names()):
                continue
            # A column of 15-digit numbers alone (1985–1999 cards) is an ID column only under an ID header: a
            # 15-digit number with a date in its middle is not rare enough to be trusted on its shape alone.
            if not counts.get(cand.key) and not header_matches(column, cand.header_names()):
                continue
            fit, notes = counts.get(cand.key, 0), []
            if cand.key == "GB11643" and legacy >= LEGACY_SHARE * non_blank:
                fit += counts["extra:legacy_15"]
                notes.append(f"{counts['extra:legacy_15']:,} legacy 15-digit numbers: allow_legacy_15 proposed")
            if cand.key == "integer" and counts.get("extra:leading_zero", 0):
                continue  # leading zeros are part of the value: text, not a number
            if fit >= ACCEPT_SHARE * non_blank and (best is None or fit > best[1]):
                best = (cand, fit, notes)
        if best is not None:
            return best
    return None


def _infer_field(con: duckdb.DuckDBPyConnection, column: str, x: detect.Inputs, cands: list[Candidate],
                 counts: dict[str, int]) -> InferredField:
    rows, non_blank = counts["rows"], counts["non_blank"]
    spec: dict[str, Any] = {"name": column, "required": rows > 0 and non_blank == rows}
    if not column.isascii():
        spec["name_zh"] = column
    chosen = _choose(column, cands, counts)
    evidence: Evidence | None = None
    if chosen is not None:
        cand, fit, notes = chosen
        spec.update(cand.spec)
        if notes and cand.key == "GB11643":
            spec["options"] = {"allow_legacy_15": True}
        if cand.entry_id and "name_zh" not in spec:
            spec["name_zh"] = _field_name_zh(cand.entry_id)
        evidence = Evidence(cand.key, cand.label, fit, non_blank, _examples(con, x, cand), notes)
    else:
        spec.update(_text_spec(column, counts))
        if spec.get("pii") in (PiiClass.NAME.value, PiiClass.ADDRESS.value, PiiClass.PHONE.value):
            key = {"name": "extra:name", "phone": "extra:landline"}.get(spec["pii"], "")
            label = {"name": "person's name", "address": "address", "phone": "mobile or landline phone"}[spec["pii"]]
            fit = counts.get(key, 0) + (counts.get("mobile_phone", 0) if spec["pii"] == "phone" else 0)
            evidence = Evidence(spec["pii"], label, fit if key else non_blank, non_blank,
                                _masked_examples(con, x, spec["pii"]))
    alternatives = {k: counts[k] / non_blank for k in counts
                    if non_blank and k not in ("rows", "non_blank", "distinct", "max_length")
                    and not k.startswith("extra:") and (evidence is None or k != evidence.candidate) and counts[k]}
    return InferredField(column, FieldSpec(**spec), rows, rows - non_blank, counts["distinct"], counts["max_length"],
                         evidence, non_blank > 0 and counts.get("extra:token", 0) == non_blank, alternatives)


def _field_name_zh(entry_id: str) -> str:
    """A column's Chinese name from the standard it holds: a data element's own name (公民身份号码); for a
    code set, its shortest Chinese alias (民族代码), as the code table's title (中国各民族名称的罗马字母拼写法
    和代码) names a standard, not a column."""
    entry = library.find(entry_id)
    if isinstance(entry, DataElement):
        return entry.name_zh
    chinese = [a for a in entry.aliases if a and not a.isascii() and not re.search(r"[A-Za-z]", a)]
    return min(chinese, key=len) if chinese else entry.name_zh


def _text_spec(column: str, counts: dict[str, int]) -> dict[str, Any]:
    """A column no standard fits: text, with its length, and the PII its header and values show."""
    non_blank = counts["non_blank"]
    spec: dict[str, Any] = {}
    longest = counts["max_length"]
    if longest:
        spec["length"] = next((s for s in LENGTH_STEPS if s >= longest), longest)
    names = {detect.fold(n) for n in detect.NAME_HEADERS}
    phone_names = Candidate("phone", "", 1, str, entry_id="mobile_phone").header_names()
    if header_matches(column, names) and counts.get("extra:name", 0) >= ACCEPT_SHARE * non_blank:
        spec["pii"] = PiiClass.NAME.value
    elif header_matches(column, {detect.fold(n) for n in detect.ADDRESS_HEADERS}):
        spec["pii"] = PiiClass.ADDRESS.value
    elif (counts.get("extra:landline", 0) + counts.get("mobile_phone", 0) >= ACCEPT_SHARE * non_blank
          and non_blank and (counts.get("extra:landline", 0) or header_matches(column, phone_names))):
        spec["pii"] = PiiClass.PHONE.value
        spec["pattern"] = f"^(?:{detect.LANDLINE_PATTERN}|1[3-9][0-9]{{9}})$|^0[1-9][0-9]{{1,2}}-[0-9]{{7,8}}$"
        spec["description"] = "mobile or landline phone numbers (no single standard in the library fits)"
    return spec


def _examples(con: duckdb.DuckDBPyConnection, x: detect.Inputs, cand: Candidate) -> list[str]:
    """A few distinct sampled values that fit, masked as every output of govstd masks them."""
    q = detect.DIALECT.quote_identifier
    rule = None
    if cand.entry_id:
        entry = library.find(cand.entry_id)
        rule = rule_of(entry if isinstance(entry, DataElement) else None, cand.pii)
    shown = mask_expr(q(x.raw), rule) if rule is not None else q(x.trim)
    fits = cand.test(x)
    if cand.key == "GB11643":  # 15-digit legacy numbers are evidence too (allow_legacy_15)
        fits = f"COALESCE({fits}, FALSE) OR COALESCE({detect.EXTRA_TESTS['legacy_15'](x)}, FALSE)"
    rows = con.execute(f"SELECT DISTINCT {shown} FROM __sample WHERE {q(x.raw)} IS NOT NULL "
                       f"AND COALESCE({fits}, FALSE) LIMIT {EXAMPLES}").fetchall()
    return [masking.redact(str(r[0])) for r in rows]


def _masked_examples(con: duckdb.DuckDBPyConnection, x: detect.Inputs, pii: str) -> list[str]:
    q = detect.DIALECT.quote_identifier
    shown = mask_expr(q(x.raw), rule_of(None, PiiClass(pii)))
    rows = con.execute(f"SELECT DISTINCT {shown} FROM __sample WHERE {q(x.raw)} IS NOT NULL "
                       f"LIMIT {EXAMPLES}").fetchall()
    return [masking.redact(str(r[0])) for r in rows]


def _guess_key(fields: list[InferredField]) -> None:
    """Mark one column as the key: identifier-like text bound to no standard first (a case number),
    else a bound identifier with no repeats; no blanks, at most ``KEY_DUPLICATES`` of values repeated."""
    def ok(f: InferredField, bound: bool) -> bool:
        s = f.spec
        return (f.identifier_like and f.blanks == 0 and bool(s.standard or s.code_set) == bound
                and s.data_type.value == "string" and s.pii in (None, PiiClass.NONE) and f.max_length > 1
                and f.distinct >= (1 - KEY_DUPLICATES) * f.rows and (not bound or f.distinct == f.rows))
    for bound in (False, True):
        found = [f for f in fields if ok(f, bound)]
        if found:
            best = max(found, key=lambda f: f.distinct)
            best.spec = best.spec.model_copy(update={"key": True})
            return


# --------------------------------------------------------------------------- the draft


def _schema(fields: list[InferredField], path: Path, schema_id: str | None) -> CatalogueSchema:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._")
    return CatalogueSchema(
        id=schema_id or f"{TODO}-{stem or 'dataset'}", version="0.1.0", status="incomplete",
        name_zh=path.stem or TODO, summary=f"{TODO}: 摘要 (drafted by govstd schema infer from {path.name})",
        provider={"name": f"{TODO} 提供方"}, share={"share_type": "conditional"}, update_cycle="irregular",
        fields=[f.spec for f in fields],
    )


def render_yaml(inferred: InferredSchema) -> str:
    """The draft as YAML: catalogue metadata to complete marked ``# TODO``, each field's evidence above it."""
    schema = inferred.schema
    doc = CommentedMap()
    dumped = schema.model_dump(mode="json", exclude_defaults=True, exclude={"fields"})
    for key in ("kind", "id", "version", "status", "name_zh", "summary", "provider", "update_cycle", "share"):
        doc[key] = dumped.get(key, getattr(schema, key).value if key in ("update_cycle",) else dumped.get(key))
    doc["kind"] = schema.kind.value
    doc["update_cycle"] = schema.update_cycle.value
    doc.yaml_set_start_comment(
        f"Catalogue schema drafted by `govstd schema infer` from {Path(inferred.source).name} "
        f"({inferred.rows:,} rows; {inferred.sampled_rows:,} sampled, then confirmed on every row)"
        f" on {dt.date.today().isoformat()}.\n"
        "Complete every TODO, review each field's standard against its evidence, then `govstd lint`.")
    doc.yaml_set_comment_before_after_key("id", before=f"{TODO}: the catalogue's 信息资源代码 for this dataset")
    doc.yaml_set_comment_before_after_key("provider", before=f"{TODO}: 提供方 — the providing department and its code")
    doc.yaml_set_comment_before_after_key(
        "update_cycle", before=f"{TODO}: 更新周期 — realtime, daily, weekly, monthly, quarterly, semiannual, annual")
    doc.yaml_set_comment_before_after_key(
        "share", before=f"{TODO}: 共享属性 — share_type unconditional (无条件共享), conditional (有条件共享) or "
                        "not_shared (不予共享); conditions and method")
    seq = CommentedSeq()
    for i, f in enumerate(inferred.fields):
        item = CommentedMap(f.spec.model_dump(mode="json", exclude_defaults=True))
        seq.append(item)
        note = f.evidence.describe() if f.evidence else "no field standard fits: text"
        extra = f"; {f.blanks:,} blank" if f.blanks else "; no blanks"
        dupes = f.rows - f.blanks - f.distinct
        extra += f"; {dupes:,} repeated values" if dupes and f.spec.key else ""
        seq.yaml_set_comment_before_after_key(i, before=f"{f.column}: {note}{extra}", indent=2)
    doc["fields"] = seq
    out = io.StringIO()
    yaml = YAML()
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.dump(doc, out)
    return out.getvalue()


__all__ = ["ACCEPT_SHARE", "SAMPLE_ROWS", "Evidence", "InferredField", "InferredSchema", "infer_schema",
           "render_yaml"]
