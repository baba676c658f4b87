"""Changing one's email address without letting a stolen session take the account.

The current password is asked; the new address only becomes the account's once its owner
opens the link mailed to it (until then the old one signs in, resets the password and gets
the notifications); the old address is told at once, with a link that undoes the change and
ends every session. Whether the new address already has an account is never shown: its owner
is told by mail instead, and the page says the same.
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale, gettext as _
from itsdangerous import BadSignature, SignatureExpired

from ..core.audit import audit
from ..core.mail import queue_mail
from ..core.models import utcnow
from ..core.urls import external_url_for
from ..extensions import db
from .auth import end_all_sessions
from .models import User
from .passwords import verify_password
from .services import (
    AccountError, _serializer, find_user_by_email, normalise_email, send_address_in_use, send_confirmation,
)


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Record `new_email` as pending and mail both addresses; AccountError on a wrong password
    or an unchanged address. Says nothing about the new address being taken."""
    if not verify_password(user.password_hash, password):
        raise AccountError(_("Le mot de passe actuel est incorrect."), "current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError(_("C'est déjà l'adresse de votre compte."), "email")
    old_email = user.email
    user.pending_email = new_email
    db.session.flush()
    owner = find_user_by_email(new_email)
    if owner is None:
        send_confirmation(user, new_email)
    else:
        send_address_in_use(owner)
    _send_change_notice(user, old_email, new_email)
    audit("email_change_requested", user.id)


def _mask(email: str) -> str:
    """`c***@exemple.fr`: enough for the owner to recognise the address, not to learn it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _send_change_notice(user: User, old_email: str, new_email: str) -> None:
    token = _serializer("revert-email").dumps({"uid": user.id, "old": old_email, "new": new_email})
    link = external_url_for("accounts.revert_email", token=token)
    with force_locale(user.locale or "fr"):
        queue_mail(old_email, _("Changement de l'adresse de votre compte"), render_template(
            "accounts/mail/email_change_notice.txt", user=user, new_email=_mask(new_email), link=link,
            days=current_app.config["EMAIL_REVERT_TOKEN_MAX_AGE"] // 86400))


def revert_email_change(token: str) -> User:
    """Give the account back its former address (from the link mailed to it), cancel any
    pending change and end every session; AccountError when the link is bad or expired."""
    try:
        data = _serializer("revert-email").loads(token, max_age=current_app.config["EMAIL_REVERT_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise AccountError(_("Ce lien a expiré. Écrivez à l'administration de la plateforme si votre compte a été "
                             "détourné."))
    except BadSignature:
        raise AccountError(_("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."))
    user = db.session.get(User, data.get("uid"))
    old_email = data.get("old")
    if user is None or not old_email:
        raise AccountError(_("Ce lien ne correspond à aucun compte."))
    other = find_user_by_email(old_email)
    if other is not None and other.id != user.id:
        raise AccountError(_("Cette adresse est désormais celle d'un autre compte. Écrivez à l'administration de "
                             "la plateforme."))
    if user.email != old_email:
        user.email = old_email
    user.email_confirmed_at = user.email_confirmed_at or utcnow()  # the link reached this mailbox
    user.pending_email = None
    end_all_sessions(user)
    db.session.flush()
    audit("email_change_reverted", user.id)
    return user
