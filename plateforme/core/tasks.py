"""The task queue: work that outlives the request (huey).

One `Huey` object, created unbound like the Flask extensions (extensions.py); `init_tasks`
gives it the storage that ``TASK_QUEUE_URL`` names (config.py):

- ``sqlite:///PATH``: `SqliteStorage`, a file in ``instance/`` by default, so that `make run`
  needs nothing but Python;
- ``redis://HOST:PORT/DB``: `RedisStorage`, the production queue, shared by every web server
  and every consumer (`huey_consumer plateforme.worker.huey`, on as many machines as needed);
- ``immediate``: each task runs at once, in the caller's thread, when it is enqueued (the
  tests' profile; huey's "immediate mode" with an in-memory storage).

Tasks are declared with `task()` and `periodic_task()` below rather than huey's own
decorators: each runs inside an application context (the database, the settings, the
templates), the caller's when there is one (immediate mode), else one of the app the
consumer built.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session
from huey import Huey, crontab  # noqa: F401  (crontab: re-exported for the periodic tasks)
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

log = logging.getLogger("plateforme.tasks")

QUEUE_NAME = "plateforme"


class AppHuey(Huey):
    """A `Huey` whose storage is chosen after import, by `init_tasks`, from the app's settings.

    Huey builds its storage in its constructor, but tasks register on the object when their
    modules are imported, before any app exists: the storage is swapped in later instead."""

    live_storage = None
    flask_app = None

    def get_storage(self, **kwargs):
        # Called by huey's constructor and by its `immediate` setter when it leaves
        # immediate mode: the configured storage, or a harmless in-memory one before that.
        return self.live_storage if self.live_storage is not None else MemoryStorage(self.name)

    def configure(self, app, url: str, name: str = QUEUE_NAME) -> None:
        self.flask_app = app
        if url == "immediate":
            self.live_storage = None
            self._immediate = True
        else:
            self.live_storage = storage_for(url, name)
            self._immediate = False
        self.storage = self.create_storage()


def storage_for(url: str, name: str = QUEUE_NAME):
    """The huey storage that `url` names (``sqlite:///path`` or ``redis://…``); `name`
    tells apart queues that share one Redis (its keys' prefix)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path (as SQLAlchemy writes it): the path after the third slash.
        path = url[len("sqlite:///"):]
        if not path:
            raise ValueError("TASK_QUEUE_URL: sqlite:/// needs a file path")
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # instance/ on a fresh clone
        # `timeout`: how long a consumer waits for the file's lock (seconds).
        return SqliteStorage(name, filename=path, timeout=15)
    if parsed.scheme in ("redis", "rediss", "unix"):
        from redis import ConnectionPool

        # Bounded waits: a request enqueuing while Redis is unreachable must not hang (the
        # outbox's sweep catches up); 5 s is above the consumer's 1 s blocking read.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        return RedisStorage(name, connection_pool=pool)
    raise ValueError(f"TASK_QUEUE_URL={url!r}: use sqlite:///PATH, redis://HOST:PORT/DB or immediate")


huey = AppHuey(QUEUE_NAME, immediate=True, utc=True)


def _in_app_context(func):
    """Run `func` in an application context of its own, so with a database session of its
    own: in immediate mode a task runs inside the caller's commit, whose session it must
    not touch. The caller's app when there is one (tests build several), else the app the
    consumer built."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        app = current_app._get_current_object() if has_app_context() else huey.flask_app
        if app is None:
            raise RuntimeError("the task queue is not bound to an app: call create_app() first")
        with app.app_context():
            return func(*args, **kwargs)

    return run


def task(**options):
    """`huey.task`, run inside an application context."""
    def decorator(func):
        return huey.task(**options)(_in_app_context(func))

    return decorator


def periodic_task(validate_datetime, **options):
    """`huey.periodic_task`, run inside an application context (by the consumer's scheduler;
    immediate mode never runs periodic tasks)."""
    def decorator(func):
        return huey.periodic_task(validate_datetime, **options)(_in_app_context(func))

    return decorator


def enqueue_quietly(task_wrapper, *args, **kwargs) -> bool:
    """Enqueue a task; False, logged, when the queue cannot be reached. For work whose
    state is already durable in the database (the outbox): a periodic task picks it up."""
    try:
        task_wrapper(*args, **kwargs)
    except Exception:  # noqa: BLE001 — the queue (Redis) is down: the periodic sweep will catch up
        log.exception("could not enqueue %s", getattr(task_wrapper, "name", task_wrapper))
        return False
    return True


AFTER_COMMIT = "tasks_after_commit"


def enqueue_after_commit(session, task_wrapper, *args) -> None:
    """Enqueue `task_wrapper(*args)` once `session`'s transaction has committed, and not at
    all if it rolls back: the task reads what the transaction wrote, and the state it needs
    is durable by then (a periodic sweep catches up a kick the queue lost). Asked twice in
    one transaction, it is enqueued once."""
    pending = session.info.setdefault(AFTER_COMMIT, [])
    if (task_wrapper, args) not in pending:
        pending.append((task_wrapper, args))


@event.listens_for(Session, "after_commit")
def _kick_after_commit(session) -> None:
    if session.in_nested_transaction():
        return
    for task_wrapper, args in session.info.pop(AFTER_COMMIT, []):
        enqueue_quietly(task_wrapper, *args)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(AFTER_COMMIT, None)


def init_tasks(app) -> None:
    """Bind the queue to `app` (the factory also imports every module that declares tasks,
    so that a consumer started on this app knows them all)."""
    huey.configure(app, app.config["TASK_QUEUE_URL"], app.config["TASK_QUEUE_NAME"])
    app.extensions["huey"] = huey
