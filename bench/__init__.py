"""Benchmarks for plateforme (see bench/README.md). A package so gunicorn can load
`bench.baseline_app:app` from the repository root."""
