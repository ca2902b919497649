"""Dumps are signed and verified: a forged, tampered, unsigned or foreign-signed dump is refused with
exit 2, and what an import copies in is shown as imported, never as native history."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from registry_testlib import CODE_SET, CliResult, build

from govstd.errors import InputError
from govstd.registry import signing
from govstd.registry.store import Registry

Cli = Callable[..., CliResult]


# --------------------------------------------------------------------------- the primitives, against published values


@pytest.mark.parametrize(("message", "digest"), [
    # GB/T 32905-2016 Appendix A, examples 1 and 2.
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
])
def test_sm3_matches_the_standards_examples(message: bytes, digest: str) -> None:
    from gmssl import func
    from gmssl import sm3 as gm_sm3

    assert signing.sm3(message) == digest
    assert gm_sm3.sm3_hash(func.bytes_to_list(message)) == digest  # the fallback, when OpenSSL lacks SM3
    if "sm3" in hashlib.algorithms_available:
        assert hashlib.new("sm3", message).hexdigest() == digest


def test_sm2_keys_are_points_of_the_curve(tmp_path: Path) -> None:
    # d = 1 gives the generator G of GB/T 32918.5-2017; any key must satisfy the curve equation.
    g = ("32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7"
         "bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0")
    assert signing._public_from_private(f"{1:064x}") == g
    public_path, _ = signing.generate_key(tmp_path / "k")
    assert signing.read_public_key(public_path)  # parse_public_key checks the curve equation
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600
    with pytest.raises(InputError, match="not an SM2 public key"):
        signing.parse_public_key(g[:-1] + ("1" if g[-1] != "1" else "2"))
    with pytest.raises(InputError, match="refusing to overwrite"):
        signing.generate_key(tmp_path / "k")


# --------------------------------------------------------------------------- dumps


@pytest.fixture
def keys(tmp_path: Path) -> tuple[str, str, str]:
    """(private key, its public key, some other public key)."""
    public_path, _ = signing.generate_key(tmp_path / "exporter")
    other_path, _ = signing.generate_key(tmp_path / "other")
    return (signing.read_private_key(tmp_path / "exporter"), signing.read_public_key(public_path),
            signing.read_public_key(other_path))


@pytest.fixture
def signed_dump(registry: Registry, keys: tuple[str, str, str]) -> dict[str, Any]:
    registry.publish([build(CODE_SET)], actor="steward", message="first")
    return registry.export(signing_key=keys[0])


def _fresh(tmp_path: Path, name: str = "target") -> Registry:
    return Registry(f"sqlite:///{tmp_path / name}.sqlite", create=True)


def _forge(dump: dict[str, Any]) -> dict[str, Any]:
    """What an attacker edits: a back-dated version by someone else, and a matching audit event."""
    forged = copy.deepcopy(dump)
    version = forged["subjects"][0]["versions"][0]
    version["published_at"] = "2001-01-01T00:00:00+00:00"
    version["published_by"] = "minister"
    forged["audit"][0]["at"] = "2001-01-01T00:00:00+00:00"
    forged["audit"][0]["actor"] = "minister"
    return forged


def test_a_signed_dump_imports_and_its_history_is_marked_imported(
    signed_dump: dict[str, Any], keys: tuple[str, str, str], tmp_path: Path
) -> None:
    with _fresh(tmp_path) as target:
        target.import_(signed_dump, actor="importer", trusted_keys=[keys[1]])
        events = target.history("TEST_CS")
        assert [(e.action.value, e.actor) for e in events] == [("publish", "steward")]
        fp = signing.fingerprint(keys[1])
        assert all(e.origin and f"signed by SM2 key {fp}" in e.origin for e in events)
        assert all(v.origin and fp in v.origin for v in target.versions("TEST_CS"))
        native = [e for e in target.audit_log() if e.origin is None]
        assert [(e.action.value, e.actor) for e in native] == [("import", "importer")]


def test_a_forged_dump_is_refused(signed_dump: dict[str, Any], keys: tuple[str, str, str], tmp_path: Path) -> None:
    with _fresh(tmp_path) as target:
        with pytest.raises(InputError, match="changed after it was signed"):
            target.import_(_forge(signed_dump), trusted_keys=[keys[1]])
        # Re-signing the forgery with another key does not help: that key is not trusted.
        resigned = signing.sign(_forge(signed_dump), signing.read_private_key(tmp_path / "other"))
        with pytest.raises(InputError, match="not trusted"):
            target.import_(resigned, trusted_keys=[keys[1]])
        unsigned = {k: v for k, v in _forge(signed_dump).items() if k != "signature"}
        with pytest.raises(InputError, match="not signed"):
            target.import_(unsigned, trusted_keys=[keys[1]])
        assert target.list() == [] and target.audit_log() == []


def test_allow_unsigned_records_the_history_as_unsigned(signed_dump: dict[str, Any], tmp_path: Path) -> None:
    unsigned = {k: v for k, v in _forge(signed_dump).items() if k != "signature"}
    with _fresh(tmp_path) as target:
        target.import_(unsigned, allow_unsigned=True)
        (event,) = target.history("TEST_CS")
        assert event.actor == "minister" and event.origin is not None and "UNSIGNED" in event.origin
        (version,) = target.versions("TEST_CS")
        assert version.published_by == "minister" and version.origin is not None and "UNSIGNED" in version.origin


def test_allow_unsigned_does_not_accept_a_bad_signature(
    signed_dump: dict[str, Any], keys: tuple[str, str, str], tmp_path: Path
) -> None:
    with _fresh(tmp_path) as target, pytest.raises(InputError, match="changed after it was signed"):
        target.import_(_forge(signed_dump), trusted_keys=[keys[1]], allow_unsigned=True)


def test_cli_refuses_a_forged_dump_and_history_shows_imports(
    cli: Cli, signed_dump: dict[str, Any], tmp_path: Path
) -> None:
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(_forge(signed_dump)), encoding="utf-8")
    genuine = tmp_path / "genuine.json"
    genuine.write_text(json.dumps(signed_dump), encoding="utf-8")
    target = ["registry", "--registry", str(tmp_path / "cli.sqlite")]
    assert cli(*target, "init", "--empty").code == 0
    trusted = ["--trusted-key", str(tmp_path / "exporter.pub")]
    refused = cli(*target, "import", str(forged), *trusted)
    assert refused.code == 2 and "changed after it was signed" in refused.err
    unsigned = cli(*target, "import", str(genuine))
    assert unsigned.code == 2 and "not trusted" in unsigned.err
    assert cli(*target, "import", str(genuine), *trusted).code == 0
    shown = cli(*target, "history", "TEST_CS")
    assert shown.code == 0 and "imported from:" in shown.out and "signed by SM2 key" in shown.out
    as_json = cli(*target, "history", "TEST_CS", "--json").json()
    assert as_json["events"][0]["origin"] and as_json["versions"][0]["origin"]
