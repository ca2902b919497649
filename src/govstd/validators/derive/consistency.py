"""Cross-department consistency (``consistent_with``): the same person or entity agrees with another
department's dataset.

Both sides are normalised by one expression per attribute (``compared``), so "张三" and "张 三", or
1990-05-06 and 19900506, agree. The other dataset becomes a reference table (``ir.OtherDataset``,
staged by ``govstd.validators.engines.other``) holding, per row, its key and key+value pairs; every
check is then an ``in_table`` lookup — a join the engine plans (DuckDB, PostgreSQL, Spark alike),
never a Python loop. The checks of rule ``rules.<id>``:

- ``.key_found`` (info): rows with a key, failing where the key is absent from the other dataset;
- ``.<column>`` (the rule's severity), one per compared attribute: rows whose key the other dataset
  holds with a value of that attribute, failing where no other row with that key has the same
  (normalised) value. A key repeated in the other dataset therefore agrees if any of its rows agrees;
- ``.ambiguous`` (info): rows whose key the other dataset repeats with different values.
"""

from __future__ import annotations

from pathlib import Path

from govstd.errors import InputError
from govstd.standards.loader import load_file
from govstd.standards.models import CatalogueSchema, CompareAs, ConsistentWithRule, EntryKind, FieldSpec
from govstd.validators import ir
from govstd.validators.derive.base import visible_chars
from govstd.validators.derive.bindings import Binding, bind
from govstd.validators.derive.fields import FieldChecks
from govstd.validators.ir import Expr, and_, col, fn, is_null, lit, not_

#: A 12-digit statistical division code (统计用区划代码) begins with its 6-digit GB/T 2260 county code.
#: Unsure for a few codes re-numbered since (the statistical code keeps the old county part a while).
STATISTICAL_REGION_DIGITS = 12


def compared(value: Expr, how: CompareAs) -> Expr:
    """``value`` as compared: the same expression on both sides of the rule."""
    if how == "name":
        return fn("normalize_code", value, strip_dashes=False, uppercase=True)
    if how == "date":
        return fn("date_text", fn("to_date", fn("trim", value)))
    if how == "region":
        code = fn("normalize_code", value, strip_dashes=True, uppercase=True)
        long = fn("matches", code, pattern=f"[0-9]{{{STATISTICAL_REGION_DIGITS}}}")
        return ir.if_else(long, fn("substr", code, start=1, length=6), code)
    if how == "code":
        return fn("normalize_code", value, strip_dashes=True, uppercase=True)
    return fn("trim", value)


def key_value(value: Expr, b: Binding | None) -> Expr:
    """A key as matched: normalised as its identifier standard normalises (``key``'s rule), else trimmed."""
    if b is None or not b.is_identifier:
        return fn("trim", value)
    if b.algorithm == "mobile":
        return fn("normalize_phone", value)
    return fn("normalize_code", value, strip_dashes=b.algorithm != "service_item", uppercase=True)


def other_label(column: str, other: CatalogueSchema) -> str:
    """The label of another dataset's column in a sample: ``XM (510100-00099)``."""
    return f"{column} ({other.id})"


def _present(name: str, value: Expr) -> Expr:
    """``value`` where column ``name`` is not blank, else NULL: a blank is no value to compare."""
    return ir.if_else(fn("is_blank", col(name)), lit(None), value)


class ConsistencyChecks(FieldChecks):
    """The ``consistent_with`` layer of the builder."""

    def other_catalogue(self, rid: str, ref: str) -> CatalogueSchema:
        """The other dataset's schema: a YAML file (a relative path was resolved against the folder of
        the schema naming it, when that schema was read: ``standards.loader``) or a reference."""
        if ref.lower().endswith((".yaml", ".yml")) or Path(ref).is_file():
            found = [e for e in load_file(ref) if isinstance(e, CatalogueSchema)]
            if len(found) != 1:
                raise InputError(f"{rid}: found {len(found)} catalogue schemas in the other dataset's schema file",
                                 path=ref, field="rules", expected="exactly one document with kind: catalogue_schema")
            return found[0]
        entry = self.resolver(ref, EntryKind.CATALOGUE_SCHEMA.value)
        if not isinstance(entry, CatalogueSchema):
            raise InputError(f"{rid}: {ref!r} is not a catalogue schema", field="rules",
                             expected="other.schema: a catalogue schema reference such as 510100-00001@^1")
        return entry

    def _other_field(self, rid: str, other: CatalogueSchema, name: str) -> FieldSpec:
        try:
            return other.field(name)
        except KeyError:
            raise InputError(f"{rid}: the other dataset's schema {other.id} has no field {name!r}", field="rules",
                             expected=f"one of {', '.join(f.name for f in other.fields)}") from None

    def consistent_with(self, rid: str, rule: ConsistentWithRule) -> None:
        other = self.other_catalogue(rid, rule.other.schema_)
        other_key = self._other_field(rid, other, rule.key.other)
        for c in rule.compare:
            self._other_field(rid, other, c.other)
        # The key is one identifier on both sides: normalised by whichever side binds its standard.
        this_b = self.bindings[rule.key.this]
        key_b = this_b if this_b.is_identifier else bind(other_key, self.resolver)
        reuse = this_b.is_identifier and rule.key.this in self.normalised
        key = self.normalised[rule.key.this][0] if reuse else key_value(col(rule.key.this), key_b)
        table = f"other_{rid.replace('.', '_')}"
        self.datasets.append(ir.OtherDataset(
            name=table, source=rule.other.source, table=rule.other.table, query=rule.other.query,
            encoding=rule.other.encoding, sheet=rule.other.sheet, catalogue=other,
            key=_present(other_key.name, key_value(col(other_key.name), key_b)),
            values=[_present(c.other, compared(col(c.other), c.as_)) for c in rule.compare],
            shown=[_present(c.other, fn("trim", col(c.other))) for c in rule.compare],
            text_columns=[n for n in (other_key.name, other_key.name_zh) if n],
        ))
        # What a sample shows beside this row: the other dataset's value(s) of each attribute for its key.
        there = {other_label(c.other, other): fn("lookup", key, table=table, key=ir.other_key(),
                                                 value=ir.other_value(i)) for i, c in enumerate(rule.compare)}
        for c in rule.compare:
            self.mask_label(other_label(c.other, other), self.bindings.get(c.this),
                            bind(self._other_field(rid, other, c.other), self.resolver))
        where = f"{rule.other.source} ({other.id})"
        has_key = not_(fn("is_blank", col(rule.key.this)))
        found = fn("in_table", key, table=table, column=ir.other_key())
        self.row(f"{rid}.key_found", "consistent_with", [rule.key.this],
                 f"{rule.key.this} is in the other dataset {where} as {rule.key.other}: absent keys are counted, "
                 "their rows not compared", expect=found, applies=has_key, severity="info",
                 details={"other": rule.other.source, "other_schema": other.ref})
        for i, c in enumerate(rule.compare):
            mine = compared(col(c.this), c.as_)
            pair = fn("concat", key, lit(ir.PAIR_SEPARATOR), mine)
            self.row(f"{rid}.{c.this}", "consistent_with", [rule.key.this, c.this],
                     rule.description or f"{c.this} agrees ({c.as_}) with {c.other} of the same {rule.key.this} in "
                     f"{where}: a disagreement where no row of that key there has the same value",
                     expect=fn("in_table", pair, table=table, column=ir.other_pair(i)),
                     applies=and_(has_key, not_(fn("is_blank", col(c.this))), not_(is_null(mine)),
                                  fn("in_table", key, table=table, column=ir.other_key(i))),
                     severity=rule.severity, details={"other_column": c.other, "compared_as": c.as_},
                     sample_values={other_label(c.other, other): there[other_label(c.other, other)]},
                     unmeasured=f"no row has a {c.this} value and a {rule.key.this} the other dataset holds "
                                f"with a {c.other} value")
        self.row(f"{rid}.ambiguous", "consistent_with", [rule.key.this],
                 f"{rule.key.this} is on rows of the other dataset that disagree among themselves "
                 f"({', '.join(c.other for c in rule.compare)})",
                 expect=not_(fn("in_table", key, table=table, column=ir.OTHER_AMBIGUOUS)),
                 applies=and_(has_key, found), severity="info", sample_values=there,
                 unmeasured=f"no {rule.key.this} is in the other dataset")

    def mask_label(self, label: str, *sides: Binding | None) -> None:
        """The masking of a sample's label showing another dataset's value: the safest of the rules of
        the two columns it pairs (this dataset's, the other's) and of any earlier use of the label."""
        rules = [r for r in (*(b.masking for b in sides if b is not None), self.label_masking.get(label))
                 if r is not None]
        self.label_masking[label] = min(rules, key=visible_chars) if rules else None


__all__ = ["STATISTICAL_REGION_DIGITS", "ConsistencyChecks", "compared", "key_value", "other_label"]
