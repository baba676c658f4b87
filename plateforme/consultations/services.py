"""Consultation operations: open a draft, edit it, publish it, cancel it, follow it.

Rules decided here (see also the form page, which says them to officials):
- a consultation needs at least one phase; any phase may be left out, but a phase is either
  fully dated (start and end) or absent; phases run in the fixed order of `PHASE_ORDER`
  and never overlap;
- once published, only the description and the dates of phases that have not started yet
  may change (a not-started phase cannot be moved to start before today, and a started
  phase can neither move nor be removed); title, territory, audience, cards and survey
  are fixed, because people took part on that basis;
- a cancelled consultation changes no more.
Listings and eager-loaded reads live in `queries.py` and are re-exported here.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.i18n import format_day
from ..accounts.models import User
from ..cards.models import IssueCard
from ..core.database import insert_if_absent
from ..core.models import local_today, utcnow
from ..core.sanitize import clean_line, markdown_to_safe_html
from ..extensions import db
from ..notifications.services import notify_consultation_cancelled
from ..surveys.models import PerceptionSurvey, SurveyStatus
from ..territories.models import Territory, territory_contains
from .models import (
    PHASE_ORDER, Audience, Consultation, ConsultationFollow, ConsultationPhase, ConsultationStatus,
    ConsultationTransitionError, PhaseKind,
)
from .permissions import can_open_consultation_on
from .queries import (  # noqa: F401  (re-exported: other domains import them from here)
    consultation_for_view, current_consultations, followers_of, is_following,
)

log = logging.getLogger("plateforme.consultations")


class ConsultationError(ValueError):
    """A refusal the person can act on; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def starts_field(kind: PhaseKind) -> str:
    return f"{kind.value}_starts_on"


def ends_field(kind: PhaseKind) -> str:
    return f"{kind.value}_ends_on"


@dataclass
class ConsultationInput:
    title: str
    description: str
    territory: Territory | None
    audience: Audience
    card_ids: list[int] = field(default_factory=list)
    survey_id: int | None = None
    # Each phase's (start, end); either may be None when the person left it empty.
    phases: dict[PhaseKind, tuple[date | None, date | None]] = field(default_factory=dict)


# --- validation ---------------------------------------------------------------------

def phase_problems(phases: dict[PhaseKind, tuple[date | None, date | None]]) -> list[ConsultationError]:
    """Every problem with the phases' dates, each tied to its field (all shown at once)."""
    problems = []
    previous = None  # (kind, end) of the previous dated phase
    dated = 0
    for kind in PHASE_ORDER:
        start, end = phases.get(kind, (None, None))
        if start is None and end is None:
            continue
        if start is None:
            problems.append(ConsultationError(
                _("Indiquez aussi la date de début, ou effacez la date de fin pour ne pas prévoir cette phase."),
                starts_field(kind)))
            continue
        if end is None:
            problems.append(ConsultationError(
                _("Indiquez aussi la date de fin, ou effacez la date de début pour ne pas prévoir cette phase."),
                ends_field(kind)))
            continue
        dated += 1
        if end < start:
            problems.append(ConsultationError(_("La date de fin doit être le jour du début ou après."),
                                              ends_field(kind)))
        if previous is not None and start <= previous[1]:
            problems.append(ConsultationError(
                _("Cette phase doit commencer après la fin de la phase précédente (%(phase)s, jusqu'au %(date)s).",
                  phase=phase_label(previous[0]), date=format_day(previous[1], "long")),
                starts_field(kind)))
        previous = (kind, end)
    if not dated and not problems:
        problems.append(ConsultationError(
            _("Prévoyez au moins une phase, avec sa date de début et sa date de fin."),
            starts_field(PhaseKind.INFORMATION)))
    return problems


def phase_label(kind: PhaseKind) -> str:
    from .labels import PHASE_LABELS

    return str(PHASE_LABELS[kind]).lower()


def _dated_phases(data: ConsultationInput) -> dict[PhaseKind, tuple[date, date]]:
    problems = phase_problems(data.phases)
    if problems:
        raise problems[0]
    return {k: (s, e) for k, (s, e) in data.phases.items() if s is not None and e is not None}


def _check_territory(user: User, territory: Territory | None) -> Territory:
    if territory is None:
        raise ConsultationError(_("Choisissez le territoire de la consultation."), "territory")
    if not can_open_consultation_on(user, territory):
        raise ConsultationError(
            _("Vous ne pouvez ouvrir une consultation que sur le territoire de l'un de vos mandats vérifiés "
              "ou sur l'une de ses communes."), "territory")
    return territory


def _cards(territory: Territory, card_ids: list[int]) -> list[IssueCard]:
    if not card_ids:
        raise ConsultationError(_("Choisissez au moins une fiche enjeu publiée : elle sert de base au débat."),
                                "cards")
    cards = db.session.execute(select(IssueCard).where(IssueCard.id.in_(card_ids))).scalars().all()
    if len(cards) != len(set(card_ids)):
        raise ConsultationError(_("Une des fiches choisies n'existe pas. Choisissez parmi les fiches proposées."),
                                "cards")
    for card in cards:
        if card.published_version_id is None:
            raise ConsultationError(_("La fiche « %(title)s » n'est pas encore publiée.", title=card.title),
                                    "cards")
        if not territory_contains(territory, card.territory):
            raise ConsultationError(
                _("La fiche « %(title)s » porte sur un autre territoire (%(territory)s).",
                  title=card.title, territory=card.territory.name), "cards")
    return sorted(cards, key=lambda c: c.id)


def _survey(territory: Territory, survey_id: int | None, current: PerceptionSurvey | None = None
            ) -> PerceptionSurvey | None:
    """The survey to attach. A closed or published one collects nothing more: a consultation
    cannot announce a questionnaire phase on it (a draft keeps the one it already has)."""
    if survey_id is None:
        return None
    survey = db.session.get(PerceptionSurvey, survey_id)
    if survey is None:
        raise ConsultationError(_("Ce questionnaire n'existe pas. Choisissez parmi ceux proposés."), "survey")
    if not territory_contains(territory, survey.territory):
        raise ConsultationError(
            _("Ce questionnaire porte sur un autre territoire (%(territory)s) : choisissez un questionnaire "
              "du territoire de la consultation.", territory=survey.territory.name), "survey")
    if survey is not current and survey.status in (SurveyStatus.CLOSED, SurveyStatus.PUBLISHED):
        raise ConsultationError(_("Ce questionnaire est clos : il ne recueille plus de réponses. Choisissez un "
                                  "questionnaire en préparation ou ouvert, ou aucun."), "survey")
    return survey


def _with_survey_dates(data: ConsultationInput, survey: PerceptionSurvey | None,
                       strict: bool = False) -> ConsultationInput:
    """An attached survey lends its dates to a survey phase left empty. `strict` (a draft):
    other dates are refused, since the questionnaire phase is when the survey collects
    answers and a consultation cannot announce another period (once published, its survey
    phase has run and the survey may since have closed early)."""
    if survey is None:
        return data
    typed = data.phases.get(PhaseKind.SURVEY, (None, None))
    if typed == (None, None):
        data.phases = {**data.phases, PhaseKind.SURVEY: (survey.opens_at, survey.closes_at)}
    elif strict and typed != (survey.opens_at, survey.closes_at):
        raise ConsultationError(
            _("La phase « Questionnaire » a les dates du questionnaire choisi, du %(start)s au %(end)s : "
              "reprenez ces dates ou laissez-les vides.", start=format_day(survey.opens_at),
              end=format_day(survey.closes_at)), "survey_starts_on")
    return data


def _set_phases(consultation: Consultation, dated: dict[PhaseKind, tuple[date, date]]) -> None:
    existing = {p.kind: p for p in consultation.phases}
    for kind, phase in existing.items():
        if kind not in dated:
            consultation.phases.remove(phase)
    for kind, (start, end) in dated.items():
        if kind in existing:
            existing[kind].starts_on, existing[kind].ends_on = start, end
        else:
            consultation.phases.append(ConsultationPhase(kind=kind, starts_on=start, ends_on=end))
    consultation.phases.sort(key=lambda p: p.starts_on)


def _set_description(consultation: Consultation, text: str) -> None:
    consultation.description = (text or "").strip()
    consultation.description_html = markdown_to_safe_html(consultation.description)


# --- writing ------------------------------------------------------------------------

def create_consultation(user: User, data: ConsultationInput) -> Consultation:
    """A draft, opened by `user` on a territory of their verified mandates."""
    territory = _check_territory(user, data.territory)
    survey = _survey(territory, data.survey_id)
    dated = _dated_phases(_with_survey_dates(data, survey, strict=True))
    cards = _cards(territory, data.card_ids)
    consultation = Consultation(title=clean_line(data.title), territory=territory, audience=Audience(data.audience),
                                opened_by=user, survey=survey, cards=cards, status=ConsultationStatus.DRAFT)
    _set_description(consultation, data.description)
    _set_phases(consultation, dated)
    db.session.add(consultation)
    db.session.flush()
    log.info("consultation %s drafted by user %s on territory %s", consultation.id, user.id, territory.id)
    return consultation


def update_consultation(consultation: Consultation, user: User, data: ConsultationInput,
                        today: date | None = None) -> Consultation:
    """A draft changes freely; a published one only its description and its phases to come."""
    today = today or local_today()
    if consultation.status == ConsultationStatus.CANCELLED:
        raise ConsultationError(_("Cette consultation est annulée : elle ne peut plus être modifiée."))
    if consultation.status == ConsultationStatus.DRAFT:
        territory = _check_territory(user, data.territory)
        survey = _survey(territory, data.survey_id, current=consultation.survey)
        dated = _dated_phases(_with_survey_dates(data, survey, strict=True))
        cards = _cards(territory, data.card_ids)
        consultation.survey = survey
        consultation.title = clean_line(data.title)
        consultation.territory = territory
        consultation.audience = Audience(data.audience)
        consultation.cards = cards
    else:
        _check_published_unchanged(consultation, data)
        dated = _dated_phases(_with_survey_dates(data, consultation.survey))
        _check_started_phases(consultation, dated, today)
    _set_description(consultation, data.description)
    _set_phases(consultation, dated)
    consultation.updated_at = utcnow()
    db.session.flush()
    log.info("consultation %s edited by user %s", consultation.id, user.id)
    return consultation


def _check_published_unchanged(consultation: Consultation, data: ConsultationInput) -> None:
    locked = _("Publiée, la consultation garde ce réglage : les personnes participent sur cette base.")
    if clean_line(data.title) != consultation.title:
        raise ConsultationError(locked, "title")
    if data.territory is None or data.territory.id != consultation.territory_id:
        raise ConsultationError(locked, "territory")
    if Audience(data.audience) != consultation.audience:
        raise ConsultationError(locked, "audience")
    if set(data.card_ids) != {c.id for c in consultation.cards}:
        raise ConsultationError(locked, "cards")
    if data.survey_id != consultation.survey_id:
        raise ConsultationError(locked, "survey")


def _check_started_phases(consultation: Consultation, dated: dict, today: date) -> None:
    for phase in consultation.phases:
        if phase.starts_on <= today and dated.get(phase.kind) != (phase.starts_on, phase.ends_on):
            raise ConsultationError(
                _("Cette phase a commencé le %(date)s : ses dates ne peuvent plus changer.",
                  date=format_day(phase.starts_on, "long")), starts_field(phase.kind))
    started = {p.kind for p in consultation.phases if p.starts_on <= today}
    for kind, (start, _end) in dated.items():
        if kind not in started and start < today:
            raise ConsultationError(
                _("Une phase qui n'a pas commencé ne peut pas commencer avant aujourd'hui."), starts_field(kind))


def _move(consultation: Consultation, status: ConsultationStatus, message: str) -> None:
    try:
        consultation.move_to(status)
    except ConsultationTransitionError:
        raise ConsultationError(message) from None


def publish_consultation(consultation: Consultation, user: User, today: date | None = None) -> None:
    """Make a draft public; its phases then run by their dates."""
    today = today or local_today()
    if consultation.status == ConsultationStatus.DRAFT:
        if not consultation.phases:
            raise ConsultationError(_("Prévoyez au moins une phase datée avant de publier."))
        if not consultation.cards:
            raise ConsultationError(_("Choisissez au moins une fiche enjeu avant de publier."))
        if consultation.phases[-1].ends_on < today:
            raise ConsultationError(_("Toutes les phases sont passées : modifiez les dates avant de publier."))
    _move(consultation, ConsultationStatus.PUBLISHED, _("Seul un brouillon peut être publié."))
    log.info("consultation %s published by user %s", consultation.id, user.id)


def cancel_consultation(consultation: Consultation, user: User, reason: str) -> None:
    """Cancel with a public reason; the page stays online with it. Not once the official
    response is published: the consultation took place, and its page cannot say it did not."""
    if consultation.response is not None:
        raise ConsultationError(_("La réponse officielle est publiée : la consultation a eu lieu et ne peut plus "
                                  "être annulée. Le suivi de ses engagements continue sur sa page."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ConsultationError(_("Expliquez publiquement pourquoi la consultation est annulée (10 caractères au "
                                  "moins)."), "reason")
    _move(consultation, ConsultationStatus.CANCELLED, _("Cette consultation est déjà annulée."))
    consultation.cancellation_reason = reason
    notify_consultation_cancelled(consultation, actor=user)
    log.info("consultation %s cancelled by user %s", consultation.id, user.id)


# --- following ----------------------------------------------------------------------

def follow(user: User, consultation: Consultation) -> bool:
    """`user` follows `consultation`; True when they did not already (a second call, or two
    at once, change nothing)."""
    return insert_if_absent(ConsultationFollow, ("consultation_id", "user_id"), consultation_id=consultation.id,
                            user_id=user.id, created_at=utcnow())


def unfollow(user: User, consultation: Consultation) -> None:
    """Stop following (nothing happens when `user` was not following)."""
    row = db.session.execute(select(ConsultationFollow).filter_by(
        consultation_id=consultation.id, user_id=user.id)).scalar_one_or_none()
    if row is not None:
        db.session.delete(row)
        db.session.flush()
