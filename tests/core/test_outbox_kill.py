"""A consumer killed (SIGKILL) in the middle of a batch, twice: the rows it had claimed wait
for their lease, then another consumer sends them; no message is lost, and none goes out
twice but, at most, the one each killed consumer had in flight (the server had accepted it,
the mark had not been written), which keeps its Message-ID."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from plateforme.core.mail import queue_mail
from plateforme.core.models import utcnow
from plateforme.core.outbox_models import MailStatus, OutgoingMail
from plateforme.core.outbox_sender import drain
from plateforme.core.outbox_tasks import send_outbox

from ..smtp_sink import smtp_sink
from .test_task_queue import ROOT, _environment, real_queue


def _statuses(db) -> dict:
    db.session.rollback()
    db.session.expire_all()
    return dict(db.session.execute(select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)).all())


def _consumer_killed_after(app, queue, sink, count: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "plateforme.worker.huey", "-w", "1", "-m", "0.2"],
        env={**_environment(app, queue), "MAIL_BATCH_SIZE": "100"}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert sink.reached(count).wait(90), f"the consumer sent {len(sink.received)} messages"
    finally:
        process.kill()
        process.wait()


def test_a_consumer_killed_twice_mid_batch_loses_nothing(app, db, tmp_path):
    addresses = [f"personne{n}@example.org" for n in range(300)]
    with smtp_sink(app) as (sink, _), real_queue(app, "sqlite", tmp_path) as queue:
        for address in addresses:
            queue_mail(address, "Sujet", "Corps")
        db.session.commit()  # enqueues one send task
        _consumer_killed_after(app, queue, sink, 40)
        assert _statuses(db).get(MailStatus.SENDING)  # killed holding a claimed batch
        send_outbox()  # for the next consumer
        # 80 of its batch of 100: killed mid-batch, before it could claim the last rows (at
        # 140, the whole batch sent, it sometimes had claimed them already).
        _consumer_killed_after(app, queue, sink, 120)
        stuck = _statuses(db)
        assert stuck.get(MailStatus.SENDING) and stuck.get(MailStatus.QUEUED)

        # Within the lease nobody touches the dead consumers' rows; after it, they are sent.
        lease = timedelta(seconds=app.config["MAIL_LEASE_SECONDS"])
        drain()
        assert _statuses(db).get(MailStatus.SENDING) == stuck[MailStatus.SENDING]
        drain(now=utcnow() + lease + timedelta(seconds=1))
    assert _statuses(db) == {MailStatus.SENT: 300}
    received = Counter(sink.recipients)
    assert set(received) == set(addresses)  # nothing lost
    repeated = {address: n for address, n in received.items() if n > 1}
    assert len(repeated) <= 2 and all(n == 2 for n in repeated.values()), repeated
    by_id = Counter(message["Message-ID"] for message in sink.messages)
    assert len(by_id) == 300  # a repeated message is the same message
