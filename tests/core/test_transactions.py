"""One transaction per request, committed once by the view (core/transactions.py): what a
request writes goes in together or not at all, on SQLite and PostgreSQL; on SQLite, a
request that may write takes the write lock when it begins (BEGIN IMMEDIATE), pages don't."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from plateforme.accounts.models import Organisation, OrganisationKind
from plateforme.consultations.models import ConsultationFollow, PhaseKind
from plateforme.core.transactions import immediate_transactions
from plateforme.debate.models import Comment, Stance
from plateforme.debate.services import post_comment
from plateforme.notifications.models import Notification

from ..consultations.helpers import build_consultation


def _committed(db, model) -> int:
    """Rows of `model` another connection sees: what is committed."""
    with db.engine.connect() as other:
        return other.execute(select(func.count()).select_from(model)).scalar_one()


def _other_writer_gets_the_lock(db) -> bool:
    other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        other.close()


@pytest.mark.parametrize("method, locked", [("POST", True), ("GET", False)])
def test_a_request_that_may_write_takes_sqlites_write_lock_when_it_begins(app, db, method, locked):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has row locks")
    with app.test_request_context("/", method=method):
        db.session.execute(select(func.count(Organisation.id))).scalar_one()
        assert _other_writer_gets_the_lock(db) is not locked
        db.session.rollback()
        db.session.remove()


def test_cli_writing_commands_take_the_write_lock_when_they_begin(app, db):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite only")
    db.session.remove()
    with immediate_transactions():
        db.session.execute(select(func.count(Organisation.id))).scalar_one()
        assert not _other_writer_gets_the_lock(db)
        db.session.rollback()
    db.session.remove()


@pytest.mark.parametrize("follows", [False, True])
def test_a_comment_and_another_write_of_the_same_request_are_committed_together(app, db, make, follows):
    """What a maintainer adds to `post_comment` works for every author: someone who
    already follows the consultation as well as a newcomer."""
    consultation = build_consultation(make, PhaseKind.DEBATE)
    person = make.user()
    if follows:
        db.session.add(ConsultationFollow(consultation_id=consultation.id, user_id=person.id))
        db.session.commit()
    with app.test_request_context(method="POST"):
        post_comment(person, consultation, Stance.FOR, "Un avis, et une écriture de plus.")
        db.session.add(Organisation(name="Écrite dans la même requête", kind=OrganisationKind.OTHER, fields=""))
        db.session.commit()
        db.session.remove()
    assert (_committed(db, Comment), _committed(db, ConsultationFollow), _committed(db, Organisation)) == (1, 1, 1)


@pytest.mark.parametrize("reply", [False, True])
def test_a_comment_that_fails_later_in_its_request_leaves_nothing(app, db, make, reply):
    """A first comment also makes its author follow; a reply also tells the parent's author:
    the rows go in together, or not at all."""
    consultation = build_consultation(make, PhaseKind.DEBATE)
    person, other = make.user(), make.user()
    parent = None
    if reply:
        with app.test_request_context(method="POST"):
            parent = post_comment(other, consultation, Stance.FOR, "Le commentaire auquel on répond.")
            db.session.commit()
            db.session.remove()
        parent = db.session.get(Comment, parent.id)
    before = (_committed(db, Comment), _committed(db, ConsultationFollow), _committed(db, Notification))
    with app.test_request_context(method="POST"):
        post_comment(person, consultation, Stance.AGAINST, "Une première prise de parole.", parent=parent)
        db.session.rollback()  # what an error later in the request does
        db.session.remove()
    assert (_committed(db, Comment), _committed(db, ConsultationFollow), _committed(db, Notification)) == before
