"""Mail sending rate: the outbox (claim, send over one SMTP connection, mark each row sent)
against a bare smtplib loop over one connection, to the same local SMTP sink, in one run.

    .venv/bin/python bench/mail_bench.py [--messages 10000] [--database-url URL]

The sink is aiosmtpd on 127.0.0.1 (it accepts and counts). The outbox is measured as a
consumer runs it (`drain()`, in this process, batches of MAIL_BATCH_SIZE), on a fresh SQLite
database unless --database-url names another (PostgreSQL: an empty database, the script
creates the tables). Writing the rows is timed apart: it is the request's share.
"""
from __future__ import annotations

import argparse
import os
import smtplib
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402

from tests.smtp_sink import Sink, free_port  # noqa: E402


def bare_loop(port: int, count: int) -> float:
    """Seconds to send `count` messages with smtplib over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for n in range(count):
            email = EmailMessage()
            email["From"], email["To"], email["Subject"] = "bench@example.org", f"p{n}@example.org", "Sujet"
            email.set_content("Bonjour,\n\nCorps du message.\n")
            smtp.send_message(email)
    return time.perf_counter() - started


def outbox(port: int, count: int, database_url: str, batch: int) -> tuple[float, float, int]:
    """(seconds to write the rows, seconds to drain them, messages the drain sent)."""
    os.environ["PLATEFORME_ENV"] = "testing"
    from plateforme import create_app
    from plateforme.core.mail import queue_mail
    from plateforme.core.outbox_sender import drain
    from plateforme.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_BATCH_SIZE": batch,
                      # A real queue with no consumer: the commit only enqueues; drain() below is the consumer.
                      "TASK_QUEUE_URL": f"sqlite:///{tempfile.mkdtemp()}/tasks.sqlite"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        for n in range(count):
            queue_mail(f"p{n}@example.org", "Sujet", "Bonjour,\n\nCorps du message.\n")
        db.session.commit()
        written = time.perf_counter() - started
        started = time.perf_counter()
        report = drain()
        drained = time.perf_counter() - started
        db.drop_all()
    return written, drained, report.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = options.database_url or f"sqlite:///{tmp}/bench.sqlite"
            bare = bare_loop(port, options.messages)
            written, drained, sent = outbox(port, options.messages, url, options.batch)
    finally:
        controller.stop()
    n = options.messages
    assert sent == n and len(sink.received) == 2 * n, (sent, len(sink.received))
    backend = (options.database_url or "sqlite").split(":")[0]
    print(f"{n} messages, batches of {options.batch}, outbox on {backend}")
    print(f"| path | seconds | messages/s |\n|---|---|---|")
    print(f"| bare smtplib, one connection | {bare:.2f} | {n / bare:,.0f} |")
    print(f"| outbox drain (claim, send, mark each) | {drained:.2f} | {n / drained:,.0f} |")
    print(f"| writing the rows (one transaction) | {written:.2f} | {n / written:,.0f} |")
    print(f"outbox / bare: {bare / drained:.2f}")


if __name__ == "__main__":
    main()
