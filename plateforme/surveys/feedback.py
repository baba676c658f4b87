"""An official's private feedback, found through a receipt only they hold.

Answers must stay unlinkable to accounts for a reader of the whole database (mixing.py), so
nothing on an answer leads to its author, and nothing on the account leads to the answer.
Instead, when an official answers online, a random secret (the receipt) is handed to them,
and only its SHA-256 is stored on their answer (`receipt_hash`), which mixing moves along.
The receipt lives in their browser (a cookie scoped to the survey's pages) and, noted down,
with them; whoever holds it finds the answer, nobody else can. SHA-256 unkeyed is enough:
the secret has 128 random bits, so the hash cannot be searched back.

After publication the feedback compares each estimate with the published figures (the
latest Publication's payload, never recomputed) and places its absolute error among all
the officials' answers used for them, imported ones included, without showing any other
estimate. Below the officials' publication threshold the rank is not given.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select

from ..extensions import db
from .models import OfficialResponse, PerceptionSurvey

RECEIPT_BYTES = 16  # 128 bits
RECEIPT_COOKIE = "recu_elu"
# Long-lived: results are published weeks or months after answering. Browsers cap cookies at 400 days.
RECEIPT_COOKIE_AGE = timedelta(days=400)
MAX_RECEIPT_LENGTH = 64


def new_receipt() -> tuple[str, str]:
    """A fresh receipt and the hash to store: (secret, sha256 hex)."""
    secret = secrets.token_urlsafe(RECEIPT_BYTES)
    return secret, receipt_hash(secret)


def normalise_receipt(secret: str | None) -> str:
    """What was typed or stored, without the spaces a copy from paper or mail may add."""
    return "".join((secret or "").split())[:MAX_RECEIPT_LENGTH]


def receipt_hash(secret: str) -> str:
    return hashlib.sha256(normalise_receipt(secret).encode("utf-8")).hexdigest()


# --- the browser's copy ------------------------------------------------------------------

def receipt_cookie_path(survey_id: int) -> str:
    """The survey's pages only (`/questionnaires/5` does not match `/questionnaires/50`)."""
    return url_for("surveys.show", survey_id=survey_id)


def _tag(survey_id: int, user_id: int, secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{survey_id}:{user_id}:{secret}".encode(), hashlib.sha256).hexdigest()[:32]


def keep_receipt(response, survey_id: int, user_id: int, secret: str):
    """Give the browser the receipt: HttpOnly (no script reads it), SameSite=Lax, Secure
    whenever the session cookie is (production). The cookie is tagged with the account
    that answered, in the browser only (nothing is stored on the server): on a shared
    computer in a town hall, another official signed in later is not shown this one's
    feedback."""
    secret = normalise_receipt(secret)
    response.set_cookie(RECEIPT_COOKIE, f"{secret}.{_tag(survey_id, user_id, secret)}", max_age=RECEIPT_COOKIE_AGE,
                        path=receipt_cookie_path(survey_id), httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def stored_receipt(request, survey_id: int, user_id: int) -> str:
    """The receipt this browser keeps for `survey_id`, if the account `user_id` put it there; else ""."""
    secret, _dot, tag = (request.cookies.get(RECEIPT_COOKIE) or "").rpartition(".")
    if not secret or not hmac.compare_digest(tag, _tag(survey_id, user_id, secret)):
        return ""
    return normalise_receipt(secret)


# --- the feedback ------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementFeedback:
    key: str
    text: str
    estimate: int | None         # the official's own, 0–100; None if left blank
    agree: float | None          # the residents' published weighted share, 0–1; None if suppressed
    ci_low: float | None
    ci_high: float | None
    abs_error: float | None      # |estimate − share|, as a fraction (0.07 = 7 points)
    majority: str | None         # right | wrong | even (estimated 50) | undecided; None without both figures
    rank: int | None             # 1 = closest; officials with the same error share the rank
    officials: int | None        # how many officials' estimates the rank is among


@dataclass(frozen=True)
class Feedback:
    version: int
    statements: list[StatementFeedback]


def find_own_answer(survey: PerceptionSurvey, secret: str) -> OfficialResponse | None:
    """The mixed answer that `secret` is the receipt of, if any."""
    if not normalise_receipt(secret):
        return None
    return db.session.execute(select(OfficialResponse).where(
        OfficialResponse.survey_id == survey.id, OfficialResponse.receipt_hash == receipt_hash(secret))).scalar()


def _estimate_values(text: str, k: int) -> list[int | None]:
    parts = text.split(",") if text else []
    return [int(parts[j]) if j < len(parts) and parts[j] != "" else None for j in range(k)]


def _majority(estimate: int, ci_low: float, ci_high: float) -> str:
    """As the published wrong-majority rate decides (stats.gap.wrong_majority_rate): only when
    the residents' interval excludes 50 %; an estimate of exactly 50 takes no side."""
    if ci_low <= 0.5 <= ci_high:
        return "undecided"
    if estimate == 50:
        return "even"
    return "right" if (estimate > 50) == (ci_low > 0.5) else "wrong"


def _error_units(estimate: int, agree: float) -> int:
    """|estimate − share| in hundredths of a point, an integer: ties are exact. The published
    share has four decimals (results._round), so this loses nothing."""
    return abs(estimate * 100 - round(agree * 10000))


def official_feedback(survey: PerceptionSurvey, answer: OfficialResponse) -> Feedback:
    """`answer`'s estimates against the latest published figures, statement by statement."""
    publication = survey.latest_publication
    data = json.loads(publication.payload)
    published = {s["key"]: s for s in data["statements"]}
    k = len(survey.statements)
    everyone = [_estimate_values(text, k) for text in db.session.execute(
        select(OfficialResponse.estimates).where(OfficialResponse.survey_id == survey.id)).scalars()]
    own = _estimate_values(answer.estimates, k)
    rows = []
    for j, statement in enumerate(survey.statements):
        figures = published.get(statement.key)
        residents = figures["residents"] if figures else {"suppressed": True}
        estimate = own[j]
        agree = None if residents.get("suppressed") else residents["agree"]
        abs_error = majority = rank = officials = None
        if estimate is not None and agree is not None:
            abs_error = abs(estimate / 100 - agree)
            majority = _majority(estimate, residents["ci_low"], residents["ci_high"])
            if not figures["officials"]["suppressed"]:
                errors = [_error_units(row[j], agree) for row in everyone if row[j] is not None]
                mine = _error_units(estimate, agree)
                rank, officials = 1 + sum(error < mine for error in errors), len(errors)
        rows.append(StatementFeedback(
            key=statement.key, text=statement.text, estimate=estimate, agree=agree,
            ci_low=None if agree is None else residents["ci_low"],
            ci_high=None if agree is None else residents["ci_high"],
            abs_error=abs_error, majority=majority, rank=rank, officials=officials))
    return Feedback(version=publication.version, statements=rows)
