"""Bridges to tools pipelines already run (Great Expectations). Each bridge imports its tool only
inside its own subpackage, so ``import govstd`` never pulls a heavy optional dependency in."""
