"""Structured security log: one JSON line per event.

Events: sign_in, sign_in_failed, sign_out, permission_denied, password_changed,
password_reset, account_deleted, email_change_requested, email_changed, email_change_reverted. Never a password, a token or a session id.
"""
from __future__ import annotations

import json
import logging

from flask import has_request_context, request

from .models import utcnow

log = logging.getLogger("plateforme.security")


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def audit(event: str, user_id: int | None = None, **details) -> None:
    """Write one security event as a JSON line (UTC time, user, IP, details)."""
    record = {
        "time": utcnow().isoformat(timespec="seconds"),
        "event": event,
        "user": user_id,
        "ip": client_ip(),
    }
    if has_request_context():
        record["path"] = request.path
    record.update(details)
    log.info(json.dumps(record, ensure_ascii=False, sort_keys=True))
