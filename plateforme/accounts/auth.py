"""Sign-in sessions that really end.

The signed session cookie holds a random token; the database holds its SHA-256 in
`auth_session`. A request is signed in only while that row exists and is neither older than
SESSION_ABSOLUTE_DAYS nor unused for SESSION_IDLE_DAYS, so signing out (or changing the
password, or the time passing) ends the session even for someone holding a copy of the cookie.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import and_, bindparam, delete, or_, select, update

from ..core.after_response import after_response
from ..core.audit import audit
from ..core.models import utcnow
from ..extensions import db
from .models import AuthSession, User

SESSION_KEY = "auth_token"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _live_session_condition():
    """SQL: the auth_session row is the token's (`token_hash`) and has not expired
    (`started_after`, `seen_after`: see `session_cutoffs`)."""
    return and_(AuthSession.token_hash == bindparam("token_hash"),
                AuthSession.created_at > bindparam("started_after"),
                AuthSession.last_seen_at > bindparam("seen_after"))


def session_cutoffs(now=None) -> dict:
    """The bounds a live session's row must be within: created after `started_after`,
    last seen after `seen_after`."""
    now = now or utcnow()
    config = current_app.config
    return {"started_after": now - timedelta(days=config["SESSION_ABSOLUTE_DAYS"]),
            "seen_after": now - timedelta(days=config["SESSION_IDLE_DAYS"])}


def _signed_in_user_statement():
    """The person holding a live auth_session for a token, with that row's id and last visit."""
    return (select(User, AuthSession.id, AuthSession.last_seen_at)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(User.id == bindparam("user_id"), _live_session_condition()))


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
        now = utcnow()
        row = db.session.execute(_signed_in_user_statement(), {
            "token_hash": _hash(token), "user_id": int(user_id), **session_cutoffs(now)}).one_or_none()
        if row is None:
            return None
        user, session_id, last_seen_at = row
        if now - last_seen_at >= timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
            # Written after the response, on its own: no write lock in the request for it.
            after_response(_touch, session_id, now)
        return user


def _touch(session_id: int, now) -> None:
    """Record a visit on the auth_session row `session_id` (the idle limit starts again)."""
    db.session.execute(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now))
    db.session.commit()


def start_session(user: User) -> None:
    """Sign `user` in on this browser: a fresh cookie and a new auth_session row."""
    # Flask-Login must store the user itself, never the current_user proxy.
    user = user._get_current_object() if hasattr(user, "_get_current_object") else user
    session.clear()  # no fixation: nothing from before sign-in survives
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id, expired_condition(now)))
    db.session.add(AuthSession(
        user=user, token_hash=_hash(token), user_agent=(request.user_agent.string or "")[:200],
        created_at=now, last_seen_at=now,
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


def current_token_hash() -> str | None:
    token = session.get(SESSION_KEY)
    return _hash(token) if token else None


def expired_condition(now=None):
    """SQL: the auth_session row has passed its absolute lifetime or its idle limit."""
    cutoffs = session_cutoffs(now)
    return or_(AuthSession.created_at <= cutoffs["started_after"], AuthSession.last_seen_at <= cutoffs["seen_after"])


def active_sessions(user: User) -> list[AuthSession]:
    """`user`'s sessions that still sign in, the most recently used first."""
    return db.session.execute(
        select(AuthSession).where(AuthSession.user_id == user.id, ~expired_condition())
        .order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc())).scalars().all()


def end_session_by_id(user: User, session_id: int) -> bool:
    """End one of `user`'s sessions; False when `user` has no such session."""
    result = db.session.execute(delete(AuthSession).where(AuthSession.id == session_id,
                                                          AuthSession.user_id == user.id))
    return result.rowcount > 0


def end_other_sessions(user: User) -> int:
    """End every session of `user` but this browser's; returns how many ended."""
    statement = delete(AuthSession).where(AuthSession.user_id == user.id)
    current = current_token_hash()
    if current:
        statement = statement.where(AuthSession.token_hash != current)
    return db.session.execute(statement).rowcount


def purge_expired_sessions() -> int:
    """Delete every expired auth_session row (they sign nobody in any more); returns how many."""
    return db.session.execute(delete(AuthSession).where(expired_condition())).rowcount
