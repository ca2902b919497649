"""The published standards site: the registry as a static mkdocs-material site (``govstd site build``).

``build_site(registry, out_dir)`` is the whole API; :mod:`govstd.site.urls` documents the URL scheme.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govstd.site.build import SiteBuild, build_site

__all__ = ["SiteBuild", "build_site"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from govstd.site import build

        return getattr(build, name)
    raise AttributeError(f"module 'govstd.site' has no attribute {name!r}")
