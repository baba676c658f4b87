"""Where a consultation stands, computed in one place from its facts: its own status, its
phases' dates, whether the synthesis and the official response are published, and the state
of its survey. The consultation page, the lists (home, territory, consultations), the
accountability page, the API and the CSV export all read it from here.

`Consultation.stage()` (models.py) stays the calendar: which phase runs today. The status
refines it with what has actually happened, so a published response never reads
"en préparation" and a survey closed early never reads "en cours".
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from ..surveys.status import SurveyState, survey_status
from .models import PhaseKind, Stage


class Progress(enum.StrEnum):
    DRAFT = "draft"
    UPCOMING = "upcoming"
    INFORMATION = "information"
    DEBATE = "debate"
    PROPOSALS = "proposals"
    SURVEY_UPCOMING = "survey_upcoming"
    SURVEY_OPEN = "survey_open"
    SURVEY_CLOSED = "survey_closed"
    SURVEY_PUBLISHED = "survey_published"  # its results are out: not "clos" for ever after
    SURVEY_OUTSIDE = "survey_outside"    # the survey phase, without a survey on the platform
    SYNTHESIS_PENDING = "synthesis_pending"
    RESPONSE_AWAITED = "response_awaited"  # synthesis published, official response not yet
    RESPONSE_PUBLISHED = "response_published"
    BETWEEN_PHASES = "between_phases"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


PROGRESS_LABELS = {
    Progress.DRAFT: _l("Brouillon, pas encore publiée"),
    Progress.UPCOMING: _l("À venir"),
    Progress.INFORMATION: _l("Phase d'information"),
    Progress.DEBATE: _l("Débat en cours"),
    Progress.PROPOSALS: _l("Propositions en cours"),
    Progress.SURVEY_UPCOMING: _l("Questionnaire à venir"),
    Progress.SURVEY_OPEN: _l("Questionnaire en cours"),
    Progress.SURVEY_CLOSED: _l("Questionnaire clos"),
    Progress.SURVEY_PUBLISHED: _l("Résultats du questionnaire publiés"),
    Progress.SURVEY_OUTSIDE: _l("Questionnaire hors de la plateforme"),
    Progress.SYNTHESIS_PENDING: _l("Synthèse en préparation"),
    Progress.RESPONSE_AWAITED: _l("Synthèse publiée, réponse officielle en préparation"),
    Progress.RESPONSE_PUBLISHED: _l("Réponse officielle publiée"),
    Progress.BETWEEN_PHASES: _l("Entre deux phases"),
    Progress.CONCLUDED: _l("Terminée"),
    Progress.CANCELLED: _l("Annulée"),
}

# Where residents can contribute today (the home page lists these first).
ACTIONABLE = frozenset({Progress.DEBATE, Progress.PROPOSALS, Progress.SURVEY_OPEN, Progress.SURVEY_OUTSIDE})

_SURVEY_PROGRESS = {
    SurveyState.DRAFT: Progress.SURVEY_UPCOMING,
    SurveyState.UPCOMING: Progress.SURVEY_UPCOMING,
    SurveyState.OPEN: Progress.SURVEY_OPEN,
    SurveyState.ENDED: Progress.SURVEY_CLOSED,
    SurveyState.CLOSED: Progress.SURVEY_CLOSED,
    SurveyState.PUBLISHING: Progress.SURVEY_CLOSED,
    SurveyState.PUBLISHED: Progress.SURVEY_PUBLISHED,
}


@dataclass(frozen=True)
class ConsultationStatusView:
    stage: Stage        # the calendar's phase
    progress: Progress  # what has happened, the status everyone reads

    @property
    def label(self) -> str:
        return str(PROGRESS_LABELS[self.progress])

    @property
    def value(self) -> str:
        return self.progress.value


def consultation_status(consultation, today: date) -> ConsultationStatusView:
    """The consultation's status on `today`, from its facts."""
    stage = consultation.stage(today)
    if stage in (Stage.DRAFT, Stage.CANCELLED, Stage.UPCOMING, Stage.INFORMATION, Stage.DEBATE,
                 Stage.PROPOSALS, Stage.BETWEEN_PHASES):
        return ConsultationStatusView(stage, Progress(stage.value))
    if consultation.response is not None:
        progress = Progress.RESPONSE_PUBLISHED
    elif stage == Stage.SURVEY:
        survey = consultation.survey
        progress = (_SURVEY_PROGRESS[survey_status(survey, today).state] if survey is not None
                    else Progress.SURVEY_OUTSIDE)
    elif stage in (Stage.SYNTHESIS, Stage.RESPONSE):
        progress = Progress.SYNTHESIS_PENDING if consultation.synthesis is None else Progress.RESPONSE_AWAITED
    else:
        progress = Progress.CONCLUDED
    return ConsultationStatusView(stage, progress)


def timeline_state(consultation, phase, today: date) -> str:
    """A phase as the calendar shows it: past, current or upcoming; a draft's phases are only
    planned, those a cancellation cut short did not take place, and a survey phase whose survey
    is over is "closed"."""
    from .models import ConsultationStatus

    if consultation.status == ConsultationStatus.DRAFT:
        return "planned"
    if phase.ends_on < today:
        return "past"
    # The survey decides when answers stop: closed early, its phase no longer reads "en cours".
    if (phase.kind == PhaseKind.SURVEY and consultation.survey is not None
            and survey_status(consultation.survey, today).is_over):
        return "closed"
    if consultation.status == ConsultationStatus.CANCELLED:
        return "cancelled"
    return "current" if phase.starts_on <= today else "upcoming"
