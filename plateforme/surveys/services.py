"""Survey operations: lifecycle, eligibility, anonymous submissions, invitation codes.
Reading surveys for the pages is in queries.py."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Row, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import Mandate, MandateStatus, User
from ..accounts.permissions import mandate_counts_for
from ..core.models import local_today
from ..extensions import db
from ..territories.models import AGE_BANDS, RESPONDENT_SEXES, Territory, territory_contains
from .feedback import new_receipt
from .mixing import MIX_BATCH, OFFICIALS, RESIDENTS, Pool, final_mix, mix_if_due, pending_count
from .models import (
    ANSWER_ALPHABET, Channel, InvitationCode, OfficialParticipation, PerceptionSurvey, ResidentParticipation,
    SamplingMode, SurveyStatus, SurveyTransitionError,
)
from .weighting import territory_communes

log = logging.getLogger("plateforme.surveys")

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper
CODE_LENGTH = 10


class SurveyError(ValueError):
    """A refusal the person can understand; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AlreadyAnswered(SurveyError):
    pass


# --- lifecycle ----------------------------------------------------------------------

def _move(survey: PerceptionSurvey, status: SurveyStatus) -> None:
    try:
        survey.move_to(status)
    except SurveyTransitionError:
        raise SurveyError(_("Cette action n'est pas possible à cette étape du questionnaire."))


def open_survey(survey: PerceptionSurvey) -> None:
    """Open a draft: from now on its statements are frozen."""
    _move(survey, SurveyStatus.OPEN)
    log.info("survey %s opened", survey.id)


def close_survey(survey: PerceptionSurvey) -> None:
    """Close to residents' answers. In the same transaction every answer is mixed — the
    pending ones with all the others — and residents' participation list is deleted; the
    officials' is kept, since they may answer until publication (mixing.py)."""
    # Locked and read afresh (changes made so far saved first): no submission is half-way
    # through, none starts after, and the survey cannot be closed twice.
    db.session.flush()
    db.session.refresh(survey, with_for_update=True)
    _move(survey, SurveyStatus.CLOSED)
    final_mix(RESIDENTS, survey, forget_participation=True)
    final_mix(OFFICIALS, survey, forget_participation=False)
    log.info("survey %s closed", survey.id)


def close_due_surveys(today=None) -> list[PerceptionSurvey]:
    """Close every open survey whose closing date has passed (hourly by the task queue,
    surveys/tasks.py, or `flask surveys close-due`): the privacy page promises answers mixed
    at the latest at closing."""
    today = today or local_today()
    # SKIP LOCKED (PostgreSQL): every consumer runs this task; a survey another is closing
    # right now is left to it rather than closed twice. (SQLite: BEGIN IMMEDIATE serialises.)
    due = db.session.execute(select(PerceptionSurvey).where(PerceptionSurvey.status == SurveyStatus.OPEN,
                                                            PerceptionSurvey.closes_at < today)
                             .with_for_update(skip_locked=True)).scalars().all()
    for survey in due:
        close_survey(survey)
    return list(due)


def get_survey(survey_id) -> PerceptionSurvey | None:
    try:
        return db.session.get(PerceptionSurvey, int(survey_id))
    except (TypeError, ValueError):
        return None


# --- who may answer -----------------------------------------------------------------

def lives_in(user: User, territory: Territory) -> bool:
    return user.commune is not None and territory_contains(territory, user.commune)


def has_answered(survey: PerceptionSurvey, user: User) -> bool:
    """Whether `user` answered while the survey takes answers; after closing the
    participation list is deleted (mixing.py), and nobody may answer any more."""
    return db.session.execute(
        select(ResidentParticipation.id).filter_by(survey_id=survey.id, user_id=user.id)
    ).first() is not None


def official_has_answered(survey: PerceptionSurvey, user: User) -> bool:
    """Whether an official answered (online), until publication deletes that list; never
    which answer is theirs."""
    return db.session.execute(
        select(OfficialParticipation.id).filter_by(survey_id=survey.id, user_id=user.id)
    ).first() is not None


def officials_of(territory: Territory) -> list[User]:
    """The officials of the territory, by the rule of `counts_among_officials_of`: a verified
    mandate on it, within it, or on a territory containing it (an EPCI councillor counts
    for a commune survey)."""
    mandates = db.session.execute(
        select(Mandate).options(selectinload(Mandate.user), selectinload(Mandate.territory))
        .where(Mandate.status == MandateStatus.VERIFIED)
    ).scalars().all()
    return sorted({m.user for m in mandates if mandate_counts_for(m, territory)}, key=lambda u: u.id)


def count_officials(survey: PerceptionSurvey) -> int:
    return survey.officials_total or len(officials_of(survey.territory))


def participation_counts(survey: PerceptionSurvey) -> tuple[int, int]:
    """(residents, officials) who have answered so far, mixed or pending answers alike
    (paper ones included): counts only, never the answers. One answer per participation,
    so these stay true once the participation list is deleted."""
    counts = []
    for pool in (RESIDENTS, OFFICIALS):
        counts.append(sum(db.session.execute(select(func.count()).select_from(model)
                                             .where(model.survey_id == survey.id)).scalar_one()
                          for model in (pool.mixed, pool.pending)))
    return counts[0], counts[1]


# --- statements ------------------------------------------------------------------------

def statement_texts(survey: PerceptionSurvey) -> tuple[tuple[str, str], ...]:
    """(key, text) of the survey's statements, in order."""
    return tuple((s.key, s.text) for s in survey.statements)


# --- the communes residents can name ----------------------------------------------------

@dataclass(frozen=True)
class CommuneChoice:
    """A commune of a survey's territory, as the answer form lists it."""
    id: int
    label: str


def commune_choices(survey: PerceptionSurvey) -> tuple[CommuneChoice, ...]:
    """The communes a resident answering `survey` can name as theirs, in the form's order."""
    return tuple(CommuneChoice(c.id, c.label) for c in territory_communes(survey.territory))


# --- answers ------------------------------------------------------------------------

@dataclass
class ResidentAnswers:
    sex: str
    age_band: str
    commune: Territory | CommuneChoice | None  # only its id is used
    answers: dict[str, str]            # statement key → one ANSWER_ALPHABET character
    estimates: dict[str, int | None]   # statement key → 0..100 or None


def encode_answers(survey: PerceptionSurvey, answers: dict[str, str]) -> str:
    codes = []
    for key, text in statement_texts(survey):
        code = answers.get(key) or "."
        if code not in ANSWER_ALPHABET:
            raise SurveyError(_("Réponse invalide pour « %(text)s ».", text=text), key)
        codes.append(code)
    return "".join(codes)


def encode_estimates(survey: PerceptionSurvey, estimates: dict[str, int | None]) -> str:
    values = []
    for key, _text in statement_texts(survey):
        value = estimates.get(key)
        if value is not None and not (isinstance(value, int) and 0 <= value <= 100):
            raise SurveyError(_("L'estimation doit être un nombre entier entre 0 et 100."), f"estimate_{key}")
        values.append("" if value is None else str(value))
    return ",".join(values) if any(values) else ""


def _check_profile(survey: PerceptionSurvey, data: ResidentAnswers) -> None:
    if data.sex not in RESPONDENT_SEXES:
        raise SurveyError(_("Indiquez votre sexe."), "sex")
    if data.age_band not in AGE_BANDS:
        raise SurveyError(_("Indiquez votre tranche d'âge."), "age_band")
    if data.commune is None or data.commune.id not in {c.id for c in commune_choices(survey)}:
        raise SurveyError(_("Cette commune ne fait pas partie du territoire du questionnaire."), "commune")


def _check_open(survey: PerceptionSurvey) -> None:
    if not survey.accepts_answers(local_today()):
        if survey.status == SurveyStatus.DRAFT or (
                survey.status == SurveyStatus.OPEN and local_today() < survey.opens_at):
            raise SurveyError(_("Ce questionnaire n'est pas encore ouvert."))
        raise SurveyError(_("Ce questionnaire est clos : il n'accepte plus de réponses."))


def _survey_row_status(survey_id: int) -> Row:
    """The survey's status and closing date as committed now, under a KEY SHARE lock held
    until the commit: closing or mixing (which lock the row FOR UPDATE) waits for this
    submission, and a submission that waited for a closing sees the survey closed."""
    return db.session.execute(
        select(PerceptionSurvey.status, PerceptionSurvey.opens_at, PerceptionSurvey.closes_at)
        .where(PerceptionSurvey.id == survey_id).with_for_update(read=True, key_share=True)).one()


def _write_answer(pool: Pool, participation: dict, answer: dict, still_open, closed_message: str) -> bool:
    """The participation and the pending answer, in one transaction committed here, or
    nothing. Why like this (mixing.py): the unique constraint of the participation makes a
    second answer by the same person or code fail atomically, even when submissions race;
    the answer goes to the pending pool, never straight to the mixed table, since it shares
    this transaction's id with the participation. Plain Core INSERTs: no object is needed
    afterwards, and this is the busiest write path. Returns whether a batch is pending."""
    try:
        if not still_open(_survey_row_status(answer["survey_id"])):  # closed since it was checked
            db.session.rollback()
            raise SurveyError(closed_message)
        db.session.execute(insert(pool.participation.__table__), participation)
        db.session.execute(insert(pool.pending.__table__), answer)
        # Read here, in the transaction that already holds SQLite's write lock: the mix's
        # own transaction (and its wait for that lock) comes only when a batch is due. Two
        # answers racing on PostgreSQL may each miss the other's row: the batch is then mixed
        # one answer later, never smaller (mix_pending counts again under its lock).
        due = pending_count(pool, answer["survey_id"]) >= MIX_BATCH
        # Committed here, not by the view: a due mix (mix_if_due) must run in a transaction
        # of its own, after this one, for anonymity (mixing.py).
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyAnswered(_("Vous avez déjà répondu à ce questionnaire : une seule réponse par personne."))
    return due


def submit_resident_answers(survey: PerceptionSurvey, data: ResidentAnswers, *, user: User | None = None,
                            invitation=None, channel: Channel = Channel.ONLINE) -> None:
    """Record one resident's participation and pending answer in one transaction, or
    nothing; then, in a transaction of its own, mix the pool if it holds a batch.

    `invitation`: in panel mode, the invitation found by `find_invitation` (its `id`).
    """
    _check_open(survey)
    _check_profile(survey, data)
    answer = {"id": uuid.uuid4().hex, "survey_id": survey.id, "sex": data.sex,
              "age_band": data.age_band, "commune_id": data.commune.id,
              "answers": encode_answers(survey, data.answers),
              "estimates": encode_estimates(survey, data.estimates), "channel": channel}
    participation = {"survey_id": survey.id, "user_id": getattr(user, "id", None),
                     "invitation_id": getattr(invitation, "id", None)}
    today = local_today()
    if _write_answer(RESIDENTS, participation, answer,
                     lambda row: row.status == SurveyStatus.OPEN and row.opens_at <= today <= row.closes_at,
                     _("Ce questionnaire est clos : il n'accepte plus de réponses.")):
        mix_if_due(RESIDENTS, survey)


def submit_official_answers(survey: PerceptionSurvey, user: User, estimates: dict[str, int | None],
                            opinions: dict[str, str]) -> str:
    """Record an official's estimates (0–100) and own opinions, apart from who they are
    (the same way as residents' answers: pending, then mixed). Returns the receipt, a
    secret that only the official will hold: the answer keeps its hash alone (feedback.py)."""
    if survey.status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED):
        raise SurveyError(_("Le questionnaire des élus n'est plus ouvert : les résultats sont publiés."))
    if any(estimates.get(s.key) is None for s in survey.statements):
        missing = next(s for s in survey.statements if estimates.get(s.key) is None)
        raise SurveyError(_("Donnez une estimation pour chaque affirmation."), f"estimate_{missing.key}")
    receipt, receipt_digest = new_receipt()
    answer = {"id": uuid.uuid4().hex, "survey_id": survey.id, "estimates": encode_estimates(survey, estimates),
              "opinions": encode_answers(survey, opinions), "channel": Channel.ONLINE, "receipt_hash": receipt_digest}
    if _write_answer(OFFICIALS, {"survey_id": survey.id, "user_id": user.id}, answer,
                     lambda row: row.status in (SurveyStatus.OPEN, SurveyStatus.CLOSED),
                     _("Le questionnaire des élus n'est plus ouvert : les résultats sont publiés.")):
        mix_if_due(OFFICIALS, survey)
    return receipt


# --- invitation codes (panel mode) ----------------------------------------------------

def _code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def generate_codes(survey: PerceptionSurvey, count: int) -> list[str]:
    """Create `count` one-time codes; only their keyed hashes are stored, so print them now."""
    if survey.sampling_mode != SamplingMode.PANEL:
        raise SurveyError(_("Les codes d'invitation ne servent qu'aux questionnaires sur panel."))
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.OPEN):
        # Codes issued later would inflate the published count of invitations sent.
        raise SurveyError(_("Les codes d'invitation se créent avant la clôture du questionnaire."))
    if not 1 <= count <= 5000:
        raise SurveyError(_("Indiquez un nombre de codes entre 1 et 5 000."), "count")
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]
    db.session.add_all(InvitationCode(survey_id=survey.id, code_hash=_code_hash(c)) for c in codes)
    db.session.flush()
    log.info("%s invitation codes generated for survey %s", count, survey.id)
    return [format_code(c) for c in codes]


_INVITATION = (
    select(InvitationCode.id,
           select(ResidentParticipation.id)  # while the survey is open; nobody answers once it is closed
           .where(ResidentParticipation.survey_id == InvitationCode.survey_id,
                  ResidentParticipation.invitation_id == InvitationCode.id)
           .exists().label("used"))
    .where(InvitationCode.survey_id == bindparam("survey_id"), InvitationCode.code_hash == bindparam("code_hash"))
)


def find_invitation(survey: PerceptionSurvey, code: str) -> Row:
    """The unused invitation behind `code`, as a row with its `id` (one query, no ORM
    object: it is checked on every panel answer); SurveyError if unknown or already used."""
    invitation = db.session.execute(_INVITATION, {"survey_id": survey.id, "code_hash": _code_hash(code)}).first()
    if invitation is None:
        raise SurveyError(_("Ce code d'invitation n'existe pas pour ce questionnaire. Vérifiez-le sur votre courrier."),
                          "code")
    if invitation.used:
        raise SurveyError(_("Ce code d'invitation a déjà servi : une seule réponse par code."), "code")
    return invitation
