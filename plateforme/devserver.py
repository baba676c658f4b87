"""`make run`: the development web server and one task consumer, started and stopped together.

    python -m plateforme.devserver [--host 127.0.0.1] [--port 5000] [--workers 2]

Beside them, when `redis-server` is installed and no `CACHE_TYPE` is set, a private Redis
on a Unix socket holds the page cache and its change marks, shared by the web server, the
consumer and the `flask` commands run meanwhile (its address is in instance/page-cache.url
while it runs). Those marks are what open data's ETag and Last-Modified are made of
(core/http_cache.py): without a shared cache, no answer carries them. It keeps nothing on
disk, so each `make run` starts from an empty cache. Without `redis-server`, pages are
not cached and data answers carry no validators; the site works the same otherwise.

The consumer (`huey_consumer plateforme.worker.huey`) is a child process that the kernel
stops when this process dies, however it dies (`PR_SET_PDEATHSIG`): a web server killed
with SIGKILL leaves no consumer behind. Ctrl-C reaches both (same process group): the web
server stops, the consumer finishes its current task, and this waits for it.
Production runs them apart: gunicorn for the web, `huey_consumer` on its own (README).
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_consumer(workers: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "huey.bin.huey_consumer", "plateforme.worker.huey",
               "--workers", str(workers), "--worker-type", "thread",
               # SQLite storage is polled: look again within 2 s when idle (Redis blocks instead).
               "--max-delay", "2"]
    return subprocess.Popen(command, preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def start_cache_server() -> tuple[subprocess.Popen, str] | None:
    """The private Redis of the page cache (see the module) and its address; None when there
    is none to start."""
    if os.environ.get("CACHE_TYPE") or not shutil.which("redis-server"):
        return None
    import redis

    # A short path: a Unix socket's name has at most 107 bytes, and instance/ may be deep.
    path = os.path.join(tempfile.mkdtemp(prefix="plateforme-cache-"), "redis.sock")
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", path, "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        # Out of the terminal's process group: Ctrl-C must not stop it before the consumer,
        # whose last task still announces its writes to it; it is stopped last.
        start_new_session=True)
    client = redis.Redis(unix_socket_path=path)
    deadline = time.monotonic() + 10
    while server.poll() is None and time.monotonic() < deadline:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)  # it is still starting: a few milliseconds
    else:
        server.kill()
        server.wait()
        return None
    return server, f"unix://{path}"


def stop_cache_server(server: subprocess.Popen, address: str) -> None:
    from .config import DEV_CACHE_FILE

    server.terminate()
    server.wait()
    if DEV_CACHE_FILE.exists() and DEV_CACHE_FILE.read_text(encoding="utf-8") == address:
        DEV_CACHE_FILE.unlink()
    shutil.rmtree(os.path.dirname(address.removeprefix("unix://")), ignore_errors=True)


def stop_consumer(consumer: subprocess.Popen) -> None:
    if consumer.poll() is None:
        consumer.send_signal(signal.SIGINT)  # graceful: the task at hand ends first
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait()


def _default_site_url(app, host: str, port: int) -> None:
    """Without SITE_URL, the address just bound, for this process and the consumer (which
    inherits the environment): a consumer has no request to take a host from, and its emails
    and PDF kits linked to http://localhost/, a port where nothing listens."""
    if app.config.get("SITE_URL"):
        return
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # every interface: the loopback one is among them
    elif ":" in host:
        host = f"[{host}]"
    site_url = f"http://{host}:{port}"
    app.config["SITE_URL"] = os.environ["SITE_URL"] = site_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args(argv)

    from werkzeug.serving import make_server

    from . import create_app

    cache_server, cache_address = start_cache_server() or (None, "")
    if cache_server is not None:  # for the app, and the consumer that inherits the environment
        os.environ["CACHE_TYPE"], os.environ["CACHE_REDIS_URL"] = "RedisCache", cache_address
    try:
        app = create_app()
        server = make_server(options.host, options.port, app, threaded=True)
    except BaseException:
        if cache_server is not None:  # the port is taken, say: a `make run` already serves there
            stop_cache_server(cache_server, cache_address)
        raise
    if cache_server is not None and os.environ.get("PLATEFORME_ENV") == "development":
        # Only once the port is ours: a second `make run` refused must not take the address
        # of the running one's cache away from the `flask` commands.
        from .config import DEV_CACHE_FILE

        DEV_CACHE_FILE.parent.mkdir(exist_ok=True)
        DEV_CACHE_FILE.write_text(cache_address, encoding="utf-8")
    _default_site_url(app, options.host, server.server_port)
    if app.config["TASK_QUEUE_URL"] == "immediate":
        consumer = None  # tasks run in the web process itself: nothing to consume
    else:
        consumer = start_consumer(options.workers)
    # The port is bound: say so on one line (the test of `make run` waits for it).
    print(f"plateforme: serving on http://{options.host}:{server.server_port}/ with "
          f"{'no consumer' if consumer is None else f'consumer pid {consumer.pid}'}, "
          f"{'no page cache' if cache_server is None else f'page cache pid {cache_server.pid}'}", flush=True)
    # SIGTERM (a supervisor, the consumer's parent-death rule) stops like Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if consumer is not None:
            stop_consumer(consumer)
        if cache_server is not None:
            stop_cache_server(cache_server, cache_address)
    return 0


if __name__ == "__main__":
    sys.exit(main())
