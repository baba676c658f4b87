"""Outgoing mail, through one small module.

Backends (``MAIL_BACKEND``): ``log`` writes the message to the log (development),
``smtp`` sends it, ``memory`` appends it to ``app.extensions["mail_outbox"]`` (tests),
``failing`` raises as an unreachable SMTP server would (tests).

`send_mail_after_response` sends once the page has gone (core/after_response.py): the
answer, its status and its timing never depend on the mail server, nor on whether the
address belongs to an account.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

from .after_response import after_response

log = logging.getLogger("plateforme.mail")


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()  # extra ones, e.g. List-Unsubscribe


def send_mail(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> Message:
    """Send one plain-text message with the configured backend."""
    message = Message(to=to, subject=subject, body=body, headers=tuple((headers or {}).items()))
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif backend == "smtp":
        _send_smtp(message)
    elif backend == "failing":
        raise smtplib.SMTPServerDisconnected("MAIL_BACKEND=failing")
    else:
        log.info("mail to=%s subject=%s\n%s", to, subject, body)
    return message


def send_mail_after_response(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> None:
    """`send_mail`, once the response has been sent; a failure is logged, never shown."""
    after_response(send_mail, to, subject, body, headers)


def _send_smtp(message: Message) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    for name, value in message.headers:
        email[name] = value
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
