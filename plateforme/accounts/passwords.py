"""Password policy and hashing.

At least 12 characters, not a common password (even padded with digits or symbols),
not made of a handful of distinct characters, not the person's own email or name.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 256
BLOCKLIST_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
# A hash to compare against when the account does not exist, so that a wrong email
# and a wrong password take the same time.
_DUMMY_HASH_CACHE: dict[str, str] = {}


@lru_cache(maxsize=1)
def _blocklist() -> frozenset[str]:
    lines = BLOCKLIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _core(password: str) -> str:
    """The password without the digits and symbols people pad common words with."""
    return password.lower().strip("0123456789!?@#$%&*.-_ ")


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why `password` is refused, in the reader's language; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Le mot de passe doit compter au moins %(n)s caractères.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Le mot de passe ne doit pas dépasser %(n)s caractères.", n=MAX_LENGTH)
    lowered = password.lower()
    blocklist = _blocklist()
    if lowered in blocklist or _core(password) in blocklist or len(set(lowered)) < 5:
        return _("Ce mot de passe est trop courant ou trop simple. Choisissez par exemple une phrase de plusieurs mots.")
    local_part = email.split("@")[0].lower()
    if (len(local_part) >= 4 and local_part in lowered) or (
        len(display_name) >= 4 and display_name.lower() in lowered
    ):
        return _("Le mot de passe ne doit pas contenir votre adresse électronique ni votre nom.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown account), spend the same time and fail."""
    if password_hash is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        if method not in _DUMMY_HASH_CACHE:  # hashed once per method, not on every call
            _DUMMY_HASH_CACHE[method] = generate_password_hash("dummy-password-x", method=method)
        dummy = _DUMMY_HASH_CACHE[method]
        check_password_hash(dummy, password)
        return False
    return check_password_hash(password_hash, password)
