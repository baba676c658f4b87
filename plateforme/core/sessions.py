"""The session cookie: Flask's signed cookie, re-sent only when it changes or is a day old.

Flask re-signs and re-sends a permanent session's cookie on every response so that its
expiry slides. Signing costs about as much as a small INSERT, on every page and every form
post. Sliding the expiry once a day keeps the same behaviour for people (signed in for
PERMANENT_SESSION_LIFETIME after their last visit, to a day) at a fraction of the cost.
Who is signed in is still decided by the `auth_session` row (accounts/auth.py), never by
the cookie's age alone.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

REFRESH_AFTER = timedelta(days=1)


class DailyRefreshedCookieSessions(SecureCookieSessionInterface):
    """Signed cookie sessions whose unchanged cookie is re-sent at most once a day."""

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app):
        # Flask builds a new serializer (and its signers) for every request: keep one per key set.
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:
            return self.session_class()
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
