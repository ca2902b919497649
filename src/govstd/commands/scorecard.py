"""``govstd scorecard …``: sign and verify JSON scorecards (``registry/submissions.py``), and submit one
to a registry service."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from govstd.commands._output import console, emit_json
from govstd.errors import GovstdError, InputError

if TYPE_CHECKING:
    from govstd.validators.results import ValidationResult

_JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable output (one JSON document).")
_FILE = click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {getattr(exc, 'strerror', None) or exc}", path=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno, column=exc.colno) from None


def _signature_path(path: Path, given: Path | None) -> Path:
    from govstd.registry.submissions import SIGNATURE_SUFFIX

    return given or path.with_name(path.name + SIGNATURE_SUFFIX)


@click.group()
def scorecard() -> None:
    """Sign, verify and submit JSON scorecards (SM2 over the SM3 digest of canonical JSON)."""


@scorecard.command()
@_FILE
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="SM2 private key (govstd keys generate).")
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the signature [default: FILE.sig].")
@_JSON
def sign(path: Path, key_path: Path, out_path: Path | None, as_json: bool) -> None:
    """Write a detached signature of scorecard FILE to FILE.sig."""
    from govstd.registry import submissions
    from govstd.registry.signing import read_private_key

    data = submissions.check_scorecard(_read_json(path), where=str(path))
    signature = submissions.sign(data, read_private_key(key_path))
    target = _signature_path(path, out_path)
    target.write_text(json.dumps(signature, indent=1) + "\n", encoding="utf-8")
    if as_json:
        emit_json({"signature": str(target), "digest": signature["digest"]})
        return
    console().print(f"signed {path} (sm3 {signature['digest'][:16]}…) → {target}", markup=False)


@scorecard.command()
@_FILE
@click.option("--trusted-key", "trusted_keys", multiple=True, required=True,
              type=click.Path(dir_okay=False, path_type=Path), metavar="KEY.pub",
              help="Trusted public key (repeatable).")
@click.option("--signature", "signature_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The signature file [default: FILE.sig].")
@_JSON
def verify(path: Path, trusted_keys: tuple[Path, ...], signature_path: Path | None, as_json: bool) -> None:
    """Check that FILE is a valid scorecard, signed by a trusted key and unchanged since. Exit 2 if not."""
    from govstd.registry import submissions
    from govstd.registry.signing import read_public_key

    data = submissions.check_scorecard(_read_json(path), where=str(path))
    sig_file = _signature_path(path, signature_path)
    signature = _read_json(sig_file) if sig_file.exists() else None
    if signature is not None and not isinstance(signature, dict):
        raise InputError("not a signature", path=str(sig_file), expected="a JSON object from govstd scorecard sign")
    signer = submissions.verify(data, signature, [read_public_key(k) for k in trusted_keys])
    if as_json:
        emit_json({"valid": True, "signed_by": signer, "digest": submissions.digest(data)})
        return
    console().print(f"{path}: valid scorecard, signed by {signer}", markup=False)


@scorecard.command()
@_FILE
@click.option("--service", required=True, envvar="GOVSTD_SERVICE", metavar="URL",
              help="The registry service, e.g. https://registry.example.gov.cn [env: GOVSTD_SERVICE].")
@click.option("--signature", "signature_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The signature file [default: FILE.sig, if present].")
@click.option("--dataset", help="Dataset name [default: the catalogue schema id].")
@_JSON
def submit(path: Path, service: str, signature_path: Path | None, dataset: str | None, as_json: bool) -> None:
    """Submit scorecard FILE (with FILE.sig if present) to a registry service, as the department of the
    token in GOVSTD_TOKEN (never an option: command lines end up in shell histories and process lists)."""
    from govstd.registry import submissions

    data = submissions.check_scorecard(_read_json(path), where=str(path))
    submissions.refuse_personal_numbers(data, where=str(path))
    sig_file = _signature_path(path, signature_path)
    answer = post_scorecard(service, data, _read_json(sig_file) if sig_file.exists() else None, dataset)
    if as_json:
        emit_json(answer)
        return
    console().print(f"submitted {path} as {answer['department']}/{answer['dataset']} (#{answer['id']})", markup=False)


def post_scorecard(service: str, scorecard: dict[str, Any], signature: Any, dataset: str | None) -> dict[str, Any]:
    """POST a checked scorecard (and its detached signature) to ``service`` as the department of the
    token in GOVSTD_TOKEN; the stored submission, or a ``GovstdError`` with the service's reason. The
    URL is only ever shown masked (it may carry ``user:password@`` or ``?token=``), and of the answer
    only a problem document's one-line ``detail`` and ``hint``: a proxy's page may echo anything."""
    import httpx

    from govstd.standards.masking import redact

    token = os.environ.get("GOVSTD_TOKEN", "").strip()
    if not token:
        raise GovstdError("set GOVSTD_TOKEN to an API token", hint="an administrator creates one: govstd token create")
    shown = redact(service)
    body = {"scorecard": scorecard, "signature": signature, "dataset": dataset}
    try:
        url = httpx.URL(service)
        endpoint = url.copy_with(path=url.path.rstrip("/") + "/scorecards")  # its query stays a query
        response = httpx.post(endpoint, json=body, timeout=60, headers={"Authorization": f"Bearer {token}"})
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise GovstdError(f"cannot reach {shown}: {type(exc).__name__}",
                          hint="the service's base URL, e.g. https://registry.example.gov.cn") from None
    answer = _answer(response)
    if response.status_code >= 400:
        detail = _line(answer.get("detail"))
        raise GovstdError(f"{shown} refused the scorecard ({response.status_code})" + (f": {detail}" if detail else ""),
                          hint=_line(answer.get("hint")) or None)
    if not all(isinstance(answer.get(k), (str, int)) for k in ("department", "dataset", "id")):
        raise GovstdError(f"{shown} answered {response.status_code} without a stored submission",
                          hint="is it a govstd registry service (govstd serve)?")
    return answer


def _answer(response: Any) -> dict[str, Any]:
    """The service's JSON object, or ``{}`` for anything else (a proxy's HTML page, broken JSON)."""
    if not response.headers.get("content-type", "").split(";")[0].strip().endswith("json"):
        return {}
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _line(value: Any) -> str:
    """A string member of the answer as one line of at most 200 characters; anything else is not shown."""
    return (value.strip().splitlines() or [""])[0][:200] if isinstance(value, str) else ""


def submit_result(result: ValidationResult, *, service: str, policy: Any = None, key_path: Path | None = None) -> None:
    """``govstd validate … --submit URL``: the run's JSON scorecard (the same one ``--format json``
    writes), signed with ``key_path`` when given, posted to ``service``; one line on stderr."""
    from govstd.registry import submissions
    from govstd.registry.signing import read_private_key
    from govstd.standards.masking import redact
    from govstd.validators.report import finish

    data = json.loads(finish(result, formats=["json"], policy=policy).texts["json"])
    signature = submissions.sign(data, read_private_key(key_path)) if key_path is not None else None
    answer = post_scorecard(service, data, signature, None)
    click.echo(f"submitted the scorecard to {redact(service)} as {answer['department']}/{answer['dataset']} "
               f"(#{answer['id']}{', signed' if signature else ''})", err=True)
