"""The native check kernel (src/govstd/kernel/_kernel.c and _fpcount.c), built with the system C compiler.

Everything else is in pyproject.toml. The extension is optional: without a compiler ``pip install``
still succeeds and ``govstd validate`` counts every check in SQL (``govstd doctor`` says which).
The library has no Python entry point: govstd.kernel loads it with ctypes (calls release the GIL).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "govstd.kernel._govstd_kernel",
            sources=["src/govstd/kernel/_kernel.c", "src/govstd/kernel/_fpcount.c"],
            extra_compile_args=["-O3", "-std=c99", "-fvisibility=default"],
            optional=True,
        )
    ]
)
