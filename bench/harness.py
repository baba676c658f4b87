"""Reusable pieces for HTTP benchmarks of plateforme (used by bench/run.py).

- Databases: a SQLite file in a temporary directory, or a fresh PostgreSQL database,
  prepared with ``flask db upgrade`` and ``flask demo`` (`sqlite_database`,
  `postgresql_database`, `prepare_database`).
- Servers (bench/servers.py): `GunicornServer` starts gunicorn for a WSGI target
  (``wsgi:app`` or ``bench.baseline_app:app``) on a free port of 127.0.0.1, waits until
  it answers (a bounded polling loop), keeps its log, and stops it cleanly.
- Load: bench/wrk.py runs wrk (``--latency``) and reads requests/s, p50, p99 and errors.
  Requests other than a plain GET go through the Lua template bench/wrk_requests.lua,
  written into a temporary directory with the requests.
- Sessions and CSRF (bench/clients.py): `HttpClient` (cookies by hand, so the production
  ``Secure`` cookie is still sent over plain HTTP), `csrf_token_in`, `signed_in_client`, and
  `form_post_requests`, which does a GET to obtain a session cookie and a CSRF token
  and returns the POST (cookie header + form body) for wrk to repeat.
- `Scenario` + `measure`: one benchmark figure, with a one-request check beforehand,
  the server-log lines (tracebacks, "database is locked"...) seen during the run, and
  the CPU shares of the server, wrk and other programs (bench/cpu.py: the machine may be
  shared; `wait_for_idle` waits, bounded, for the others to leave).

Adding a scenario (e.g. "submit a survey answer") in bench/run.py::

    Scenario("POST /enquetes/1/reponse", "/enquetes/1/reponse", method="POST",
             prepare=lambda base, env: form_post_requests(
                 base, "/enquetes/1", {"q1": "4"},
                 clients=[signed_in_client(base, "habitant@demo.plateforme.example",
                                           DEMO_PASSWORD)]),
             expect=(302,))

(`signed_in_client` signs in through the real form. At the time of writing the demo
accounts' ``@demo.plateforme.example`` addresses fail the form's email validator, so
`signed_in_client` with them raises; use an account with an ordinary domain.)
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from bench.cpu import (
    CLOCK_TICKS, children_cpu_seconds, postgres_backends_cpu, process_tree_cpu, system_cpu, wait_for_drained_server,
)
from bench.clients import http_request
from bench.servers import GunicornServer, log_problems
from bench.wrk import PreparedRequest, run_wrk, write_lua_script

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
PYTHON = sys.executable

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = os.environ.get("BENCH_PG_DATABASE", "bench_plateforme")


# --- environment ---------------------------------------------------------------------

def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for the app, the CLI and the baseline: production profile, no rate limits."""
    env = dict(os.environ)
    for name in list(env):  # nothing from the caller's shell decides the configuration
        if name.startswith(("FLASK_", "RATELIMIT_", "SQLITE_")) or name in {"DATABASE_URL", "PLATEFORME_ENV"}:
            del env[name]
    env.update({
        "DATABASE_URL": database_url,
        "PLATEFORME_ENV": "production",
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "RATELIMIT_ENABLED": "0",
        "MAIL_BACKEND": "log",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


# --- databases -----------------------------------------------------------------------

def flask_cli(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run ``flask --app wsgi ARGS`` from the repository root; raise with its output on failure."""
    command = [PYTHON, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"`flask {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def prepare_database(database_url: str) -> None:
    """Create the schema (`flask db upgrade`) and load the demo data (`flask demo`)."""
    env = app_env(database_url)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "demo")


@contextmanager
def sqlite_database(directory: str | Path | None = None, prepare: bool = True) -> Iterator[str]:
    """A fresh SQLite file in a temporary directory; yields its URL, removes it afterwards."""
    with tempfile.TemporaryDirectory(prefix="plateforme-bench-sqlite-", dir=directory) as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        if prepare:
            prepare_database(url)
        yield url


def _pg_admin(admin_url: str):
    import psycopg

    return psycopg.connect(admin_url, autocommit=True, connect_timeout=3)


def postgresql_unreachable(admin_url: str = PG_ADMIN_URL) -> str | None:
    """None when PostgreSQL answers at `admin_url`; otherwise why not."""
    try:
        with _pg_admin(admin_url) as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 — any failure means "skip PostgreSQL"
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return None


def postgresql_version(admin_url: str = PG_ADMIN_URL) -> str | None:
    try:
        with _pg_admin(admin_url) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001
        return None


@contextmanager
def postgresql_database(name: str = PG_BENCH_DB, admin_url: str = PG_ADMIN_URL,
                        prepare: bool = True) -> Iterator[str]:
    """A fresh PostgreSQL database (dropped first if left over, dropped afterwards)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"unsafe database name: {name!r}")
    parts = urlsplit(admin_url)
    url = parts._replace(path=f"/{name}").geturl()
    with _pg_admin(admin_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        if prepare:
            prepare_database(url)
        yield url
    finally:
        with _pg_admin(admin_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- scenarios -----------------------------------------------------------------------

@dataclass
class Scenario:
    """One figure: `path` under load on the server `target` ("app" or "baseline").

    `prepare(base_url, env)` returns the requests to send when they need a live server first
    (session cookie, CSRF token...); otherwise method/path/headers/body describe it.
    """
    name: str
    path: str
    target: str = "app"
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    uses_db: bool = True
    prepare: Callable[[str], list[PreparedRequest]] | None = None
    expect: tuple[int, ...] = (200,)
    expect_text: str | None = None
    description: str = ""
    default: bool = True
    # Each request must be sent once (a support already given is a cheaper "already"
    # answer): the run reports a problem when wrk went past the end of the list.
    unique: bool = False

    def requests_for(self, base_url: str, env: dict[str, str] | None = None) -> list[PreparedRequest]:
        if self.prepare:
            return self.prepare(base_url, env or {})
        return [PreparedRequest(self.method, self.path, dict(self.headers), self.body)]


@dataclass
class Settings:
    duration: float = 10
    connections: int = 16
    threads: int = 2
    warmup: float = 1
    # Longer than the app's SQLite busy timeout (15 s): a request that waits for the
    # write lock and fails is counted as a 500, not as a wrk timeout.
    timeout: float = 20


def check_request(base_url: str, request: PreparedRequest) -> tuple[int, str]:
    status, _, content = http_request(base_url, request.method, request.path, request.headers, request.body)
    return status, content.decode("utf-8", errors="replace")


def measure(server: GunicornServer, scenario: Scenario, settings: Settings) -> dict:
    """Check one request, warm up, run wrk; returns figures, check status and log problems.

    The log problems cover the check, the warm-up and the measured run of this scenario,
    including the requests still queued when wrk stopped.
    """
    offset = server.log_size()
    requests = scenario.requests_for(server.url, server.env)
    check_status, check_body = check_request(server.url, requests[0])
    check_ok = check_status in scenario.expect and (scenario.expect_text is None
                                                    or scenario.expect_text in check_body)
    plain_get = len(requests) == 1 and requests[0].method == "GET" and not requests[0].headers
    with tempfile.TemporaryDirectory(prefix="plateforme-bench-wrk-") as tmp:
        script = None if plain_get else write_lua_script(requests, tmp, stride=settings.threads)
        url = server.url + requests[0].path
        warmup_requests = 0
        if settings.warmup > 0:
            warmup_requests = run_wrk(url, duration=settings.warmup, connections=settings.connections,
                                      threads=settings.threads, script=script, timeout=settings.timeout).requests
            # Slow scenarios: requests of the warm-up can still be queued in the server.
            wait_for_drained_server(server.port, max_wait=settings.timeout)
            if script is not None:  # the measured run goes on past what the warm-up sent
                # (plus one in flight per connection), on a multiple of the threads' stride
                warmup_requests += settings.connections
                warmup_requests += -warmup_requests % settings.threads
                script = write_lua_script(requests, tmp, stride=settings.threads, start=warmup_requests)
        database = urlsplit(server.env.get("DATABASE_URL", "")).path.lstrip("/") \
            if server.env.get("DATABASE_URL", "").startswith("postgres") else None

        def snapshot():
            return (process_tree_cpu(server.pid), postgres_backends_cpu(database) if database else 0,
                    children_cpu_seconds(), system_cpu())

        server_cpu0, db_cpu0, wrk_cpu0, (busy0, total0, stolen0) = snapshot()
        result = run_wrk(url, duration=settings.duration, connections=settings.connections,
                         threads=settings.threads, script=script, timeout=settings.timeout)
        server_cpu1, db_cpu1, wrk_cpu1, (busy1, total1, stolen1) = snapshot()
        # Let the requests wrk left behind finish, so that their errors are logged within
        # this scenario and they do not slow down the next one.
        wait_for_drained_server(server.port, max_wait=settings.timeout)
        problems = log_problems(server.log_since(offset))
        sent = result.requests + warmup_requests
        if scenario.unique and sent > len(requests):
            problems["messages"][f"{sent} requests sent for {len(requests)} prepared: "
                                 f"some were repeats, the figure is too high"] = 1
    # Shares of the whole machine (all CPUs) during the measured run: the gunicorn
    # processes, the PostgreSQL backends of the bench database, wrk, "other": what none
    # of those used, i.e. other programs competing for the CPUs, and "steal": what the
    # hypervisor gave to other guests of the host (both are noise).
    capacity = max(1, total1 - total0)
    shares = {"server": (server_cpu1 - server_cpu0) / capacity, "database": (db_cpu1 - db_cpu0) / capacity,
              "wrk": (wrk_cpu1 - wrk_cpu0) * CLOCK_TICKS / capacity}
    stolen = (stolen1 - stolen0) / capacity
    shares["other"] = max(0.0, (busy1 - busy0) / capacity - stolen - sum(shares.values()))
    shares["steal"] = stolen
    cpu = {name: round(value, 3) for name, value in shares.items()}
    return {
        "scenario": scenario.name,
        "target": scenario.target,
        "path": scenario.path,
        "uses_db": scenario.uses_db,
        "check_status": check_status,
        "check_ok": check_ok,
        "check_excerpt": "" if check_ok else check_body[:500],
        "wrk": result.to_dict(),
        "wrk_output": result.raw,
        "cpu_share": cpu,
        "log_problems": problems,
    }
