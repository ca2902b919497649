"""Chinese search: segmentation of the search index (the browser side is in test_site_browser.py)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from govstd.site.search import SEARCH_SEPARATOR, ZWSP, Lexicon, segment

if TYPE_CHECKING:
    from govstd.site.build import SiteBuild


def test_segments_standard_names_into_words() -> None:
    lexicon = Lexicon()
    assert lexicon.cut("公民身份号码") == ["公民", "身份", "号码"]
    assert lexicon.cut("统一社会信用代码") == ["统一", "社会", "信用", "代码"]
    assert lexicon.cut("行政区划代码") == ["行政区划", "代码"]


def test_unknown_characters_are_grouped_not_left_alone() -> None:
    # A one-character token would hijack Material's query segmentation (see search._regroup).
    lexicon = Lexicon()
    assert lexicon.cut("犇骉") == ["犇骉"]
    assert lexicon.cut("未说明的性别") == ["未说明的", "性别"]
    assert lexicon.cut("犇骉犇骉犇") == ["犇骉", "犇骉犇"]
    assert all(len(w) > 1 for w in lexicon.cut("由十七位数字本体码和一位数字校验码组成"))


def test_registry_words_join_the_lexicon_but_long_ones_do_not_hide_their_parts() -> None:
    lexicon = Lexicon()
    lexicon.add(["基诺族", "港澳台居民居住证"])
    assert "基诺族" in lexicon.words
    assert "港澳台居民居住证" not in lexicon.words


def test_segment_touches_only_han_runs() -> None:
    # Each Han run is also fenced by U+200B, so '11643公民' splits between the number and the word.
    text = "<p>GB 11643-1999 公民身份号码 1.0.0</p>"
    assert segment(text, Lexicon()) == f"<p>GB 11643-1999 {ZWSP}公民{ZWSP}身份{ZWSP}号码{ZWSP} 1.0.0</p>"


def test_separator_keeps_codes_and_versions_whole() -> None:
    # The JS regex is the Python one (no lookbehind, no Python-only syntax).
    parts = [p for p in re.split(SEARCH_SEPARATOR, f"GB/T 2261.1 公民{ZWSP}身份，v1.0.0. 110101") if p]
    assert parts == ["GB", "T", "2261.1", "公民", "身份", "v1.0.0", "110101"]


def test_built_index_is_segmented_and_synonyms_are_tags(built_site: SiteBuild) -> None:
    index = json.loads((built_site.out_dir / "search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == SEARCH_SEPARATOR
    assert index["config"]["lang"] == ["zh", "en"]
    docs = {d["location"]: d for d in index["docs"]}
    gb11643 = docs["standards/gb11643/"]
    assert "身份证" in gb11643["tags"]
    assert f"公民{ZWSP}身份{ZWSP}号码" in gb11643["title"]
    # One hit per entry: version, history and diff pages stay out of the index.
    assert not any(re.search(r"/(\d+\.\d+\.\d+|history|diff)/", loc) for loc in docs)
