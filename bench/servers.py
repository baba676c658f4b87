"""gunicorn for the benchmarks: `GunicornServer` starts a WSGI target (``wsgi:app``,
``bench.baseline_app:app``...) on a free port of 127.0.0.1, waits until it answers (a
bounded polling loop), keeps its log and stops it cleanly; `log_problems` groups what the
log says went wrong (tracebacks, ERROR lines, "database is locked", worker timeouts)."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.clients import http_request

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


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
