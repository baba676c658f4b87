"""Conditional GET of the 1,000,000-row CSV: the full download against the 304, in one run.

    .venv/bin/python bench/conditional_get.py [--values 1000000] [--skip-prepare]
        [--database-url sqlite:////tmp/x.sqlite | postgresql://postgres@127.0.0.1:5432/bench]
        [--cache-redis-url redis://127.0.0.1:6379/N]

Seeds the observatory as bench/observatory_bench.py does (1,000,000 indicator values), then,
through the real Flask view, downloads /observatoire/donnees/valeurs.csv in full (streamed,
every chunk read) and asks for it again with If-None-Match, then with If-Modified-Since. The
304 must be decided from the change marks alone (core/http_cache.py): goal, under 1 % of the
full download's time. The cache is the process's memory (SimpleCache) unless a Redis URL is
given (then that Redis database is emptied first).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.observatory_bench import _normalise, prepare  # noqa: E402  (sets PLATEFORME_ENV too)

URL = "/observatoire/donnees/valeurs.csv"
GOAL = 0.01


def _app(url: str, redis_url: str | None):
    from plateforme import create_app

    cache = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url} if redis_url else {"CACHE_TYPE": "SimpleCache"}
    return create_app({"SQLALCHEMY_DATABASE_URI": _normalise(url), "MAIL_BACKEND": "memory", "TESTING": True,
                       "SERVER_NAME": "bench.localhost", "RATELIMIT_ENABLED": False, **cache})


def _full(client) -> tuple[float, int, object]:
    started = time.perf_counter()
    response = client.get(URL, buffered=False)
    rows = 0
    for chunk in response.response:
        rows += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
    response.close()
    return time.perf_counter() - started, rows - 1, response


def _conditional(client, headers: dict, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(URL, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 304 and response.data == b"", response.status_code
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="conditional requests timed (median reported)")
    parser.add_argument("--cache-redis-url", default=None)
    parser.add_argument("--skip-prepare", action="store_true", help="reuse the data of a previous run")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/conditional-get.sqlite"
    if not args.skip_prepare:
        prepare(url, args.values, 50)
    app = _app(url, args.cache_redis_url)
    client = app.test_client()
    with app.app_context():
        from plateforme.extensions import cache, db

        if args.cache_redis_url:
            cache.clear()
        backend = db.engine.url.get_backend_name()
    client.get(URL + "?indicateur=999999999")  # warm up: imports, engine
    full_seconds, rows, response = _full(client)
    etag, last_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    assert etag and last_modified, "no validator: is the cache on?"
    by_etag = _conditional(client, {"If-None-Match": etag}, args.repeat)
    by_date = _conditional(client, {"If-Modified-Since": last_modified}, args.repeat)
    print(f"database: {backend}; cache: {'Redis' if args.cache_redis_url else 'SimpleCache'}")
    print(f"  full download: {rows:,} rows in {full_seconds * 1000:,.0f} ms")
    for name, times in (("If-None-Match", by_etag), ("If-Modified-Since", by_date)):
        median = statistics.median(times)
        share = median / full_seconds
        print(f"  304 for {name}: median {median * 1000:.2f} ms over {len(times)} (first {times[0] * 1000:.2f} ms) "
              f"= {share:.4%} of the full download (goal < {GOAL:.0%}: {'met' if share < GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
