"""URL helpers."""
from __future__ import annotations

from contextlib import nullcontext
from urllib.parse import urljoin, urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.routing import IntegerConverter


MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it stays on this site (no open redirect) and can go into a
    Location header as it is.

    Refused, so that the caller falls back to its default: another site (a scheme, a host,
    ``//host``), a backslash (browsers read ``/\\host`` as ``//host``), any control or
    invisible character (CR/LF would end the header; browsers drop tabs and newlines, so
    ``/\\t/host`` would become ``//host``), and addresses longer than any page of the site.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(not ch.isprintable() and ch != " " for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` limited to what an integer column holds: a larger number matches no route
    (404) instead of reaching PostgreSQL, which refuses it ("integer out of range")."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def absolute_url(target_path: str) -> str:
    """The site's public address followed by `target_path` (a path from `url_for`), for
    links that leave the site: emails, PDF kits, printed codes.

    `SITE_URL` (required in production) rather than the request's Host: a client chooses
    its Host header, and a task run by the consumer has no request at all. Development
    without it falls back on the request's address, else the test request's (localhost)."""
    site_url = current_app.config.get("SITE_URL")
    if site_url:
        return urljoin(site_url + "/", target_path.lstrip("/"))
    if has_request_context():
        return urljoin(url_for("core.home", _external=True), target_path)
    with current_app.test_request_context():
        return urljoin(url_for("core.home", _external=True), target_path)


def external_url_for(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` as an absolute link that leaves the site (`absolute_url`),
    also from a task, which has no request to build a path in."""
    if has_request_context():
        return absolute_url(url_for(endpoint, **values))
    with current_app.test_request_context():
        return absolute_url(url_for(endpoint, **values))


def site_address():
    """A context in which every `url_for(..., _external=True)` starts with `SITE_URL`, for
    documents stored and served to everyone (the open-data bundle): never the Host of the
    request, nor the consumer's localhost, that happened to build them. Without SITE_URL
    (development), the request's address, else the test request's, as `absolute_url`."""
    site_url = current_app.config.get("SITE_URL")
    if site_url:
        return current_app.test_request_context(base_url=site_url)
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return nullcontext()
    return current_app.test_request_context()
