"""Survey operations: lifecycle, eligibility, anonymous submissions, invitation codes."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Mandate, MandateStatus, User
from ..accounts.services import personal_data_section
from ..core.database import read_phase, write_phase
from ..core.models import local_today
from ..extensions import db
from ..territories.models import AGE_BANDS, Sex, Territory, TerritoryKind, territory_contains
from .models import (
    ANSWER_ALPHABET, Channel, ImportLog, InvitationCode, OfficialParticipation, OfficialResponse, PerceptionSurvey,
    Publication, ResidentParticipation, ResidentResponse, SamplingMode, SurveyStatus, SurveyTransitionError,
)

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
    _move(survey, SurveyStatus.CLOSED)
    log.info("survey %s closed", survey.id)


def get_survey(survey_id) -> PerceptionSurvey | None:
    try:
        return db.session.get(PerceptionSurvey, int(survey_id))
    except (TypeError, ValueError):
        return None


# --- who may answer -----------------------------------------------------------------

def lives_in(user: User, territory: Territory) -> bool:
    return user.commune is not None and territory_contains(territory, user.commune)


def has_answered(survey: PerceptionSurvey, user: User) -> bool:
    return db.session.execute(
        select(ResidentParticipation.id).filter_by(survey_id=survey.id, user_id=user.id)
    ).first() is not None


def official_has_answered(survey: PerceptionSurvey, user: User) -> bool:
    return db.session.execute(
        select(OfficialParticipation.id).filter_by(survey_id=survey.id, user_id=user.id)
    ).first() is not None


def officials_of(territory: Territory) -> list[User]:
    """The officials of the territory, by the same rule as `is_elected_official`: a verified
    mandate on it, within it, or on a territory containing it (an EPCI councillor counts
    for a commune survey)."""
    mandates = db.session.execute(
        select(Mandate).options(selectinload(Mandate.user), selectinload(Mandate.territory))
        .where(Mandate.status == MandateStatus.VERIFIED)
    ).scalars().all()
    return sorted({m.user for m in mandates if territory_contains(territory, m.territory)
                   or territory_contains(m.territory, territory)}, key=lambda u: u.id)


def count_officials(survey: PerceptionSurvey) -> int:
    return survey.officials_total or len(officials_of(survey.territory))


def participation_counts(survey: PerceptionSurvey) -> tuple[int, int]:
    """(residents, officials) who have answered so far: counts only, never the answers."""
    residents = db.session.execute(
        select(func.count(ResidentResponse.id)).where(ResidentResponse.survey_id == survey.id)).scalar_one()
    officials = db.session.execute(
        select(func.count(OfficialResponse.id)).where(OfficialResponse.survey_id == survey.id)).scalar_one()
    return residents, officials


# --- answers ------------------------------------------------------------------------

@dataclass
class ResidentAnswers:
    sex: str
    age_band: str
    commune: Territory
    answers: dict[str, str]            # statement key → one ANSWER_ALPHABET character
    estimates: dict[str, int | None]   # statement key → 0..100 or None


def encode_answers(survey: PerceptionSurvey, answers: dict[str, str]) -> str:
    codes = []
    for statement in survey.statements:
        code = answers.get(statement.key) or "."
        if code not in ANSWER_ALPHABET:
            raise SurveyError(_("Réponse invalide pour « %(text)s ».", text=statement.text), statement.key)
        codes.append(code)
    return "".join(codes)


def encode_estimates(survey: PerceptionSurvey, estimates: dict[str, int | None]) -> str:
    values = []
    for statement in survey.statements:
        value = estimates.get(statement.key)
        if value is not None and not (isinstance(value, int) and 0 <= value <= 100):
            raise SurveyError(_("L'estimation doit être un nombre entier entre 0 et 100."), f"estimate_{statement.key}")
        values.append("" if value is None else str(value))
    return ",".join(values) if any(values) else ""


def _check_profile(survey: PerceptionSurvey, data: ResidentAnswers) -> None:
    if data.sex not in {s.value for s in Sex}:
        raise SurveyError(_("Indiquez votre sexe."), "sex")
    if data.age_band not in AGE_BANDS:
        raise SurveyError(_("Indiquez votre tranche d'âge."), "age_band")
    if data.commune is None or not territory_contains(survey.territory, data.commune):
        raise SurveyError(_("Cette commune ne fait pas partie du territoire du questionnaire."), "commune")


def _check_open(survey: PerceptionSurvey) -> None:
    if not survey.accepts_answers(local_today()):
        if survey.status == SurveyStatus.DRAFT or (
                survey.status == SurveyStatus.OPEN and local_today() < survey.opens_at):
            raise SurveyError(_("Ce questionnaire n'est pas encore ouvert."))
        raise SurveyError(_("Ce questionnaire est clos : il n'accepte plus de réponses."))


def submit_resident_answers(survey: PerceptionSurvey, data: ResidentAnswers, *, user: User | None = None,
                            invitation: InvitationCode | None = None, channel: Channel = Channel.ONLINE) -> None:
    """Record one resident's answers and participation in one transaction, or nothing.

    The unique constraints on the participation record make a second answer by the same
    person (or code) fail atomically, even when submissions race.
    """
    with read_phase():
        _check_open(survey)
        _check_profile(survey, data)
        response = ResidentResponse(
            survey_id=survey.id, sex=data.sex, age_band=data.age_band, commune_id=data.commune.id,
            answers=encode_answers(survey, data.answers), estimates=encode_estimates(survey, data.estimates),
            channel=channel,
        )
        participation = ResidentParticipation(survey_id=survey.id, user_id=getattr(user, "id", None),
                                              invitation_id=getattr(invitation, "id", None))
    with write_phase():  # two INSERTs and the commit: the only time the write lock is held
        db.session.add(participation)
        db.session.add(response)
        _commit_once()


def submit_official_answers(survey: PerceptionSurvey, user: User, estimates: dict[str, int | None],
                            opinions: dict[str, str]) -> None:
    """Record an official's estimates (0–100) and own opinions, apart from who they are."""
    if survey.status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED):
        raise SurveyError(_("Le questionnaire des élus n'est plus ouvert : les résultats sont publiés."))
    if any(estimates.get(s.key) is None for s in survey.statements):
        missing = next(s for s in survey.statements if estimates.get(s.key) is None)
        raise SurveyError(_("Donnez une estimation pour chaque affirmation."), f"estimate_{missing.key}")
    with read_phase():
        response = OfficialResponse(survey_id=survey.id, estimates=encode_estimates(survey, estimates),
                                    opinions=encode_answers(survey, opinions), channel=Channel.ONLINE)
        participation = OfficialParticipation(survey_id=survey.id, user_id=user.id)
    with write_phase():
        db.session.add(participation)
        db.session.add(response)
        _commit_once()


def _commit_once() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyAnswered(_("Vous avez déjà répondu à ce questionnaire : une seule réponse par personne."))


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


def find_invitation(survey: PerceptionSurvey, code: str) -> InvitationCode:
    """The unused invitation behind `code`; SurveyError if unknown or already used."""
    invitation = db.session.execute(
        select(InvitationCode).filter_by(survey_id=survey.id, code_hash=_code_hash(code))
    ).scalar_one_or_none()
    if invitation is None:
        raise SurveyError(_("Ce code d'invitation n'existe pas pour ce questionnaire. Vérifiez-le sur votre courrier."),
                          "code")
    used = db.session.execute(
        select(ResidentParticipation.id).filter_by(survey_id=survey.id, invitation_id=invitation.id)
    ).first()
    if used:
        raise SurveyError(_("Ce code d'invitation a déjà servi : une seule réponse par code."), "code")
    return invitation


# --- listings and counts for the pages -------------------------------------------------

def surveys_open_now(today=None) -> list[PerceptionSurvey]:
    """Open surveys whose closing date has not passed (some may open later), closing soonest first."""
    today = today or local_today()
    return list(db.session.execute(
        select(PerceptionSurvey).options(joinedload(PerceptionSurvey.territory))
        .where(PerceptionSurvey.status == SurveyStatus.OPEN, PerceptionSurvey.closes_at >= today)
        .order_by(PerceptionSurvey.closes_at, PerceptionSurvey.id)
    ).scalars())


def surveys_awaiting_publication(today=None) -> list[PerceptionSurvey]:
    """Surveys no longer taking residents' answers (closed, or past their closing date) and not yet published."""
    today = today or local_today()
    return list(db.session.execute(
        select(PerceptionSurvey).options(joinedload(PerceptionSurvey.territory))
        .where(or_(PerceptionSurvey.status == SurveyStatus.CLOSED,
                   (PerceptionSurvey.status == SurveyStatus.OPEN) & (PerceptionSurvey.closes_at < today)))
        .order_by(PerceptionSurvey.closes_at.desc(), PerceptionSurvey.id)
    ).scalars())


def published_surveys(limit: int | None = None) -> list[PerceptionSurvey]:
    """Published surveys, the most recently (re)published first."""
    latest = (select(Publication.survey_id, func.max(Publication.created_at).label("published_at"))
              .group_by(Publication.survey_id).subquery())
    stmt = (select(PerceptionSurvey)
            .options(joinedload(PerceptionSurvey.territory), selectinload(PerceptionSurvey.publications))
            .join(latest, latest.c.survey_id == PerceptionSurvey.id)
            .where(PerceptionSurvey.status == SurveyStatus.PUBLISHED)
            .order_by(latest.c.published_at.desc(), PerceptionSurvey.id.desc()))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt).scalars())


def survey_territories_for(user: User) -> list[Territory]:
    """Where `user` may run a survey: any loaded EPCI or commune for an administrator;
    for an elected official, the EPCI and communes of their verified mandates."""
    order = {TerritoryKind.EPCI: 0, TerritoryKind.COMMUNE: 1}
    if user.is_admin:
        territories = db.session.execute(
            select(Territory).where(Territory.kind.in_(list(order)))).scalars().all()
    else:
        territories = {m.territory for m in user.mandates
                       if m.status == MandateStatus.VERIFIED and m.territory.kind in order}
    return sorted(territories, key=lambda t: (order[t.kind], t.search_name))


def invitation_counts(survey: PerceptionSurvey) -> tuple[int, int]:
    """(issued, used) invitation codes of a panel survey, for the disclosure of non-response."""
    issued = db.session.execute(
        select(func.count(InvitationCode.id)).where(InvitationCode.survey_id == survey.id)).scalar_one()
    used = db.session.execute(
        select(func.count(ResidentParticipation.id)).where(ResidentParticipation.survey_id == survey.id,
                                                           ResidentParticipation.invitation_id.is_not(None))
    ).scalar_one()
    return issued, used


def import_history(survey: PerceptionSurvey) -> list[ImportLog]:
    """The survey's file imports, latest first."""
    return list(db.session.execute(
        select(ImportLog).where(ImportLog.survey_id == survey.id).order_by(ImportLog.created_at.desc(),
                                                                          ImportLog.id.desc())
    ).scalars())


@personal_data_section("survey_participations")
def survey_participations(user: User) -> list[dict]:
    """Which surveys the person took part in — never what they answered: answers are
    stored apart and cannot be traced back to anyone."""
    rows = []
    for role, model in (("resident", ResidentParticipation), ("official", OfficialParticipation)):
        for survey in db.session.execute(
            select(PerceptionSurvey).join(model, model.survey_id == PerceptionSurvey.id).where(model.user_id == user.id)
        ).scalars():
            rows.append({"survey_id": survey.id, "title": survey.title, "as": role})
    return rows
