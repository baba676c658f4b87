"""SQLite runs in WAL mode, and concurrent writers wait for each other instead of failing."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, select, text

from plateforme.accounts.models import Organisation, OrganisationKind


def test_sqlite_pragmas(app, db):
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_concurrent_read_then_write_requests_all_land(app, db):
    """Each writer reads, then writes, like a form submission: with deferred transactions
    SQLite would refuse some of them at once ("database is locked")."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            with app.test_request_context("/", method="POST"):
                barrier.wait(timeout=10)
                db.session.execute(select(func.count(Organisation.id))).scalar_one()
                db.session.add(Organisation(name=f"Concurrente {n}", kind=OrganisationKind.OTHER, fields=""))
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # collected and asserted on in the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.rollback()
    assert db.session.execute(select(func.count(Organisation.id))).scalar_one() == 8


def test_password_check_holds_no_write_lock(app, db, make):
    """While a sign-in checks a password, another request can still write."""
    if app.config["BACKEND"] != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has row locks")
    from plateforme.core.transactions import read_phase

    make.user("lente@example.org")
    with app.test_request_context("/connexion", method="POST"):
        with read_phase():
            db.session.execute(select(func.count(Organisation.id))).scalar_one()  # transaction open, deferred
            other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
            try:  # another writer gets the lock at once (it would raise "database is locked")
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
            finally:
                other.close()
        db.session.remove()


def test_demo_logins_pass_the_sign_in_form(app, client, db):
    from ..factories import post_form

    app.test_cli_runner().invoke(args=["demo"])
    response = post_form(client, "/connexion", {"email": "habitant@demo.plateforme.example",
                                                 "password": app.config["DEMO_PASSWORD"]})
    assert response.status_code == 302


def test_insert_if_absent_inserts_once(app, db, make):
    from plateforme.consultations.models import ConsultationFollow
    from plateforme.core.database import insert_if_absent
    from plateforme.core.models import utcnow

    from ..consultations.helpers import build_consultation

    consultation, person = build_consultation(make), make.user()
    values = dict(consultation_id=consultation.id, user_id=person.id, created_at=utcnow())
    with app.test_request_context(method="POST"):
        assert insert_if_absent(ConsultationFollow, ("consultation_id", "user_id"), **values) is True
        assert insert_if_absent(ConsultationFollow, ("consultation_id", "user_id"), **values) is False
        db.session.commit()
    assert db.session.execute(select(func.count(ConsultationFollow.id))).scalar_one() == 1


def test_insert_object_gives_a_loaded_object_of_the_session(app, db, make):
    from sqlalchemy import event

    from plateforme.core.database import insert_object

    with app.test_request_context(method="POST"):
        organisation = insert_object(Organisation, name="Insérée", kind=OrganisationKind.OTHER, fields="",
                                     territory_id=None, website="")
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:  # what was written reads back without a query, and is not seen as a change
            assert (organisation.name, organisation.kind) == ("Insérée", OrganisationKind.OTHER)
            assert organisation in db.session and not db.session.dirty and not db.session.new
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert statements == []
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).name == "Insérée"


def test_insert_object_refuses_a_column_the_model_does_not_have(app, db):
    from plateforme.core.database import insert_object

    with app.test_request_context(method="POST"):
        with pytest.raises(TypeError, match="nom"):
            insert_object(Organisation, nom="Insérée", kind=OrganisationKind.OTHER, fields="", territory_id=None,
                          website="")
    assert db.session.execute(select(func.count(Organisation.id))).scalar_one() == 0
