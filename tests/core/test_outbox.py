"""The mail outbox against a real SMTP server on 127.0.0.1: written with its action (nothing
for a rolled-back one), sent in batches over one connection, retried with backoff while the
server is down, failed for good when the server refuses the message, and a batch claimed by
a consumer that died is sent once by another after the lease. (The tests' queue runs the
send task at once, when the transaction commits; test_task_queue.py runs real consumers.)"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from plateforme.core.mail import queue_mail
from plateforme.core.models import utcnow
from plateforme.core.outbox_models import MailStatus, OutgoingMail
from plateforme.core.outbox_sender import claim, drain, purge_old

from ..factories import page_text
from ..smtp_sink import smtp_sink


def _rows(db):
    db.session.rollback()  # a fresh snapshot: the sender wrote on its own connections
    db.session.expire_all()
    return db.session.execute(select(OutgoingMail).order_by(OutgoingMail.id)).scalars().all()


def test_nothing_is_written_nor_sent_for_a_rolled_back_action(app, db):
    with smtp_sink(app) as (sink, _):
        queue_mail("annulee@example.org", "Sujet", "Corps")
        db.session.rollback()
        queue_mail("gardee@example.org", "Sujet", "Corps")
        db.session.commit()
    assert sink.recipients == ["gardee@example.org"]
    assert [(row.to_address, row.status) for row in _rows(db)] == [("gardee@example.org", MailStatus.SENT)]


def test_a_batch_goes_over_one_connection_and_each_row_is_marked_sent(app, db):
    with smtp_sink(app) as (sink, _):
        for n in range(25):
            queue_mail(f"personne{n}@example.org", f"Message {n}", f"Bonjour {n}",
                       {"List-Unsubscribe": "<https://exemple.fr/stop>"})
        db.session.commit()
    assert sorted(sink.recipients) == sorted(f"personne{n}@example.org" for n in range(25))
    assert sink.connections == 1
    assert sink.messages[0]["List-Unsubscribe"] == "<https://exemple.fr/stop>"
    assert len({message["Message-ID"] for message in sink.messages}) == 25
    rows = _rows(db)
    assert {row.status for row in rows} == {MailStatus.SENT}
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
    assert {row.body for row in rows} == {""}  # the links they carried are not kept


def test_batches_of_the_configured_size_each_over_one_connection(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 10)
    with smtp_sink(app) as (sink, _):
        for n in range(25):
            queue_mail(f"personne{n}@example.org", "Sujet", "Corps")
        db.session.commit()
    assert len(sink.messages) == 25 and sink.connections == 3


def test_a_server_that_is_down_is_retried_with_backoff_then_the_mail_is_delivered(app, db):
    with smtp_sink(app, start=False) as (sink, controller):
        queue_mail("patiente@example.org", "Sujet", "Corps")
        db.session.commit()  # the send task finds the port closed
        [row] = _rows(db)
        assert row.status == MailStatus.QUEUED and row.attempts == 1
        assert "refused" in row.last_error.lower() or "errno" in row.last_error.lower()
        first_retry = row.next_attempt_at
        assert timedelta(seconds=59) < first_retry - row.created_at < timedelta(seconds=70)

        assert drain(now=first_retry - timedelta(seconds=1)).batches == 0  # not due yet
        drain(now=first_retry)  # still down: the wait doubles
        [row] = _rows(db)
        assert row.attempts == 2 and row.next_attempt_at == first_retry + timedelta(seconds=120)

        controller.start()
        assert drain(now=row.next_attempt_at - timedelta(seconds=1)).sent == 0
        report = drain(now=row.next_attempt_at)
    assert report.sent == 1 and sink.recipients == ["patiente@example.org"]
    [row] = _rows(db)
    assert row.status == MailStatus.SENT and row.attempts == 3 and row.last_error is None


def test_after_the_last_attempt_the_mail_is_failed_with_its_error(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    with smtp_sink(app, start=False):
        queue_mail("jamais@example.org", "Sujet", "Corps")
        db.session.commit()
        [row] = _rows(db)
        drain(now=row.next_attempt_at)
    [row] = _rows(db)
    assert row.status == MailStatus.FAILED and row.attempts == 2 and row.last_error
    assert drain(now=utcnow() + timedelta(days=30)).batches == 0  # never tried again


def test_a_refused_recipient_fails_for_good_and_the_others_still_go(app, db):
    with smtp_sink(app) as (sink, _):
        sink.refused.add("inconnue@example.org")
        for address in ("avant@example.org", "inconnue@example.org", "apres@example.org"):
            queue_mail(address, "Sujet", "Corps")
        db.session.commit()
    assert sink.recipients == ["avant@example.org", "apres@example.org"] and sink.connections == 1
    statuses = {row.to_address: (row.status, row.last_error) for row in _rows(db)}
    assert statuses["inconnue@example.org"][0] == MailStatus.FAILED
    assert "550" in statuses["inconnue@example.org"][1]
    assert statuses["avant@example.org"][0] == statuses["apres@example.org"][0] == MailStatus.SENT


def test_a_batch_claimed_by_a_consumer_that_died_is_sent_once_after_its_lease(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "failing")  # the commit's own send finds nobody
    for n in range(3):
        queue_mail(f"reprise{n}@example.org", "Sujet", "Corps")
    db.session.commit()
    now = max(row.next_attempt_at for row in _rows(db))
    lease = timedelta(seconds=app.config["MAIL_LEASE_SECONDS"])
    token, claimed = claim(10, now, lease)  # a consumer takes the batch, then is killed
    assert len(claimed) == 3
    with smtp_sink(app) as (sink, _):
        assert drain(now=now + lease - timedelta(seconds=1)).batches == 0  # still its own
        assert drain(now=now + lease + timedelta(seconds=1)).sent == 3
        assert drain(now=now + 2 * lease).batches == 0
    assert sorted(sink.recipients) == [f"reprise{n}@example.org" for n in range(3)]
    assert {row.status for row in _rows(db)} == {MailStatus.SENT}


def test_sent_and_failed_mail_is_forgotten_after_the_retention_period(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "failing")
    for address in ("envoye@example.org", "echec@example.org", "attente@example.org"):
        queue_mail(address, "Sujet", "Corps")
    db.session.commit()
    rows = {row.to_address: row for row in _rows(db)}
    rows["envoye@example.org"].status, rows["envoye@example.org"].sent_at = MailStatus.SENT, utcnow()
    rows["echec@example.org"].status = MailStatus.FAILED
    db.session.commit()
    days = app.config["MAIL_RETENTION_DAYS"]
    assert purge_old(now=utcnow() + timedelta(days=days - 1)) == 0
    assert purge_old(now=utcnow() + timedelta(days=days + 1)) == 2
    assert [(row.to_address, row.status) for row in _rows(db)] == [("attente@example.org", MailStatus.QUEUED)]


def test_the_privacy_page_states_how_long_mail_is_kept(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_RETENTION_DAYS", 45)
    page = page_text(client.get("/confidentialite"))
    assert "Le texte est effacé dès l'envoi\u00a0; l'adresse, l'objet et la date, 45 jours après l'envoi" in page
