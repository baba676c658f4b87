"""`make run` (plateforme/devserver.py): the web server and one task consumer start together,
the consumer sends the outbox, Ctrl-C stops both, and a web server killed outright leaves no
consumer behind."""
from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from plateforme import config
from plateforme.consultations.models import PhaseKind
from plateforme.core.mail import queue_mail
from plateforme.devserver import start_cache_server
from plateforme.notifications.models import NotificationKind
from plateforme.notifications.services import notify_followers

from ..consultations.helpers import build_consultation
from ..consultations.outcome_helpers import follow
from ..smtp_sink import smtp_sink
from .test_task_queue import ROOT, _environment, real_queue


def _exited(pid: int, timeout: float) -> bool:
    """Whether process `pid` (not necessarily our child) ends within `timeout` seconds."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        poller = select.poll()
        poller.register(descriptor, select.POLLIN)  # readable once the process has ended
        return bool(poller.poll(int(timeout * 1000)))
    finally:
        os.close(descriptor)


@contextmanager
def devserver(app, tmp_path):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("processes, not SQL: one backend is enough")
    with smtp_sink(app) as (sink, _), real_queue(app, "sqlite", tmp_path) as queue:
        environment = _environment(app, queue)
        environment.pop("SITE_URL", None)  # as `make run` is started: the launcher supplies it
        process = subprocess.Popen([sys.executable, "-m", "plateforme.devserver", "--port", "0"],
                                   env=environment, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            ready = process.stdout.readline()  # printed once the port is bound
            match = re.search(r"http://127\.0\.0\.1:(\d+)/ with consumer pid (\d+)", ready)
            assert match, ready
            yield process, int(match.group(1)), int(match.group(2)), sink
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_make_run_serves_sends_through_its_consumer_and_ctrl_c_stops_both(app, db, tmp_path):
    with devserver(app, tmp_path) as (process, port, consumer_pid, sink):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accessibilite") as response:
            assert response.status == 200
        queue_mail("dev@example.org", "Sujet", "Corps")
        db.session.commit()  # enqueues the send task on the queue the launcher's consumer reads
        assert sink.reached(1).wait(60)
        assert sink.recipients == ["dev@example.org"]

        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches the whole group
        assert process.wait(timeout=30) == 0
        assert _exited(consumer_pid, timeout=30)


def test_a_killed_web_server_leaves_no_consumer_behind(app, db, tmp_path):
    with devserver(app, tmp_path) as (process, port, consumer_pid, sink):
        assert not _exited(consumer_pid, timeout=0)
        process.kill()  # SIGKILL: no chance to stop its child itself
        process.wait()
        assert _exited(consumer_pid, timeout=30)


def test_the_consumer_s_emails_link_to_the_address_make_run_serves(app, db, make, tmp_path, request_context):
    """Without SITE_URL, the links the consumer writes lead to the launcher's own address
    (they led to http://localhost/, where nothing listens)."""
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    follow(db, consultation, make.user())
    with devserver(app, tmp_path) as (process, port, consumer_pid, sink):
        notify_followers(consultation, NotificationKind.RESPONSE_PUBLISHED, f"/consultations/{consultation.id}",
                         consultation.title)
        db.session.commit()  # the consumer writes the email, then sends it
        assert sink.reached(1).wait(60)
        body = sink.messages[0].get_payload(decode=True).decode()
        link = f"http://127.0.0.1:{port}/consultations/{consultation.id}"
        assert link in body, body
        with urllib.request.urlopen(link) as response:
            assert response.status == 200


@pytest.mark.skipif(not shutil.which("redis-server"), reason="make run caches pages only where Redis is installed")
def test_make_run_s_open_data_carries_validators_and_answers_304(app, db, tmp_path):
    """Data users' tools revalidate: under `make run` too, the API's answers carry an ETag
    and a conditional request is answered 304 (they carried none: no cache held the marks)."""
    with devserver(app, tmp_path) as (process, port, consumer_pid, sink):
        url = f"http://127.0.0.1:{port}/api/v1/findings"
        with urllib.request.urlopen(url) as response:
            etag = response.headers["ETag"]
            assert etag and response.headers["Last-Modified"]
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers={"If-None-Match": etag}))
            raise AssertionError("a current copy was sent again")
        except urllib.error.HTTPError as answer:
            assert answer.code == 304


@pytest.mark.skipif(not shutil.which("redis-server"), reason="no Redis to start")
def test_flask_commands_beside_make_run_use_its_cache_and_not_a_dead_one(monkeypatch, tmp_path):
    """A command run while `make run` serves (an import, a publication) announces its writes
    to the same cache, or its pages and ETags would say nothing changed; once the server is
    gone, its leftover address is ignored."""
    for name in ("CACHE_TYPE", "CACHE_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)  # a new shell: only the file tells where the cache is
    monkeypatch.setattr(config, "DEV_CACHE_FILE", tmp_path / "page-cache.url")
    started = start_cache_server()
    assert started is not None
    server, address = started
    try:
        config.DEV_CACHE_FILE.write_text(address, encoding="utf-8")
        settings = config.load_config({"ENV_NAME": "development"})
        assert (settings["CACHE_TYPE"], settings["CACHE_REDIS_URL"]) == ("RedisCache", address)
    finally:
        server.kill()  # as a `make run` killed outright: its address is left in the file
        server.wait()
        shutil.rmtree(os.path.dirname(address.removeprefix("unix://")))
    settings = config.load_config({"ENV_NAME": "development"})
    assert settings["CACHE_TYPE"] != "RedisCache"
    assert "CACHE_REDIS_URL" not in os.environ  # nothing left for the tests that follow
