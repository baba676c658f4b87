"""The task queue with real consumers: huey's Consumer in threads of this process, and the
production command `huey_consumer plateforme.worker.huey` as a process of its own, on the
SQLite storage and, when it answers on 127.0.0.1:6379, on Redis."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager

import pytest
import redis
from flask import current_app
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from sqlalchemy import func, select

from plateforme.core.mail import queue_mail
from plateforme.core.outbox_models import MailStatus, OutgoingMail
from plateforme.core.outbox_tasks import send_outbox
from plateforme.core.tasks import huey, task
from plateforme.territories.models import Territory

from ..factories import csrf_token
from ..smtp_sink import smtp_sink

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


STORAGES = ["sqlite", pytest.param("redis", marks=pytest.mark.skipif(not _redis_answers(),
                                                                      reason="no Redis on 127.0.0.1:6379"))]


@task()
def territories_seen() -> dict:
    """A task that needs the app: its settings and its database."""
    count = current_app.extensions["sqlalchemy"].session.execute(select(func.count(Territory.id))).scalar_one()
    return {"site": current_app.config["SITE_NAME"], "territories": count}


@task()
def roll_back_own_session() -> None:
    current_app.extensions["sqlalchemy"].session.rollback()


def test_a_task_run_at_once_has_a_session_of_its_own(app, db):
    """In immediate mode a task runs inside the caller (often inside its commit): what it
    does with its session must not touch the caller's."""
    from plateforme.accounts.models import User

    pending = User(email="pas-encore@example.org", display_name="Pas encore", password_hash="x")
    db.session.add(pending)
    roll_back_own_session()
    assert pending in db.session.new


@contextmanager
def real_queue(app, kind: str, tmp_path):
    """The session's app on a real storage instead of immediate mode, emptied afterwards.
    Yields the settings a consumer process needs to find the same queue."""
    if kind == "sqlite":
        settings = {"TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'tasks.sqlite'}", "TASK_QUEUE_NAME": "plateforme"}
    else:
        # A queue of its own: nothing left from (or for) anyone else on this Redis.
        settings = {"TASK_QUEUE_URL": REDIS_URL, "TASK_QUEUE_NAME": f"plateforme-test-{uuid.uuid4().hex[:8]}"}
    huey.configure(app, settings["TASK_QUEUE_URL"], settings["TASK_QUEUE_NAME"])
    try:
        yield settings
    finally:
        huey.storage.flush_all()
        huey.configure(app, "immediate")


@contextmanager
def consumer(workers: int = 1):
    """huey's Consumer, its workers as threads of this process; pytest keeps its own signals."""
    running = huey.create_consumer(workers=workers, periodic=False, check_worker_health=False,
                                   initial_delay=0.01, max_delay=0.1)
    running._set_signal_handlers = lambda: None
    running.start()
    try:
        yield running
    finally:
        running.stop(graceful=True)


class Completions:
    """Counts the finished runs of one task (on any consumer thread); `wait()` for `expected`."""

    def __init__(self, task_name: str, expected: int):
        self.name, self.expected, self.count = task_name, expected, 0
        self.done, self.lock = threading.Event(), threading.Lock()

    def __call__(self, signal, task, *args, **kwargs):
        if task.name == self.name:
            with self.lock:
                self.count += 1
                if self.count >= self.expected:
                    self.done.set()

    def __enter__(self):
        huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)(self)
        return self

    def __exit__(self, *exc):
        huey.disconnect_signal(self, SIGNAL_COMPLETE, SIGNAL_ERROR)

    def wait(self, timeout: float = 60) -> bool:
        return self.done.wait(timeout)


@pytest.mark.parametrize("storage", STORAGES)
def test_a_task_runs_in_a_consumer_inside_an_app_context(app, db, storage, tmp_path):
    with real_queue(app, storage, tmp_path), consumer():
        result = territories_seen()
        assert result.get(blocking=True, timeout=30) == {"site": "plateforme", "territories": db.session.execute(
            select(func.count(Territory.id))).scalar_one()}


@pytest.mark.parametrize("storage", STORAGES)
def test_the_request_only_queues_the_mail_and_a_consumer_sends_it(app, make, db, outbox, storage, tmp_path):
    make.user("existe@example.org")
    client = app.test_client()
    token = csrf_token(client, "/mot-de-passe-oublie")
    with real_queue(app, storage, tmp_path):
        response = client.post("/mot-de-passe-oublie", data={"csrf_token": token, "email": "existe@example.org"})
        assert response.status_code == 200
        assert outbox == [] and huey.pending_count() == 1  # one task waits for a consumer
        db.session.rollback()
        row = db.session.execute(select(OutgoingMail)).scalar_one()
        assert row.status == MailStatus.QUEUED and "/reinitialiser/" in row.body
        with Completions(send_outbox.s().name, expected=1) as finished, consumer():
            assert finished.wait(60)
    assert [message.to for message in outbox] == ["existe@example.org"]
    assert "/reinitialiser/" in outbox[0].body


@pytest.mark.parametrize("storage", STORAGES)
def test_two_consumers_never_send_a_row_twice(app, db, storage, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 7)  # many small claims, interleaved
    addresses = [f"personne{n}@example.org" for n in range(120)]
    with smtp_sink(app) as (sink, _), real_queue(app, storage, tmp_path), \
            Completions(send_outbox.s().name, expected=7) as finished:
        for address in addresses:
            queue_mail(address, "Sujet", "Corps")
        db.session.commit()  # enqueues one send task
        for _ in range(6):
            send_outbox()
        with consumer(workers=2), consumer(workers=2):
            assert finished.wait(60)
    assert sorted(sink.recipients) == sorted(addresses)  # each exactly once
    db.session.rollback()
    statuses = db.session.execute(select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)).all()
    assert statuses == [(MailStatus.SENT, 120)]


def _environment(app, queue: dict) -> dict:
    """What a process of the app needs to share this test's database, queue and mail server."""
    return {**os.environ, **queue, "PYTHONPATH": ROOT, "PLATEFORME_ENV": "testing",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_BACKEND": app.config["MAIL_BACKEND"],
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(app.config["MAIL_PORT"]), "MAIL_USE_TLS": "0"}


@pytest.mark.parametrize("storage", STORAGES)
def test_the_production_consumer_command_sends_the_outbox(app, db, storage, tmp_path):
    """`huey_consumer plateforme.worker.huey`, as the README says to run it."""
    with smtp_sink(app) as (sink, _), real_queue(app, storage, tmp_path) as queue:
        queue_mail("production@example.org", "Sujet", "Corps")
        db.session.commit()
        process = subprocess.Popen(
            [sys.executable, "-m", "huey.bin.huey_consumer", "plateforme.worker.huey", "-w", "1", "-m", "0.2"],
            env=_environment(app, queue), cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert sink.reached(1).wait(60)  # the task the commit enqueued
        finally:
            process.send_signal(2)  # SIGINT: graceful stop
            _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors.decode()[-2000:]
    assert sink.recipients == ["production@example.org"]


def test_an_unreachable_queue_loses_no_mail(app, db, outbox, caplog):
    """Redis down when the action commits: the action stands, its mail waits in the outbox,
    and the periodic sweep (here called as a consumer would) sends it."""
    from plateforme.core.outbox_tasks import sweep_outbox

    huey.configure(app, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        queue_mail("patiente@example.org", "Sujet", "Corps")
        db.session.commit()
    finally:
        huey.configure(app, "immediate")
    assert "could not enqueue" in caplog.text
    db.session.rollback()
    db.session.expire_all()
    row = db.session.execute(select(OutgoingMail)).scalar_one()
    assert row.status == MailStatus.QUEUED and row.attempts == 0 and outbox == []
    sweep_outbox.call_local()
    assert [message.to for message in outbox] == ["patiente@example.org"]
