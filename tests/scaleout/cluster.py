"""Two instances of the application behind HAProxy on 127.0.0.1, laid out as deploy/ lays a
site out: gunicorn twice (production profile, one SECRET_KEY), one PostgreSQL database, one
Redis (rate limits, task queue, page cache), one task consumer, and a mail sink (aiosmtpd).

The database is `<TEST_DATABASE_URL's database>_scaleout`, created and dropped here, so the
suite's other PostgreSQL tests keep theirs; Redis databases 11 (limits and queue) and 12
(pages) are emptied at the start (SCALEOUT_REDIS names another server).
"""
from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from ..smtp_sink import Sink, free_port

REPO = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("SCALEOUT_REDIS", "redis://127.0.0.1:6379")
LIMITS_DB, CACHE_DB = 11, 12
READY_SECONDS = 90  # a cold start on a busy 2-core machine: imports alone take seconds
WEB_NAMES = ("a", "b")
CSRF_RE = re.compile(r'name="([\w-]*csrf_token)"[^>]*value="([^"]+)"')

HAPROXY_CFG = """\
# deploy/haproxy.cfg without TLS (the test's client speaks plain HTTP), on free ports, with
# health checks fast enough for a test.
global
    maxconn 512
    stats socket {socket} mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    option forwardfor
    # Only a request that could not be sent (connect failure, `retry-on`'s default) is tried
    # again, on the other server: a POST that reached a server may have been written.
    retries 2
    option redispatch 1
frontend web
    bind 127.0.0.1:{proxy}
    http-request deny deny_status 421 unless {{ req.hdr(host) -i 127.0.0.1:{proxy} }}
    http-request del-header X-Forwarded-Host
    http-request set-header X-Forwarded-Proto https
    default_backend plateforme
backend plateforme
    balance roundrobin
    option httpchk
    http-check send meth GET uri /sante
    http-check expect status 200
    # Which instance answered: the test checks that both did (not in deploy/haproxy.cfg).
    http-response set-header X-Served-By %s
    default-server inter 250ms fastinter 100ms downinter 500ms fall 2 rise 2
    server a 127.0.0.1:{a} check
    server b 127.0.0.1:{b} check
"""


def haproxy_binary() -> str | None:
    return shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")


def admin_url() -> str | None:
    """TEST_DATABASE_URL as psycopg takes it, or None when unset or not PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return None


def missing_requirement() -> str | None:
    """Why the cluster cannot run here, or None."""
    if admin_url() is None:
        return "the two-server test runs on PostgreSQL only: set TEST_DATABASE_URL=postgresql://…"
    if haproxy_binary() is None:
        return "haproxy is not installed (apt-get install haproxy; .ci/run does)"
    import redis
    try:
        redis.Redis.from_url(f"{REDIS}/{LIMITS_DB}", socket_connect_timeout=1).ping()
    except redis.RedisError:
        return f"Redis does not answer at {REDIS}"
    return None


def wait_until(condition, what: str, timeout: float = READY_SECONDS, interval: float = 0.05):
    """Poll `condition` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


class Process:
    """A child in a process group of its own (gunicorn's master and workers die together)."""

    def __init__(self, name: str, command: list[str], env: dict, logdir: Path):
        self.name, self.command, self.env, self.logfile = name, command, env, logdir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.logfile, "ab") as log:
            self.popen = subprocess.Popen(self.command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, number: int) -> None:
        try:
            os.killpg(self.popen.pid, number)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, grace: float = 10) -> None:
        if self.popen is None:
            return
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        self.signal(signal.SIGKILL)  # whatever of the group is left (workers of a killed master)
        self.popen.wait(10)

    def tail(self, size: int = 2500) -> str:
        text = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
        return f"--- {self.name} ---\n{text[-size:]}"


class Cluster:
    def __init__(self, workdir: Path):
        from aiosmtpd.controller import Controller
        from sqlalchemy.engine import make_url

        self.workdir = workdir
        self.ports = {name: free_port() for name in (*WEB_NAMES, "proxy")}
        admin = make_url(admin_url())
        self.dbname = f"{admin.database}_scaleout"
        self.admin_url = admin.render_as_string(hide_password=False)
        self.db_url = admin.set(database=self.dbname).render_as_string(hide_password=False)
        self.sink = Sink()
        self.smtp = Controller(self.sink, hostname="127.0.0.1", port=free_port())
        self.socket = str(workdir / "haproxy.sock")
        self.env = dict(
            os.environ, PLATEFORME_ENV="production", SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=self.db_url,
            PROXY_COUNT="1", SITE_URL=f"https://127.0.0.1:{self.ports['proxy']}", RATELIMIT_STORAGE_URI=f"{REDIS}/{LIMITS_DB}", TASK_QUEUE_URL=f"{REDIS}/{LIMITS_DB}",
            TASK_QUEUE_NAME=f"scaleout-{secrets.token_hex(4)}", CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=f"{REDIS}/{CACHE_DB}", MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(self.smtp.port), MAIL_USE_TLS="0", PYTHONPATH=str(REPO))
        self.env.pop("MAIL_USERNAME", None)
        self.processes: dict[str, Process] = {}
        self.world: dict = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    # --- start and stop --------------------------------------------------------------

    def start(self) -> None:
        import redis
        self._database("DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}")
        for number in (LIMITS_DB, CACHE_DB):
            redis.Redis.from_url(f"{REDIS}/{number}").flushdb()
        # The web servers open no connection before a request: they start while the schema is
        # laid (the consumer's periodic tasks would query it: it starts after).
        for name in WEB_NAMES:
            self._web(name).start()
        config = self.workdir / "haproxy.cfg"
        config.write_text(HAPROXY_CFG.format(socket=self.socket, **self.ports))
        self.processes["proxy"] = Process("proxy", [haproxy_binary(), "-f", str(config), "-db"], self.env,
                                          self.workdir)
        self.processes["proxy"].start()
        seeded = subprocess.run([sys.executable, "-m", "tests.scaleout.seed", "40"], cwd=REPO, env=self.env,
                                capture_output=True, text=True, timeout=240)
        if seeded.returncode:
            raise RuntimeError(f"seeding failed:\n{seeded.stdout[-2000:]}\n{seeded.stderr[-4000:]}")
        self.world = json.loads(seeded.stdout.strip().splitlines()[-1])
        self.smtp.start()
        # The web servers are given a mail server that is not there: what reaches the sink
        # was sent by the consumer, as production intends.
        self.processes["consumer"] = Process("consumer", [sys.executable, "-m", "huey.bin.huey_consumer",
                                                          "plateforme.worker.huey", "--workers", "2"],
                                             self.env, self.workdir)
        self.processes["consumer"].start()
        for name in WEB_NAMES:
            self.wait_serving(name)
        self.wait_in_rotation(*WEB_NAMES)
        wait_until(lambda: self._check_alive("consumer") and "consumer started" in self.processes["consumer"].tail(),
                   "the task consumer started")

    def _web(self, name: str) -> Process:
        env = dict(self.env, MAIL_PORT=str(free_port()))  # nothing listens there (see start)
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.ports[name]}", "--workers", "2",
                   "--no-control-socket", "--graceful-timeout", "3", "--error-logfile", "-", "wsgi:app"]
        self.processes[name] = Process(name, command, env, self.workdir)
        return self.processes[name]

    def stop(self) -> None:
        try:
            for process in reversed(list(self.processes.values())):
                process.stop()
        finally:
            if getattr(self.smtp, "_thread", None) is not None:
                self.smtp.stop()
            self._database("DROP DATABASE IF EXISTS {} WITH (FORCE)")

    def _database(self, *statements: str) -> None:
        import psycopg
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement.format(self.dbname))

    def _check_alive(self, name: str) -> bool:
        if not self.processes[name].alive():
            raise RuntimeError(f"{name} stopped:\n{self.processes[name].tail()}")
        return True

    # --- what the tests do to it -----------------------------------------------------

    def kill(self, name: str) -> None:
        """SIGKILL to the instance's master and workers at once: a machine lost, not a stop."""
        self.processes[name].signal(signal.SIGKILL)
        self.processes[name].popen.wait(10)

    def ensure_running(self) -> None:
        """Start again any instance a test killed, and wait until the proxy sends it requests."""
        dead = [name for name in WEB_NAMES if not self.processes[name].alive()]
        for name in dead:
            self._web(name).start()
        for name in dead:
            self.wait_serving(name)
        self.wait_in_rotation(*WEB_NAMES)

    def wait_serving(self, name: str) -> None:
        def answers():
            self._check_alive(name)
            try:
                return requests.get(self.url(name) + "/sante", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_until(answers, f"instance {name} answering")

    def wait_in_rotation(self, *names: str) -> None:
        self._check_alive("proxy")
        wait_until(lambda: all(self.server_states().get(n) == "UP" for n in names), f"{names} UP in haproxy")

    def server_states(self) -> dict[str, str]:
        """The proxy's view of each instance (UP, DOWN…), from its stats socket."""
        try:
            with socket.socket(socket.AF_UNIX) as stats:
                stats.connect(self.socket)
                stats.sendall(b"show stat\n")
                data = b"".join(iter(lambda: stats.recv(65536), b""))
        except OSError:
            return {}
        rows = csv.DictReader(data.decode().lstrip("# ").splitlines())
        return {row["svname"]: row["status"].split()[0] for row in rows
                if row["pxname"] == "plateforme" and row["svname"] in WEB_NAMES}

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg
        with psycopg.connect(self.db_url) as connection:
            return connection.execute(sql, params).fetchall()

    def logs(self) -> str:
        return "\n".join(process.tail() for process in self.processes.values())


class Browser:
    """One person's browser. Its cookies are kept by hand: the production session cookie is
    Secure, and a cookie jar would not send it back over the plain HTTP of 127.0.0.1 (TLS ends
    at the proxy in production). Direct requests to an instance carry the headers the proxy
    would add (X-Forwarded-For: this person's address; X-Forwarded-Proto)."""

    def __init__(self, address: str):
        self.address, self.cookies = address, {}

    def request(self, method: str, base: str, path: str, data: dict | None = None,
                headers: dict | None = None) -> requests.Response:
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https",
                   # Flask-WTF checks that a form sent over HTTPS comes from a page of the same site.
                   "Referer": base.replace("http://", "https://") + "/", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(method, base + path, data=data, headers=headers, allow_redirects=False,
                                    timeout=30)
        for line in response.raw.headers.getlist("Set-Cookie"):
            pair, _, attributes = line.partition(";")
            name, _, value = (part.strip() for part in pair.partition("="))
            if "max-age=0" in attributes.lower() or "1970" in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, base: str, path: str) -> requests.Response:
        return self.request("GET", base, path)

    def post(self, base: str, path: str, data: dict, headers: dict | None = None) -> requests.Response:
        return self.request("POST", base, path, data, headers)

    def token(self, base: str, path: str) -> str:
        """The CSRF token of the form at `path`."""
        page = self.get(base, path)
        match = CSRF_RE.search(page.text)
        assert match, f"no form at {path} ({page.status_code})"
        return match.group(2)

    def sign_in(self, base: str, email: str, password: str, token: str | None = None) -> requests.Response:
        token = token or self.token(base, "/connexion")
        return self.post(base, "/connexion", {"csrf_token": token, "email": email, "password": password})
