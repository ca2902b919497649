"""``govstd token …``: create, list and revoke the registry service's API tokens (``registry/tokens.py``).

These act on the registry database directly: whoever can run them against it is its operator."""

from __future__ import annotations

import click

from govstd.commands._output import console, emit_json

_REGISTRY = click.option("--registry", "registry_url", envvar="GOVSTD_REGISTRY", metavar="URL",
                         help="Registry database URL or SQLite path [env: GOVSTD_REGISTRY].")
_JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable output (one JSON document).")


@click.group()
def token() -> None:
    """API tokens for `govstd serve`: one per department and role, shown once, stored hashed."""


@token.command()
@click.option("--department", required=True, metavar="CODE", help="Department code, e.g. 510100 (no hyphen).")
@click.option("--role", required=True, type=click.Choice(["reader", "publisher", "admin"]))
@click.option("--name", help="What the token is for (shown in the audit log), e.g. ci-catalogue.")
@click.option("--expires", "expires_days", type=click.IntRange(1), metavar="DAYS", help="Expire after DAYS days.")
@_REGISTRY
@_JSON
def create(department: str, role: str, name: str | None, expires_days: int | None, registry_url: str | None,
           as_json: bool) -> None:
    """Create a token. It is printed once: store it as a secret (e.g. GOVSTD_TOKEN in CI)."""
    from govstd.registry.audit import resolve_actor
    from govstd.registry.store import Registry

    with Registry(registry_url) as reg:
        secret, info = reg.tokens.create(department=department, role=role, name=name, expires_days=expires_days,
                                         created_by=resolve_actor())
    if as_json:
        emit_json({"token": secret, **info.model_dump(mode="json")})
        return
    expires = f"{info.expires_at:%Y-%m-%d}" if info.expires_at else "never"
    console(stderr=True).print(f"token {info.id} for {info.department} ({info.role.value}), expires {expires};"
                               " shown once:", markup=False)
    click.echo(secret)


@token.command("list")
@_REGISTRY
@_JSON
def list_(registry_url: str | None, as_json: bool) -> None:
    """Every token: id, department, role, state (never the token itself)."""
    from rich.table import Table

    from govstd.registry.store import Registry

    with Registry(registry_url) as reg:
        tokens = reg.tokens.all()
    if as_json:
        emit_json([{**t.model_dump(mode="json"), "state": t.state} for t in tokens])
        return
    table = Table("id", "department", "role", "name", "state", "created", "expires")
    for t in tokens:
        table.add_row(str(t.id), t.department, t.role.value, t.name, t.state, f"{t.created_at:%Y-%m-%d}",
                      f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never")
    console().print(table)


@token.command()
@click.argument("token_id", type=int)
@_REGISTRY
@_JSON
def revoke(token_id: int, registry_url: str | None, as_json: bool) -> None:
    """Revoke token TOKEN_ID (from `token list`) at once."""
    from govstd.registry.store import Registry

    with Registry(registry_url) as reg:
        info = reg.tokens.revoke(token_id)
    if as_json:
        emit_json({**info.model_dump(mode="json"), "state": info.state})
        return
    console().print(f"token {info.id} ({info.department}, {info.role.value}) revoked", markup=False)
