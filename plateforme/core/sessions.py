"""The session cookie: signed JSON, re-sent only when it changes or is a day old.

Flask's own cookie (itsdangerous, tagged JSON, a zlib attempt, a key derived anew at each
signature) costs about as much as a small INSERT to read and again to write, and Flask
re-signs a permanent session on every response so that its expiry slides. Here:

- the cookie is ``v1.<JSON, base64url>.<signed at, base64url>.<HMAC-SHA256, base64url>``
  (``v1z`` when the JSON is long enough to be worth compressing), signed with a key derived
  once from SECRET_KEY (any of SECRET_KEY_FALLBACKS still reads);
  a cookie in Flask's former format is still read, so nobody is signed out by the change;
- the expiry slides once a day, not on every response: people stay signed in for
  PERMANENT_SESSION_LIFETIME after their last visit, to a day;
- a flashed message given as a lazy translation (``flash(_l("..."))``) is kept as its
  source text and translated when the page shows it, in the reader's language: a POST
  that only redirects needs no locale.

Who is signed in is still decided by the `auth_session` row (accounts/auth.py), never by
the cookie alone.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from datetime import datetime, timedelta, timezone

from functools import cache

from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature
from werkzeug.http import dump_cookie, http_date

REFRESH_AFTER = timedelta(days=1)
VERSION, COMPRESSED = b"v1", b"v1z"
# Past this size the JSON is compressed, as Flask did: a cookie over 4 kB is dropped by
# browsers, which would sign the person out (long flashed messages quoting what was typed).
COMPRESS_FROM = 1024
KEY_PURPOSE = b"plateforme.session-cookie.v1"
# A lazy translation in the cookie: {TRANSLATE: [source text, {variables}]}.
TRANSLATE = " translate"


def _b64encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64decode(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


def derive_key(secret, purpose: bytes) -> bytes:
    """A key for one use (`purpose`) derived from SECRET_KEY (or one of its fallbacks), so
    that a signature made for one use is never valid for another."""
    secret = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(secret, purpose, hashlib.sha256).digest()


def _encode_value(value):
    """JSON for what the session holds beyond JSON's own types: lazy translations."""
    if isinstance(value, LazyString):
        if value._func is gettext and len(value._args) == 1 and isinstance(value._args[0], str):
            return {TRANSLATE: [value._args[0], value._kwargs]}
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be kept in the session")


def _decode_object(obj: dict):
    if len(obj) == 1 and TRANSLATE in obj:
        source, variables = obj[TRANSLATE]
        return lazy_gettext(source, **variables)
    return obj


class DailyRefreshedCookieSessions(SecureCookieSessionInterface):
    """Signed JSON cookie sessions whose unchanged cookie is re-sent at most once a day."""

    def __init__(self) -> None:
        self._keys: dict = {}
        self._serializers: dict = {}

    def _signing_keys(self, app) -> tuple[bytes, ...] | None:
        """The current key first, then the fallbacks; derived once per secret."""
        if not app.secret_key:
            return None
        secrets = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if secrets not in self._keys:
            self._keys[secrets] = tuple(derive_key(secret, KEY_PURPOSE) for secret in secrets)
        return self._keys[secrets]

    def get_signing_serializer(self, app):
        # Only for cookies in Flask's former format; Flask builds one per request: keep one.
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def encode(self, app, data: dict, signed_at: int) -> str:
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_encode_value).encode()
        version = VERSION
        if len(payload) > COMPRESS_FROM:
            version, payload = COMPRESSED, zlib.compress(payload)
        body = b".".join((version, _b64encode(payload), _b64encode(signed_at.to_bytes(5, "big"))))
        signature = hmac.digest(self._signing_keys(app)[0], body, "sha256")
        return (body + b"." + _b64encode(signature)).decode("ascii")

    def decode(self, app, value: str, max_age: int, now: float):
        """(data, signed at) of a cookie of ours, or None when it is forged, damaged or too old."""
        try:
            raw = value.encode("ascii")
            body, _, signature = raw.rpartition(b".")
            signature = _b64decode(signature)
            if not any(hmac.compare_digest(hmac.digest(key, body, "sha256"), signature)
                       for key in self._signing_keys(app)):
                return None
            version, payload, stamp = body.split(b".")
            signed_at = int.from_bytes(_b64decode(stamp), "big")
            if now - signed_at > max_age:
                return None
            payload = _b64decode(payload)
            if version == COMPRESSED:  # signed by us: not a stranger's zip bomb
                payload = zlib.decompress(payload)
            data = json.loads(payload, object_hook=_decode_object)
        except (ValueError, UnicodeError, binascii.Error, TypeError, zlib.error):
            return None
        return (data, signed_at) if isinstance(data, dict) else None

    def open_session(self, app, request):
        keys = self._signing_keys(app)
        if keys is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        if value.startswith(("v1.", "v1z.")):
            decoded = self.decode(app, value, max_age, datetime.now(timezone.utc).timestamp())
            if decoded is None:
                return self.session_class()
            data, signed_at = decoded
            signed_at = datetime.fromtimestamp(signed_at, timezone.utc)
        else:
            try:  # a cookie signed before this format: read once, re-sent in the new one
                data, signed_at = self.get_signing_serializer(app).loads(value, max_age=max_age,
                                                                          return_timestamp=True)
            except BadSignature:
                return self.session_class()
            signed_at = None
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or datetime.now(timezone.utc) - signed_at >= REFRESH_AFTER

    def save_session(self, app, session, response) -> None:
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        secure, partitioned = self.get_cookie_secure(app), self.get_cookie_partitioned(app)
        samesite, httponly = self.get_cookie_samesite(app), self.get_cookie_httponly(app)
        if session.accessed:
            _vary_on_cookie(response)
        if not session:
            if session.modified:  # emptied: the browser forgets the cookie
                response.delete_cookie(name, domain=domain, path=path, secure=secure, partitioned=partitioned,
                                       samesite=samesite, httponly=httponly)
                _vary_on_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        now = datetime.now(timezone.utc)
        value = self.encode(app, dict(session), int(now.timestamp()))
        # The header werkzeug's set_cookie writes, its fixed attributes worked out once
        # (the value needs no quoting: base64url and dots).
        expires = self.get_expiration_time(app, session)
        head, middle, tail = _cookie_template(name, domain, path, secure, partitioned, samesite, httponly,
                                              expires is not None)
        response.headers.add("Set-Cookie", head + value + middle + (http_date(expires) if expires else "") + tail)
        _vary_on_cookie(response)


@cache
def _cookie_template(name, domain, path, secure, partitioned, samesite, httponly, expires: bool):
    """The Set-Cookie header werkzeug's `dump_cookie` writes, cut around the value and the
    expiry date: its fixed attributes are worked out once."""
    probe = dump_cookie(name, "VALUE", expires="EXPIRES" if expires else None, domain=domain, path=path,
                        secure=secure, partitioned=partitioned, samesite=samesite, httponly=httponly)
    head, _, rest = probe.partition("VALUE")
    middle, _, tail = rest.partition("EXPIRES") if expires else ("", "", rest)
    return head, middle, tail


def _vary_on_cookie(response) -> None:
    """`response.vary.add("Cookie")`, without parsing the header into a set twice a request."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in (part.strip().lower() for part in vary.split(",")):
        response.headers["Vary"] = f"{vary}, Cookie"
