"""How messages leave: one connection (or its stand-in) for a whole batch.

Backends (``MAIL_BACKEND``): ``smtp`` sends over one SMTP connection, ``log`` writes each
message to the log (development), ``memory`` appends it to ``app.extensions["mail_outbox"]``
(tests), ``failing`` cannot connect, as an unreachable SMTP server (tests).
Only the outbox's sender (core/outbox_sender.py) calls this module.
"""
from __future__ import annotations

import logging
import smtplib
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("plateforme.mail")


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()  # extra ones, e.g. List-Unsubscribe


class PermanentFailure(Exception):
    """The server refused this message for good (5xx): trying again would not help."""


def _email(message: Message, config) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    for name, value in message.headers:
        email[name] = value
    email.set_content(message.body)
    return email


class _Smtp:
    def __init__(self, smtp: smtplib.SMTP, config):
        self.smtp, self.config = smtp, config

    def send(self, message: Message) -> None:
        try:
            self.smtp.send_message(_email(message, self.config))
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {error.recipients}") from error
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            if error.smtp_code >= 500:
                raise PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
            raise


class _Memory:
    def send(self, message: Message) -> None:
        current_app.extensions.setdefault("mail_outbox", []).append(message)


class _Log:
    def send(self, message: Message) -> None:
        log.info("mail to=%s subject=%s\n%s", message.to, message.subject, message.body)


@contextmanager
def transport():
    """A sender for many messages: `with transport() as t: t.send(message)`. Raises
    `OSError`/`smtplib.SMTPException` when the server cannot be reached."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        yield _Memory()
    elif backend == "failing":
        raise smtplib.SMTPServerDisconnected("MAIL_BACKEND=failing")
    elif backend == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            yield _Smtp(smtp, config)
    else:
        yield _Log()


def reachable() -> bool:
    """Whether the mail server answers now (a connection opened and closed, nothing sent)."""
    try:
        with transport():
            return True
    except (OSError, smtplib.SMTPException):
        return False
