"""``govstd lint PATH...``: check standards files before they are merged (the pre-commit hook).

For every YAML file: it parses, each document is a valid entry (errors name file, line and field),
the batch is consistent (no id published twice with different content), every reference resolves —
in the batch, the registry or the built-in library — and a catalogue schema derives its checks. With
a registry (``--registry`` / ``GOVSTD_REGISTRY``), each entry is also judged against the versions
already published there, with the registry's compatibility rules (``govstd.registry.compat``): a
published version never changes, and a breaking change needs a new major version — the same
verdicts ``govstd registry publish`` would give, before anything is published.

Exit 0 clean (warnings allowed), 1 when a file has an error, 2 on bad usage.
``lint_paths`` is the same check for Python callers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import click

from govstd import i18n
from govstd.errors import GovstdError, InputError, redact

Level = Literal["error", "warning"]
_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Finding:
    path: str
    level: Level
    message: str
    line: int | None = None
    column: int | None = None
    entry: str | None = None

    def __post_init__(self) -> None:
        # A finding names a file, an entry and what was found in it: all shown masked, like an error
        # (a file or an entry may be named after a person: ``110101…_申请表.yaml``).
        for name in ("path", "message", "entry"):
            if value := getattr(self, name):
                object.__setattr__(self, name, redact(value))

    def render(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "") + (f":{self.column}" if self.column else "")
        what = f"{self.entry}: " if self.entry else ""
        return f"{where}: {self.level}: {what}{self.message}"


def _files(paths: Sequence[str | Path]) -> tuple[list[Path], list[Finding]]:
    files: list[Path] = []
    findings: list[Finding] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            # Hidden files and directories (.github/, .pre-commit-config.yaml) hold configuration.
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in _SUFFIXES and f.is_file()
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.suffix.lower() in _SUFFIXES:
            if p.is_file():
                files.append(p)
            else:
                findings.append(Finding(str(p), "error", "file not found"))
        # other files (pre-commit passes every staged file to a hook without a files filter): not standards
    return list(dict.fromkeys(files)), findings


def lint_paths(paths: Sequence[str | Path], registry: str | None = None) -> list[Finding]:
    """Every problem in the standards files under ``paths`` (see the module docstring)."""
    from govstd.standards.loader import load_file
    from govstd.standards.models import AnyEntry

    files, findings = _files(paths)
    loaded: list[tuple[Path, AnyEntry]] = []
    for f in files:
        try:
            loaded += [(f, e) for e in load_file(f)]
        except InputError as exc:
            findings.append(Finding(exc.path or str(f), "error", _message(exc), exc.line, exc.column))
    findings += _duplicates(loaded)
    reg = _open(registry) if registry else None
    try:
        findings += _references(loaded, reg)
        if reg is not None:
            for path, entry in loaded:
                findings += _compatibility(path, entry, reg)
    finally:
        if reg is not None:
            reg.close()
    return findings


def _message(exc: InputError) -> str:
    text = exc.message
    if exc.path and text.startswith(exc.path):
        text = text[len(exc.path):].lstrip(":0123456789 ")
    return text + (f" (hint: {exc.hint})" if exc.hint else "")


def _duplicates(loaded: Iterable[tuple[Path, Any]]) -> list[Finding]:
    seen: dict[tuple[str, str], tuple[Path, Any]] = {}
    out = []
    for path, entry in loaded:
        key = (entry.id.lower(), entry.version)
        if key in seen and seen[key][1] != entry:
            out.append(Finding(str(path), "error", f"{entry.ref} is also defined, differently, in {seen[key][0]}",
                               entry=entry.ref))
        seen.setdefault(key, (path, entry))
    return out


def _open(url: str) -> Any:
    """The registry to compare with — never a new empty one: a mistyped path would pass everything."""
    from sqlalchemy.engine import make_url

    from govstd.registry.store import Registry, resolve_url

    parsed = make_url(resolve_url(url))
    file = parsed.database if parsed.get_backend_name() == "sqlite" and parsed.database != ":memory:" else None
    if file and not Path(file).is_file():
        raise InputError("registry not found", path=file,
                         expected="an existing registry database (govstd registry init creates one)")
    return Registry(url)


def _references(loaded: Sequence[tuple[Path, Any]], reg: Any) -> list[Finding]:
    """Every reference resolves (a data element's code set, a schema's standards); every catalogue
    schema derives its checks (its rules fit its fields)."""
    from govstd.registry.resolve import chain, library_lookup, local_lookup, registry_lookup
    from govstd.standards.models import CatalogueSchema, DataElement, EntryKind
    from govstd.validators.derive import derive

    # The batch first, then the registry, then the built-in library (a registry being linted against
    # need not hold the built-in standards).
    layers = [local_lookup(e for _, e in loaded)]
    if reg is not None:
        layers.append(registry_lookup(reg))
    resolve = chain(*layers, library_lookup)

    out = []
    for path, entry in loaded:
        try:
            if isinstance(entry, CatalogueSchema):
                derive(entry, resolver=resolve)
            elif isinstance(entry, DataElement) and entry.value_domain.code_set:
                resolve(entry.value_domain.code_set, EntryKind.CODE_SET.value)
        except GovstdError as exc:
            hint = f" (hint: {exc.hint})" if exc.hint else ""
            out.append(Finding(str(path), "error", exc.message + hint, entry=entry.ref))
    return out


def _compatibility(path: Path, entry: Any, reg: Any) -> list[Finding]:
    """The verdicts ``publish`` would give for ``entry``, without publishing."""
    from govstd.registry.compat import CompatibilityMode, diff_entries
    from govstd.registry.store import canonical_json, plan_checks
    from govstd.registry.versions import Version

    where = str(path)
    try:
        infos = reg.versions(entry.id)
    except GovstdError:
        return []  # a new standard: nothing to be compatible with
    version = Version.parse(entry.version)
    published = {i.version: i for i in infos}
    if entry.version in published:
        stored = reg.get(entry.id, entry.version)
        # The registry stores an entry under its registered spelling of the id.
        candidate = entry if entry.id == stored.id else entry.model_copy(update={"id": stored.id})
        if canonical_json(stored) != canonical_json(candidate):
            diff = diff_entries(stored, entry, old_ref=f"{entry.ref} (published)", new_ref=f"{entry.ref} (this file)")
            return [Finding(where, "error", "already published with different content; a published version never "
                            f"changes — publish the change under a new version\n{diff.render(limit=10)}",
                            entry=entry.ref)]
        return []
    mode: CompatibilityMode = reg.compatibility(entry.id)
    others = [Version.parse(v) for v in published]
    pairs, line_base = plan_checks(version, others, mode)
    out = []

    def load(v: Version) -> Any:
        return entry if v == version else reg.get(entry.id, str(v))

    for older, newer in pairs:
        diff = diff_entries(load(older), load(newer), mode=mode, old_ref=f"{entry.id}@{older}",
                            new_ref=f"{entry.id}@{newer}")
        if not diff.compatible:
            out.append(Finding(where, "error", f"breaks {mode.value} compatibility with {entry.id}@"
                               f"{older if newer == version else newer}; breaking changes need a new major version"
                               f"\n{diff.render(only_breaking=True, limit=10)}", entry=entry.ref))
    if line_base is not None:
        diff = diff_entries(load(line_base), entry, mode=mode, old_ref=f"{entry.id}@{line_base}", new_ref=entry.ref)
        if not diff.compatible:
            out.append(Finding(where, "warning", f"starts a new line with {len(diff.breaking_changes)} breaking "
                               f"change(s) from {entry.id}@{line_base}: publish with --allow-breaking to confirm "
                               f"them\n{diff.render(only_breaking=True, limit=10)}", entry=entry.ref))
    return out


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--registry", envvar="GOVSTD_REGISTRY", metavar="URL",
              help="Judge compatibility against the versions published here [env: GOVSTD_REGISTRY].")
@click.option("--json", "as_json", is_flag=True, help="The findings as one JSON document.")
def lint(paths: tuple[Path, ...], registry: str | None, as_json: bool) -> None:
    """Lint standards YAML files (PATHS: files or directories) before they are merged."""
    findings = lint_paths(paths, registry=registry)
    errors = sum(f.level == "error" for f in findings)
    if as_json:
        click.echo(json.dumps({"findings": [asdict(f) for f in findings], "errors": errors}, ensure_ascii=False,
                              indent=2))
    else:
        for finding in findings:
            click.echo(finding.render(), err=True)
        files, _ = _files(paths)
        def summary() -> str:
            return i18n.text("lint.done", files=len(files), compat="" if registry else i18n.text("lint.no_registry"),
                             errors=errors, warnings=len(findings) - errors)

        line = summary()
        if i18n.current() == "zh":  # English beside: a pre-commit or CI log is read by both
            with i18n.language("en"):
                line += f"（{summary()}）"
        click.echo(line, err=True)
    raise SystemExit(1 if errors else 0)
