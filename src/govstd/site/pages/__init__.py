"""The Markdown of every page of the registry site: one module per kind of page.

Pages are Chinese first with English beside it. Links between pages are relative Markdown links to
the target's source file, so ``mkdocs build --strict`` proves that none of them is broken. Registry
text always goes through :mod:`govstd.site.markdown`'s escaping.
"""

from __future__ import annotations

from govstd.site.pages.entry import entry_page
from govstd.site.pages.index import (
    about_page,
    changes_page,
    changes_pages,
    home_page,
    kind_index_page,
    kind_index_pages,
)
from govstd.site.pages.versions import diff_json, diff_page, history_page

__all__ = [
    "about_page",
    "changes_page",
    "changes_pages",
    "diff_json",
    "diff_page",
    "entry_page",
    "history_page",
    "home_page",
    "kind_index_page",
    "kind_index_pages",
]
