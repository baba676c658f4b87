"""One row per key, decided by the database's unique constraint."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def insert_if_absent(model, key: tuple[str, ...], **values) -> bool:
    """INSERT a row of `model` unless one with the same `key` columns exists; True when
    inserted. One statement (ON CONFLICT DO NOTHING on the unique key): two clicks or two
    tabs at once cannot both insert, and no savepoint or prior SELECT is needed."""
    from ..extensions import db

    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = model.__table__
    statement = (insert(table).values(values).on_conflict_do_nothing(index_elements=list(key))
                 .returning(table.c.id))
    # RETURNING says whether a row went in (rowcount is not reliable with it on every driver).
    return db.session.execute(statement).first() is not None
