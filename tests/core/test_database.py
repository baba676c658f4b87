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
    from plateforme.core.database import read_phase

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
