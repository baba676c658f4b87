"""Reusable pieces for HTTP benchmarks of plateforme (used by bench/run.py).

- Databases: a SQLite file in a temporary directory, or a fresh PostgreSQL database,
  prepared with ``flask db upgrade`` and ``flask demo`` (`sqlite_database`,
  `postgresql_database`, `prepare_database`).
- Servers: `GunicornServer` starts gunicorn for a WSGI target (``wsgi:app`` or
  ``bench.baseline_app:app``) on a free port of 127.0.0.1, waits until it answers (a
  bounded polling loop), keeps its log, and stops it cleanly.
- Load: `run_wrk` runs wrk (``--latency``) and `parse_wrk` reads requests/s, p50, p99
  and errors. Requests other than a plain GET go through the Lua template
  bench/wrk_requests.lua, written into a temporary directory with the requests.
- Sessions and CSRF: `HttpClient` (cookies by hand, so the production ``Secure``
  cookie is still sent over plain HTTP), `csrf_token_in`, `signed_in_client`, and
  `form_post_requests`, which does a GET to obtain a session cookie and a CSRF token
  and returns the POST (cookie header + form body) for wrk to repeat.
- `Scenario` + `measure`: one benchmark figure, with a one-request check beforehand,
  the server-log lines (tracebacks, "database is locked"...) seen during the run, and
  the CPU shares of the server, wrk and other programs (the machine may be shared;
  `wait_for_idle` waits, bounded, for the others to leave).

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

import html
import math
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
LUA_TEMPLATE = BENCH_DIR / "wrk_requests.lua"
PYTHON = sys.executable
WRK = shutil.which("wrk") or "/usr/bin/wrk"

DEMO_PASSWORD = "demo-plateforme-2026"
DEMO_RESIDENT = "habitant@demo.plateforme.example"
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


# --- gunicorn ------------------------------------------------------------------------

def _gunicorn_has_control_socket() -> bool:
    """gunicorn >= 25 opens a control socket in ~/.gunicorn unless told not to."""
    try:
        from gunicorn.config import KNOWN_SETTINGS
    except ImportError:
        return False
    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit|Interrupt)\b(: .*)?$")


def log_problems(log_text: str) -> dict:
    """Tracebacks and error lines in a server log: counts and the distinct messages."""
    lines = log_text.splitlines()
    tracebacks = sum(1 for line in lines if line.startswith("Traceback"))
    messages: dict[str, int] = {}
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        # The last line of a traceback ("sqlite3.OperationalError: database is locked"),
        # gunicorn's own errors ("[ERROR] ...", "[CRITICAL] WORKER TIMEOUT") and the
        # app's ERROR log lines; timestamps and pids are cut so repeats group together.
        if EXCEPTION_LINE.match(stripped) or re.search(r"\[(ERROR|CRITICAL)\]| ERROR | CRITICAL ", line) \
                or "database is locked" in line or "WORKER TIMEOUT" in line:
            key = re.sub(r"^\[[^\]]*\] \[\d+\] ", "", stripped)
            key = re.sub(r"^\d{4}-\d\d-\d\d[ T][\d:,.]+ ", "", key)
            key = re.sub(r"\(pid:\d+\)", "(pid:…)", key)
            messages[key[:300]] = messages.get(key[:300], 0) + 1
    return {"tracebacks": tracebacks, "messages": messages}


class ServerFailed(RuntimeError):
    pass


class GunicornServer:
    """gunicorn on 127.0.0.1:<free port>, log kept in a file. Use as a context manager.

    Default: 2 sync workers (one per core on the benchmark machine); see bench/README.md
    for why not gthread. With gthread, `threads` per worker and `keep_alive` seconds
    (default 0: with keep-alive, wrk's few long-lived connections can all land on one
    worker and halve a figure at random).
    """

    def __init__(self, target: str, env: dict[str, str], *, workers: int = 2,
                 worker_class: str = "sync", threads: int = 4, keep_alive: int = 0,
                 log_path: str | Path | None = None,
                 ready_path: str = "/", ready_timeout: float = 30.0, extra_args: list[str] | None = None):
        self.target = target
        self.env = env
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.keep_alive = keep_alive
        self.ready_path = ready_path
        self.ready_timeout = ready_timeout
        self.extra_args = list(extra_args or [])
        self._own_log_dir = None
        if log_path is None:
            self._own_log_dir = tempfile.mkdtemp(prefix="plateforme-bench-log-")
            log_path = Path(self._own_log_dir) / "gunicorn.log"
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [PYTHON, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--worker-class", self.worker_class,
                   "--timeout", "30", "--graceful-timeout", "5", "--chdir", str(REPO_ROOT),
                   "--error-logfile", "-", "--log-level", "info"]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads), "--keep-alive", str(self.keep_alive)]
        if _gunicorn_has_control_socket():
            command.append("--no-control-socket")
        return command + self.extra_args + [self.target]

    def start(self) -> "GunicornServer":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):  # the free port can be taken between probe and bind
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                log.write(f"=== {' '.join(self.command())}\n".encode())
                log.flush()
                self.process = subprocess.Popen(
                    self.command(), cwd=REPO_ROOT, env=self.env, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                self._wait_ready()
                return self
            except ServerFailed:
                self.stop()
                if "Address already in use" not in self.log_text() or attempt == 2:
                    raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        interval = 0.02
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"gunicorn {self.target} exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                status, _, _ = http_request(self.url, "GET", self.ready_path, timeout=2)
                if status < 500:
                    return
                last_error = f"HTTP {status}"
            except OSError as error:
                last_error = f"{type(error).__name__}: {error}"
            time.sleep(interval)
            interval = min(interval * 1.5, 0.25)
        raise ServerFailed(f"gunicorn {self.target} not ready after {self.ready_timeout:.0f} s "
                           f"({last_error}):\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of the workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own session, started above
            process.wait(timeout=5)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def __enter__(self) -> "GunicornServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._own_log_dir:
            shutil.rmtree(self._own_log_dir, ignore_errors=True)


# --- plain HTTP, cookies and CSRF ----------------------------------------------------

def http_request(base_url: str, method: str, path: str, headers: dict[str, str] | None = None,
                 body: str | bytes | None = None, timeout: float = 10):
    """One request; returns (status, headers as a Message, body bytes). No redirects followed."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


class HttpClient:
    """A browser-like session: keeps cookies (by hand: the app marks its cookie Secure in
    production and we speak plain HTTP to 127.0.0.1) and follows nothing by itself."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: str | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        status, response_headers, content = http_request(self.base_url, method, path, headers, body)
        for raw in response_headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"])
                if morsel.value == "" or expired:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return status, response_headers, content

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]):
        return self.request("POST", path, {"Content-Type": "application/x-www-form-urlencoded"},
                            urlencode(fields))


CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>", re.IGNORECASE)
VALUE_ATTRIBUTE = re.compile(r"\bvalue=\"([^\"]*)\"")


def csrf_token_in(page: bytes | str) -> str:
    """The CSRF token of the first form on a page (Flask-WTF's hidden ``csrf_token`` input)."""
    text = page.decode("utf-8", errors="replace") if isinstance(page, bytes) else page
    tag = CSRF_INPUT.search(text)
    value = VALUE_ATTRIBUTE.search(tag.group(0)) if tag else None
    if not value:
        raise ValueError("no csrf_token input on the page")
    return html.unescape(value.group(1))


def signed_in_client(base_url: str, email: str = DEMO_RESIDENT, password: str = DEMO_PASSWORD) -> HttpClient:
    """A client signed in through the real form (needs RATELIMIT_ENABLED=0 for many)."""
    client = HttpClient(base_url)
    status, _, page = client.get("/connexion")
    if status != 200:
        raise RuntimeError(f"GET /connexion answered {status}")
    status, headers, _ = client.post_form("/connexion", {"email": email, "password": password,
                                                         "csrf_token": csrf_token_in(page)})
    if status != 302:
        raise RuntimeError(f"sign-in as {email} failed: POST /connexion answered {status}")
    return client


@dataclass
class PreparedRequest:
    """One HTTP request for wrk to repeat."""
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def form_post_requests(base_url: str, form_path: str, fields: dict[str, str] | Callable[[int], dict[str, str]],
                       *, post_path: str | None = None, sessions: int = 1,
                       clients: list[HttpClient] | None = None) -> list[PreparedRequest]:
    """GET `form_path` to obtain a session cookie and a CSRF token, then build the POST.

    `fields` is the form (a dict, or a function of the session's index for one body per
    session); the token is added as ``csrf_token``. `sessions` fresh anonymous sessions,
    or the given `clients` (e.g. from `signed_in_client`), give one request each; wrk
    cycles through them.
    """
    clients = list(clients) if clients else [HttpClient(base_url) for _ in range(sessions)]
    prepared = []
    for index, client in enumerate(clients):
        status, _, page = client.get(form_path)
        if status != 200:
            raise RuntimeError(f"GET {form_path} answered {status}")
        form = dict(fields(index) if callable(fields) else fields)
        form["csrf_token"] = csrf_token_in(page)
        prepared.append(PreparedRequest(
            "POST", post_path or form_path,
            {"Cookie": client.cookie_header(), "Content-Type": "application/x-www-form-urlencoded"},
            urlencode(form)))
    return prepared


# --- wrk -----------------------------------------------------------------------------

def lua_string(value: str) -> str:
    """A Lua string literal for any text (bytes outside printable ASCII as \\ddd escapes)."""
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        if char in "\\\"":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def write_lua_script(requests: list[PreparedRequest], directory: str | Path, stride: int = 1) -> Path:
    """The Lua template (bench/wrk_requests.lua) with a generated REQUESTS table in front."""
    entries = []
    for r in requests:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers.items())
        body = lua_string(r.body) if r.body is not None else "nil"
        entries.append(f"  {{ method = {lua_string(r.method)}, path = {lua_string(r.path)}, "
                       f"headers = {{ {headers} }}, body = {body} }},")
    # Each wrk thread takes every `threads`-th request, so requests that must be sent
    # once only (one-time invitation codes) are never sent twice by two threads.
    prelude = ("-- generated by bench/harness.py\nREQUESTS = {\n" + "\n".join(entries) + "\n}\n"
               f"STRIDE = {max(1, stride)}\n\n")
    path = Path(tempfile.mkstemp(prefix="wrk-", suffix=".lua", dir=directory)[1])
    path.write_text(prelude + LUA_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    requests_per_s: float = 0.0
    p50_ms: float | None = None
    p75_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=lambda: {"connect": 0, "read": 0, "write": 0, "timeout": 0})
    raw: str = ""

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("raw")
        data["errors"] = self.errors
        return data


DURATION_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * DURATION_UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's text output (run with --latency)."""
    result = WrkResult(raw=output)
    for percent, value, unit in re.findall(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$",
                                           output, re.MULTILINE):
        setattr(result, f"p{percent}_ms", _milliseconds(value, unit))
    match = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output, re.MULTILINE)
    if match:
        result.requests = int(match.group(1))
        result.seconds = _milliseconds(match.group(2), match.group(3)) / 1000
    match = re.search(r"^Requests/sec:\s*([\d.]+)", output, re.MULTILINE)
    if match:
        result.requests_per_s = float(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        result.socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups())))
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        result.non_2xx_3xx = int(match.group(1))
    return result


def wrk_version() -> str:
    done = subprocess.run([WRK, "-v"], capture_output=True, text=True)
    return (done.stdout + done.stderr).splitlines()[0].split(" Copyright")[0] if (done.stdout + done.stderr) else "?"


def run_wrk(url: str, *, duration: float = 10, connections: int = 16, threads: int = 2,
            script: str | Path | None = None, timeout: float = 20) -> WrkResult:
    """wrk against `url` (base URL + path); the script, when given, supplies the requests."""
    threads = max(1, min(threads, connections))
    duration = max(1, math.ceil(duration))  # wrk takes whole seconds
    timeout = max(1, math.ceil(timeout))
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout", f"{timeout}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    done = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0 or "requests in" not in done.stdout:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout)


# --- CPU accounting (the machine may be shared) --------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def system_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs together, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def _process_cpu(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def process_tree_cpu(root: int) -> int:
    """utime + stime jiffies of `root` and its descendants (gunicorn master + workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _process_cpu(pid)
        stack.extend(parents.get(pid, []))
    return total


def postgres_backends_cpu(database: str) -> int:
    """utime + stime jiffies of the local PostgreSQL backends serving `database` (their
    process title is "postgres: <cluster>: <user> <database> <client> <state>")."""
    needle = f" {database} ".encode()
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                title = cmdline.read()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if title.startswith(b"postgres: ") and needle in title:
            total += _process_cpu(int(entry))
    return total


def children_cpu_seconds() -> float:
    """CPU seconds of this process's finished children (wrk runs, once reaped)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_connections(port: int) -> int:
    """Connections the server on 127.0.0.1:`port` still holds (ESTABLISHED or CLOSE_WAIT
    on its side, accepted or still in the listen backlog), from /proc/net/tcp."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    if local_port == port and fields[3] in ("01", "08"):
                        count += 1
        except FileNotFoundError:
            continue
    return count


def wait_for_drained_server(port: int, max_wait: float = 20, interval: float = 0.05) -> float:
    """After a warm-up, wait (bounded) until the server has answered or dropped every
    request wrk left behind; returns the seconds waited."""
    started = time.monotonic()
    while server_connections(port) and time.monotonic() - started < max_wait:
        time.sleep(interval)
    return time.monotonic() - started


def wait_for_idle(max_wait: float, busy_below: float = 0.15, window: float = 0.5) -> tuple[float, float]:
    """Wait (at most `max_wait` seconds) until the machine's CPUs are < `busy_below` busy
    over `window`; returns (seconds waited, last busy fraction). Call while idle yourself."""
    started = time.monotonic()
    while True:
        busy0, total0 = system_cpu()
        time.sleep(window)
        busy1, total1 = system_cpu()
        fraction = (busy1 - busy0) / max(1, total1 - total0)
        waited = time.monotonic() - started
        if fraction < busy_below or waited >= max_wait:
            return waited, fraction


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
        if settings.warmup > 0:
            run_wrk(url, duration=settings.warmup, connections=settings.connections,
                    threads=settings.threads, script=script, timeout=settings.timeout)
            # Slow scenarios: requests of the warm-up can still be queued in the server.
            wait_for_drained_server(server.port, max_wait=settings.timeout)
        database = urlsplit(server.env.get("DATABASE_URL", "")).path.lstrip("/") \
            if server.env.get("DATABASE_URL", "").startswith("postgres") else None

        def snapshot():
            return (process_tree_cpu(server.pid), postgres_backends_cpu(database) if database else 0,
                    children_cpu_seconds(), system_cpu())

        server_cpu0, db_cpu0, wrk_cpu0, (busy0, total0) = snapshot()
        result = run_wrk(url, duration=settings.duration, connections=settings.connections,
                         threads=settings.threads, script=script, timeout=settings.timeout)
        server_cpu1, db_cpu1, wrk_cpu1, (busy1, total1) = snapshot()
        # Let the requests wrk left behind finish, so that their errors are logged within
        # this scenario and they do not slow down the next one.
        wait_for_drained_server(server.port, max_wait=settings.timeout)
        problems = log_problems(server.log_since(offset))
    # Shares of the whole machine (all CPUs) during the measured run: the gunicorn
    # processes, the PostgreSQL backends of the bench database, wrk, and "other": what
    # none of those used, i.e. other programs competing for the CPUs (noise).
    capacity = max(1, total1 - total0)
    shares = {"server": (server_cpu1 - server_cpu0) / capacity, "database": (db_cpu1 - db_cpu0) / capacity,
              "wrk": (wrk_cpu1 - wrk_cpu0) * CLOCK_TICKS / capacity}
    shares["other"] = max(0.0, (busy1 - busy0) / capacity - sum(shares.values()))
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
