"""HTTP validators (ETag, Last-Modified) for open data, and the 304 answer decided before
any body is computed.

A 304 is only worth having if it costs nothing: a conditional GET of a 1,000,000-row CSV
must not read the million rows to find they did not change. So the validator never comes
from the body. It comes from:
- for data read from tables, the page cache's change marks (core/page_cache.py): each
  committed write gives its tables the next number of a shared sequence, so the numbers of
  the tables a file is read from, plus the cache's epoch, name the data it holds; one
  `get_many` answers the question. Last-Modified is the latest change time of those tables
  (or the epoch, when none changed since the cache started). Without a cache (development,
  the test suite) there are no marks: no validator, every answer is full, and the API's
  description says so (`validators_available`). The database alone cannot stand in for the
  marks: many tables have no change time (a territory or an organisation renamed leaves no
  trace a query could find, nor does a deletion followed by an insertion), so a validator
  read from timestamps and counts could answer 304 for data that changed;
- for a versioned snapshot (a survey's published results), its own version and SHA-256: it
  never changes (`not_modified`, with `IMMUTABLE`).
Last-Modified has whole seconds only (HTTP dates): two changes within one second give one
date, so If-Modified-Since can miss the second; the ETag cannot, and wins when both are sent.
Werkzeug decides, from the request's If-None-Match / If-Modified-Since, whether the copy the
client holds is current (`Response.make_conditional`); nothing here parses those headers.
"""
from __future__ import annotations

import functools
import hashlib
import time
from datetime import datetime, timezone

from flask import Response, make_response, request
from flask_babel import get_locale

from ..extensions import cache
from .models import local_today
from .page_cache import (CHANGED_AT_KEY, CHANGED_KEY, EPOCH_KEY, UNREACHABLE, _enabled as marks_enabled,
                         untold_changes)

# A snapshot whose content never changes: any cache may keep it a year without asking again.
IMMUTABLE = "public, max-age=31536000, immutable"
# Data that changes: keep it, but ask again (with the validators) before each use.
REVALIDATE = "public, no-cache"
# The answer depends on the reader's language (problem details, a survey's status sentence).
VARY = "Accept-Language"


def _epoch() -> float:
    """When the change marks started being counted (set once; a new one after the cache is
    emptied, which renumbers the marks: every earlier ETag then stops matching)."""
    epoch = cache.get(EPOCH_KEY)
    if epoch is None:
        cache.add(EPOCH_KEY, time.time(), timeout=0)  # the first worker to ask sets it for all
        epoch = cache.get(EPOCH_KEY) or 0.0
    return epoch


def validators_available() -> bool:
    """Whether data answers carry ETag and Last-Modified (a cache holds the change marks)."""
    return marks_enabled()


def data_version(tables) -> tuple[str, datetime] | None:
    """(a token naming the current data of `tables`, its last change), from the change marks
    only; None without a cache to read them from."""
    if not marks_enabled() or untold_changes():
        return None
    tables = sorted(tables)
    try:
        epoch = _epoch()
        values = cache.get_many(*(CHANGED_KEY + t for t in tables), *(CHANGED_AT_KEY + t for t in tables))
    except UNREACHABLE:
        return None  # no validator rather than one that may not have seen a change
    marks, times = values[:len(tables)], values[len(tables):]
    token = f"{epoch!r}|" + ",".join(str(mark or 0) for mark in marks)
    latest = max([epoch, *(moment for moment in times if moment)])
    return token, datetime.fromtimestamp(latest, timezone.utc)


def not_modified(etag: str, last_modified: datetime | None, cache_control: str) -> Response | None:
    """The 304 for a client whose copy has this `etag` / `last_modified`, else None (then
    send the body, through `validated`). `If-None-Match: *` is left to the view: it asks
    whether the resource exists, which only the view knows (a 404 stays a 404)."""
    if request.method not in ("GET", "HEAD") or request.if_none_match.star_tag:
        return None
    probe = validated(Response(status=200), etag, last_modified, cache_control)
    probe.make_conditional(request)
    return probe if probe.status_code == 304 else None


def validated(response: Response, etag: str, last_modified: datetime | None, cache_control: str) -> Response:
    """`response` with its validators and caching rules (on a 200 only: an error is not the
    resource's representation)."""
    if response.status_code in (200, 304):
        response.set_etag(etag)
        if last_modified is not None:
            response.last_modified = last_modified
        response.headers["Cache-Control"] = cache_control
        response.vary.add(VARY)
    return response


def conditional(*tables: str, dated: bool = False, tables_for=None):
    """Decorate a view whose answer is read from `tables` (or `tables_for(**view_args)`, when
    they depend on the address), and from today's date if `dated` (a consultation's or a
    survey's status follows the calendar): an ETag and Last-Modified from the change marks,
    and a 304 before the view runs when the client's copy is current. Under `accepts`, so
    that a refused parameter is refused before anything else.
    tests/publication/test_httpcache.py checks that every table a view reads is declared."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            version = data_version(tables_for(**kwargs) if tables_for else tables)
            if version is None:
                return view(*args, **kwargs)
            token, changed = version
            day = local_today().isoformat() if dated else ""
            # The address is part of it: `?page=2` is another representation of other rows.
            etag = hashlib.sha256(f"{request.full_path}|{get_locale()}|{day}|{token}".encode()).hexdigest()[:32]
            early = not_modified(etag, changed, REVALIDATE)
            if early is not None:
                return early
            return validated(make_response(view(*args, **kwargs)), etag, changed, REVALIDATE)

        wrapper.read_tables = tuple(tables)
        wrapper.tables_for = tables_for
        return wrapper
    return decorate
