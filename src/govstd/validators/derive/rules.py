"""Dataset checks: the key's uniqueness and the schema's rules (compare, range, id_consistency,
registered, timeliness, required_if, standard_by; consistent_with in ``consistency``).
"""

from __future__ import annotations

from govstd.errors import InputError
from govstd.standards.models import (
    CompareRule,
    Condition,
    ConsistentWithRule,
    DataType,
    IdConsistencyRule,
    RangeRule,
    RegisteredServiceItemRule,
    RequiredIfRule,
    StandardByRule,
    TimelinessRule,
    rule_columns,
)
from govstd.standards.numbers import gb11643
from govstd.validators import ir
from govstd.validators.derive.base import INDICATORS, T_SERVICE_ACTIVE, T_SERVICE_RETIRED, as_datetime, visible_chars
from govstd.validators.derive.bindings import bind
from govstd.validators.derive.codes import code_set_match, sex_codes, sex_values
from govstd.validators.derive.consistency import ConsistencyChecks
from govstd.validators.ir import Expr, and_, cmp, col, eq, fn, in_values, is_null, lit, not_, or_


class RuleChecks(ConsistencyChecks):
    """The dataset layer of the builder: the key and the rules across columns."""

    def key(self) -> None:
        keys = [b for b in self.bindings.values() if b.spec.key]
        if not keys:
            return
        exprs: list[Expr] = []
        for b in keys:
            if b.name in self.normalised:  # the identifier's own normalised value (and its fast path)
                exprs.append(self.normalised[b.name][0])
            elif b.is_identifier:
                exprs.append(self.normalise(b.name, strip_dashes=b.algorithm != "service_item",
                                            phone=b.algorithm == "mobile"))
            else:
                exprs.append(fn("trim", col(b.name)))
        names = [b.name for b in keys]
        # A value already counted as spreadsheet-damaged (1.10105E+17, digits zeroed) has lost the digits
        # that told it apart: two different IDs damaged alike are not a duplicate, and counting them as one
        # would report the same defect twice. The damage test is the excel_damage check's own, reused.
        damage = {c.rule_id: c for c in self.checks
                  if isinstance(c, ir.RowCheck) and c.rule == "excel_damage" and c.columns[0] in names}
        undamaged = [c.expect for c in damage.values()]
        # A placeholder (/, 无, NULL) is an empty key, counted by not_null and <field>.placeholder: two of them
        # are not a duplicate either.
        undamaged += [c.expect for c in self.checks if isinstance(c, ir.RowCheck)
                      and c.rule_id in {f"{n}.placeholder" for n in names}]
        dim, indicator = INDICATORS["unique"]
        skipped = (f"; values counted by {', '.join(damage)} are left out (their lost digits make different values "
                   "look alike)") if damage else ""
        self.checks.append(ir.UniqueCheck(
            rule_id="key.unique", rule="unique", dimension=dim, indicator=indicator, columns=names,
            description=f"the key ({', '.join(names)}) is unique: counts the rows to remove (rows repeating an "
                        f"earlier row's key){skipped}",
            key=exprs, present=and_(*[not_(fn("is_blank", col(n))) for n in names], *undamaged),
            details={"excluded_damaged": list(damage)} if damage else {},
        ))

    def rules(self) -> None:
        for index, rule in enumerate(self.schema.rules, start=1):
            rid = f"rules.{rule.id or index}"
            missing = [c for c in rule_columns(rule) if c not in self.bindings]
            if missing:
                self.warnings.append(f"{rid}: not checked, the data has no column {', '.join(missing)}")
                continue
            if isinstance(rule, CompareRule):
                self.compare(rid, rule)
            elif isinstance(rule, RangeRule):
                self.range_rule(rid, rule)
            elif isinstance(rule, IdConsistencyRule):
                self.id_consistency(rid, rule)
            elif isinstance(rule, RegisteredServiceItemRule):
                self.registered(rid, rule)
            elif isinstance(rule, TimelinessRule):
                self.timeliness(rid, rule)
            elif isinstance(rule, ConsistentWithRule):
                self.consistent_with(rid, rule)
            elif isinstance(rule, RequiredIfRule):
                self.required_if(rid, rule)
            elif isinstance(rule, StandardByRule):
                self.standard_by(rid, rule)

    def _typed(self, name: str) -> tuple[Expr, str]:
        b = self.bindings[name]
        data_type = b.spec.data_type
        if data_type == DataType.STRING and b.element is not None:
            data_type = b.element.data_type
        value = fn("trim", col(name))
        if b.spec.sentinels and data_type != DataType.STRING:
            # A sentinel (9999-12-31 = 长期) may parse as a value: it takes part in no comparison.
            value = ir.if_else(in_values(value, b.spec.sentinels), lit(None), value)
        if data_type in (DataType.DATE, DataType.DATETIME):
            return fn("to_timestamp", value), "time"
        if data_type in (DataType.INTEGER, DataType.DECIMAL):
            return fn("to_number", value), "number"
        return value, "text"

    def compare(self, rid: str, rule: CompareRule) -> None:
        left, lkind = self._typed(rule.left)
        right, rkind = self._typed(rule.right)
        if lkind != rkind:
            raise InputError(f"{rid}: cannot compare {rule.left} ({lkind}) with {rule.right} ({rkind})",
                             field="rules", expected="two dates/times, two numbers or two texts")
        key = "compare_time" if lkind == "time" else "compare"
        self.row(rid, "compare", [rule.left, rule.right], rule.description or f"{rule.left} {rule.op} {rule.right}",
                 expect=cmp(left, rule.op, right), applies=and_(not_(is_null(left)), not_(is_null(right))),
                 indicator_key=key)

    def range_rule(self, rid: str, rule: RangeRule) -> None:
        value, kind = self._typed(rule.field)

        def bound(v: float | str | None) -> Expr | None:
            if v is None:
                return None
            if isinstance(v, str):
                parsed = as_datetime(v)
                if parsed is None:
                    raise InputError(f"{rid}: bound {v!r} is not a date or a date and time", field="rules",
                                     expected="YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]")
                return lit(parsed)
            return lit(v)

        if kind == "text":
            value = fn("to_number", fn("trim", col(rule.field)))
        low, high = bound(rule.minimum), bound(rule.maximum)
        conds = [cmp(value, ">=", low) if low is not None else None,
                 cmp(value, "<=", high) if high is not None else None]
        self.row(rid, "range", [rule.field],
                 rule.description or f"{rule.field} between {rule.minimum} and {rule.maximum}",
                 expect=and_(*conds), applies=not_(is_null(value)))

    def id_consistency(self, rid: str, rule: IdConsistencyRule) -> None:
        b = self.bindings[rule.id_field]
        if b.algorithm not in ("gb11643", "residence_permit"):
            raise InputError(f"{rid}: {rule.id_field} is not bound to GB 11643", field="rules",
                             expected="an id_field bound to GB11643")
        n, is18 = self.identifier(rule.id_field, [gb11643.SHAPE])
        allow15 = bool(b.options.get("allow_legacy_15", False))
        shape = or_(is18, *([fn("matches", n, pattern=gb11643.LEGACY_SHAPE)] if allow15 else []))
        born = fn("id_birth_date", n)
        usable = and_(shape, not_(is_null(born)))
        if rule.birth_date_field:
            other = fn("to_date", fn("trim", col(rule.birth_date_field)))
            self.row(f"{rid}.birth_date", "id_consistency", [rule.id_field, rule.birth_date_field],
                     rule.description or f"the birth date in {rule.id_field} equals {rule.birth_date_field}",
                     expect=eq(born, other), applies=and_(usable, not_(is_null(other))),
                     unmeasured=f"no row has both a usable {rule.id_field} and a {rule.birth_date_field} date")
        if rule.sex_field:
            sex_binding = self.bindings[rule.sex_field]
            male, female = sex_codes(sex_binding.code_set)
            males, females = sex_values(sex_binding)
            sex = fn("trim", col(rule.sex_field))
            is_male = fn("id_is_male", n)
            self.row(f"{rid}.sex", "id_consistency", [rule.id_field, rule.sex_field],
                     f"the sex in {rule.id_field} (odd sequence = male) agrees with {rule.sex_field} "
                     f"(GB/T 2261.1 {male} 男性 / {female} 女性"
                     + (", or their labels" if code_set_match(sex_binding) != "code" else "") + ")",
                     expect=or_(and_(is_male, in_values(sex, males)), and_(not_(is_male), in_values(sex, females))),
                     applies=and_(shape, in_values(sex, males + females)),
                     unmeasured=f"{rule.sex_field} holds no GB/T 2261.1 male/female value "
                                f"({', '.join(males + females)}) beside a usable {rule.id_field}")
        if rule.region_field:
            region = fn("trim", col(rule.region_field))
            self.row(f"{rid}.region", "id_consistency", [rule.id_field, rule.region_field],
                     f"{rule.region_field} agrees with the address code in {rule.id_field} (same province, "
                     "prefecture or county, as precise as the region code)",
                     expect=fn("region_prefix_match", fn("substr", n, start=1, length=6), region),
                     applies=and_(shape, fn("matches", region, pattern="[0-9]{6}")))

    def registered(self, rid: str, rule: RegisteredServiceItemRule) -> None:
        if self.service_items is None:
            self.warnings.append(f"{rid}: not checked — service item codes come from a registry (--registry)")
            return
        b = self.bindings[rule.field]
        # A service item code keeps its dashes (they separate its parts), whatever the field is bound to.
        reuse = b.algorithm == "service_item" and b.name in self.normalised
        n = self.normalised[b.name][0] if reuse else self.normalise(b.name, strip_dashes=False)
        items = self.service_items
        active = self.table(T_SERVICE_ACTIVE, ["code"], ["text"], ((c,) for c in sorted(items.active)),
                            items.active_files)
        breakdown: dict[str, Expr] = {}
        if items.retired or items.retired_files:
            retired = self.table(T_SERVICE_RETIRED, ["code"], ["text"], ((c,) for c in sorted(items.retired)),
                                 items.retired_files)
            breakdown["retired"] = fn("in_table", n, table=retired, column="code")
        self.row(rid, "registered", [rule.field],
                 rule.description or f"{rule.field} is a service item registered in the registry and not retired",
                 expect=fn("in_table", n, table=active, column="code"),
                 applies=not_(fn("is_blank", col(b.name))), breakdown=breakdown,
                 details={"registered_codes": len(items.active) + items.file_codes})

    def timeliness(self, rid: str, rule: TimelinessRule) -> None:
        cycle = self.schema.update_cycle
        max_age = cycle.max_age
        if max_age is None:
            self.warnings.append(f"{rid}: not checked — update cycle {cycle.value} ({cycle.label_zh}) sets no limit")
            return
        dim, indicator = INDICATORS["timeliness"]
        self.checks.append(ir.FreshnessCheck(
            rule_id=rid, rule="timeliness", dimension=dim, indicator=indicator, columns=[rule.field],
            description=rule.description or f"newest {rule.field} no older than the {cycle.value} ({cycle.label_zh}) "
            f"update cycle allows ({max_age.days} days)",
            value=fn("to_timestamp", fn("trim", col(rule.field))), not_before=self.now - max_age,
            details={"update_cycle": cycle.value, "max_age_days": max_age.days},
        ))

    # ---- conditional rules, sentinels, free text (issue 13) ------------------------------

    def condition(self, when: Condition) -> Expr:
        """A rule's condition as a predicate. An empty field (blank, or a placeholder such as 无 or / —
        ``has_value``, as for not_null) is neither in nor not in any list."""
        filled = self.has_value(self.bindings[when.field])
        value = fn("trim", col(when.field))
        if when.present is not None:
            return filled if when.present else not_(filled)
        if when.in_ is not None:
            return and_(filled, in_values(value, when.in_))
        return and_(filled, not_(in_values(value, when.not_in or [])))

    def required_if(self, rid: str, rule: RequiredIfRule) -> None:
        when = rule.when
        test = (f"is {'present' if when.present else 'blank'}" if when.present is not None
                else f"is one of {', '.join(when.in_)}" if when.in_ is not None
                else f"is not one of {', '.join(when.not_in or [])}")
        self.row(rid, "required_if", [rule.field, when.field],
                 rule.description or f"{rule.field} must not be empty where {when.field} {test}",
                 expect=self.has_value(self.bindings[rule.field]), applies=self.condition(when))

    def standard_by(self, rid: str, rule: StandardByRule) -> None:
        """Each standard a selector value names is derived by the one field derivation (a builder of its
        own, so its normalised values and rule ids stay apart), then limited to the rows whose selector
        names it: ``<field>.<standard id>.<check>``. Rows whose selector names no standard are counted."""
        parent = self.bindings[rule.field]
        selector = fn("trim", col(rule.by))
        values_of: dict[str, list[str]] = {}
        for value, ref in rule.cases.items():
            values_of.setdefault(ref, []).append(value)
        for ref, values in values_of.items():
            spec = parent.spec.model_copy(update={"standard": ref, "required": False, "length": None,
                                                  "code_set": None, "pattern": None, "minimum": None,
                                                  "maximum": None, "sentinels": [], "key": False})
            chosen = bind(spec, self.resolver)
            if chosen.element is None:
                raise InputError(f"{rid}: {ref!r} is not a data element", field="rules",
                                 expected="a field standard (data element) reference per selector value")
            sub = type(self)(self.schema, {rule.field: chosen}, today=self.today, now=self.now,
                           service_items=self.service_items, resolver=self.resolver)
            sub.tables = self.tables
            sub.field_checks(chosen)
            self.warnings.extend(sub.warnings)
            selected = in_values(selector, sorted(values))
            for check in sub.checks:
                assert isinstance(check, ir.RowCheck)
                self.checks.append(check.model_copy(update={
                    "rule_id": f"{rule.field}.{chosen.element.id}.{check.rule_id.removeprefix(rule.field + '.')}",
                    "applies": and_(selected, check.applies),
                    "description": f"where {rule.by} is {' / '.join(values)}: {check.description}",
                    "sample_columns": [rule.field, rule.by],
                }))
            # The column is shown with the safest masking any of its standards asks for.
            safer = chosen.masking is not None and (parent.masking is None or
                                                    visible_chars(chosen.masking) < visible_chars(parent.masking))
            if safer:
                parent.masking = chosen.masking
        self.row(rid, "standard_by", [rule.field, rule.by],
                 rule.description or f"{rule.by} names a standard for {rule.field} ({', '.join(rule.cases)})"
                 + ("" if rule.otherwise == "error" else ": other values are counted, their rows not checked"),
                 expect=in_values(selector, sorted(rule.cases)), applies=not_(fn("is_blank", col(rule.field))),
                 severity="error" if rule.otherwise == "error" else "info",
                 breakdown={"selector_blank": fn("is_blank", col(rule.by))},
                 details={"cases": dict(rule.cases), "otherwise": rule.otherwise})
