"""``govstd keys …``: SM2 signing keys — make a pair, and trust a department's public key in a registry."""

from __future__ import annotations

from pathlib import Path

import click

from govstd.commands._output import console, emit_json

_REGISTRY = click.option("--registry", "registry_url", envvar="GOVSTD_REGISTRY", metavar="URL",
                         help="Registry database URL or SQLite path [env: GOVSTD_REGISTRY].")
_JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable output (one JSON document).")


@click.group()
def keys() -> None:
    """SM2 keys that sign scorecards (and registry dumps)."""


@keys.command()
@click.argument("key_path", metavar="KEY", type=click.Path(dir_okay=False, path_type=Path))
@_JSON
def generate(key_path: Path, as_json: bool) -> None:
    """Write a new SM2 key pair: KEY (private, mode 0600) and KEY.pub (give it to the registry's admin)."""
    from govstd.registry.signing import generate_key

    public_path, fingerprint = generate_key(key_path)
    if as_json:
        emit_json({"private_key": str(key_path), "public_key": str(public_path), "fingerprint": fingerprint})
        return
    console().print(f"wrote {key_path} (private) and {public_path} (public); fingerprint {fingerprint}",
                    markup=False)


@keys.command()
@click.argument("public_key", metavar="KEY.pub", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--department", required=True, metavar="CODE", help="The department whose scorecards it signs.")
@_REGISTRY
@_JSON
def trust(public_key: Path, department: str, registry_url: str | None, as_json: bool) -> None:
    """Trust KEY.pub to sign DEPARTMENT's scorecards submitted to `govstd serve`."""
    from govstd.registry.audit import resolve_actor
    from govstd.registry.signing import read_public_key
    from govstd.registry.store import Registry

    key = read_public_key(public_key)
    with Registry(registry_url) as reg:
        trusted = reg.tokens.trust_key(department, key, added_by=resolve_actor())
    if as_json:
        emit_json(trusted.model_dump(mode="json"))
        return
    console().print(f"{department} scorecards signed by {trusted.fingerprint} are trusted", markup=False)


@keys.command("list")
@_REGISTRY
@_JSON
def list_(registry_url: str | None, as_json: bool) -> None:
    """The keys trusted per department."""
    from govstd.registry.store import Registry

    with Registry(registry_url) as reg:
        trusted = reg.tokens.trusted_keys()
    if as_json:
        emit_json([k.model_dump(mode="json") for k in trusted])
        return
    for k in trusted:
        console().print(f"{k.department}  {k.fingerprint}  added {k.added_at:%Y-%m-%d} by {k.added_by}", markup=False)
