"""Benchmarks of mm_oauth (run ``python bench/run.py`` from the repository root)."""
