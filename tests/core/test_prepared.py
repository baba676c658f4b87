"""Statements run past SQLAlchemy's execution layer (core/prepared.py) must read and write
exactly as SQLAlchemy would, raise the same errors and stay visible to the engine's listeners."""
from __future__ import annotations

import pytest
from sqlalchemy import bindparam, event, exists, insert, select
from sqlalchemy.exc import IntegrityError

from plateforme.accounts.models import Organisation, OrganisationKind
from plateforme.core.database import insert_object, with_python_defaults
from plateforme.core.prepared import Prepared

ORGANISATIONS = Organisation.__table__


def _reading_statement():
    named = exists().where(ORGANISATIONS.c.name == bindparam("name"))
    return select(ORGANISATIONS.c.id, ORGANISATIONS.c.name, ORGANISATIONS.c.kind, ORGANISATIONS.c.territory_id,
                  ORGANISATIONS.c.created_at, named.label("named")).where(ORGANISATIONS.c.id >= bindparam("from_id"))


def test_rows_read_as_sqlalchemy_reads_them(app, db, make):
    first = make.organisation("Maison des étudiants", kind=OrganisationKind.ASSOCIATION)
    make.organisation("Comité de jumelage")
    db.session.commit()
    parameters = {"name": "Comité de jumelage", "from_id": first.id}
    with app.test_request_context(method="POST"):
        statement = _reading_statement()
        expected = [tuple(row) for row in db.session.connection().execute(statement, parameters)]
        rows = Prepared(statement).rows(parameters)
        assert [tuple(row) for row in rows] == expected and len(rows) == 2
        row = rows[0]  # converted values, under the columns' names
        assert row.kind is OrganisationKind.ASSOCIATION and row.named is True
        assert row.created_at.utcoffset() is not None  # an aware UTC time, as the model reads it
        db.session.rollback()


def test_an_insert_fills_the_python_defaults_and_reads_back_through_the_orm(app, db):
    with app.test_request_context(method="POST"):
        written = insert_object(Organisation, name="Insérée", kind=OrganisationKind.OTHER, territory_id=None)
        db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Organisation, written.id)
    assert (loaded.name, loaded.kind, loaded.fields, loaded.website) == ("Insérée", OrganisationKind.OTHER, "", "")
    assert loaded.created_at is not None and loaded.created_at == written.created_at


def test_driver_errors_come_as_sqlalchemys_own(app, db, make):
    make.organisation("Déjà là")
    db.session.commit()
    values = with_python_defaults(ORGANISATIONS, {"name": "Déjà là", "kind": OrganisationKind.OTHER})
    twice = Prepared(insert(ORGANISATIONS).values({name: bindparam(name) for name in values})
                     .returning(ORGANISATIONS.c.id))
    with app.test_request_context(method="POST"):
        with pytest.raises(IntegrityError):  # the name is unique
            twice.first(values)
        db.session.rollback()


def test_the_engines_listeners_see_each_statement(app, db):
    seen = []

    def listener(connection, cursor, statement, *rest):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context(method="POST"):
            Prepared(_reading_statement()).rows({"name": "x", "from_id": 0})
            db.session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([statement for statement in seen if "FROM organisation" in statement]) == 1
