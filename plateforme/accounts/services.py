"""Account operations: registration, confirmation, sign-in, reset, profile, RGPD rights."""
from __future__ import annotations

import hashlib
import logging

from flask import current_app, render_template
from flask_babel import force_locale, gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..core.audit import audit
from ..core.mail import queue_mail
from ..core.models import utcnow
from ..core.page_cache import not_shown
from ..core.sanitize import clean_line
from ..core.urls import external_url_for
from ..extensions import db
from ..territories.models import Territory
from .auth import end_all_sessions, start_session
from .models import User
from .passwords import hash_password, verify_password

log = logging.getLogger("plateforme.accounts")


class AccountError(ValueError):
    """An operation refused for a reason the person can act on; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def register(email: str, display_name: str, password: str, commune: Territory, locale: str | None,
             next_url: str | None = None) -> User | None:
    """Create an unconfirmed account and send the confirmation message, whose link leads on to
    `next_url` (a path on this site).

    When the address already has an account, nothing is created and its owner is told by
    mail instead (None is returned): the page says the same either way, so nobody learns
    from it which addresses have an account."""
    email = normalise_email(email)
    password_hash = hash_password(password)  # before the first query: no lock held while hashing
    existing = find_user_by_email(email)
    if existing is not None:
        send_address_in_use(existing)
        log.info("registration attempted with the address of account %s", existing.id)
        return None
    user = User(email=email, display_name=clean_line(display_name), password_hash=password_hash,
                commune=commune, locale=locale)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user, next_url=next_url)
    log.info("account %s registered", user.id)
    return user


def send_address_in_use(owner: User) -> None:
    """Tell the owner of an address that someone tried to use it for another account."""
    with force_locale(owner.locale or "fr"):
        queue_mail(owner.email, _("Votre adresse est déjà liée à un compte"), render_template(
            "accounts/mail/address_in_use.txt", user=owner, sign_in=external_url_for("accounts.sign_in"),
            reset=external_url_for("accounts.forgot_password")))


# --- signed links -------------------------------------------------------------------

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"plateforme-{purpose}")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does: a reset link works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def send_confirmation(user: User, address: str | None = None, next_url: str | None = None) -> None:
    """Mail the link confirming `address` (the account's own by default, or its pending new
    one); the link leads on to `next_url`, a path on this site."""
    address = address or user.email
    token = _serializer("confirm").dumps({"uid": user.id, "email": address})
    link = external_url_for("accounts.confirm_email", token=token, next=next_url)
    with force_locale(user.locale or "fr"):
        queue_mail(address, _("Confirmez votre adresse électronique"),
                                 render_template("accounts/mail/confirm.txt", user=user, link=link))


def adopt_pending_email(user: User) -> None:
    """The pending address was confirmed through its link: it becomes the account's."""
    other = find_user_by_email(user.pending_email)
    if other is not None and other.id != user.id:
        user.pending_email = None
        raise AccountError(_("Cette adresse ne peut plus être utilisée pour votre compte. Choisissez-en une autre "
                             "depuis « Mon compte »."))
    user.email = user.pending_email
    user.pending_email = None
    user.email_confirmed_at = utcnow()
    audit("email_changed", user.id)


def confirm_email(token: str) -> tuple[User, bool]:
    """Mark the address in `token` as confirmed, or make it the account's address when it is
    the pending new one; AccountError if the link is bad, expired or the address taken since.
    Returns the account and whether this was its first confirmation (a new account's own address)."""
    try:
        data = _serializer("confirm").loads(token, max_age=current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise AccountError(_("Ce lien de confirmation a expiré. Connectez-vous pour en recevoir un nouveau."))
    except BadSignature:
        raise AccountError(_("Ce lien de confirmation n'est pas valide. Vérifiez qu'il a été copié en entier."))
    user = db.session.get(User, data.get("uid"))
    if user is not None and user.pending_email and user.pending_email == data.get("email"):
        adopt_pending_email(user)
        return user, False
    if user is None or user.email != data.get("email"):
        raise AccountError(_("Ce lien de confirmation ne correspond à aucun compte."))
    first = user.email_confirmed_at is None
    if first:
        user.email_confirmed_at = utcnow()
    return user, first


def send_password_reset(email: str) -> None:
    """Queue a reset link if the account exists (sent by the task queue once committed); say
    nothing either way, even when the mail server fails (no account probing)."""
    user = find_user_by_email(email)
    if user is None:
        log.info("password reset asked for an unknown address")
        return
    token = _serializer("reset").dumps({"uid": user.id, "fp": _password_fingerprint(user)})
    link = external_url_for("accounts.reset_password", token=token)
    with force_locale(user.locale or "fr"):
        queue_mail(user.email, _("Réinitialisation de votre mot de passe"),
                                 render_template("accounts/mail/reset.txt", user=user, link=link))


def user_for_reset_token(token: str) -> User:
    try:
        data = _serializer("reset").loads(token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise AccountError(_("Ce lien de réinitialisation a expiré (il est valable une heure). Demandez-en un nouveau."))
    except BadSignature:
        raise AccountError(_("Ce lien de réinitialisation n'est pas valide. Vérifiez qu'il a été copié en entier."))
    user = db.session.get(User, data.get("uid"))
    if user is None or data.get("fp") != _password_fingerprint(user):
        raise AccountError(_("Ce lien de réinitialisation a déjà servi. Demandez-en un nouveau si besoin."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    # Receiving the link proves the address too.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    audit("password_reset", user.id)
    return user


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    db.session.flush()


# --- sign-in and profile -----------------------------------------------------------

def authenticate(email: str, password: str) -> User:
    user = find_user_by_email(email)
    # The read ends here, before the deliberately slow hash check: a POST's transaction
    # holds SQLite's write lock from its first statement (core/transactions.py), and every
    # other writer would wait behind the hashing. Nothing was written; the sign-in's writes
    # begin a transaction of their own.
    db.session.commit()
    if not verify_password(user.password_hash if user else None, password):
        audit("sign_in_failed", user.id if user else None)
        raise AccountError(_("Adresse électronique ou mot de passe incorrect."))
    return user


# Written at every sign-in, shown on no public page: signing in keeps the cached pages.
not_shown("user_account", "last_sign_in_at")


def sign_in(user: User) -> None:
    start_session(user)
    user.last_sign_in_at = utcnow()  # the retention period starts again (accounts/retention.py)
    audit("sign_in", user.id)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password, end every other sign-in, keep this browser signed in."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_("Le mot de passe actuel est incorrect."), "current_password")
    _set_password(user, new_password)
    start_session(user)
    audit("password_changed", user.id)


def update_profile(user: User, display_name: str, commune: Territory, locale: str | None,
                   email_notifications: bool = True) -> None:
    """Save the profile (the address changes apart, accounts/email_change.py)."""
    user.display_name = clean_line(display_name)
    user.commune = commune
    user.locale = locale or None
    user.email_notifications = bool(email_notifications)
    db.session.flush()


def delete_account(user: User, password: str, erase_contributions: bool = False) -> None:
    """Erase the account and everything attached to it (RGPD right to erasure); the text of
    the person's contributions too when they ask (accounts/retention.py)."""
    if not verify_password(user.password_hash, password):
        raise AccountError(_("Le mot de passe est incorrect."), "password")
    from .retention import erase_account

    erase_account(user, erase_contributions=erase_contributions)


def count_users() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()


# Other domains add what they hold about a person (their own explicit fields) here,
# so the export stays complete without accounts importing them.
PERSONAL_DATA_SECTIONS: dict = {}


def personal_data_section(name: str):
    """Register `func(user) -> JSON-ready data` as section `name` of the personal data export."""

    def register(func):
        PERSONAL_DATA_SECTIONS[name] = func
        return func

    return register


def _iso(value):
    return value.isoformat() if value else None


def export_personal_data(user: User) -> dict:
    """Everything held about `user`, through explicit field lists (RGPD right of access)."""
    data = {
        "format": "plateforme-personal-data/1",
        "exported_at": utcnow().isoformat(timespec="seconds"),
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "locale": user.locale,
            "commune": {"code": user.commune.code, "name": user.commune.name} if user.commune else None,
            "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "password_changed_at": _iso(user.password_changed_at),
            "pending_email": user.pending_email,
            "last_sign_in_at": _iso(user.last_sign_in_at),
            "is_admin": user.is_admin,
            "email_notifications": user.email_notifications,
        },
        "mandates": [
            {"territory": {"kind": m.territory.kind.value, "code": m.territory.code, "name": m.territory.name},
             "title": m.title.value, "status": m.status.value,
             "declared_at": _iso(m.created_at), "decided_at": _iso(m.decided_at)}
            for m in user.mandates
        ],
        "organisations": [
            {"name": ms.organisation.name, "kind": ms.organisation.kind.value, "member_since": _iso(ms.created_at)}
            for ms in user.memberships
        ],
        "moderation": [
            {"territory": {"kind": a.territory.kind.value, "code": a.territory.code, "name": a.territory.name},
             "appointed_at": _iso(a.created_at)}
            for a in user.moderations
        ],
        "sign_in_sessions": [
            {"started_at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at), "browser": s.user_agent}
            for s in user.sessions
        ],
    }
    for name, build in PERSONAL_DATA_SECTIONS.items():
        data[name] = build(user)
    return data
