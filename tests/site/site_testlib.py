"""Helpers for the site tests (imported by name: pytest puts this directory on sys.path)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from govstd.standards.loader import load_paths
from govstd.standards.models import Example, MaskingRule

if TYPE_CHECKING:
    from govstd.registry.store import Registry

DATA = Path(__file__).parent / "data"


def make_registry(path: Path) -> Registry:
    """A registry with the built-in library plus the sample catalogue schema and service item."""
    from govstd.registry.store import Registry

    reg = Registry(f"sqlite:///{path}")
    reg.init(actor="test-init")
    reg.publish(load_paths([DATA]), actor="steward", message="sample catalogue schema and service item")
    return reg


def publish_gb11643_1_1(reg: Registry) -> None:
    """A compatible new version of GB 11643 (documentation changes only)."""
    old = reg.get("GB11643", "1.0.0")
    new = old.model_copy(update={
        "version": "1.1.0",
        "examples": [*old.examples, Example(value="440524188001010014", valid=True)],
        "masking": MaskingRule(keep_start=1, keep_end=2),
    })
    reg.publish([new], actor="zhang.wei", message="补充标准正文示例；脱敏改为保留首 1 位和末 2 位")



class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


#: Items per shard in the catalogue tests: small, so a few hundred items make several shards and the
#: browser's code range search and name index are exercised across shard boundaries.
TEST_SHARD_ROWS = 50


def catalogue_records(path: Path) -> list[dict[str, str | None]]:
    """The generated export's records as read by pyarrow (the oracle for what the site must show)."""
    import pyarrow.csv as pcsv

    table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(strings_can_be_null=True, column_types={
        c: "string" for c in ("实施编码", "基本编码", "事项类型", "行使层级", "行政区划", "实施主体编码")}))
    return table.to_pylist()  # type: ignore[no-any-return]
