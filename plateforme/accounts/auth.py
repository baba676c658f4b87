"""Sign-in sessions that really end.

The signed session cookie holds a random token; the database holds its SHA-256 in
`auth_session`. A request is signed in only while that row exists, so signing out (or
changing the password) ends the session even for someone holding a copy of the cookie.
"""
from __future__ import annotations

import hashlib
import secrets

from functools import cache

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import and_, bindparam, delete, exists, select

from ..core.audit import audit
from ..core.transactions import read_phase
from ..extensions import db
from .models import AuthSession, User

SESSION_KEY = "auth_token"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signed_in_condition():
    """SQL: `User` is the person the cookie names (`user_id`) and holds a live auth_session
    for its token (`token_hash`)."""
    return and_(User.id == bindparam("user_id"),
                exists().where(AuthSession.user_id == User.id, AuthSession.token_hash == bindparam("token_hash")))


@cache
def _signed_in_user_statement():
    """The person holding a live auth_session for a token, built once: every request runs it,
    and reusing one statement object spares rebuilding it and its cache key each time."""
    return select(User).where(signed_in_condition())


def claimed_user_id() -> int | None:
    """The id of the person this request's signed cookie names, without asking the database
    whether their sign-in still holds (a rate-limit key needs no more)."""
    user_id = session.get("_user_id")  # where Flask-Login 0.6 keeps it
    if not isinstance(user_id, str) or not (user_id.isascii() and user_id.isdigit()):
        return None
    return int(user_id)


def claimed_identity() -> dict | None:
    """The parameters of `signed_in_condition` for this request's cookie, while Flask-Login
    has not loaded the person yet; else None. A statement a request needs anyway can then
    load the person along (debate/at_hand.py) instead of a query of its own."""
    if "_login_user" in g:  # Flask-Login 0.6 keeps the request's person there
        return None
    token, user_id = session.get(SESSION_KEY), claimed_user_id()
    if not token or user_id is None:
        return None
    return {"user_id": user_id, "token_hash": _hash(token)}


def adopt_signed_in_user(user: User) -> None:
    """Make `user`, loaded under `signed_in_condition`, this request's current_user, as the
    user loader below would have."""
    current_app.login_manager._update_request_context_with_user(user)


def init_login_manager(app, login_manager) -> None:
    login_manager.init_app(app)
    # Refusals (sign-in redirect with its message, or 403) go through core.permissions.deny.
    # The auth_session row is the guard; Flask-Login's own identifier check only
    # adds false sign-outs behind mobile networks.
    login_manager.session_protection = None

    @login_manager.user_loader
    def _load_user(user_id: str):
        token = session.get(SESSION_KEY)
        if not token or not (user_id.isascii() and user_id.isdigit()):
            return None
        with read_phase():  # identifying the visitor never needs the write lock
            return db.session.execute(_signed_in_user_statement(),
                                      {"token_hash": _hash(token), "user_id": int(user_id)}).scalar_one_or_none()


def start_session(user: User) -> None:
    """Sign `user` in on this browser: a fresh cookie and a new auth_session row."""
    # Flask-Login must store the user itself, never the current_user proxy.
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user
    session.clear()  # no fixation: nothing from before sign-in survives
    token = secrets.token_urlsafe(32)
    db.session.add(AuthSession(
        user=user, token_hash=_hash(token), user_agent=(request.user_agent.string or "")[:200]
    ))
    db.session.flush()
    session[SESSION_KEY] = token
    session.permanent = True
    login_user(user)
    if user.locale:
        session["lang"] = user.locale


def end_session(user: User | None) -> None:
    """Sign this browser out, deleting its auth_session row."""
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(delete(AuthSession).where(AuthSession.token_hash == _hash(token)))
    if user is not None:
        audit("sign_out", user.id)
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def end_all_sessions(user: User) -> None:
    """End every sign-in of `user` (after a password change or reset)."""
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
