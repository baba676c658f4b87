"""Benchmarks (see bench/README.md): run from the repository root, e.g. `.venv/bin/python
bench/load.py`."""
