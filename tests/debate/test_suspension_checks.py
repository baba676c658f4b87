"""`is_suspended` is asked for every button of a debate page: answered once per request,
never carried over to the next request, and forgotten when a suspension is decided."""
from __future__ import annotations

from datetime import timedelta

from plateforme.core.models import utcnow
from plateforme.debate.models import AccountSuspension
from plateforme.debate.permissions import forget_suspensions, is_suspended


def _suspend(db, person) -> None:
    db.session.add(AccountSuspension(user_id=person.id, ends_at=utcnow() + timedelta(days=2), reason="Insultes"))
    db.session.flush()


def test_the_answer_is_remembered_within_a_request_until_a_suspension_is_decided(app, db, make):
    person = make.user()
    with app.test_request_context(method="POST"):
        assert is_suspended(person) is False
        _suspend(db, person)
        assert is_suspended(person) is False  # remembered: no second query in this request
        forget_suspensions()  # what suspend_author does
        assert is_suspended(person) is True
        db.session.rollback()


def test_the_next_request_asks_again(app, db, make):
    person = make.user()
    with app.test_request_context(method="POST"):
        assert is_suspended(person) is False
    _suspend(db, person)
    db.session.commit()
    with app.test_request_context(method="POST"):
        assert is_suspended(person) is True


def test_an_ended_suspension_does_not_count(app, db, make):
    person = make.user()
    db.session.add(AccountSuspension(user_id=person.id, ends_at=utcnow() - timedelta(minutes=1), reason="Passé"))
    db.session.commit()
    with app.test_request_context(method="POST"):
        assert is_suspended(person) is False
