"""The masked copy's note: ``govstd mask`` says what it did beside the copy; validating the copy reads it.

``govstd mask DATA --out masked.csv`` writes ``masked.csv.govstd-mask.json`` (``sidecar_path``): the
source's fingerprint (SHA-256, SM3, size — never its content), the copy's SHA-256, and per column what
was done (masked by which rule, pseudonymised with HMAC-SM3, redacted, as is). ``govstd validate
masked.csv`` finds the sidecar, and when the copy's SHA-256 still matches (the file is what mask wrote):

- the scorecard carries a ``masked_copy`` note (JSON; a notice in HTML, Markdown and the terminal);
- rules reading a masked or pseudonymised field are left out (a masked value holds no birth date);
- the fields it masked are validated as ``masked: true`` (a masked value is expected; an unmasked
  identifier is a ``pii_exposure`` error, whatever the share type), and a pseudonymised field is
  validated as what it now holds: 64 hex digits of HMAC-SM3, still a key when it was one (a pseudonym
  is as unique as the number it replaces), no longer the ID standard's format.

A sidecar that does not match the file (edited since) is reported as a warning and otherwise ignored:
the file is then validated as any other. The sidecar is a plain file, not a signature: it tells the
reader what the tool did, it does not prove who ran it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govstd.standards.models import CatalogueSchema, DataType, PiiClass, rule_columns

SIDECAR_SUFFIX = ".govstd-mask.json"
NOTE_FORMAT: Literal["govstd-mask/1"] = "govstd-mask/1"
#: What an HMAC-SM3 pseudonym looks like (GB/T 32905: a 256-bit digest, written as lower-case hex).
PSEUDONYM_PATTERN = "^[0-9a-f]{64}$"

Treatment = Literal["masked", "pseudonymised", "redacted", "as_is"]


class _Model(BaseModel):
    # defer_build: a model's validator is built when first used, so a run pays only for the models it makes.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ColumnTreatment(_Model):
    column: str
    field: str | None = Field(None, description="The schema field the column was matched to (None: not in it).")
    treatment: Treatment
    detail: str = Field(description="e.g. 'masked (id_number)', 'pseudonymised (HMAC-SM3)'.")


class FileFingerprint(_Model):
    name: str = Field(description="The file's name (no directory), or the source as given when not a file.")
    sha256: str | None = Field(None, description="None when the source is not a file (a database table).")
    sm3: str | None = None
    bytes: int | None = Field(None, ge=0)


class MaskedCopy(_Model):
    """What ``govstd mask`` wrote beside the copy, and what the copy's scorecard shows."""

    format: Literal["govstd-mask/1"] = NOTE_FORMAT
    tool_version: str
    masked_at: dt.datetime
    schema_ref: str = Field(description="The catalogue schema whose share attributes the copy was masked for.")
    source: FileFingerprint = Field(description="The original: its fingerprint, never its content.")
    copy_sha256: str = Field(description="SHA-256 of the masked copy as written; binds the note to that file.")
    rows: int = Field(ge=0)
    pseudonymised: bool = Field(description="ID numbers replaced by keyed HMAC-SM3 pseudonyms.")
    key_id: str | None = Field(None, description="Names the key without revealing it: copies with the same "
                                                 "key_id are joinable on their pseudonyms.")
    columns: list[ColumnTreatment]

    def treated(self, treatment: Treatment) -> list[ColumnTreatment]:
        return [c for c in self.columns if c.treatment == treatment]


def sidecar_path(copy: str | Path) -> Path:
    """``masked.csv`` → ``masked.csv.govstd-mask.json``."""
    path = Path(copy)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def key_id(key: bytes) -> str:
    """16 hex digits of SM3 over a fixed label and the key: tells keys apart, reveals nothing usable of one
    (the key is at least 16 random bytes; see ``steward.mask.MIN_KEY_BYTES``)."""
    return hashlib.new("sm3", b"govstd-mask-key-id\x00" + key).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def find(source: Any, notes: list[str]) -> MaskedCopy | None:
    """The note beside ``source`` if it is a file govstd mask wrote and has not changed since; else None
    (with a line in ``notes`` when a sidecar is there but cannot be used)."""
    if not isinstance(source, str | Path):
        return None
    path = Path(source)
    side = sidecar_path(path)
    try:
        if not side.is_file() or not path.is_file():
            return None
        note = MaskedCopy.model_validate_json(side.read_bytes())
        matches = file_sha256(path) == note.copy_sha256
    except (OSError, ValueError, ValidationError):
        notes.append(f"{side.name} is not a readable govstd mask note: validated as an ordinary file")
        return None
    if not matches:
        notes.append(f"{side.name} does not match {path.name} (the file changed after govstd mask wrote it): "
                     "validated as an ordinary file, not as a masked copy")
        return None
    return note


def expected_schema(schema: CatalogueSchema, note: MaskedCopy) -> CatalogueSchema:
    """``schema`` as the masked copy should satisfy it: masked fields declared masked, pseudonymised fields
    holding HMAC-SM3 pseudonyms instead of the standard they replaced."""
    by_field = {c.field: c.treatment for c in note.columns if c.field is not None}
    fields = []
    for spec in schema.fields:
        treatment = by_field.get(spec.name)
        if treatment == "masked":
            spec = spec.model_copy(update={"masked": True})
        elif treatment == "pseudonymised":
            spec = spec.model_copy(update={
                "standard": None, "code_set": None, "pattern": PSEUDONYM_PATTERN, "length": 64, "options": {},
                "data_type": DataType.STRING, "pii": PiiClass.NONE, "masked": False,
                "description": f"HMAC-SM3 pseudonym (key {note.key_id}) of {spec.standard or spec.name}",
            })
        fields.append(spec)
    # A rule reading a masked or pseudonymised field (the birth date inside an ID number, a standard chosen
    # by it) cannot be checked on the masked value: it is left out (docs/steward.md says so).
    gone = {name for name, treatment in by_field.items() if treatment in ("masked", "pseudonymised")}
    rules = [r for r in schema.rules if not gone & set(rule_columns(r))]
    # Rebuilt through validation so the schema's own invariants (unique fields, rule bindings) still hold.
    return CatalogueSchema.model_validate({**schema.model_dump(), "fields": [f.model_dump() for f in fields],
                                           "rules": [r.model_dump() for r in rules]})


_TREATMENT_ZH = {"masked": "脱敏", "pseudonymised": "假名化", "redacted": "自由文本去标识", "as_is": "原样"}


def headline(note: MaskedCopy) -> str:
    """One line every report shows: a masked copy of which source, how, when."""
    src = note.source
    prints = ", ".join(f"{name} {value[:16]}…" for name, value in (("SHA-256", src.sha256), ("SM3", src.sm3))
                       if value)
    how = (f"ID numbers pseudonymised with HMAC-SM3, key id {note.key_id} 证件号码已用 HMAC-SM3 假名化"
           if note.pseudonymised else "no keyed pseudonymisation 未假名化")
    return (f"脱敏副本 masked copy of {src.name}" + (f" ({prints})" if prints else "")
            + f", written by govstd {note.tool_version} on {note.masked_at:%Y-%m-%d %H:%M} UTC for "
            f"{note.schema_ref}; {how}")


def column_lines(note: MaskedCopy) -> list[tuple[str, str]]:
    """(column, what was done) for every column that was changed, in column order."""
    return [(c.column, f"{_TREATMENT_ZH[c.treatment]} {c.detail}") for c in note.columns if c.treatment != "as_is"]
