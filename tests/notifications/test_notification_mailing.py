"""Notifying a consultation's followers writes the notifications in the action's transaction
and leaves their emails to the task queue: the action's work does not grow with the number
of followers, each email is written once into the outbox, in its reader's language, and
none for a rolled-back action or for someone who turned emails off in the meantime."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, literal, select

from plateforme.accounts.models import User
from plateforme.consultations.models import ConsultationFollow, PhaseKind
from plateforme.core.models import utcnow

from plateforme.core.outbox_models import OutgoingMail
from plateforme.core.outbox_tasks import send_outbox
from plateforme.core.tasks import huey
from plateforme.notifications.mailing import write_notification_mail
from plateforme.notifications.models import Notification, NotificationFanout, NotificationKind
from plateforme.notifications.services import notify_followers

from ..consultations.helpers import build_consultation
from ..consultations.test_outcome_pages import count_queries
from ..factories import csrf_token, sign_in
from ..consultations.outcome_helpers import follow
from ..core.test_task_queue import Completions, consumer, real_queue


@pytest.fixture
def consultation(make):
    return build_consultation(make, current=PhaseKind.RESPONSE)


def _publish_response(db, consultation) -> None:
    notify_followers(consultation, NotificationKind.RESPONSE_PUBLISHED, f"/consultations/{consultation.id}",
                     consultation.title)


def _count(db, model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _work_of_the_action(db, consultation) -> tuple[int, int]:
    """(SQL statements, templates rendered) while notifying the followers and flushing."""
    from flask import template_rendered

    statements, templates = [], []

    def statement(*_args, **_kwargs):
        statements.append(1)

    def rendered(_sender, template, **_extra):
        templates.append(template.name)

    event.listen(db.engine, "before_cursor_execute", statement)
    template_rendered.connect(rendered)
    try:
        _publish_response(db, consultation)
        db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        template_rendered.disconnect(rendered)
    db.session.rollback()
    return len(statements), len(templates)


def test_the_action_s_work_does_not_grow_with_the_followers(make, db, consultation, request_context):
    follow(db, consultation, *[make.user() for _ in range(3)])
    few = _work_of_the_action(db, consultation)
    follow(db, consultation, *[make.user() for _ in range(30)])
    assert _work_of_the_action(db, consultation) == few
    assert few[1] == 0  # no email is rendered by the action itself


def _followers(db, consultation, count: int) -> None:
    """`count` more followers with confirmed addresses who want emails (bulk)."""
    start = _count(db, User)
    db.session.execute(insert(User), [
        {"email": f"abonne{n}@example.org", "display_name": f"Abonné {n}", "password_hash": "x",
         "email_confirmed_at": utcnow()} for n in range(start, start + count)])
    people = select(User.id).where(User.email.like("abonne%")).subquery()
    db.session.execute(insert(ConsultationFollow).from_select(
        ["consultation_id", "user_id", "created_at"],
        select(literal(consultation.id), people.c.id, literal(utcnow(), ConsultationFollow.created_at.type))
        .where(people.c.id.not_in(select(ConsultationFollow.user_id).where(
            ConsultationFollow.consultation_id == consultation.id)))))
    db.session.commit()


def _publishing_request(app, client, db, make, official, followers: int, tmp_path) -> tuple[int, int]:
    """(SQL statements, notifications written) of the request that publishes the response
    of a fresh consultation with `followers` followers (the queue is not run)."""
    consultation = build_consultation(make, current=PhaseKind.RESPONSE, opened_by=official)
    _followers(db, consultation, followers)
    token = csrf_token(client, f"/consultations/{consultation.id}/reponse")
    notifications = _count(db, Notification)
    with real_queue(app, "sqlite", tmp_path), count_queries(db) as statements:
        response = client.post(f"/consultations/{consultation.id}/reponse", data={
            "csrf_token": token, "body": "La métropole retient l'idée d'un guichet unique.", "no_commitment": "y",
            "confirm": "yes"})
    assert response.status_code == 302
    return len(statements), _count(db, Notification) - notifications


def test_publishing_the_response_writes_nothing_per_follower(app, client, db, make, tmp_path):
    official = make.elected()
    sign_in(client, official)
    few = _publishing_request(app, client, db, make, official, 10, tmp_path)
    many = _publishing_request(app, client, db, make, official, 200, tmp_path)
    assert few == many and few[1] == 0  # the same statements; the notifications are the queue's


def test_the_queue_writes_each_email_once_in_its_reader_s_language(app, make, db, consultation, outbox,
                                                                  request_context, tmp_path):
    french, english, quiet, later = make.user(), make.user(), make.user(), make.user()
    english.locale = "en"
    quiet.email_notifications = False
    db.session.commit()
    follow(db, consultation, french, english, quiet, later)
    with real_queue(app, "sqlite", tmp_path):
        _publish_response(db, consultation)
        db.session.commit()
        assert [task.name for task in huey.pending()] == [write_notification_mail.s().name]
        assert _count(db, OutgoingMail) == 0  # not written by the action
        assert _count(db, Notification) == 0 and _count(db, NotificationFanout) == 1  # nor the notifications
        later.email_notifications = False  # turned off before the queue got to it
        db.session.commit()
        with Completions(write_notification_mail.s().name, expected=1) as written, \
                Completions(send_outbox.s().name, expected=1) as sent, consumer():
            assert written.wait(60) and sent.wait(60)  # the writing's commit enqueued the sending
    db.session.rollback()
    db.session.expire_all()
    assert sorted(db.session.execute(select(OutgoingMail.to_address)).scalars()) == sorted([french.email,
                                                                                          english.email])
    assert _count(db, Notification) == 4 and _count(db, Notification, Notification.mail_reason.is_not(None)) == 0
    assert _count(db, NotificationFanout) == 0
    by_address = {message.to: message for message in outbox}
    assert set(by_address) == {french.email, english.email} and len(outbox) == 2
    assert "official response" in by_address[english.email].body
    assert "réponse officielle" in by_address[french.email].body


def test_nothing_is_written_for_a_rolled_back_action(make, db, consultation, outbox, request_context):
    follow(db, consultation, make.user())
    _publish_response(db, consultation)
    db.session.rollback()
    db.session.commit()
    assert _count(db, Notification) == 0 and _count(db, OutgoingMail) == 0 and outbox == []
