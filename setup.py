"""The native check kernel (src/govstd/kernel/_kernel.c, its parts in csrc/, and _fpcount.c), built with gcc.

Everything else is in pyproject.toml. The extension is optional: without a compiler ``pip install``
still succeeds and ``govstd validate`` counts every check in SQL (``govstd doctor`` says which).
The library has no Python entry point: govstd.kernel loads it with ctypes (calls release the GIL).

With DuckDB's C extension API headers the same library is also a DuckDB extension that runs the kernel inside
DuckDB's scan (csrc/inscan.c). The DuckDB wheel ships no headers, so they are taken from DuckDB's source
distribution on PyPI at install time (a pinned file, checked against its SHA-256), or from a folder named by
``GOVSTD_DUCKDB_CAPI`` (holding duckdb.h and duckdb_extension.h) for an offline build. Without them the kernel
is built as before and the engine streams Arrow batches to it.
"""

import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

from setuptools import Extension, setup

#: DuckDB's source distribution the C API headers come from. The extension targets the stable C API v1.2.0
#: (csrc/inscan.c), which every later DuckDB loads, so the headers need not match the installed DuckDB.
DUCKDB_SDIST = ("https://files.pythonhosted.org/packages/49/d8/ebb8ff07c617d1a8c25e7f7718a6955d2d5f7e539ec5219be1da"
                "478c0a42/duckdb-2.0.1.tar.gz")
DUCKDB_SDIST_SHA256 = "5b3f493140e35b75298ee0fc606d98e3065e8601e64fe81b09326de7a6fd68e0"
HEADERS = ("duckdb.h", "duckdb_extension.h")
CACHED = Path("build/duckdb-capi")


def _capi_headers() -> Path | None:
    """A folder holding DuckDB's C API headers, or None (then the kernel is built without csrc/inscan.c)."""
    given = os.environ.get("GOVSTD_DUCKDB_CAPI")
    for folder in ([Path(given)] if given else []) + [CACHED]:
        if all((folder / h).is_file() for h in HEADERS):
            return folder
    if given or sys.byteorder != "little":  # DuckDB's validity words are read as Arrow's bytes
        return None
    try:
        with urllib.request.urlopen(DUCKDB_SDIST, timeout=120) as answer:
            blob = answer.read()
        if hashlib.sha256(blob).hexdigest() != DUCKDB_SDIST_SHA256:
            raise ValueError("DuckDB's source distribution does not have the pinned SHA-256")
        CACHED.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            for member in tar.getmembers():
                name = member.name.rsplit("/", 1)[-1]
                if name in HEADERS and member.name.endswith(f"external/duckdb/src/include/{name}"):
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        (CACHED / name).write_bytes(extracted.read())
    except Exception as exc:  # offline, a proxy, a changed file: build the kernel without the in-scan part
        print(f"govstd: DuckDB's C API headers unavailable ({exc}); the kernel is built without "
              "running inside DuckDB's scan", file=sys.stderr)
        return None
    return CACHED if all((CACHED / h).is_file() for h in HEADERS) else None


headers = _capi_headers()
setup(
    ext_modules=[
        Extension(
            "govstd.kernel._govstd_kernel",
            sources=["src/govstd/kernel/_kernel.c", "src/govstd/kernel/_fpcount.c"],
            # _kernel.c includes its parts (one translation unit): a change to one rebuilds it.
            depends=sorted(str(p) for p in Path("src/govstd/kernel/csrc").glob("*.[ch]")),
            extra_compile_args=["-O3", "-std=c99", "-fvisibility=default", "-pthread"],
            extra_link_args=["-pthread"],
            define_macros=[("GK_INSCAN", "1")] if headers else [],
            include_dirs=[str(headers)] if headers else [],
            optional=True,
        )
    ]
)
