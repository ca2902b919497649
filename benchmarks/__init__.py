"""Benchmarks for govstd (``make bench`` = ``python -m benchmarks.run``); results in docs/benchmarks.md."""
