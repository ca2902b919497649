"""The native check kernel (src/govstd/kernel/_kernel.c, its parts in csrc/, and _fpcount.c), built with gcc.

Everything else is in pyproject.toml. The extension is optional: without a compiler ``pip install``
still succeeds and ``govstd validate`` counts every check in SQL (``govstd doctor`` says which).
The library has no Python entry point: govstd.kernel loads it with ctypes (calls release the GIL).
"""

from pathlib import Path

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "govstd.kernel._govstd_kernel",
            sources=["src/govstd/kernel/_kernel.c", "src/govstd/kernel/_fpcount.c"],
            # _kernel.c includes its parts (one translation unit): a change to one rebuilds it.
            depends=sorted(str(p) for p in Path("src/govstd/kernel/csrc").glob("*.[ch]")),
            extra_compile_args=["-O3", "-std=c99", "-fvisibility=default"],
            optional=True,
        )
    ]
)
