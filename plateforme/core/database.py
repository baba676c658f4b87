"""Writing rows on the busiest paths without the unit of work's bookkeeping: one INSERT
(`insert_object`, `insert_if_absent`), and objects built from rows read or written by Core
statements (`as_loaded`). When transactions begin is core/transactions.py's business.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam

from .prepared import Prepared


def execute_core(statement, parameters=None):
    """Run a prebuilt Core statement (no objects loaded) on the session's connection, in
    its transaction, past the ORM's execution layer: about 45 µs less a statement on the
    busiest write paths. Nothing pending in the session is flushed first, so use it where
    the statement does not depend on objects changed earlier in the request."""
    from ..extensions import db

    return db.session.connection().execute(statement, parameters)


def insert_if_absent(model, key: tuple[str, ...], **values) -> bool:
    """INSERT a row of `model` unless one with the same `key` columns exists; True when
    inserted. One statement (ON CONFLICT DO NOTHING on the unique key): two clicks or two
    tabs at once cannot both insert, and no savepoint or prior SELECT is needed."""
    from ..extensions import db

    values = with_python_defaults(model.__table__, values)
    statement = _insert_unless_present(model.__table__, db.session.get_bind().dialect.name, tuple(key),
                                       frozenset(values))
    # RETURNING says whether a row went in (rowcount is not reliable with it on every driver).
    return statement.first(values) is not None


def with_python_defaults(table, values: dict) -> dict:
    """`values` and, for the columns it leaves out, their Python-side defaults (a creation
    date...), as SQLAlchemy's own INSERT would fill them in."""
    missing = [(key, default) for key, default in _python_defaults(table) if key not in values]
    if not missing:
        return values
    # A default given as a function is kept wrapped by SQLAlchemy to take an execution
    # context; ours ignore it.
    return {**values, **{key: default.arg(None) if default.is_callable else default.arg for key, default in missing}}


@cache
def _python_defaults(table) -> tuple:
    return tuple((column.key, column.default) for column in table.columns
                 if column.default is not None and (column.default.is_scalar or column.default.is_callable))


@cache
def _insert_unless_present(table, dialect: str, key: tuple[str, ...], columns: frozenset[str]) -> Prepared:
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return Prepared(insert(table).values({name: bindparam(name) for name in sorted(columns)})
                    .on_conflict_do_nothing(index_elements=list(key)).returning(table.c.id))


@cache
def _insert_returning_id(table, columns: frozenset[str]) -> Prepared:
    """Built once per table and set of columns; the values come as parameters."""
    from sqlalchemy import insert

    return Prepared(insert(table).values({name: bindparam(name) for name in sorted(columns)})
                    .returning(table.c.id))


def insert_object(model, **values):
    """INSERT one row of `model` with a single statement and return it as an object of the
    session, as if just loaded: for the busiest write paths, where the unit of work's
    bookkeeping costs several times the INSERT itself. Columns left out of `values` are
    loaded from the database if read later (give them all to spare that query)."""
    unknown = values.keys() - _column_keys(model)
    if unknown:
        raise TypeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    values = with_python_defaults(model.__table__, values)
    row_id = _insert_returning_id(model.__table__, frozenset(values)).first(values).id
    return as_loaded(model, {**values, "id": row_id})


def as_loaded(model, values: dict):
    """The object of the session for a row of `model` read or written by a Core statement
    (`values`: its columns by attribute name, the primary key included), as if the ORM had
    loaded it; the session's own object when it already holds that row."""
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.attributes import instance_state

    from ..extensions import db

    held = db.session.identity_map.get(model.__mapper__.identity_key_from_primary_key((values["id"],)))
    if held is not None:
        return held
    # Built as a load builds it (no constructor, no attribute events: a quarter of the cost).
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)  # its attributes now read as loaded, not as changes
    # What Session.add does, less its cascade walk over every relationship of the model (User
    # has a dozen): the object holds columns only, so the walk would find nothing.
    # tests/core/test_database.py: the object is then the session's (insert_object goes through here).
    db.session()._save_or_update_impl(instance_state(instance))
    return instance


@cache
def _column_keys(model) -> frozenset[str]:
    return frozenset(model.__mapper__.column_attrs.keys())
