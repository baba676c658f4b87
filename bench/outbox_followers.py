"""A consultation's official response published to 10,000 email followers (issue 22), in one run:

    .venv/bin/python bench/outbox_followers.py [--followers 10000] [--database-url URL] [--queue redis]

(a) **The request.** `POST /consultations/<id>/reponse` (confirm=yes), through the app's test
    client, signed in as the consultation's elected official, on a fresh consultation with
    `--few` (10) then `--followers` (10,000) followers, `--repeat` times each: median times and
    their ratio (goal: at most 1.5). Followers are seeded in bulk (confirmed addresses, emails
    on). The page cache is Redis's (database 14, as production: the publication invalidates
    it), the task queue a real one (the request only enqueues).
(b) **Delivery.** One more publication to the followers, then the production consumer
    (`python -m huey.bin.huey_consumer plateforme.worker.huey`, a subprocess) writes the
    emails and sends them to a local aiosmtpd sink. It is killed (SIGKILL) at the moment the
    sink accepts message k, for each k of `--kills`, and restarted at once; at `--outage-at`
    the sink stops listening for `--outage` seconds, then listens again on the same port.
    Counted at the sink, by recipient and by Message-ID: lost (must be 0), duplicates, total
    time, and how long after the sink came back the next message arrived.
(c) **Rate.** bench/mail_bench.py's two paths on the same sink and database: a bare smtplib
    loop over one connection, and the outbox's `drain()` (`--rate-messages` messages).

SQLite (a temporary file) by default; `--database-url` names an empty PostgreSQL database
(tables are dropped and created). Queue: a SQLite file, or `--queue redis` (database 13,
emptied). The consumer runs with MAIL_LEASE_SECONDS=`--lease` (60; production: 300) so that
a killed consumer's batch is taken back within a minute, and the configured retry backoff
(MAIL_RETRY_BASE_SECONDS, 60 unless set in the environment).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PLATEFORME_ENV", "testing")

from aiosmtpd.controller import Controller  # noqa: E402

from bench.mail_bench import bare_loop, outbox as outbox_drain  # noqa: E402
from tests.smtp_sink import Sink, free_port  # noqa: E402

REDIS_QUEUE = "redis://127.0.0.1:6379/13"
REDIS_CACHE = "redis://127.0.0.1:6379/14"
DEMO_EPCI = "200046977"


def _normalise(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Listener:
    """The sink behind a controller that can stop listening and listen again on its port."""

    def __init__(self, sink: Sink, port: int):
        self.sink, self.port, self.controller = sink, port, None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _app(url: str, port: int, queue_url: str, lease: int):
    from plateforme import create_app

    return create_app({
        "ENV_NAME": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_CACHE, "CACHE_KEY_PREFIX": "bench-followers:",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
        "MAIL_LEASE_SECONDS": lease, "TASK_QUEUE_URL": queue_url, "SERVER_NAME": None})


def seed(db, followers: int):
    """The territory, an elected official of it, and `followers` residents (bulk). Returns the official."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from plateforme.accounts.models import User
    from plateforme.core.models import utcnow
    from plateforme.territories.services import load_territory
    from tests.factories import Factories

    load_territory(DEMO_EPCI)
    db.session.commit()
    official = Factories(db).elected(DEMO_EPCI, password="banc-des-abonnes-2026")
    cheap, now = generate_password_hash("x", method="pbkdf2:sha256:1"), utcnow()
    for start in range(0, followers, 5000):
        db.session.execute(insert(User), [
            {"email": f"abonne{n}@example.org", "display_name": f"Abonné {n}", "password_hash": cheap,
             "email_confirmed_at": now, "email_notifications": True, "locale": "fr" if n % 5 else "en"}
            for n in range(start, min(start + 5000, followers))])
    db.session.commit()
    return official


def fresh_consultation(db, official, followers: int) -> int:
    """A consultation in its response phase followed by the first `followers` seeded residents."""
    from sqlalchemy import insert, literal, select

    from plateforme.accounts.models import User
    from plateforme.consultations.models import ConsultationFollow, PhaseKind
    from plateforme.core.models import utcnow
    from tests.consultations.helpers import build_consultation
    from tests.factories import Factories

    consultation = build_consultation(Factories(db), current=PhaseKind.RESPONSE, opened_by=official)
    people = select(User.id).where(User.email.like("abonne%")).order_by(User.id).limit(followers).subquery()
    db.session.execute(insert(ConsultationFollow).from_select(
        ["consultation_id", "user_id", "created_at"],
        select(literal(consultation.id), people.c.id, literal(utcnow(), ConsultationFollow.created_at.type))))
    db.session.commit()
    return consultation.id


def publish(client, consultation_id: int) -> float:
    """Seconds of the publishing request (its answer must be the redirect of a success)."""
    data = {"body": "La métropole retient l'idée d'un guichet unique pour les étudiants.",
            "no_commitment": "y", "confirm": "yes"}
    started = time.perf_counter()
    response = client.post(f"/consultations/{consultation_id}/reponse", data=data)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:2000])
    return elapsed


def forget_mail(db) -> None:
    """Measured publications notify nobody: their followers' notifications and emails are not
    to be written (the fan-out waiting for the queue is dropped, with the queue's tasks)."""
    from sqlalchemy import delete, update

    from plateforme.core.tasks import huey
    from plateforme.notifications import models

    if hasattr(models, "NotificationFanout"):  # since the fan-out left the request
        db.session.execute(delete(models.NotificationFanout))
    db.session.execute(update(models.Notification).where(models.Notification.mail_reason.is_not(None))
                       .values(mail_reason=None))
    db.session.commit()
    huey.storage.flush_all()


def measure_requests(app, db, official, few: int, many: int, repeat: int) -> dict:
    client = app.test_client()
    response = client.post("/connexion", data={"email": official.email, "password": "banc-des-abonnes-2026"})
    assert response.status_code == 302, response.status_code
    publish(client, fresh_consultation(db, official, few))  # warm: templates, connections
    forget_mail(db)
    times: dict[int, list[float]] = {few: [], many: []}
    for _ in range(repeat):
        for size in (few, many):
            consultation_id = fresh_consultation(db, official, size)
            times[size].append(publish(client, consultation_id))
            forget_mail(db)
    return {size: statistics.median(values) for size, values in times.items()} | {"all": times}


def _statuses(db) -> dict:
    from sqlalchemy import func, select

    from plateforme.core.outbox_models import OutgoingMail

    db.session.rollback()
    return {str(status): n for status, n in db.session.execute(
        select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)).all()}


def _consumer(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "plateforme.worker.huey", "-w", "1", "-m", "0.2"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def deliver(app, db, official, listener: Listener, followers: int, kills: list[int], outage_at: int,
            outage: float, lease: int, timeout: float) -> dict:
    """(b): publish to `followers`, then the consumer delivers, killed and cut off on the way."""
    from flask import current_app

    sink = listener.sink
    sink.received.clear()
    client = app.test_client()
    client.post("/connexion", data={"email": official.email, "password": "banc-des-abonnes-2026"})
    consultation_id = fresh_consultation(db, official, followers)
    request_seconds = publish(client, consultation_id)
    config = current_app.config
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLATEFORME_ENV": "testing",
           "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "TASK_QUEUE_URL": config["TASK_QUEUE_URL"],
           "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(listener.port),
           "MAIL_USE_TLS": "0", "MAIL_LEASE_SECONDS": str(lease)}
    started = time.perf_counter()
    events, process = [], _consumer(env)
    try:
        for count in sorted(kills + [outage_at]):
            if not sink.reached(count).wait(timeout):
                raise RuntimeError(f"stuck at {len(sink.received)} messages before {count}")
            if count == outage_at:
                listener.stop()
                events.append((f"sink down after {len(sink.received)}", time.perf_counter() - started))
                time.sleep(outage)  # the outage itself: what is measured is how the outbox copes
                listener.start()
                back, before = time.perf_counter(), len(sink.received)
                events.append(("sink back", back - started))
            else:
                process.kill()
                process.wait()
                events.append((f"consumer killed at {len(sink.received)}", time.perf_counter() - started))
                process = _consumer(env)
        back_count = before
        if not sink.reached(back_count + 1).wait(timeout):
            raise RuntimeError("nothing arrived after the sink came back")
        resumed = time.perf_counter() - back
        deadline = time.monotonic() + timeout
        sink.reached(followers).wait(timeout)  # as many messages as followers, at least
        while len(set(sink.recipients)) < followers and time.monotonic() < deadline:
            sink.reached(len(sink.received) + 1).wait(5)  # a duplicate took the place of one still to come
        total = time.perf_counter() - started
        while _statuses(db).keys() - {"sent"} and time.monotonic() < deadline:
            time.sleep(0.5)  # the last marks
    finally:
        process.kill()
        process.wait()
    by_recipient, by_id = Counter(sink.recipients), Counter(m["Message-ID"] for m in sink.messages)
    expected = {f"abonne{n}@example.org" for n in range(followers)}
    return {"request_seconds": request_seconds, "total_seconds": total, "resumed_seconds": resumed,
            "received": len(sink.received), "lost": len(expected - set(by_recipient)),
            "unexpected": len(set(by_recipient) - expected),
            "duplicates_by_recipient": sum(n - 1 for n in by_recipient.values()),
            "duplicates_by_message_id": sum(n - 1 for n in by_id.values()),
            "distinct_message_ids": len(by_id), "events": events, "statuses": _statuses(db),
            "connections": sink.connections}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--few", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--queue", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--kills", default="2000,5000", help="kill the consumer when the sink has accepted these")
    parser.add_argument("--outage-at", type=int, default=7000)
    parser.add_argument("--outage", type=float, default=30.0)
    parser.add_argument("--lease", type=int, default=60)
    parser.add_argument("--rate-messages", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--skip", default="", help="parts to leave out: a, b, c (comma-separated)")
    options = parser.parse_args()
    skip = set(filter(None, options.skip.split(",")))
    kills = [int(k) for k in options.kills.split(",") if k]
    listener = Listener(Sink(), free_port())
    listener.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = _normalise(options.database_url or f"sqlite:///{tmp}/bench.sqlite")
        backend = url.split(":")[0].split("+")[0]
        rate = None
        if "c" not in skip:
            bare = bare_loop(listener.port, options.rate_messages)
            written, drained, sent = outbox_drain(listener.port, options.rate_messages, url, 100)
            assert sent == options.rate_messages
            rate = (options.rate_messages / bare, options.rate_messages / drained)
        queue_url = REDIS_QUEUE if options.queue == "redis" else f"sqlite:///{tmp}/tasks.sqlite"
        app = _app(url, listener.port, queue_url, options.lease)
        from plateforme.core.tasks import huey
        from plateforme.extensions import db

        with app.app_context():
            db.drop_all()
            db.create_all()
            huey.storage.flush_all()
            official = seed(db, options.followers)
            print(f"database: {backend}, queue: {options.queue}, followers: {options.followers:,}", flush=True)
            if rate:
                report_rate(options, *rate)
            if "a" not in skip:
                requests = measure_requests(app, db, official, options.few, options.followers, options.repeat)
                report_requests(options, requests)
            if "b" not in skip:
                forget_mail(db)
                delivery = deliver(app, db, official, listener, options.followers, kills, options.outage_at,
                                   options.outage, options.lease, options.timeout)
                report_delivery(options, delivery)
            huey.storage.flush_all()
            db.session.remove()
            db.drop_all()
    listener.stop()


def report_requests(options, requests) -> None:
    few, many = requests[options.few], requests[options.followers]
    print(f"(a) publishing request, median of {options.repeat}: {options.few} followers {few * 1000:.0f} ms, "
          f"{options.followers:,} followers {many * 1000:.0f} ms, ratio {many / few:.2f} (goal <= 1.5)")
    print("    every time (ms):", {k: [round(v * 1000) for v in vs] for k, vs in requests["all"].items()}, flush=True)


def report_delivery(options, d) -> None:
    print(f"(b) delivery of {options.followers:,} emails, consumer killed at {options.kills}, sink down "
          f"{options.outage:.0f} s at {options.outage_at}: total {d['total_seconds']:.1f} s "
          f"(request {d['request_seconds'] * 1000:.0f} ms); lost {d['lost']}, duplicates by recipient "
          f"{d['duplicates_by_recipient']}, by Message-ID {d['duplicates_by_message_id']} "
          f"({d['distinct_message_ids']:,} distinct); first message {d['resumed_seconds']:.1f} s after the sink "
          f"came back; outbox rows {d['statuses']}")
    print("    events:", [(label, round(at, 1)) for label, at in d["events"]], flush=True)


def report_rate(options, bare: float, drain: float) -> None:
    print(f"(c) sending rate, {options.rate_messages:,} messages: bare smtplib {bare:,.0f}/s, outbox drain "
          f"{drain:,.0f}/s, ratio {drain / bare:.2f}", flush=True)


if __name__ == "__main__":
    main()
