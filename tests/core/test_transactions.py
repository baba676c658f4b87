"""When transactions begin (core/transactions.py), on SQLite and PostgreSQL: reads of a read
phase and one-statement writes run on their own; everything else writes in one
transaction; the two mistakes that would save something half-done raise."""
from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from plateforme.accounts.models import Organisation, OrganisationKind
from plateforme.consultations.models import PhaseKind
from plateforme.core.database import insert_object
from plateforme.core.transactions import HalfDoneWrite, read_phase, reads_first, write_phase
from plateforme.debate.models import Comment, Stance
from plateforme.debate.services import post_comment

from ..consultations.helpers import build_consultation


def _organisation(name: str) -> Organisation:
    return insert_object(Organisation, name=name, kind=OrganisationKind.OTHER, fields="", territory_id=None,
                         website="")


def _driver_in_transaction(db) -> bool:
    raw = db.session.connection().connection.driver_connection
    if db.engine.dialect.name == "sqlite":
        return raw.in_transaction
    return raw.info.transaction_status != 0  # psycopg: 0 is IDLE


def _committed(db, model) -> int:
    """Rows of `model` another connection sees: what is committed."""
    with read_phase(), db.engine.connect() as other:
        return other.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_read_phase_leaves_no_transaction_open(app, db, make):
    make.user()
    with app.test_request_context(method="POST"):
        with read_phase():
            assert db.session.execute(select(func.count(Organisation.id))).scalar_one() == 0
            assert not _driver_in_transaction(db)
        db.session.remove()


def test_a_lone_write_is_committed_as_it_runs(app, db):
    with app.test_request_context(method="POST"), read_phase():
        with write_phase(alone=True):
            _organisation("Seule")
        assert not _driver_in_transaction(db)
        assert _committed(db, Organisation) == 1  # before the request's commit, which has nothing to send
        db.session.commit()
        db.session.remove()
    assert _committed(db, Organisation) == 1


def test_a_second_statement_in_a_lone_write_is_refused(app, db):
    with app.test_request_context(method="POST"), read_phase():
        with pytest.raises(HalfDoneWrite, match="second statement"):
            with write_phase(alone=True):
                _organisation("Première")
                _organisation("Seconde")
        db.session.rollback()
        db.session.remove()
    assert db.session.execute(select(Organisation.name)).scalars().all() == ["Première"]


def test_a_write_in_a_read_phase_without_a_transaction_is_refused(app, db):
    with app.test_request_context(method="POST"), read_phase():
        with pytest.raises(HalfDoneWrite, match="read phase"):
            db.session.execute(insert(Organisation).values(name="Égarée", kind=OrganisationKind.OTHER, fields="",
                                                          website=""))
        db.session.rollback()
        db.session.remove()
    assert _committed(db, Organisation) == 0


def test_a_write_after_a_lone_write_of_the_same_request_is_refused(app, db):
    """The lone write is committed already: a second write would be a second commit, the
    first kept if the second failed."""
    with app.test_request_context(method="POST"), read_phase():
        with write_phase(alone=True):
            _organisation("Seule")
        with pytest.raises(HalfDoneWrite, match="after a lone write"):
            with write_phase():
                _organisation("Après coup")
        db.session.rollback()
        db.session.remove()
    assert db.session.execute(select(Organisation.name)).scalars().all() == ["Seule"]


def test_a_lone_write_inside_an_open_transaction_leaves_later_writes_free(app, db):
    """Joined to the request's transaction, the lone write is committed with what follows."""
    with app.test_request_context(method="POST"), read_phase():
        with write_phase():
            _organisation("Première")
        with write_phase(alone=True):
            _organisation("Jointe")
        with write_phase():
            _organisation("Troisième")
        db.session.commit()
        db.session.remove()
    assert _committed(db, Organisation) == 3


def test_a_write_in_a_read_phase_joins_an_open_transaction(app, db):
    """After a write phase has opened the transaction, a later write of the same view joins it
    (a reply's notification after the reply): both are committed together, or neither."""
    with app.test_request_context(method="POST"), read_phase():
        with write_phase():
            _organisation("Dans la transaction")
        _organisation("Après la phase")
        assert _driver_in_transaction(db)
        assert _committed(db, Organisation) == 0
        db.session.rollback()
        db.session.remove()
    assert _committed(db, Organisation) == 0


def test_a_write_phase_of_several_statements_is_one_transaction(app, db):
    with app.test_request_context(method="POST"), read_phase():
        with write_phase():
            _organisation("Une")
            _organisation("Deux")
        assert _driver_in_transaction(db)
        db.session.rollback()  # the view failing after its writes: nothing stays
        db.session.remove()
    assert _committed(db, Organisation) == 0


def test_reads_first_views_run_their_reads_on_their_own(app, db):
    seen = []

    @reads_first
    def view():
        db.session.execute(select(func.count(Organisation.id))).scalar_one()
        seen.append(_driver_in_transaction(db))

    with app.test_request_context(method="POST"):
        view()
        db.session.remove()
    assert seen == [False]


def test_a_comment_by_a_follower_needs_no_transaction(app, db, make):
    """The busiest write: one INSERT, committed as it runs."""
    from plateforme.consultations.services import remember_following

    consultation = build_consultation(make, PhaseKind.DEBATE)
    person = make.user()
    with app.test_request_context(method="POST"), read_phase():
        remember_following(consultation.id, person.id)  # as the comment view's read finds it
        post_comment(person, consultation, Stance.FOR, "Un avis de quelqu'un qui suit déjà.")
        assert not _driver_in_transaction(db)
        assert _committed(db, Comment) == 1
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("reply", [False, True])
def test_a_first_comment_or_a_reply_is_one_transaction(app, db, make, reply):
    """A first comment also makes its author follow; a reply also tells the parent's author:
    the rows go in together, or not at all."""
    from plateforme.consultations.models import ConsultationFollow
    from plateforme.consultations.services import remember_following
    from plateforme.notifications.models import Notification

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
    with app.test_request_context(method="POST"), read_phase():
        if reply:  # only the notification makes it more than one statement
            remember_following(consultation.id, person.id)
        post_comment(person, consultation, Stance.AGAINST, "Une première prise de parole.", parent=parent)
        assert _driver_in_transaction(db)
        db.session.rollback()
        db.session.remove()
    assert (_committed(db, Comment), _committed(db, ConsultationFollow), _committed(db, Notification)) == before
