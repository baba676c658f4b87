"""Open data: findings, indicators, values and external actions as streamed CSV and JSON,
described by a data package (Frictionless Data), each row with its licence and provenance.

Rows are read with server-side cursors in batches (`yield_per`), turned into text batch by
batch and sent as they come: memory stays flat whatever the number of rows. CSV cells that
a spreadsheet would run as formulas are neutralised. No personal data: no email, and no
person's name either — an organisation is the author of record of what it publishes (a
bulk file, once copied, could not honour a person's right to erasure).
"""
from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Iterator

from sqlalchemy import Select

from ..core.exports import FORMULA_PREFIXES, joined, neutralise
from ..core.models import utcnow
from ..extensions import db
from .models import DEFAULT_LICENCE
from .resources import FINDINGS, RESOURCES, Resource, _csv_cell, _whole, reviewers_by_finding

BATCH = 2000


def _rows(stmt: Select) -> Iterator[list]:
    """Batches of rows through a server-side cursor: never the whole result in memory.

    Executed on the session's connection (Core), so rows skip the ORM's loading layer."""
    connection = db.session.connection()
    result = connection.execution_options(yield_per=BATCH, stream_results=True).execute(stmt)
    try:
        yield from result.partitions(BATCH)
    finally:
        result.close()


def _raw_rows(stmt: Select) -> Iterator[list]:
    """Batches of plain tuples straight from the DB-API cursor, in the session's transaction.

    For resources whose columns need no conversion by SQLAlchemy (plain integers, text, and
    floats cast in SQL): this skips the per-row work of its result layer, which costs more
    than everything else in a large export. PostgreSQL gets a named (server-side) cursor, so
    rows arrive BATCH at a time; SQLite's cursor reads lazily anyway.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    dbapi_connection = connection.connection.dbapi_connection
    if dialect.paramstyle == "qmark":
        params = [compiled.params[name] for name in compiled.positiontup or ()]
    else:
        params = compiled.params
    if dialect.name == "postgresql":
        cursor = dbapi_connection.cursor(name=f"export_{uuid.uuid4().hex}")
    else:
        cursor = dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                break
            yield batch
    finally:
        cursor.close()


# Cells a spreadsheet would run start with one of FORMULA_PREFIXES. A column of a batch is
# checked at once: its distinct values joined by NUL, searched in C for NUL + prefix; only
# a column where that finds something goes through `neutralise` cell by cell.
_MARKERS = tuple("\x00" + prefix for prefix in FORMULA_PREFIXES)


def _clean_text_column(values: tuple) -> tuple | list:
    """The column with formula cells neutralised; untouched when none can be one."""
    distinct = set(values)
    distinct.discard(None)
    joined = "\x00" + "\x00".join(distinct)
    if not any(marker in joined for marker in _MARKERS):
        return values
    starts = frozenset(FORMULA_PREFIXES)
    return [neutralise(v) if v and v[0] in starts else v for v in values]


def _csv_batch(resource: Resource, batch, extra: Callable | None) -> Iterator[tuple]:
    """Rows of one batch made safe for CSV, column by column (None becomes an empty cell)."""
    columns = list(zip(*batch))
    for i, column in enumerate(resource.columns):
        if column.convert is _whole:
            columns[i] = [int(v) if v.__class__ is float and v.is_integer() else v for v in columns[i]]
        elif column.convert is not None or column.type in ("date", "datetime", "boolean"):
            columns[i] = [_csv_cell(column, v) for v in columns[i]]
        elif column.type == "string":
            columns[i] = _clean_text_column(columns[i])
    if extra:
        computed = [[joined(value) if isinstance(value, list) else value for value in extra(row)] for row in batch]
        columns.extend(_clean_text_column(values) for values in zip(*computed))
    return zip(*columns)


def stream_csv(resource: Resource, stmt: Select, extra: Callable | None = None) -> Iterator[str]:
    """CSV text, batch by batch: a header, then one line per row (formula cells neutralised).

    `extra(row)` appends computed cells (the finding's reviewers, its page address).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(resource.names + (list(EXTRA_FINDING_COLUMNS) if extra else []))
    yield buffer.getvalue()
    for batch in (_raw_rows if resource.plain_types else _rows)(stmt):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_batch(resource, batch, extra))
        yield buffer.getvalue()


def stream_json(resource: Resource, stmt: Select, meta: dict, extra: Callable | None = None) -> Iterator[str]:
    """A JSON document, batch by batch: the provenance first, then `data`, one object per row."""
    head = json.dumps(meta, ensure_ascii=False)
    yield head[:-1] + ', "data": ['
    first = True
    for batch in (_raw_rows if resource.plain_types else _rows)(stmt):
        parts = []
        for row in batch:
            record = resource.record(row)
            if extra:
                record.update(zip(EXTRA_FINDING_COLUMNS, extra(row), strict=True))
            parts.append(("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False))
            first = False
        yield "".join(parts)
    yield "\n]}\n"


EXTRA_FINDING_COLUMNS = ("reviewed_by", "url")


def finding_extra(page_url: Callable[[int], str]):
    """The computed cells of a finding row: approving organisations (a list: one a line in
    CSV), and its page."""
    reviewers = reviewers_by_finding()

    def extra(row):
        return (reviewers.get(row[0], []), page_url(row[0]))

    return extra


def export_meta(resource: Resource, site_url: str, csv_url: str) -> dict:
    return {
        "name": resource.name, "title": str(resource.title), "description": str(resource.description),
        "licence": DEFAULT_LICENCE, "licence_note": "Chaque ligne porte sa propre licence (colonne licence).",
        "publisher": site_url, "generated_at": utcnow().isoformat(timespec="seconds"), "csv": csv_url,
        "fields": resource.names + (list(EXTRA_FINDING_COLUMNS) if resource is FINDINGS else []),
    }
