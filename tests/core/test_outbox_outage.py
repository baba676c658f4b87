"""The mail server going away in the middle of a drain, then coming back: nothing is lost,
nothing goes out twice, and the outbox finds the server again within seconds (probes after
a failed drain) without claiming rows or counting attempts while it is still down."""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from plateforme.core.mail import queue_mail
from plateforme.core.outbox_models import MailStatus, OutgoingMail
from plateforme.core.outbox_tasks import PROBE_SECONDS, send_outbox
from plateforme.core.tasks import huey

from ..smtp_sink import smtp_sink
from .test_task_queue import consumer, real_queue


def _rows(db) -> list[OutgoingMail]:
    db.session.rollback()
    db.session.expire_all()
    return db.session.execute(select(OutgoingMail).order_by(OutgoingMail.id)).scalars().all()


def _until(condition, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _probes() -> list[tuple[tuple, float]]:
    """The probes waiting in the queue (a consumer would set them aside until their time):
    (args, seconds from now)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return sorted((task.args, (task.eta - now).total_seconds()) for task in huey.pending()
                  if task.name == send_outbox.s().name and task.eta is not None)


def test_a_server_gone_mid_drain_then_back_loses_and_repeats_nothing(app, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_RETRY_BASE_SECONDS", 1)
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 50)
    addresses = [f"personne{n}@example.org" for n in range(200)]
    with smtp_sink(app) as (sink, controller), real_queue(app, "sqlite", tmp_path), consumer():
        sink.closing_after = 70  # the 71st message is refused "421" and the server goes away
        for address in addresses:
            queue_mail(address, "Sujet", "Corps")
        db.session.commit()  # enqueues the send task
        assert sink.closing.wait(30)
        controller.stop()  # connections are refused from now on
        # The consumer found the server gone and gave its batch back for a later attempt.
        assert _until(lambda: any(row.status == MailStatus.QUEUED and row.attempts for row in _rows(db)))
        back = Controller(sink, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
        back.start()
        try:
            # No sweep runs here (periodic tasks are off): the probes alone find the server again.
            assert sink.reached(len(addresses)).wait(PROBE_SECONDS[0] + 20), len(sink.received)
            assert _until(lambda: {row.status for row in _rows(db)} == {MailStatus.SENT})
        finally:
            back.stop()
    received = Counter(sink.recipients)
    assert set(received) == set(addresses) and set(received.values()) == {1}  # none lost, none twice
    assert len({message["Message-ID"] for message in sink.messages}) == len(addresses)
    assert max(row.attempts for row in _rows(db)) == 2  # the refused batch, tried once more


def test_a_probe_while_the_server_is_down_claims_nothing_and_asks_again(app, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 1)
    with smtp_sink(app, start=False) as (sink, controller), real_queue(app, "sqlite", tmp_path):
        for n in range(3):
            queue_mail(f"patiente{n}@example.org", "Sujet", "Corps")
        db.session.commit()
        send_outbox.call_local()  # the kick's drain: its batch (one row) fails, a probe follows
        assert [row.attempts for row in _rows(db)] == [1, 0, 0]
        [(args, delay)] = _probes()
        assert args == (1,) and PROBE_SECONDS[0] - 2 < delay <= PROBE_SECONDS[0]

        send_outbox.call_local(1)  # still down: nothing claimed nor counted, the next probe later
        assert [(row.status, row.attempts) for row in _rows(db)] == [
            (MailStatus.QUEUED, 1), (MailStatus.QUEUED, 0), (MailStatus.QUEUED, 0)]
        assert [args for args, _ in _probes()] == [(1,), (2,)]
        assert PROBE_SECONDS[1] - 2 < _probes()[1][1] <= PROBE_SECONDS[1]
        send_outbox.call_local(len(PROBE_SECONDS))  # the last probe: the sweep takes over
        assert len(_probes()) == 2

        controller.start()
        send_outbox.call_local(2)  # the server answers: what is due goes, the failed row waits its backoff
    assert sorted(sink.recipients) == ["patiente1@example.org", "patiente2@example.org"]
    assert [row.status for row in _rows(db)] == [MailStatus.QUEUED, MailStatus.SENT, MailStatus.SENT]
    assert db.session.execute(select(func.count()).select_from(OutgoingMail)).scalar_one() == 3
