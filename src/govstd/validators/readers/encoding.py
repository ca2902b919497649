"""Text encodings: which one a file is in, and transcoding to UTF-8 when DuckDB cannot read it.

Detection accepts only what a Chinese department plausibly sends — UTF-8 (with or without BOM),
UTF-16 with a BOM, and the GB family (GB2312 ⊂ GBK ⊂ GB18030, all read as GB18030) — and refuses
everything else rather than guess: a guessed single-byte codec (cp1251 …) "succeeds" on any bytes
and turns Chinese into garbage that validation then reports as data errors. Big5 is read only when
named with ``--encoding``. A file whose bytes do not decode cleanly — a damaged UTF-8 byte, lines in
two encodings — is an ``InputError`` naming the byte offset and the line.

Detection reads the first ``SAMPLE_BYTES``; beyond them the whole file is still decoded strictly
(DuckDB for UTF-8, ``transcode`` otherwise), so a bad byte later is an error too, but a switch from
GBK to UTF-8 lines after the sample is not told apart from GB18030 text.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from govstd.errors import InputError
from govstd.validators.readers.common import SAMPLE_BYTES, _hashers

#: Encodings DuckDB reads itself; anything else is transcoded to UTF-8 in streaming chunks first.
_NATIVE = {"utf-8", "utf_8", "utf8", "ascii", "utf-8-sig", "utf_8_sig"}
#: Names of the Chinese national encodings; all are read as their superset GB18030 (GBK decoders
#: fail on the 4-byte sequences that encode rare characters such as 𠇔).
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "euc_cn", "ms936"}
#: Share of UTF-8-valid lines among a sample's non-ASCII lines above which the undecodable rest is a
#: damaged or mixed UTF-8 file, not GBK. GBK lines holding ≥ 2 non-ASCII characters decode as UTF-8 by
#: accident in ~2 % of short lines (measured over random GB2312 names) and less as lines grow.
_UTF8_LINE_SHARE = 0.10
#: Share of a GB18030-decoded sample's characters outside GB2312 above which the text is more likely
#: Big5 read in the wrong code page: simplified text keeps ~97 % of its characters within GB2312
#: (rare name characters are the rest), Big5 read as GBK ~60 %.
_NON_GB2312_SHARE = 0.20
_EXPECTED = "UTF-8 (with or without BOM), GB18030/GBK or UTF-16 with a BOM"


def detect_encoding(sample: bytes, *, path: str) -> str:
    """The encoding of a text sample: a BOM, else strict UTF-8, else strict GB18030; anything else
    — binary data, damaged UTF-8, lines in two encodings, Big5, other code pages — is an InputError
    naming the first byte that does not decode."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise InputError("binary data, not a text file", path=path,
                         expected="CSV text (UTF-8, GB18030) or an XLSX, Parquet or JSON Lines file")
    try:
        decode_sample(sample, "utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    _refuse_broken_utf8(sample, utf8_error, path)
    try:
        text = decode_sample(sample, "gb18030")
    except UnicodeDecodeError as exc:
        raise _undecodable(sample, exc.start, path, "neither UTF-8 nor GB18030 text",
                           "name the file's encoding with --encoding") from None
    if _looks_like_big5(sample, text):
        raise InputError("the text looks like Big5 (traditional Chinese), not GB18030", path=path,
                         expected=_EXPECTED,
                         hint="pass --encoding big5 if it is Big5, or --encoding gb18030 if it is not")
    return "gb18030"


def _refuse_broken_utf8(sample: bytes, first_error: int, path: str) -> None:
    """Raise if the sample is UTF-8 with bytes that do not decode: some lines are clearly UTF-8
    (≥ 2 non-ASCII characters that decode), others are not."""
    lines = sample.split(b"\n")
    if len(sample) >= SAMPLE_BYTES:
        lines = lines[:-1]  # the sample may cut the last line
    utf8 = other = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            other += 1
            continue
        utf8 += sum(1 for ch in decoded if not ch.isascii()) >= 2
    if utf8 and utf8 >= _UTF8_LINE_SHARE * (utf8 + other):
        what = ("not valid UTF-8 (a damaged or cut character)" if other <= max(1, utf8 // 10)
                else f"mixes encodings: {utf8} line(s) are UTF-8, {other} are not")
        raise _undecodable(sample, first_error, path, what,
                           "repair the file, or re-export it in one encoding (UTF-8)")


def _looks_like_big5(sample: bytes, text: str) -> bool:
    counts = Counter(ch for ch in text if not ch.isascii())
    total = sum(counts.values())
    if not total:
        return False
    outside = sum(n for ch, n in counts.items() if not _in_gb2312(ch))
    if outside <= _NON_GB2312_SHARE * total:
        return False
    try:
        decode_sample(sample, "big5")
    except UnicodeDecodeError:
        return False
    return True


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _undecodable(sample: bytes, offset: int, path: str, what: str, hint: str) -> InputError:
    line = sample[:offset].count(b"\n") + 1
    return InputError(f"{what}: cannot decode byte {offset}", path=path, line=line, expected=_EXPECTED, hint=hint)


def encoding_hint(sample: bytes, path: str) -> str:
    """What to tell a user whose named encoding does not fit the file."""
    try:
        guess = detect_encoding(sample, path=path)
    except InputError:
        return "name the file's encoding with --encoding (e.g. gb18030)"
    return f"the file looks like {guess}: pass --encoding {guess}"


def decode_sample(sample: bytes, encoding: str) -> str:
    """A sample as text, strictly; a character cut at the end of a full-size sample is left out."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return decoder.decode(sample, final=len(sample) < SAMPLE_BYTES)


def is_native(encoding: str) -> bool:
    """Whether DuckDB reads text in ``encoding`` itself (else ``transcode`` first)."""
    return encoding.replace("-", "_").lower() in {n.replace("-", "_") for n in _NATIVE}


def codec_name(encoding: str, path: str) -> str:
    """The codec for an encoding the user named (any Python codec; the GB family → gb18030)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=path,
                         expected="a Python codec name such as utf-8, gb18030, gbk") from None
    return "gb18030" if name.replace("-", "_") in _GB_FAMILY else name


def transcode(src: Path, dst: Path, encoding: str, *, hash_algorithms: Sequence[str] = (),
              chunk_size: int = 1 << 22) -> dict[str, str]:
    """Rewrite ``src`` as UTF-8 in streaming chunks (constant memory); hash the original bytes on the
    way. Python's gb18030 codec decodes the 4-byte sequences (𠇔) DuckDB cannot here."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    hashers = _hashers(hash_algorithms)
    offset = 0
    newlines = 0
    with src.open("rb") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        while True:
            chunk = fin.read(chunk_size)
            for h in hashers.values():
                h.update(chunk)
            try:
                out = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = newlines + chunk[: max(exc.start, 0)].count(b"\n") + 1
                raise InputError(
                    f"not {encoding} text: cannot decode byte {offset + max(exc.start, 0)}", path=str(src),
                    line=line, expected=f"{encoding} text", hint="name the file's encoding with --encoding",
                ) from None
            if out:
                fout.write(out.lstrip("\ufeff") if offset == 0 else out)
            if not chunk:
                break
            offset += len(chunk)
            newlines += chunk.count(b"\n")
    return {name: h.hexdigest() for name, h in hashers.items()}
