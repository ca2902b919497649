"""Signed registry dumps: SM2 signatures (GB/T 32918.2-2016) over the SM3 digest (GB/T 32905-2016) of a
canonical form, so ``registry import`` can tell a dump a trusted registry wrote from a hand-made one.

What is signed: ``SM3(canonical)``, where ``canonical`` is the dump without its ``signature`` member as
JSON with sorted keys, no whitespace, UTF-8 — any change to any version, status, time or audit event
changes it. The 32-byte digest is then signed with SM2 the standard way (``SM3(Z ‖ M)`` with the default
user id ``1234567812345678``, GB/T 32918.2 §6.1), by the pure-Python ``gmssl`` package.

Keys are plain text files holding hex: a private key (64 hex digits, written with mode 0600) and its
public key (128 hex digits: x ‖ y, or 130 with the ``04`` prefix). ``govstd registry keygen KEY`` writes
``KEY`` and ``KEY.pub``; the exporter keeps ``KEY``, importers trust ``KEY.pub``. A key is named by its
fingerprint, the first 16 hex digits of SM3 of the public key.

Two things ``gmssl`` does not do are done here: nonces come from ``secrets`` (its own use the ``random``
module, and a predictable SM2 nonce gives away the private key), and the signature values and public
keys are range- and curve-checked before use.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from govstd.errors import InputError

ALGORITHM = "SM2-with-SM3"
SIGNATURE_KEY = "signature"

# The SM2 recommended curve, GB/T 32918.5-2017 §A (the same table gmssl uses).
_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def sm3(data: bytes) -> str:
    """SM3 digest as hex: OpenSSL's (through hashlib) when it has one, else gmssl's pure Python."""
    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError:
        from gmssl import func
        from gmssl import sm3 as gm_sm3

        return str(gm_sm3.sm3_hash(func.bytes_to_list(data)))


def canonical(dump: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: everything but the signature, sorted keys, no whitespace, UTF-8."""
    body = {k: v for k, v in dump.items() if k != SIGNATURE_KEY}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fingerprint(public_key: str) -> str:
    return sm3(bytes.fromhex(public_key))[:16]


def _crypt(private_key: str, public_key: str) -> Any:
    from gmssl import sm2

    crypt = sm2.CryptSM2(private_key=private_key, public_key="")
    # Set after construction: gmssl strips a leading "04" with lstrip, which also eats the digits of an
    # x coordinate that happens to start with 0 or 4.
    crypt.public_key = public_key
    return crypt


def _public_from_private(private_key: str) -> str:
    from gmssl import sm2

    return str(_crypt(private_key, "")._kg(int(private_key, 16), sm2.default_ecc_table["g"]))


def generate_key(path: Path) -> tuple[Path, str]:
    """Write a new private key to ``path`` (mode 0600) and its public key to ``path.pub``; refuse to
    overwrite either. Returns the public key file and the key's fingerprint."""
    public_path = path.with_name(path.name + ".pub")
    for target in (path, public_path):
        if target.exists():
            raise InputError("refusing to overwrite an existing key file", path=str(target))
    private_key = f"{secrets.randbelow(_N - 2) + 1:064x}"
    public_key = _public_from_private(private_key)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(private_key + "\n")
        public_path.write_text(public_key + "\n", encoding="ascii")
    except OSError as exc:  # a missing folder or no permission: the user's to fix, not a crash
        raise InputError(f"cannot write the key file: {exc.strerror}", path=str(exc.filename or path),
                         expected="a writable folder that exists") from None
    return public_path, fingerprint(public_key)


def read_private_key(path: Path) -> str:
    text = _read_hex(path)
    if len(text) != 64 or not 1 <= int(text, 16) <= _N - 2:
        raise InputError("not an SM2 private key", path=str(path), expected="64 hex digits (govstd registry keygen)")
    return text


def read_public_key(path: Path) -> str:
    return parse_public_key(_read_hex(path), where=str(path))


def parse_public_key(text: str, *, where: str = "public key") -> str:
    """The 128-hex-digit public key, checked to be a point on the SM2 curve."""
    key = text.strip().lower()
    if len(key) == 130 and key.startswith("04"):
        key = key[2:]
    try:
        x, y = int(key[:64], 16), int(key[64:], 16)
    except ValueError:
        x = y = -1
    if len(key) != 128 or not (0 <= x < _P and 0 <= y < _P) or (y * y - x**3 - _A * x - _B) % _P:
        raise InputError("not an SM2 public key", path=where, expected="128 hex digits, a point on the SM2 curve")
    return key


def _read_hex(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip().lower()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read key file: {getattr(exc, 'strerror', None) or exc}", path=str(path)) from None


def sign(dump: Mapping[str, Any], private_key: str) -> dict[str, Any]:
    """The dump with a ``signature`` member added."""
    public_key = _public_from_private(private_key)
    digest = bytes.fromhex(sm3(canonical(dump)))
    crypt = _crypt(private_key, public_key)
    value = None
    while value is None:  # gmssl returns None for the (negligible) nonces the standard rejects
        value = crypt.sign_with_sm3(digest, f"{secrets.randbelow(_N - 1) + 1:064x}")
    return {**dump, SIGNATURE_KEY: {"algorithm": ALGORITHM, "public_key": public_key, "value": value}}


def verify(dump: Mapping[str, Any], trusted: Sequence[str], *, what: str = "dump") -> str:
    """The fingerprint of the trusted key that signed ``dump``; ``InputError`` when it is unsigned,
    signed by a key not in ``trusted``, or changed since it was signed. ``what`` names the document in
    the messages (a scorecard is signed the same way, see ``submissions.py``)."""
    signature = dump.get(SIGNATURE_KEY)
    if signature is None:
        raise InputError("the dump is not signed", hint="export with --signing-key, import with --trusted-key;"
                         " --allow-unsigned imports it anyway, recorded as unsigned")
    if not isinstance(signature, Mapping) or signature.get("algorithm") != ALGORITHM:
        raise InputError(f"unsupported {what} signature", expected=f"algorithm {ALGORITHM!r}")
    public_key = parse_public_key(str(signature.get("public_key", "")), where=f"the {what}'s signature")
    if public_key not in {parse_public_key(k) for k in trusted}:
        raise InputError(f"the {what} is signed by key {fingerprint(public_key)}, which is not trusted",
                         hint="pass the signer's public key file with --trusted-key if you trust it")
    value = str(signature.get("value", ""))
    try:
        r, s = int(value[:64], 16), int(value[64:], 16)
    except ValueError:
        r = s = 0
    valid = len(value) == 128 and 1 <= r < _N and 1 <= s < _N and bool(
        _crypt("", public_key).verify_with_sm3(value, bytes.fromhex(sm3(canonical(dump))))
    )
    if not valid:
        raise InputError(f"the {what}'s signature does not match its content: it was changed after it was signed",
                         hint=f"get the {what} again from its source")
    return fingerprint(public_key)
