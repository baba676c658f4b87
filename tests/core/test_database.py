"""SQLite runs in WAL mode, and concurrent writers wait for each other instead of failing."""
from __future__ import annotations

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
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1  # surveys/mixing.py


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
