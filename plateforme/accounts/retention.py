"""Erasing an account, on request or after three years without a sign-in.

Other domains hold what a person wrote; they register here what erasing the account does
to it (`erasure_step`), so that accounts imports none of them. The same erasure serves the
person's own deletion and `flask accounts purge-inactive`.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from ..core.audit import audit
from ..core.models import utcnow
from ..extensions import db
from .models import User

log = logging.getLogger("plateforme.accounts")

# name -> func(user, erase_contributions: bool), run before the account's row is deleted.
ERASURE_STEPS: dict = {}


def erasure_step(name: str):
    """Register `func(user, erase_contributions)` as what erasing an account does in a domain."""

    def register(func):
        ERASURE_STEPS[name] = func
        return func

    return register


def erase_account(user: User, *, erase_contributions: bool, reason: str = "request") -> None:
    """Delete the account and what hangs on it; contributions lose their author and, when
    `erase_contributions`, their text."""
    for step in ERASURE_STEPS.values():
        step(user, erase_contributions)
    user_id = user.id
    db.session.delete(user)
    db.session.flush()
    audit("account_deleted", user_id, reason=reason, contributions_erased=erase_contributions)


def inactive_accounts(now=None) -> list[User]:
    """Accounts whose last sign-in (or creation, if they never signed in) is older than
    ACCOUNT_RETENTION_DAYS."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["ACCOUNT_RETENTION_DAYS"])
    last_activity = func.coalesce(User.last_sign_in_at, User.created_at)
    return db.session.execute(select(User).where(last_activity < cutoff).order_by(User.id)).scalars().all()


def purge_inactive_accounts(now=None) -> int:
    """Erase every inactive account as its owner's own deletion would (contributions keep their
    text, without their author, as the privacy page says); returns how many."""
    accounts = inactive_accounts(now)
    for user in accounts:
        erase_account(user, erase_contributions=False, reason="inactive")
    log.info("%s inactive account(s) erased", len(accounts))
    return len(accounts)
