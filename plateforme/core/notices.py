"""Confirmations carried by the redirect's address instead of the session cookie.

After a comment, a support or an endorsement, the person lands on a page that says it
worked. A flashed message has to be written into the session cookie (encoded, signed, sent
as Set-Cookie) by the busiest POSTs of the site, then signed again when the next page takes
it out; measured under load, that was the largest cost of a comment left after the
database (bench/README.md). Here the POST's redirect names the notice in its address
instead: ``?avis=<name>.<minute>.<signature>``.

- Only notices declared with `notice()` are shown: the address names one, it never
  carries text, so nobody can make the site say something of their own.
- The signature binds the notice to the person it was made for (or to "signed out") and
  to the minute it was made: a shared or forged address shows nothing to anyone else, and
  the notice stops showing after LIFETIME_MINUTES (a reload just after still shows it; it
  is still true).
- It is shown with the flashed messages, in the same status region (base.html).

Refusals and rarer confirmations stay flashed messages: they may quote a date or a reason.
"""
from __future__ import annotations

import base64
import hmac
import time
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, request
from flask_login import current_user

from .sessions import derive_key

PARAM = "avis"
LIFETIME_MINUTES = 10
KEY_PURPOSE = b"plateforme.address-notice.v1"
SIGNATURE_BYTES = 9  # 12 characters in the address; forging one is a 2**72 guess


class Notice(NamedTuple):
    category: str  # as for flash(): success, info
    message: object  # a lazy translation, translated when the page shows it


_NOTICES: dict[str, Notice] = {}
_keys: dict = {}  # SECRET_KEY → derived key


def notice(name: str, category: str, message) -> str:
    """Declare a notice (at import time) and return its name, for `with_notice`."""
    if name in _NOTICES and _NOTICES[name] != Notice(category, message):
        raise ValueError(f"notice {name!r} is declared twice")
    if not name.replace("-", "").isalnum():
        raise ValueError(f"notice name {name!r}: letters, digits and dashes only")
    _NOTICES[name] = Notice(category, message)
    return name


def _key() -> bytes:
    secret = current_app.secret_key
    if secret not in _keys:
        _keys[secret] = derive_key(secret, KEY_PURPOSE)
    return _keys[secret]


def _person_id() -> int:
    return current_user.id if current_user.is_authenticated else 0


def _signature(name: str, minute: str, person_id: int) -> str:
    signed = hmac.digest(_key(), f"{name}.{minute}.{person_id}".encode(), "sha256")[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(signed).decode()


def notice_token(name: str) -> str:
    """The value of PARAM that shows notice `name` to the current person, for a while."""
    if name not in _NOTICES:
        raise KeyError(f"unknown notice {name!r}")
    minute = format(int(time.time() // 60), "x")
    return f"{name}.{minute}.{_signature(name, minute, _person_id())}"


def without_notice(url: str) -> str:
    """`url` without a notice in its query (a page's address kept to come back to)."""
    parts = urlsplit(url)
    if f"{PARAM}=" not in parts.query:
        return url
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != PARAM]
    return urlunsplit(parts._replace(query=urlencode(query)))


def with_notice(url: str, name: str) -> str:
    """`url` (a local address) showing notice `name` to the current person."""
    parts = urlsplit(without_notice(url))
    extra = urlencode({PARAM: notice_token(name)})
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def current_notices() -> list[tuple[str, object]]:
    """[(category, message)] for the notice this page's address shows to the current
    person: none when the address has none, names an unknown one, is too old, or was made
    for someone else."""
    token = request.args.get(PARAM)
    if not token:
        return []
    name, _, rest = token.partition(".")
    minute, _, signature = rest.partition(".")
    found = _NOTICES.get(name)
    try:
        age = int(time.time() // 60) - int(minute, 16)
    except ValueError:
        return []
    if found is None or not 0 <= age <= LIFETIME_MINUTES:
        return []
    if not hmac.compare_digest(signature.encode(), _signature(name, minute, _person_id()).encode()):
        return []
    return [(found.category, found.message)]


def init_notices(app) -> None:
    app.jinja_env.globals["address_notices"] = current_notices
    app.jinja_env.globals["notice_param"] = PARAM  # pages drop it from the addresses they build
