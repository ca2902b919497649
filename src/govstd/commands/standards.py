"""``govstd standards list|show``: browse the built-in national library."""

from __future__ import annotations

import click

from govstd.commands._output import console, emit_json
from govstd.standards import library
from govstd.standards.models import CodeSet, DataElement


@click.group()
def standards() -> None:
    """List and show the built-in field standards and code sets."""


@standards.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_(as_json: bool) -> None:
    """Every built-in standard, with the names it answers to."""
    entries = library.builtin_entries()
    if as_json:
        emit_json(
            [
                {"id": e.id, "version": e.version, "kind": e.kind.value, "status": e.status.value,
                 "name_zh": e.name_zh, "name_en": e.name_en, "aliases": e.aliases,
                 "reference": e.reference.standard if e.reference else None}
                for e in entries
            ]
        )
        return
    from rich.table import Table

    table = Table("id", "版本 version", "类型 kind", "中文名称", "name", "standard")
    for e in entries:
        table.add_row(e.id, e.version, e.kind.value, e.name_zh, e.name_en or "",
                      e.reference.standard if e.reference else "")
    console().print(table)


@standards.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="The full entry as JSON.")
def show(name: str, as_json: bool) -> None:
    """One standard in full (NAME: id, alias or standard number, any case; NAME@^1 picks a version)."""
    entry = library.lookup(name).entry  # its status is shown below
    if as_json:
        emit_json(entry.model_dump(mode="json", exclude_none=True))
        return
    out = console()
    out.print(f"[bold]{entry.name_zh}[/bold]  {entry.name_en or ''}")
    out.print(f"id {entry.id}@{entry.version}  status {entry.status.value} ({entry.status.label_zh})")
    if entry.reference:
        clause = f" clause {entry.reference.clause}" if entry.reference.clause else ""
        out.print(f"standard {entry.reference.standard}{clause}")
    if entry.registration_authority:
        out.print(f"注册机构 registration authority: {entry.registration_authority}")
    for text in (entry.definition_zh, entry.definition_en):
        if text:
            out.print(text)
    if isinstance(entry, DataElement):
        rep = entry.representation
        if rep.pattern:
            out.print(f"pattern {rep.pattern}", markup=False)
        if entry.value_domain.algorithm:
            out.print(f"algorithm {entry.value_domain.algorithm} {entry.value_domain.options or ''}")
        if entry.masking:
            out.print(f"masking: keep first {entry.masking.keep_start}, last {entry.masking.keep_end}")
        for ex in entry.examples:
            verdict = "valid" if ex.valid else f"invalid ({ex.reason})"
            out.print(f"  example {ex.value}: {verdict}", markup=False)
    if isinstance(entry, CodeSet):
        current = [c for c in entry.codes if c.valid_to is None]
        out.print(f"{len(entry.codes)} codes ({len(current)} current)")
        for c in current[:20]:
            out.print(f"  {c.code}  {c.label_zh}  {c.label_en or ''}")
        if len(current) > 20:
            out.print(f"  … {len(current) - 20} more (use --json)")
