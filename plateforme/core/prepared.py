"""Statements of the busiest requests, compiled once and run straight on the driver.

Running a prebuilt Core statement through SQLAlchemy costs 60 to 90 µs before the driver
sees it (cache key, execution context, parameter and result processing, result object),
about ten times what SQLite takes to run a small one. For the few statements every
debate POST runs, `Prepared` keeps what SQLAlchemy compiled for each dialect (the SQL,
the order of its parameters, the types' own converters) and gives the driver the SQL
directly, on the session's connection and in its transaction, so the request still
commits once, with everything else it wrote.

What stays the same:
- values go through the column types' own bind and result processors (dates, enums, UTC
  times), so rows are written and read exactly as through SQLAlchemy;
- the `before_cursor_execute` and `after_cursor_execute` listeners of the engine still
  see each statement: the transaction listener (core/transactions.py) begins the transaction,
  and the tests that count statements count these too. Listeners that rewrite the
  statement (``retval=True``) are not supported here.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the parameters the SQL takes (in order, when `positional`)
    positional: bool
    bind_processors: dict
    result_processors: tuple
    row: type | None  # None: the statement returns no rows


class Prepared:
    """A Core statement (a SELECT, or an INSERT ... RETURNING) run past SQLAlchemy's execution layer."""

    def __init__(self, statement):
        self.statement = statement
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect)
            # The dialect's own form of each type (SQLite's DATETIME parses strings...), as SQLAlchemy uses.
            binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                     for name, bind in compiled.binds.items()}
            columns = list(self.statement.exported_columns)  # a SELECT's columns, or what it RETURNS
            plan = _Plan(
                sql=compiled.string,
                names=tuple(compiled.positiontup) if compiled.positional else tuple(compiled.binds),
                positional=bool(compiled.positional),
                bind_processors={name: process for name, process in binds.items() if process is not None},
                result_processors=tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                                        for column in columns),
                row=namedtuple("Row", [column.key for column in columns], rename=True) if columns else None,
            )
            self._plans[dialect.name] = plan
        return plan

    def rows(self, parameters: dict) -> list:
        """Run with `parameters` (by bind name) in the session's transaction; the rows, as
        named tuples of converted values."""
        from ..extensions import db

        connection = db.session.connection()
        plan = self._plan(connection.dialect)
        values = {name: (process(parameters[name]) if (process := plan.bind_processors.get(name)) else
                         parameters[name]) for name in plan.names}
        driver_parameters = tuple(values[name] for name in plan.names) if plan.positional else values
        dispatch = connection.dispatch
        cursor = connection.connection.driver_connection.cursor()
        try:
            for listener in dispatch.before_cursor_execute:
                listener(connection, cursor, plan.sql, driver_parameters, None, False)
            cursor.execute(plan.sql, driver_parameters)
            for listener in dispatch.after_cursor_execute:
                listener(connection, cursor, plan.sql, driver_parameters, None, False)
            fetched = cursor.fetchall() if plan.row is not None else []
        except connection.dialect.loaded_dbapi.Error as error:
            # The same exceptions as through SQLAlchemy (IntegrityError, OperationalError...).
            raise DBAPIError.instance(plan.sql, driver_parameters, error, connection.dialect.loaded_dbapi.Error,
                                      dialect=connection.dialect) from error
        finally:
            cursor.close()
        processors = plan.result_processors
        return [plan.row(*[process(value) if process else value for process, value in zip(processors, row)])
                for row in fetched]

    def first(self, parameters: dict):
        rows = self.rows(parameters)
        return rows[0] if rows else None
