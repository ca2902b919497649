"""``govstd registry …``: publish, resolve, diff and retire standards in a registry database.

Thin by design: each command parses its arguments, calls ``govstd.registry.store.Registry`` — or,
with ``--service URL``, ``govstd.registry.remote.RemoteRegistry``, which answers the same methods over
the service's HTTP API (``_open`` is the one place that picks) — and renders the result: a rich table
for people, one JSON document with ``--json`` for machines (errors too: with ``--json`` the error
object is printed on stdout before the exit with code 2).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from govstd.commands._output import console, emit_json
from govstd.errors import InputError
from govstd.standards.models import EntryKind

if TYPE_CHECKING:
    from govstd.registry.compat import Diff
    from govstd.registry.remote import RemoteRegistry
    from govstd.registry.store import PublishOutcome, Registry, VersionInfo
    from govstd.standards.models import AnyEntry

    AnyRegistry = Registry | RemoteRegistry

F = TypeVar("F", bound=Callable[..., Any])

_MODES = ["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"]


def _default_location() -> str:
    import platformdirs

    return str(Path(platformdirs.user_data_dir("govstd", appauthor=False)) / "registry.sqlite")


def _set_url(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        obj = ctx.ensure_object(dict)
        obj[_KEYS.get(param.name or "", "url")] = value
        obj.setdefault("given", set()).add(_KEYS.get(param.name or "", "url"))


#: Option name → where ``_open`` finds its value in the context object.
_KEYS = {"registry": "url", "service": "service"}


_HELP = f"""Publish, resolve, diff and retire standards in a versioned registry.

\b
The registry is a database given by --registry URL or GOVSTD_REGISTRY:
  sqlite:///PATH (or just a path)     an embedded file (the default)
  postgresql://USER@HOST:PORT/DB      a shared registry
Default: {_default_location()}
(the user data directory from platformdirs). Only `govstd registry init` creates a
registry; every other command refuses a missing file or a database that is not one.

\b
Or a registry service (`govstd serve`) given by --service URL or GOVSTD_SERVICE, with an
API token in GOVSTD_TOKEN: list, show, history, diff, find-item, publish,
status and compatibility then go through its HTTP API, as the token's department.

\b
References: NAME, NAME@1.2.0, NAME@^1.2, NAME@~1.2, NAME@>=1.0,<2, NAME@latest.
NAME is the id (any case), an alias or the standard number (GB/T 2260).
"""


_SERVICE_HELP = "Registry service URL (govstd serve), instead of a database [env: GOVSTD_SERVICE]."


@click.group(help=_HELP)
@click.option("--registry", "registry_url", envvar="GOVSTD_REGISTRY", metavar="URL",
              help="Registry database URL or SQLite path [env: GOVSTD_REGISTRY].")
@click.option("--service", envvar="GOVSTD_SERVICE", metavar="URL", help=_SERVICE_HELP)
@click.pass_context
def registry(ctx: click.Context, registry_url: str | None, service: str | None) -> None:
    obj = ctx.ensure_object(dict)
    obj.setdefault("url", registry_url)
    obj.setdefault("service", service)
    source = ctx.get_parameter_source("registry_url")
    obj.setdefault("given", set()).update({"url"} if source is click.core.ParameterSource.COMMANDLINE else set())


def _common(f: F) -> F:
    f = click.option("--json", "as_json", is_flag=True, help="Machine-readable output (one JSON document).")(f)
    f = click.option("--registry", metavar="URL", expose_value=False, callback=_set_url,
                     help="Same as `govstd registry --registry URL`.")(f)
    f = click.option("--service", metavar="URL", expose_value=False, callback=_set_url, help=_SERVICE_HELP)(f)
    return f  # an error with --json is printed as one JSON document by govstd.cli


def _actor(f: F) -> F:
    return click.option("--actor", envvar="GOVSTD_ACTOR", metavar="NAME",
                        help="Who makes the change [env: GOVSTD_ACTOR; default: the OS user].")(f)


def _open(*, create: bool = False) -> AnyRegistry:
    """The registry the options name: a service (--service, GOVSTD_SERVICE) unless --registry is given on
    the command line, else the database. The service records the token's identity, not --actor. The token
    comes from GOVSTD_TOKEN only, never an option: command lines end up in process lists and shell histories."""
    from govstd.registry.store import Registry

    obj = click.get_current_context().find_object(dict) or {}
    given = obj.get("given", set())
    if {"url", "service"} <= given:
        raise click.UsageError("give --registry URL (a database) or --service URL (a registry service), not both")
    if obj.get("service") and "url" not in given:
        from govstd.registry.remote import RemoteRegistry

        remote = RemoteRegistry(obj["service"], os.environ.get("GOVSTD_TOKEN"))
        if create:
            remote.init()  # refused: only a database is created
        return remote
    return Registry(obj.get("url"), create=create)


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json")


def _status(status: Any) -> str:
    return f"{status.value} ({status.label_zh})"


# --------------------------------------------------------------------------- init / publish


@registry.command()
@click.option("--empty", is_flag=True, help="Create the registry without the national library (e.g. to import a dump).")
@_actor
@_common
def init(empty: bool, actor: str | None, as_json: bool) -> None:
    """Create the registry (if needed) and load the built-in national library. Safe to re-run.

    The only command that creates a registry: it refuses a database that holds other tables."""
    reg = _open(create=empty)
    with reg:
        outcomes = [] if empty else reg.init(actor=actor)
        if as_json:
            emit_json({"registry": reg.location, "outcomes": [_dump(o) for o in outcomes]})
            return
        published = sum(o.action.value == "published" for o in outcomes)
        console().print(f"registry {reg.location}: {published} published, {len(outcomes) - published} unchanged")
        _outcome_table(outcomes)


@registry.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-m", "--message", help="Why: recorded in the audit log.")
@click.option("--allow-breaking", is_flag=True,
              help="Confirm breaking changes in a version that starts a new major line. Never lets a breaking "
                   "change into an existing line (1.x): that needs a new major version.")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@_actor
@_common
def publish(paths: tuple[Path, ...], message: str | None, allow_breaking: bool, dry_run: bool, actor: str | None,
            as_json: bool) -> None:
    """Publish the standards in PATHS (YAML files or directories) in one transaction.

    A published version never changes: the same content again is a no-op, different content is
    refused with a diff. A change that breaks the standard's compatibility mode (default BACKWARD)
    is refused with the reasons and the version it would need.
    """
    from govstd.standards.loader import load_paths

    entries = load_paths(list(paths))
    with _open() as reg:
        outcomes = reg.publish(entries, actor=actor, message=message, allow_breaking=allow_breaking,
                               dry_run=dry_run)
    if as_json:
        emit_json({"dry_run": dry_run, "outcomes": [_dump(o) for o in outcomes]})
        return
    _outcome_table(outcomes)
    out = console()
    for o in outcomes:
        for change in o.breaking_acknowledged:
            out.print(f"  {o.ref} breaks {o.previous}: {change.path}: {change.reason}", markup=False)
    if dry_run:
        out.print("dry run: nothing was written")


def _outcome_table(outcomes: Sequence[PublishOutcome]) -> None:
    from rich.table import Table

    table = Table("standard", "action", "status", "compared with", "compatibility", "bump")
    for o in outcomes:
        table.add_row(o.ref, o.action.value, o.status.value, o.previous or "",
                      o.compatibility.value if o.compatibility else "",
                      o.suggested_bump.value if o.suggested_bump else "")
    out = console()
    out.print(table)
    for o in outcomes:
        if o.note:
            out.print(f"  {o.ref}: {o.note}", markup=False)


# --------------------------------------------------------------------------- reading


@registry.command("list")
@click.option("--kind", type=click.Choice([k.value for k in EntryKind]), help="Only this kind of standard.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many standards (by id).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many standards first.")
@_common
def list_(kind: str | None, limit: int | None, offset: int, as_json: bool) -> None:
    """Every standard: the version its id resolves to, its status and all its versions."""
    with _open() as reg:
        summaries = reg.list(EntryKind(kind) if kind else None, limit=limit, offset=offset)
    if as_json:
        emit_json([_dump(s) for s in summaries])
        return
    from rich.table import Table

    table = Table("id", "中文名称", "kind", "latest", "status", "versions", "mode")
    for s in summaries:
        table.add_row(s.id, s.name_zh, s.kind.value, s.latest or "—", _status(s.status),
                      ", ".join(s.versions), s.compatibility.value)
    console().print(table)


_SHOW_VALUES = click.option("--show-values", is_flag=True,
                            help="Show owners' phone numbers unmasked (personal data!).")


@registry.command()
@click.option("--department", metavar="TEXT", help="Only owners whose department contains TEXT (民政 finds 市民政局).")
@_SHOW_VALUES
@_common
def owners(department: str | None, show_values: bool, as_json: bool) -> None:
    """责任清单: who answers for which data items — each catalogue schema (its owner, else its provider)
    and each field naming an owner of its own. Phones are masked unless --show-values."""
    from govstd.registry.owners import registry_owners

    with _open() as reg:
        items = registry_owners(reg, department=department, show_values=show_values)
    if as_json:
        emit_json({"owners": [_dump(i) for i in items]})
        return
    from rich.table import Table

    table = Table("责任部门 department", "联系 contact", "电话 phone", "目录 schema", "信息项 field",
                  title="责任清单 Data owners")
    for i in items:
        department_cell = i.department + ("" if i.declared else "（提供方 provider）")
        if i.field is None:
            item = f"整个目录 whole schema ({i.inherited_fields} 个信息项 fields)"
        else:
            item = i.field + (f" {i.field_name_zh}" if i.field_name_zh else "")
        table.add_row(department_cell, i.contact or "", i.phone or "", f"{i.schema_ref} {i.schema_name_zh}", item)
    console().print(table)
    if not items:
        console().print("没有匹配的责任方 no owner matches" if department else "注册库中没有目录 no catalogue schema")


@registry.command()
@click.argument("ref")
@click.option("--candidates", is_flag=True,
              help="Let candidate versions compete with standard ones (without it, only when no standard fits).")
@_SHOW_VALUES
@_common
def show(ref: str, candidates: bool, show_values: bool, as_json: bool) -> None:
    """One version in full (REF: NAME, NAME@1.2.0, NAME@^1 …). Owners' phones are masked unless --show-values."""
    from govstd.standards.owner import shown_owners

    with _open() as reg:
        item = _catalogue_item(reg, ref)
        if item is not None:
            if as_json:
                emit_json(item.model_dump())
            else:
                _render_items([item])
            return
        found = reg.lookup(ref, include_candidates=candidates)
        entry = shown_owners(found.entry, show_values=show_values)
        info = next(v for v in reg.versions(entry.id) if v.version == entry.version)
    if found.warning:
        click.echo(f"warning: {found.warning}", err=True)
    if as_json:
        emit_json({"entry": entry.model_dump(mode="json", exclude_none=True), "published": _dump(info)})
        return
    _render_entry(entry, info)


def _catalogue_item(reg: AnyRegistry, ref: str) -> Any:
    """An implementation code names a catalogue item, not a standard (checked first: codes never clash
    with standard ids, and a lookup that fails costs suggestions)."""
    return reg.item(ref) if "@" not in ref else None


def _render_items(found: list[Any]) -> None:
    """Catalogue items as a table (``show``, ``find-item``)."""
    from rich.table import Table

    table = Table("实施编码 implementation code", "基本编码 basic", "事项名称 name", "部门 department",
                  "行政区划 region", "status")
    for i in found:
        table.add_row(i.implementation_code, i.basic_code, i.name, i.department or "", i.region or "",
                      f"retired in release {i.retired_release}" if i.retired_release else "active")
    console().print(table)
    if not found:
        click.echo("no catalogue item matches")


def _render_entry(entry: AnyEntry, info: VersionInfo) -> None:
    from rich.table import Table

    from govstd.standards.models import CatalogueSchema, CodeSet, DataElement, ServiceItem

    out = console()
    out.print(f"[bold]{entry.name_zh}[/bold]  {entry.name_en or ''}")
    out.print(f"{entry.ref}  {entry.kind.value}  status {_status(entry.status)}", markup=False)
    out.print(f"published {info.published_at:%Y-%m-%d %H:%M} UTC by {info.published_by}"
              + (f": {info.message}" if info.message else ""), markup=False)
    out.print(f"sha256 {info.content_hash}")
    if entry.reference:
        out.print(f"standard {entry.reference.standard}", markup=False)
    for text in (entry.definition_zh, entry.definition_en):
        if text:
            out.print(text, markup=False)
    if isinstance(entry, CatalogueSchema):
        out.print(f"provider {entry.provider.name}  share {entry.share.share_type.label_zh}  "
                  f"update {entry.update_cycle.label_zh}  sensitivity {entry.sensitivity.label_zh}")
        if entry.owner is not None:
            o = entry.owner
            out.print("owner 责任方 " + "  ".join(x for x in (o.department, o.contact, o.phone) if x), markup=False)
        table = Table("field", "中文名称", "type", "length", "required", "key", "standard / code set")
        for f in entry.fields:
            table.add_row(f.name, f.name_zh or "", f.data_type.value, str(f.length or ""),
                          "yes" if f.required else "", "yes" if f.key else "", f.standard or f.code_set or "")
        out.print(table)
    elif isinstance(entry, CodeSet):
        out.print(f"{len(entry.codes)} codes")
        for c in entry.codes[:20]:
            out.print(f"  {c.code}  {c.label_zh}  {c.label_en or ''}", markup=False)
        if len(entry.codes) > 20:
            out.print(f"  … {len(entry.codes) - 20} more (use --json)")
    elif isinstance(entry, DataElement):
        rep = entry.representation
        if rep.pattern:
            out.print(f"pattern {rep.pattern}", markup=False)
        if entry.value_domain.algorithm:
            out.print(f"algorithm {entry.value_domain.algorithm}")
    elif isinstance(entry, ServiceItem):
        out.print(f"item type {entry.item_type}  item version {entry.item_version}")
        for impl in entry.implementations:
            out.print(f"  {impl.implementation_code}  {impl.body_name}", markup=False)


@registry.command()
@click.argument("name", required=False)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many audit events.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many audit events first.")
@_common
def history(name: str | None, limit: int | None, offset: int, as_json: bool) -> None:
    """Every version of NAME and the audit log of everything done to it; without NAME, the registry's
    whole audit log (API tokens created and revoked too; through a service: admins only).
    --limit / --offset: a page of the events."""
    with _open() as reg:
        versions = reg.versions(name) if name else []
        events = (reg.history(name, limit=limit, offset=offset) if name
                  else reg.audit_log(limit=limit, offset=offset))
    if as_json:
        emit_json({"versions": [_dump(v) for v in versions], "events": [_dump(e) for e in events]})
        return
    from rich.table import Table

    table = Table("version", "status", "published", "by", "sha256")
    for v in versions:
        by = v.published_by if v.origin is None else f"{v.published_by} (imported)"
        table.add_row(v.version, _status(v.status), f"{v.published_at:%Y-%m-%d %H:%M}", by, v.content_hash[:12])
    if name:
        console().print(table)
    log = Table("when (UTC)", "who", "what", "version", "why")
    for e in events:
        what = e.action.value
        if e.action.value == "status":
            what = f"status {e.details.get('from')} → {e.details.get('to')}"
        elif e.action.value == "compatibility":
            what = f"mode {e.details.get('from')} → {e.details.get('to')}"
        elif e.action.value.startswith("token_"):
            d = e.details
            what = f"{e.action.value} {d.get('token_id')}: {d.get('department')} {d.get('role')} ({d.get('name')})"
        if e.origin is not None:
            what = f"imported {what}"
        if not name and e.id:
            what = f"{e.id} {what}"
        log.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, what, e.version or "", e.message or "")
    console().print(log)
    origins = sorted({e.origin for e in events if e.origin} | {v.origin for v in versions if v.origin})
    for origin in origins:
        console().print(f"imported from: {origin}", markup=False)


@registry.command()
@click.argument("ref_a")
@click.argument("ref_b")
@_common
def diff(ref_a: str, ref_b: str, as_json: bool) -> None:
    """What changed from REF_A to REF_B, and whom it breaks. Either may be a YAML file instead of a
    reference, to preview a change before publishing it."""
    from govstd.registry.compat import diff_entries

    with _open() as reg:
        a, b = _entry_or_file(reg, ref_a), _entry_or_file(reg, ref_b)
        mode = reg.compatibility(b.id) if _is_registered(reg, b.id) else None
    result = diff_entries(a, b, **({"mode": mode} if mode else {}))
    if as_json:
        emit_json(_dump(result))
        return
    _render_diff(result)


def _is_registered(reg: AnyRegistry, name: str) -> bool:
    from govstd.errors import NotFoundError

    try:
        reg.compatibility(name)
    except NotFoundError:
        return False
    return True


def _entry_or_file(reg: AnyRegistry, ref: str) -> AnyEntry:
    path = Path(ref)
    if path.suffix.lower() in {".yaml", ".yml"} and path.is_file():
        from govstd.standards.loader import load_file

        entries = load_file(path)
        if len(entries) != 1:
            raise InputError(f"diff needs a file with one standard, found {len(entries)}", path=str(path))
        return entries[0]
    return reg.lookup(ref, include_candidates=True).entry


def _render_diff(result: Diff) -> None:
    from rich.table import Table

    out = console()
    verdict = "compatible" if result.compatible else "[bold red]BREAKING[/bold red]"
    out.print(f"[bold]{result.old} → {result.new}[/bold]: {len(result.changes)} change(s)")
    out.print(f"compatibility {result.compatibility.value}; under mode {result.mode.value}: {verdict};"
              f" suggested bump: {result.suggested_bump.value}")
    if not result.changes:
        return
    table = Table("", "path", "old", "new", "breaks", "why")
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for c in sorted(result.changes, key=lambda c: not c.breaking):
        directions = "/".join(d for d, on in (("BACKWARD", c.breaks_backward), ("FORWARD", c.breaks_forward)) if on)
        breaks = f"[bold red]{directions}[/bold red]" if c.breaking else directions
        table.add_row(marks[c.kind.value], c.path, _cell(c.old), _cell(c.new), breaks, c.reason)
    out.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 48 else text[:47] + "…"


# --------------------------------------------------------------------------- lifecycle


@registry.command()
@click.argument("ref")
@click.argument("new_status")
@click.option("-m", "--message", required=True, help="Why: recorded in the audit log (required).")
@_actor
@_common
def status(ref: str, new_status: str, message: str, actor: str | None, as_json: bool) -> None:
    """Move REF (an exact version, NAME@1.2.0) to NEW_STATUS along the lifecycle:

    \b
    incomplete → candidate → recorded → qualified → standard → superseded / retired
    (one step at a time; back one step; standard ↔ preferred_standard; retire from anywhere;
    retired is final). Statuses may be given in English or Chinese (已废止).
    """
    with _open() as reg:
        info = reg.set_status(ref, new_status, actor=actor, message=message)
    if as_json:
        emit_json(_dump(info))
        return
    console().print(f"{info.ref}: status {_status(info.status)} (by {info.status_changed_by})")


@registry.command()
@click.argument("name")
@click.argument("mode", required=False, type=click.Choice(_MODES, case_sensitive=False))
@click.option("-m", "--message", help="Why: recorded in the audit log.")
@_actor
@_common
def compatibility(name: str, mode: str | None, message: str | None, actor: str | None, as_json: bool) -> None:
    """Show NAME's compatibility mode, or set it to MODE (default for every standard: BACKWARD).

    \b
    BACKWARD  data valid under the previous version stays valid (no narrowing)
    FORWARD   data made for the new version is valid under the previous one (no widening)
    FULL      both;  NONE  no check.  *_TRANSITIVE: against every earlier version of the line.
    """
    with _open() as reg:
        if mode is None:
            current = reg.compatibility(name)
        else:
            current = reg.set_compatibility(name, mode.upper(), actor=actor, message=message)
    if as_json:
        emit_json({"id": name, "compatibility": current.value})
        return
    console().print(f"{name}: {current.value}")


# --------------------------------------------------------------------------- export / import


@registry.command()
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the dump to this file instead of stdout.")
@click.option("--signing-key", type=click.Path(dir_okay=False, path_type=Path), metavar="KEY",
              help="Sign the dump with this SM2 private key (from `govstd registry keygen`).")
@_common
def export(out_path: Path | None, signing_key: Path | None, as_json: bool) -> None:
    """Dump the whole registry (every version, its metadata, the audit log) as JSON.

    Importers refuse an unsigned dump unless told otherwise: sign it with --signing-key."""
    from govstd.registry.signing import read_private_key

    key = read_private_key(signing_key) if signing_key else None
    with _open() as reg:
        dump = reg.export(signing_key=key)
    text = json.dumps(dump, ensure_ascii=False, indent=1)
    if out_path is None:
        sys.stdout.write(text + "\n")
        return
    out_path.write_text(text + "\n", encoding="utf-8")
    count = sum(len(s["versions"]) for s in dump["subjects"])
    if as_json:
        emit_json({"path": str(out_path), "subjects": len(dump["subjects"]), "versions": count})
    else:
        console().print(f"exported {len(dump['subjects'])} standards, {count} versions to {out_path}")


@registry.command("import")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--trusted-key", "trusted_keys", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="KEY.pub", help="Accept dumps signed by this SM2 public key (repeatable).")
@click.option("--allow-unsigned", is_flag=True,
              help="Import a dump without a signature; its history is recorded as unsigned.")
@_actor
@_common
def import_(source: str, trusted_keys: tuple[Path, ...], allow_unsigned: bool, actor: str | None,
            as_json: bool) -> None:
    """Load a dump written by `export` (SOURCE: a file, or - for stdin). Versions already present must
    be identical; nothing is written unless everything can be.

    The dump must be signed by a key given with --trusted-key (or be imported with --allow-unsigned);
    its versions and events are recorded as imported, with their origin, never as if made here."""
    from govstd.registry.signing import read_public_key

    keys = [read_public_key(k) for k in trusted_keys]
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=source) from None
    try:
        dump = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=source, line=exc.lineno, column=exc.colno) from None
    with _open() as reg:
        report = reg.import_(dump, actor=actor, trusted_keys=keys, allow_unsigned=allow_unsigned)
    if as_json:
        emit_json(_dump(report))
        return
    console().print(f"imported {report.versions_added} versions ({report.subjects_added} new standards),"
                    f" {report.versions_unchanged} already present, {report.audit_events_added} audit events")
    for line in report.status_differences:
        console().print(f"  {line}", markup=False)


@registry.command()
@click.argument("key_path", metavar="KEY", type=click.Path(dir_okay=False, path_type=Path))
@_common
def keygen(key_path: Path, as_json: bool) -> None:
    """Write a new SM2 key pair for signing dumps: KEY (private, mode 0600: keep it secret) and KEY.pub
    (give it to whoever imports your dumps: `govstd registry import --trusted-key KEY.pub`)."""
    from govstd.registry.signing import generate_key

    public_path, fingerprint = generate_key(key_path)
    if as_json:
        emit_json({"private_key": str(key_path), "public_key": str(public_path), "fingerprint": fingerprint})
        return
    console().print(f"wrote {key_path} (private) and {public_path} (public); fingerprint {fingerprint}",
                    markup=False)

