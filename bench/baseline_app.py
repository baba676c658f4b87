"""Baseline for the benchmarks: a bare Flask app, no plateforme code.

    gunicorn bench.baseline_app:app        (DATABASE_URL as for the app)

- ``POST /insert``: exactly one INSERT of a small row (a text and a timestamp), then COMMIT.
- ``GET /ping``: a constant, no database.

The engine is built the way plateforme builds its own (replicated here, not imported):
``pool_pre_ping`` for a database server (not for a SQLite file); ``postgresql://`` URLs use psycopg 3; on SQLite every connection
gets ``busy_timeout`` (SQLITE_BUSY_TIMEOUT_MS, default 15000), WAL, ``synchronous=NORMAL``
and ``foreign_keys=ON``, and write requests (anything but GET/HEAD/OPTIONS) begin their
transaction with ``BEGIN IMMEDIATE`` while reads keep a deferred ``BEGIN``.

The table is created at start-up when missing. Several workers start at once, so the
creation is serialised: ``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

from flask import Flask, has_request_context, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, event, text

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TABLE_NAME = "bench_baseline_insert"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("DATABASE_URL must be set for the baseline app.")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str):
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        busy_timeout_ms = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000"))

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # SQLAlchemy decides when to BEGIN
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            if has_request_context():
                mode = "BEGIN" if request.method in READ_ONLY_METHODS else "BEGIN IMMEDIATE"
            else:
                mode = "BEGIN IMMEDIATE"  # start-up DDL: wait for the other workers
            connection.exec_driver_sql(mode)

    return engine


metadata = MetaData()
rows = Table(
    TABLE_NAME, metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def create_table(engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Two workers creating the same table at once can collide in pg_type.
            connection.execute(text("SELECT pg_advisory_xact_lock(424242)"))
        metadata.create_all(connection, checkfirst=True)


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(database_url())
    create_table(engine)
    insert = rows.insert()

    @app.post("/insert")
    def insert_row():
        value = request.form.get("text", "bench")[:200]
        with engine.begin() as connection:
            connection.execute(insert, {"text": value, "created_at": datetime.now(timezone.utc)})
        return "ok\n", 201, {"Content-Type": "text/plain"}

    @app.get("/ping")
    def ping():
        return "pong\n", 200, {"Content-Type": "text/plain"}

    app.extensions["bench_engine"] = engine
    return app


app = create_app()
