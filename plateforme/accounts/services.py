"""Account operations: registration, confirmation, sign-in, reset, profile, RGPD rights."""
from __future__ import annotations

import hashlib
import logging

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..core.audit import audit
from ..core.mail import send_mail
from ..core.models import utcnow
from ..core.sanitize import clean_line
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
             next_url: str | None = None) -> User:
    """Create an unconfirmed account and send the confirmation message (whose link leads on to
    `next_url`, a path on this site)."""
    email = normalise_email(email)
    password_hash = hash_password(password)  # before the first query: no lock held while hashing
    if find_user_by_email(email) is not None:
        raise AccountError(_("Un compte existe déjà avec cette adresse. Connectez-vous ou réinitialisez votre mot de passe."), "email")
    user = User(email=email, display_name=clean_line(display_name), password_hash=password_hash,
                commune=commune, locale=locale)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user, next_url)
    log.info("account %s registered", user.id)
    return user


# --- signed links -------------------------------------------------------------------

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"plateforme-{purpose}")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does: a reset link works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def send_confirmation(user: User, next_url: str | None = None) -> None:
    token = _serializer("confirm").dumps({"uid": user.id, "email": user.email})
    link = url_for("accounts.confirm_email", token=token, next=next_url, _external=True)
    with force_locale(user.locale or "fr"):
        send_mail(user.email, _("Confirmez votre adresse électronique"),
                  render_template("accounts/mail/confirm.txt", user=user, link=link))


def confirm_email(token: str) -> User:
    """Mark the address in `token` as confirmed; AccountError if the link is bad or expired."""
    try:
        data = _serializer("confirm").loads(token, max_age=current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise AccountError(_("Ce lien de confirmation a expiré. Connectez-vous pour en recevoir un nouveau."))
    except BadSignature:
        raise AccountError(_("Ce lien de confirmation n'est pas valide. Vérifiez qu'il a été copié en entier."))
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise AccountError(_("Ce lien de confirmation ne correspond à aucun compte."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def send_password_reset(email: str) -> None:
    """Send a reset link if the account exists; say nothing either way (no account probing)."""
    user = find_user_by_email(email)
    if user is None:
        log.info("password reset asked for an unknown address")
        return
    token = _serializer("reset").dumps({"uid": user.id, "fp": _password_fingerprint(user)})
    link = url_for("accounts.reset_password", token=token, _external=True)
    with force_locale(user.locale or "fr"):
        send_mail(user.email, _("Réinitialisation de votre mot de passe"),
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
    if not verify_password(user.password_hash if user else None, password):
        audit("sign_in_failed", user.id if user else None)
        raise AccountError(_("Adresse électronique ou mot de passe incorrect."))
    return user


def sign_in(user: User) -> None:
    start_session(user)
    audit("sign_in", user.id)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password, end every other sign-in, keep this browser signed in."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_("Le mot de passe actuel est incorrect."), "current_password")
    _set_password(user, new_password)
    start_session(user)
    audit("password_changed", user.id)


def update_profile(user: User, display_name: str, commune: Territory, locale: str | None, email: str,
                   email_notifications: bool = True) -> bool:
    """Save the profile; returns True when the email changed (and needs confirming again)."""
    email = normalise_email(email)
    email_changed = email != user.email
    if email_changed:
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise AccountError(_("Un autre compte utilise déjà cette adresse."), "email")
        user.email = email
        user.email_confirmed_at = None
    user.display_name = clean_line(display_name)
    user.commune = commune
    user.locale = locale or None
    user.email_notifications = bool(email_notifications)
    db.session.flush()
    if email_changed:
        send_confirmation(user)
    return email_changed


def delete_account(user: User, password: str) -> None:
    """Erase the account and everything attached to it (RGPD right to erasure)."""
    if not verify_password(user.password_hash, password):
        raise AccountError(_("Le mot de passe est incorrect."), "password")
    user_id = user.id
    db.session.delete(user)
    db.session.flush()
    audit("account_deleted", user_id)


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
            {"started_at": _iso(s.created_at), "browser": s.user_agent} for s in user.sessions
        ],
    }
    for name, build in PERSONAL_DATA_SECTIONS.items():
        data[name] = build(user)
    return data
