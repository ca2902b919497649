"""Identifier checks: the GB 11643 family (MOD 11-2), GB 32100 credit codes, GB 11714 organisation
codes, mobile numbers and service item codes — each part separately — plus what every identifier
column gets: normalised form, spreadsheet damage, masked values, PII exposure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from govstd.errors import InputError
from govstd.standards import numbers
from govstd.standards.models import (
    PiiClass,
)
from govstd.standards.numbers import gb11643, gb11714, gb32100, gbt2260, mobile, service_item
from govstd.standards.numbers.service_item import Layout as ServiceItemLayout
from govstd.validators import ir
from govstd.validators.derive.base import BuilderBase, as_date, flag, one_of_patterns, unnamed
from govstd.validators.derive.bindings import Binding
from govstd.validators.ir import Expr, and_, cmp, col, eq, fn, in_values, is_null, lit, not_, or_


class IdentifierChecks(BuilderBase):
    """The identifier layer of the builder."""

    def identifier(self, name: str, canonical: Sequence[str], *, strip_dashes: bool = True,
                   phone: bool = False) -> tuple[Expr, Expr]:
        """The normalised value of column ``name`` and whether it matches one of the ``canonical``
        patterns. A raw value already matching one is its own normalisation (the patterns admit only
        characters normalising leaves alone; a test holds every pattern to that), so on clean data one
        pattern test replaces normalising and testing the result."""
        if name not in self.normalised:
            raw = col(name)
            pattern = one_of_patterns(canonical)
            clean = fn("matches", raw, pattern=pattern)
            n = ir.if_else(clean, raw, self.normalise(name, strip_dashes=strip_dashes, phone=phone))
            self.normalised[name] = (n, or_(clean, fn("matches", n, pattern=pattern)))
        return self.normalised[name]

    def normalise(self, name: str, *, strip_dashes: bool = True, phone: bool = False) -> Expr:
        """Column ``name`` normalised (``govstd.standards.numbers.normalize``), on every value."""
        raw = col(name)
        return fn("normalize_phone", raw) if phone else fn("normalize_code", raw, strip_dashes=strip_dashes,
                                                            uppercase=True)

    def hygiene(self, b: Binding, raw: Expr, n: Expr, present: Expr, shape_ok: Expr, *, dashes: bool = True,
                excel: Expr | None = None, excel_breakdown: dict[str, Expr] | None = None) -> None:
        """The checks every identifier column gets besides its standard's: non-canonical forms (a warning in
        规范性), spreadsheet damage (info) and already-masked values. A value of the right shape is neither
        damaged nor masked, so those tests run only on values that failed the shape (``shape_ok``) — cheap
        on clean data."""
        name = b.name
        masked = self.masked(raw, shape_ok)
        damaged = excel if excel is not None else and_(not_(shape_ok), fn("excel_damaged", n))
        breakdown = {
            "fullwidth": fn("has_fullwidth", raw),
            "whitespace": fn("has_whitespace", raw),
            "apostrophe": fn("has_apostrophe", raw),
            "lowercase": fn("has_lowercase", raw),
        }
        if dashes:
            breakdown["dash"] = fn("has_dash", raw)
        if b.algorithm == "mobile":
            breakdown["country_prefix"] = fn("matches", raw, pattern="[^0-9]*(00)?86.*")
        # Only a value that normalises to the standard's shape is "recoverable"; one that does not is a
        # length or format error, and counting it here too would report it twice.
        self.row(f"{name}.normalised", "normalised", [name],
                 "written in the standard's canonical form: a recoverable variant (full-width characters, spaces, "
                 "an apostrophe, lower case" + (", dashes" if dashes else "")
                 + (", a +86 prefix" if b.algorithm == "mobile" else "")
                 + ") does not conform (规范性) — every other check reads the normalised value",
                 expect=eq(raw, n), applies=and_(present, shape_ok, not_(damaged)), severity="warning",
                 breakdown=breakdown, unmeasured=f"no {name} value has the standard's shape, even after normalising")
        self.row(f"{name}.excel_damage", "excel_damage", [name],
                 "spreadsheet damage: stored as a number (1.10105E+17, a trailing .0) or digits zeroed — "
                 "the digits are lost; re-export as text (these rows also fail length/format/checksum)",
                 expect=not_(damaged), applies=and_(present, not_(masked)), severity="info",
                 breakdown=excel_breakdown or {}, unmeasured=f"no unmasked {name} value")
        declared = b.spec.masked
        self.row(f"{name}.masked", "masked", [name],
                 ("masked values, as the field declares (counted masked / unmasked; whether an unmasked value may "
                  "be shared is the pii_exposure check's)" if declared else
                  "masked values (110101********123X, 138****5678, ***) in a field not declared masked: they "
                  "cannot be checked and are left out of the length/format/checksum checks; declare "
                  "`masked: true` if the extract is masked by design"),
                 expect=not_(masked), applies=present, severity="info" if declared else "warning",
                 details={"declared_masked": declared}, unmeasured=f"no {name} value")

    @staticmethod
    def masked(raw: Expr, shape_ok: Expr) -> Expr:
        """``raw`` is an already-masked value (any mask style: ``110101********123X``, ``110101199*******``,
        ``138****5678``, ``***``): a masking character, and so never the standard's shape."""
        return and_(not_(shape_ok), fn("is_masked", raw))

    def scope(self, raw: Expr, present: Expr, shape_ok: Expr) -> Expr:
        """Rows an identifier's own checks look at: present and not already masked — declared masked or
        not, a masked value is not a format error (``<column>.masked`` counts it)."""
        return and_(present, not_(self.masked(raw, shape_ok)))

    def pii_exposure(self, b: Binding, raw: Expr, present: Expr, exposed_value: Expr, what: str) -> None:
        """Unmasked identifiers where the share policy forbids them: the field is declared ``masked``, or
        the dataset is shared unconditionally or openly. Each such value is an *error* although it is a
        valid identifier — the description says so, since its format checks pass."""
        if b.pii not in (PiiClass.ID_NUMBER, PiiClass.PHONE) or not (self.exposed or b.spec.masked):
            return
        why = ("the field is declared masked, so every value must be masked" if b.spec.masked else
               f"the dataset is shared {'openly' if self.schema.open.open_to_public else 'unconditionally'}")
        self.row(f"{b.name}.pii_exposure", "pii_exposure", [b.name],
                 f"no unmasked {what} ({why}): each full, valid identifier counts as an error here even though "
                 "its format checks pass; masked values pass",
                 expect=not_(exposed_value), applies=present, unmeasured=f"no {b.name} value")

    def mod11_2(self, b: Binding, raw: Expr, present: Expr) -> None:
        """GB 11643 citizen ID numbers and the permits sharing its layout: each part separately."""
        name, algo, opt = b.name, b.algorithm, b.options
        allow15 = algo == "gb11643" and bool(opt.get("allow_legacy_15", False))
        standard = numbers.get(algo or "")
        n, is18 = self.identifier(name, [standard.SHAPE])
        scope = self.scope(raw, present, is18)
        is15 = fn("matches", n, pattern=gb11643.LEGACY_SHAPE)
        length_ok = or_(eq(fn("length", n), lit(gb11643.LENGTH)),
                        *([eq(fn("length", n), lit(gb11643.LEGACY_LENGTH))] if allow15 else []))
        shape_ok = or_(is18, is15) if allow15 else is18
        lengths = f"{gb11643.LENGTH}" + (f" or {gb11643.LEGACY_LENGTH} (legacy)" if allow15 else "")
        std: str = standard.NAME
        self.row(f"{name}.length", "length", [name], f"{std}: {lengths} characters", expect=length_ok, applies=scope,
                 details={"legacy_15": allow15} if algo == "gb11643" else None)
        self.row(f"{name}.format", "format", [name],
                 f"{std}: {'17 digits' if algo != 'foreign_pr' else '9 and 16 digits'} and a check character 0-9/X",
                 expect=shape_ok, applies=and_(scope, length_ok))
        checksum_ok = fn("mod11_2_ok", n)
        # A column of 15-digit legacy numbers alone leaves this check nothing to evaluate: not a measurement
        # gap, since the 15-digit form has no check character (any other value fails length or format).
        self.row(f"{name}.checksum", "checksum", [name], f"{std}: ISO 7064 MOD 11-2 check character",
                 expect=checksum_ok, applies=and_(scope, is18),
                 inapplicable="no value is an 18-character number: a 15-digit (legacy) number has no check "
                 "character" if allow15 else None)
        born = fn("id_birth_date", n)
        if algo != "foreign_pr":
            self.birth_date(b, std, born, and_(scope, shape_ok))
            self.id_region(b, n, scope, shape_ok, born)
            if not gb11643.ACCEPT_SEQUENCE_000 or opt.get("reject_sequence_000"):
                seq = fn("substr", n, start=15, length=3)
                self.row(f"{name}.sequence", "sequence", [name], f"{std}: sequence number is not 000",
                         expect=cmp(seq, "!=", lit("000")), applies=and_(scope, is18))
        # Excel keeps 15 significant digits: an 18-digit number comes back with its last 3 zeroed.
        zeroed = and_(is18, eq(fn("substr", n, start=16, length=3), lit("000")), not_(checksum_ok))
        number_format = and_(not_(shape_ok), fn("excel_damaged", n))
        self.hygiene(b, raw, n, present, shape_ok, excel=or_(number_format, zeroed),
                     excel_breakdown={"number_format": number_format, "zeroed_digits": zeroed})
        exposed = and_(is18, checksum_ok)
        if allow15:
            exposed = or_(exposed, and_(is15, not_(is_null(born))))
        self.pii_exposure(b, raw, present, exposed, "ID numbers")

    def birth_date(self, b: Binding, std: str, born: Expr, applies: Expr) -> None:
        """A real date, not in the future (an error); before ``gb11643.MIN_BIRTH_DATE`` is implausible but
        valid (a warning check) unless the field is ``strict`` or sets ``min_birth_date`` (then an error)."""
        name, opt = b.name, b.options
        earliest = as_date(opt.get("min_birth_date")) or (gb11643.MIN_BIRTH_DATE if flag(opt.get("strict")) else None)
        real_past = and_(not_(is_null(born)), cmp(born, "<=", lit(self.today)))
        self.row(f"{name}.birth_date", "birth_date", [name],
                 f"{std}: the embedded birth date is a real date, not in the future"
                 + (f", not before {earliest}" if earliest else ""),
                 expect=and_(real_past, cmp(born, ">=", lit(earliest))) if earliest else real_past,
                 applies=applies, details={"min_birth_date": earliest.isoformat() if earliest else None})
        if earliest is None:
            self.row(f"{name}.birth_date_plausible", "birth_date", [name],
                     f"{std}: a birth date before {gb11643.MIN_BIRTH_DATE} is implausible but valid (the standard's "
                     "own example is born 1880): a warning; strict: true makes it an error",
                     expect=cmp(born, ">=", lit(gb11643.MIN_BIRTH_DATE)), applies=and_(applies, real_past),
                     severity="warning")

    def id_region(self, b: Binding, n: Expr, scope: Expr, shape_ok: Expr, born: Expr) -> None:
        name, algo = b.name, b.algorithm
        code = fn("substr", n, start=1, length=6)
        permits = in_values(code, sorted(gb11643.RESIDENCE_PERMIT_REGIONS))
        if algo == "residence_permit":
            self.row(f"{name}.region", "region", [name], "address code 810000, 820000 or 830000",
                     expect=permits, applies=and_(scope, shape_ok))
            return
        policy = str(b.options.get("region_policy", "any_time"))
        if policy not in gb11643.REGION_POLICIES:
            raise InputError(f"field {name!r}: unknown region_policy {policy!r}", field=f"fields.{name}.options",
                             expected=", ".join(gb11643.REGION_POLICIES))
        if policy == "none":
            return
        if policy == "current":
            known: Expr = fn("in_table", code, table=self.region_table("current"), column="code")
            what = f"in force now (GB/T 2260, {gbt2260.DATA_YEAR})"
        elif policy == "birth_year":
            in_year = fn("region_valid_in_year", code, fn("year", born), table=self.region_table("history"))
            any_time = fn("in_table", code, table=self.region_table("any"), column="code")
            known = or_(and_(not_(is_null(born)), in_year), and_(is_null(born), any_time))
            what = "in force in the birth year (GB/T 2260 history)"
        else:
            known = fn("in_table", code, table=self.region_table("any"), column="code")
            what = f"a GB/T 2260 code at some time {gbt2260.HISTORY_FIRST_YEAR}–{gbt2260.DATA_YEAR}"
        self.row(f"{name}.region", "region", [name], f"address code {what} (policy {policy})",
                 expect=or_(known, permits), applies=and_(scope, shape_ok), details={"region_policy": policy})

    def uscc(self, b: Binding, raw: Expr, present: Expr) -> None:
        name, opt = b.name, b.options
        n, shape_ok = self.identifier(name, [gb32100.SHAPE])
        scope = self.scope(raw, present, shape_ok)
        length_ok = eq(fn("length", n), lit(gb32100.LENGTH))
        self.row(f"{name}.length", "length", [name], f"GB 32100: {gb32100.LENGTH} characters",
                 expect=length_ok, applies=scope,
                 breakdown={"old_registration_number": fn("matches", n, pattern="[0-9]{15}")})
        self.row(f"{name}.format", "format", [name],
                 "GB 32100: characters of 0-9 and A-Y without I, O, Z, S, V; digits in positions 3-8",
                 expect=shape_ok, applies=and_(scope, length_ok))
        ok = and_(scope, shape_ok)
        self.row(f"{name}.checksum", "checksum", [name], "GB 32100: mod-31 check character",
                 expect=fn("gb32100_checksum_ok", n), applies=ok)
        # Issued codes hold categories beyond the table and authority regions in no GB/T 2260 table
        # (gb32100.findings): warnings by default, errors under strict — the Python module's rule.
        strict = flag(opt.get("strict"))
        severity: ir.Severity = "error" if strict else "warning"
        policy = "strict: an error" if strict else "not in the table: a warning, the code stays valid"
        if flag(opt.get("check_category", True)):
            pairs = [a + c for a, cats in gb32100.AUTHORITY_CATEGORIES.items() for c in cats]
            self.row(f"{name}.category", "category", [name],
                     f"GB 32100: registration authority and organisation category in the table "
                     f"({gb32100.AUTHORITY_CATEGORIES_VERSION}; {policy})",
                     expect=in_values(fn("substr", n, start=1, length=2), pairs), applies=ok, severity=severity,
                     details={"strict": strict})
        if flag(opt.get("check_region", True)):
            region = fn("substr", n, start=3, length=6)
            known = or_(eq(region, lit(gb32100.NATIONAL_REGION)),
                        fn("in_table", region, table=self.region_table("any"), column="code"))
            self.row(f"{name}.region", "region", [name],
                     f"GB 32100: positions 3-8 are a GB/T 2260 code ({gbt2260.HISTORY_FIRST_YEAR}–"
                     f"{gbt2260.DATA_YEAR}) or {gb32100.NATIONAL_REGION} (a registration authority's own code such as "
                     f"a development zone's is {'an error under strict' if strict else 'valid: a warning'})",
                     expect=known, applies=ok, severity=severity, details={"strict": strict})
        if flag(opt.get("check_org_code", True)):
            self.row(f"{name}.org_code", "org_code", [name],
                     "GB 32100: positions 9-17 pass the GB 11714 organisation code check",
                     expect=fn("gb11714_checksum_ok", fn("substr", n, start=9, length=gb11714.LENGTH)), applies=ok)
        self.hygiene(b, raw, n, present, shape_ok)

    def org_code(self, b: Binding, raw: Expr, present: Expr) -> None:
        name = b.name
        n, shape_ok = self.identifier(name, [gb11714.SHAPE])
        scope = self.scope(raw, present, shape_ok)
        length_ok = eq(fn("length", n), lit(gb11714.LENGTH))
        self.row(f"{name}.length", "length", [name], f"GB 11714: {gb11714.LENGTH} characters (8 + check)",
                 expect=length_ok, applies=scope)
        self.row(f"{name}.format", "format", [name], "GB 11714: 8 characters 0-9/A-Z and a check character 0-9/X",
                 expect=shape_ok, applies=and_(scope, length_ok))
        self.row(f"{name}.checksum", "checksum", [name], "GB 11714: check character",
                 expect=fn("gb11714_checksum_ok", n), applies=and_(scope, shape_ok))
        self.hygiene(b, raw, n, present, shape_ok)

    def phone(self, b: Binding, raw: Expr, present: Expr) -> None:
        name = b.name
        strict = flag(b.options.get("strict", False))
        n, platform = self.identifier(name, [mobile.SHAPE], phone=True)
        scope = self.scope(raw, present, platform)
        length_ok = eq(fn("length", n), lit(mobile.LENGTH))
        self.row(f"{name}.length", "length", [name], f"mobile number: {mobile.LENGTH} digits after +86 and separators",
                 expect=length_ok, applies=scope)
        self.row(f"{name}.format", "format", [name],
                 "mobile number: "
                 + ("an allocated prefix (libphonenumber)" if strict else "1, then 3-9, then 9 digits"),
                 expect=fn("matches", n, pattern=mobile.STRICT_PATTERN) if strict else platform,
                 applies=and_(scope, length_ok))
        self.hygiene(b, raw, n, present, platform)
        self.pii_exposure(b, raw, present, platform, "mobile numbers")

    def service_item(self, b: Binding, raw: Expr, present: Expr) -> None:
        """Service item codes: a layout of ``service_item.LAYOUTS`` (counted per layout in the format check's
        ``details["tally"]``, as ``govstd check`` reports each value's layout), then the parts
        an implementation code embeds, read by position: the area code against GB/T 2260 and the
        implementing body as a GB 32100 credit code — as ``service_item.check`` does."""
        name = b.name
        kind = b.options.get("kind")
        layouts = [lay for lay in service_item.LAYOUTS if kind is None or lay.kind == kind]
        if not layouts:
            raise InputError(f"field {name!r}: unknown service item kind {kind!r}", field=f"fields.{name}.options",
                             expected=", ".join(sorted({lay.kind for lay in service_item.LAYOUTS})))
        n, known_layout = self.identifier(name, [lay.pattern for lay in layouts], strip_dashes=False)
        scope = self.scope(raw, present, known_layout)
        # The first layout matching is the one whose parts are read (service_item.match_layout): a
        # layout applies to rows matching it and no earlier one.
        matched: dict[str, Expr] = {}
        earlier: list[Expr] = []
        for lay in layouts:
            this = fn("matches", n, pattern=unnamed(lay.pattern))
            matched[lay.name] = and_(this, *[not_(e) for e in earlier])
            earlier.append(this)
        self.row(f"{name}.format", "format", [name],
                 f"service item code: matches a known layout (layouts {service_item.LAYOUTS_VERSION}: "
                 f"{', '.join(lay.name for lay in layouts)})",
                 expect=known_layout, applies=scope, details={"layouts_version": service_item.LAYOUTS_VERSION},
                 tally=matched)
        self.service_item_area(name, n, scope, layouts, matched)
        self.service_item_body(name, n, scope, layouts, matched)
        self.hygiene(b, raw, n, present, known_layout, dashes=False)

    def service_item_area(self, name: str, n: Expr, scope: Expr, layouts: Sequence[ServiceItemLayout],
                          matched: Mapping[str, Expr]) -> None:
        with_area = [(lay, lay.positions["area_code"]) for lay in layouts if "area_code" in lay.positions]
        if not with_area:
            return
        table = self.region_table("any")
        self.row(f"{name}.area_code", "region", [name],
                 "service item code: the 12-digit area code starts with a GB/T 2260 code "
                 f"({gbt2260.HISTORY_FIRST_YEAR}–{gbt2260.DATA_YEAR}); the township extension is 6 digits",
                 expect=or_(*[and_(matched[lay.name], fn("in_table", fn("substr", n, start=start, length=6),
                                                           table=table, column="code"))
                              for lay, (start, _) in with_area]),
                 applies=and_(scope, or_(*[matched[lay.name] for lay, _ in with_area])))

    def service_item_body(self, name: str, n: Expr, scope: Expr, layouts: Sequence[ServiceItemLayout],
                          matched: Mapping[str, Expr]) -> None:
        with_body = [lay for lay in layouts if "body" in {seg.part for seg in lay.segments}]
        if not with_body:
            return
        valid: list[Expr] = []
        for lay in with_body:
            position = lay.positions.get("body")
            if position is None:
                raise ValueError(f"service item layout {lay.name}: the body must sit at a fixed position")
            start = position[0]
            uscc_shape = fn("matches", n, pattern=unnamed(lay.pattern_with(body=service_item.BODY_USCC_PATTERN)))
            valid.append(and_(matched[lay.name], uscc_shape, fn("gb32100_checksum_ok", fn("substr", n, start=start,
                                                                                        length=gb32100.LENGTH)),
                              fn("gb11714_checksum_ok", fn("substr", n, start=start + 8, length=gb11714.LENGTH))))
        # Irregular bodies by kind; the engine tells a placeholder and an organisation-code shape apart
        # by pattern (the Python module also checks the organisation code's check character).
        breakdown = {
            "placeholder": or_(*[and_(matched[lay.name], fn("matches", n, pattern=unnamed(lay.pattern_with(
                body=service_item.PLACEHOLDER_PATTERN)))) for lay in with_body]),
            "org_code_shape": or_(*[and_(matched[lay.name], fn("matches", n, pattern=unnamed(lay.pattern_with(
                body="[0-9A-Z]{8}-?[0-9X]")))) for lay in with_body]),
        }
        self.row(f"{name}.body", "org_code", [name],
                 "service item code: the implementing body is a valid GB 32100 credit code (not an organisation "
                 "code, a placeholder or a truncated code)",
                 expect=or_(*valid), applies=and_(scope, or_(*[matched[lay.name] for lay in with_body])),
                 breakdown=breakdown)
