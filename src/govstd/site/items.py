"""The service-item catalogue on the site: JSON shards a static page searches without a server.

Millions of implementation entries get no page each (2 M pages of the full site chrome were 6 TB and
hours of mkdocs). They are streamed from the registry in implementation-code order and written as:

- ``meta.json`` — the release, the column names, and per shard its first implementation code and row
  count: the browser binary-searches a code (or code prefix) to the one shard that can hold it, and
  pages through the whole catalogue by shard;
- ``shards/N.json`` — :data:`SHARD_ROWS` items, one array per item (columns once, in ``meta.json``);
- ``tokens/N.json`` — the name index: every character, pair and triple of characters of the item names,
  mapped to the shards whose names contain it, hashed into :func:`bucket_count` files by
  :func:`token_bucket` (the page's JavaScript computes the same hash). A Chinese query fetches the
  files of its bigrams, intersects their shard lists, and scans only those shards for the substring —
  no word segmentation needed, and a query of any length narrows to the shards that can match;
- ``basic/N.json`` — the basic-code index: every basic code (upper-cased) mapped to the shards holding
  its items, hashed the same way. Shards follow implementation-code order, and only some provinces'
  layouts start the implementation code with the basic code (others end with it, after the body's
  USCC and level), so a basic code's items are scattered: without this index the browser found them
  only in the first kind of layout.

Everything is compact JSON (no spaces; repeated keys avoided), which gzip — what every web server
applies to JSON — shrinks about five-fold. The files go through :class:`govstd.site.output.Output`,
so only shards whose content changed are rewritten, and when the catalogue release is the one the
previous build used (and the layout is the same) nothing is read from the registry at all.
"""

from __future__ import annotations

import json
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govstd.site import urls
from govstd.site.output import Output
from govstd.site.source import ITEM_COLUMNS, ItemSource
from govstd.standards.numbers.service_item import EXERCISE_LEVELS

#: Items per shard: ~300 kB of JSON (~60 kB gzipped) — one fetch shows a code's neighbourhood, and
#: 2 M items make 1,000 shards, a ``meta.json`` of ~40 kB.
SHARD_ROWS = 2000
#: Bumped when the files' layout changes, so a rebuild never keeps shards of an older layout.
FORMAT = 3  # 2: the basic-code index; 3: character triples
MAX_BUCKETS = 256


@dataclass
class ItemShards:
    """What the catalogue part of a build did."""

    items: int = 0
    shards: int = 0
    token_files: int = 0
    release: int | None = None
    #: True when the release was unchanged and the previous build's files were kept without reading.
    reused: bool = False


def token_bucket(token: str, buckets: int) -> int:
    """The token file holding ``token``: a 31-multiplier hash over UTF-16 code units, mod 2**32 —
    exactly what ``Math.imul(h, 31) + s.charCodeAt(i) >>> 0`` computes in the browser."""
    data = token.encode("utf-16-le")
    h = 0
    for i in range(0, len(data), 2):
        h = (h * 31 + (data[i] | data[i + 1] << 8)) & 0xFFFFFFFF
    return h % buckets


def bucket_count(shards: int) -> int:
    """About one token file per four shards, at most :data:`MAX_BUCKETS`: a query fetches one file per
    bigram, so the files stay small without a catalogue of a few items writing hundreds of them."""
    return max(1, min(MAX_BUCKETS, (shards + 3) // 4))


def shard_tokens(names: Iterable[str]) -> set[str]:
    """Every character, pair and triple of adjacent characters of ``names`` (lower-cased).

    Triples because pairs alone let through a query whose pairs all occur in a shard but never in one
    name (证注册: 证注 in 犬类准养证注销, 注册 in 医师执业注册): half the shards of the benchmark
    catalogue held both, so the browser fetched them all to find nothing. A query of three characters
    or more looks up its triples; the index grows by the catalogue's distinct triples per shard."""
    text = "\n".join(names).lower()
    tokens = set(text)
    tokens.update(text[i : i + 2] for i in range(len(text) - 1))
    tokens.update(text[i : i + 3] for i in range(len(text) - 2))
    return {t for t in tokens if "\n" not in t and not t.isspace()}


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def newest_release(source: ItemSource) -> int | None:
    complete = [r.number for r in source.item_releases() if r.state == "complete"]
    return max(complete) if complete else None


def write_items(source: ItemSource, output: Output, *, national: dict[str, str],
                shard_rows: int = SHARD_ROWS) -> ItemShards:
    """Write the catalogue's shards and name index into ``output`` (see the module docstring).

    ``national`` maps a basic code to the URL (relative to the browser page) of its national service
    item's page, for the items of the catalogue that implement one.
    """
    release = newest_release(source)
    if release is None:
        return ItemShards()
    state = {"format": FORMAT, "release": release, "shard_rows": shard_rows, "national": national}
    prefix = urls.ITEM_DATA + "/"
    if output.previous_state.get("items") == state and output.keep(prefix):
        output.state["items"] = state
        return ItemShards(release=release, reused=True,
                          shards=sum(1 for rel in output.files if rel.startswith(prefix + "shards/")))
    firsts: list[tuple[str, int]] = []
    # One compact array of shard numbers per token: appended in shard order, so already sorted.
    postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
    # Basic codes are nearly as many as items in some catalogues: spooled to disk by bucket, not held.
    basic_buckets = bucket_count(-(-source.item_count() // shard_rows))
    basic = _Spool(basic_buckets)
    for number, rows in enumerate(source.item_rows(shard_rows)):
        firsts.append((str(rows[0][0]), len(rows)))
        output.put(f"{prefix}shards/{number}.json", _dumps({"rows": _shard(rows)}))
        for token in shard_tokens(str(row[2]) for row in rows):
            postings[token].append(number)
        basic.add(number, {str(row[1]).upper() for row in rows if row[1]})
    buckets = bucket_count(len(firsts))
    _write_token_files(postings, buckets, output, f"{prefix}tokens/")
    basic.write(output, f"{prefix}basic/")
    items = sum(n for _, n in firsts)
    output.put(f"{prefix}meta.json", _dumps({
        "format": FORMAT, "release": release, "items": items, "shard_rows": shard_rows,
        "columns": list(ITEM_COLUMNS), "shards": firsts, "buckets": buckets, "national": national,
        "levels": EXERCISE_LEVELS, "basic_buckets": basic_buckets,
    }))
    output.state["items"] = state
    return ItemShards(items=items, shards=len(firsts), token_files=buckets, release=release)


def _write_token_files(postings: dict[str, array[int]], buckets: int, output: Output, folder: str) -> None:
    """One token file at a time, each token's postings freed once written. Turning every posting into a
    Python list before writing any file (the first version) held ~8 M int objects at 2 M items — about
    half the build's peak memory; the compact arrays are ~4 bytes a posting."""
    by_bucket: list[list[str]] = [[] for _ in range(buckets)]
    for token in postings:
        by_bucket[token_bucket(token, buckets)].append(token)
    for i, tokens in enumerate(by_bucket):
        tokens.sort()
        output.put(f"{folder}{i}.json", _dumps({token: postings.pop(token).tolist() for token in tokens}))
        by_bucket[i] = []


class _Spool:
    """(bucket, code, shard) lines appended to temporary files as shards are read, then grouped one group
    of buckets at a time: memory stays one shard's codes plus 1/8 of the codes, however many distinct
    codes there are (2 M distinct basic codes held as a dict of arrays were ~200 MB of the writer's peak).
    The bucket count is fixed up front, from the catalogue's item count, because lines carry their bucket."""

    def __init__(self, buckets: int) -> None:
        self.buckets = buckets
        # Closed (and so deleted) in write(); a failed build leaves them to the garbage collector.
        self.files = [tempfile.TemporaryFile("w+", encoding="utf-8") for _ in range(min(8, buckets))]  # noqa: SIM115

    def add(self, shard: int, codes: Iterable[str]) -> None:
        for code in sorted(codes):
            n = token_bucket(code, self.buckets)
            self.files[n % len(self.files)].write(f"{n}\t{code}\t{shard}\n")

    def write(self, output: Output, folder: str) -> None:
        for group, file in enumerate(self.files):
            parts: dict[int, dict[str, list[int]]] = {n: {} for n in range(group, self.buckets, len(self.files))}
            file.seek(0)
            for line in file:
                bucket, code, shard = line.rstrip("\n").split("\t")
                parts[int(bucket)].setdefault(code, []).append(int(shard))  # shards come in ascending order
            file.close()
            for n, codes in parts.items():
                output.put(f"{folder}{n}.json", _dumps(dict(sorted(codes.items()))))


def _shard(rows: Sequence[Sequence[str | None]]) -> list[list[str | None]]:
    # Trailing empty columns dropped: most items have no USCC or level in some provinces' layouts.
    out = []
    for row in rows:
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        out.append(values)
    return out
