"""Public pages kept ready for visitors (Flask-Caching), and never shown stale.

The pages most people read without signing in (home, consultation, debate, results,
territory) are the same for every visitor without a session: `public_page` keeps them in
the cache (`CACHE_TYPE`: Redis in production, shared by the workers; one process's memory
in development). Only for requests without a session cookie (no account, no flash message,
no language chosen, no CSRF token: such a page holds nothing personal), only a 200 answer that
sets no cookie; the key holds the path, the language and today's date (statuses follow the
calendar).

Freshness is decided by what the page read and what was written since, not by a delay:
- while a page is rendered, every table its SQL reads is noted (`before_cursor_execute`,
  whatever issued the statement: ORM, lazy loads, Core);
- every table a transaction writes is noted the same way, on its connection; once the
  transaction has committed (when the connection goes back to the pool, right after the
  commit) each gets the next number of a shared sequence;
- a page is stored with the sequence number read before its first query, and served again
  only while none of the tables it read has changed after that number. (Between a
  commit's number and its tables' marks, a page may still be served as it was: that is
  while the writer's own request runs, before anyone is told the change is done.)
The change marks have no expiry and must not be evicted (pages may be): Redis with
`maxmemory-policy volatile-lru` or `noeviction` (README, "Configuration for production").
The database's own triggers write tables no statement names: their owners declare them
(`also_changes`, debate/counters.py). Columns no public page shows, written on every
sign-in, are declared too (`not_shown`, accounts/services.py): an UPDATE of those alone
leaves the pages as they are. The session's commits and a bare `engine.begin()` are
counted alike. Data changed by hand in the database (psql, a migration) is not seen: empty the
cache after it (FLUSHDB on the cache's Redis database, `CACHE_REDIS_URL`).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
from contextvars import ContextVar

from flask import current_app, has_app_context, make_response, request, session
from flask_babel import get_locale
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from ..extensions import cache, db
from .models import local_today
from .typography import finish_french_page

SEQUENCE_KEY = "pages:sequence"
CHANGED_KEY = "pages:changed:"
# When each table last changed (seconds since 1970), and when the marks started being counted:
# the Last-Modified of open data (core/http_cache.py).
CHANGED_AT_KEY = "pages:changed_at:"
EPOCH_KEY = "pages:epoch"
PAGE_KEY = "pages:page:"
# Headers of the view's own answer kept with the page; the others (security headers,
# Cache-Control, Vary) are added again by the app's after_request handlers.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")

log = logging.getLogger("plateforme.cache")
# The cache helps and never decides: unreachable (Redis down), pages are drawn afresh, data
# answers carry no validators (core/http_cache.py), and writes are saved all the same; their
# tables are told to the cache once it answers again (_announce).
UNREACHABLE = (RedisError, OSError)

_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
_WRITE = re.compile(r'^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_SET = re.compile(r'\bSET\s+(.*?)\s+WHERE\b', re.IGNORECASE | re.DOTALL)

_reading: ContextVar[set[str] | None] = ContextVar("page_cache_reading", default=None)
# Keys of a pooled connection's `info`: tables written by its open transaction, and those
# committed but not yet announced.
WRITTEN, COMMITTED = "page_cache_written", "page_cache_committed"
# table written -> the other tables the database's triggers update with it
_implied: dict[str, set[str]] = {}
# table -> columns that no cached page shows
_unseen: dict[str, set[str]] = {}
# Tables this process changed while the cache could not be told, and the lock of that set
# (several request threads check connections in).
_untold: set[str] = set()
_untold_lock = threading.Lock()


def also_changes(table: str, *others: str) -> None:
    """Declare that writing `table` changes `others` too (a trigger's UPDATE)."""
    _implied.setdefault(table, set()).update(others)


def not_shown(table: str, *columns: str) -> None:
    """Declare columns of `table` that no public page shows (bookkeeping such as the time of
    the last sign-in): an UPDATE that sets only those changes no page."""
    _unseen.setdefault(table, set()).update(columns)


def _only_unseen(table: str, statement: str) -> bool:
    unseen = _unseen.get(table)
    assignments = _SET.search(statement) if unseen else None
    if not assignments:
        return False
    columns = {name.lower() for name in re.findall(r'"?(\w+)"?\s*=', assignments.group(1))}
    return bool(columns) and columns <= unseen


def _on_statement(conn, cursor, statement, parameters, context, executemany):
    written = _WRITE.match(statement)
    if written:
        table = written.group(2).lower()
        if written.group(1).upper() == "UPDATE" and _only_unseen(table, statement):
            return
        conn.info.setdefault(WRITTEN, set()).update({table} | _implied.get(table, set()))
        return
    reading = _reading.get()
    if reading is not None:
        reading.update(name.lower() for name in _READ.findall(statement))


def _on_commit(conn):
    written = conn.info.pop(WRITTEN, None)
    if written:
        conn.info.setdefault(COMMITTED, set()).update(written)


def _on_rollback(conn):
    conn.info.pop(WRITTEN, None)


def _on_checkin(_dbapi_connection, record):
    """Announce what the connection's last transactions committed: its writes are visible to
    every reader now. (The COMMIT event itself comes before the commit is done.)"""
    committed = record.info.get(COMMITTED)
    if not (committed or _untold) or not has_app_context():  # no app, no cache: told at a later check-in
        return
    record.info.pop(COMMITTED, None)
    if _enabled():
        _announce(committed or set())


def _announce(committed: set[str]) -> None:
    """Give `committed`, and whatever could not be told before, the next change number."""
    with _untold_lock:
        tables = committed | _untold
        _untold.clear()
    try:
        number = cache.cache.inc(SEQUENCE_KEY)
        if number is None:  # cachelib's answer when the server refused the increment
            raise RedisError("no change number")
        now = time.time()
        cache.set_many({**{CHANGED_KEY + table: number for table in tables},
                        **{CHANGED_AT_KEY + table: now for table in tables}}, timeout=0)
    except UNREACHABLE as error:
        with _untold_lock:
            _untold.update(tables)
        log.warning("page cache unreachable (%s): %s changed table(s) told when it answers", error, len(tables))


def untold_changes() -> bool:
    """Whether this process changed tables it could not tell the cache about: until it can,
    nothing read from the cache's marks may be trusted here."""
    return bool(_untold)


def init_page_cache(app) -> None:
    cache.init_app(app)
    if not getattr(init_page_cache, "_listening", False):  # class-wide listeners: once per process
        event.listen(Engine, "before_cursor_execute", _on_statement)
        event.listen(Engine, "commit", _on_commit)
        event.listen(Engine, "rollback", _on_rollback)
        event.listen(Pool, "checkin", _on_checkin)
        init_page_cache._listening = True


def _enabled() -> bool:
    return current_app.config.get("CACHE_TYPE") not in (None, "NullCache", "flask_caching.backends.NullCache")


def _for_everyone() -> bool:
    """A GET from a visitor without a session: what they see is what any such visitor sees."""
    return (request.method == "GET" and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
            and not db.session().in_transaction())


def _key() -> str:
    path = request.full_path.rstrip("?")
    digest = hashlib.sha256(f"{get_locale()}|{local_today().isoformat()}|{path}".encode()).hexdigest()
    return PAGE_KEY + digest


def _fresh(page: dict) -> bool:
    tables = sorted(page["tables"])
    if not tables:
        return True
    changed = cache.get_many(*(CHANGED_KEY + table for table in tables))
    return all((number or 0) <= page["sequence"] for number in changed)


def public_page(view):
    """Serve `view`'s page from the cache to visitors without a session (see the module)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not (_enabled() and _for_everyone()) or untold_changes():
            return view(*args, **kwargs)
        key = _key()
        try:
            page = cache.get(key)
            if page is not None and _fresh(page):
                response = make_response(page["body"], 200)
                response.headers.update(page["headers"])
                response.french_finished = True  # kept as sent: typography.py finished it
                return response
            # Read before the first query of the page: a write committed after this number may
            # or may not show in the page, so it makes the page stale.
            sequence = cache.get(SEQUENCE_KEY) or 0
        except UNREACHABLE:
            return view(*args, **kwargs)  # drawn afresh, as without a cache
        tables: set[str] = set()
        token = _reading.set(tables)
        try:
            response = make_response(view(*args, **kwargs))
        finally:
            _reading.reset(token)
        if response.status_code == 200 and not response.headers.getlist("Set-Cookie") \
                and not session.modified and not response.is_streamed:
            finish_french_page(response)  # kept finished: a visit costs no second pass
            try:
                cache.set(key, {"sequence": sequence, "tables": tables, "body": response.get_data(),
                                "headers": {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}})
            except UNREACHABLE:
                pass  # not kept this time; the visitor has the page
        return response

    return wrapper
