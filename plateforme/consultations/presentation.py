"""How a consultation reads on its page: the phase timeline and the one thing the current
person can do now. No writes here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _

from ..core.i18n import format_day
from ..core.permissions import can
from ..territories.names import de_territory
from .models import Audience, Consultation, ConsultationPhase, Stage
from .status import Progress, consultation_status, timeline_state


@dataclass
class TimelineStep:
    phase: ConsultationPhase
    state: str  # "past", "current", "upcoming"; "planned" (draft) or "cancelled"


def timeline(consultation: Consultation, today: date) -> list[TimelineStep]:
    """The phases in order, each past, current or upcoming on `today`."""
    return [TimelineStep(phase, timeline_state(consultation, phase, today)) for phase in consultation.phases]


@dataclass
class CallToAction:
    text: str                 # what the person reads
    label: str | None = None  # the button's words, when there is something to do
    url: str | None = None


def _sign_in(consultation: Consultation) -> CallToAction:
    next_url = url_for("consultations.show", consultation_id=consultation.id)
    return CallToAction(_("Connectez-vous ou créez un compte pour participer."), _("Se connecter pour participer"),
                        url_for("accounts.sign_in", next=next_url))


def _why_not(user, consultation: Consultation) -> CallToAction:
    """Why someone signed in is not in the consultation's audience."""
    if not user.is_confirmed:
        return CallToAction(_("Confirmez votre adresse électronique pour participer : le lien est dans le message "
                              "reçu à l'inscription."), _("Mon compte"), url_for("accounts.profile"))
    if consultation.audience == Audience.RESIDENTS:
        if user.commune is None:
            return CallToAction(_("Cette consultation est réservée aux habitantes et habitants %(de_territory)s. "
                                  "Indiquez votre commune de résidence dans votre compte pour participer.",
                                  de_territory=de_territory(consultation.territory)), _("Mon compte"),
                                url_for("accounts.profile"))
        return CallToAction(_("Cette consultation est réservée aux habitantes et habitants %(de_territory)s ; "
                              "votre commune de résidence (%(commune)s) n'en fait pas partie. Vous pouvez lire "
                              "et suivre la consultation.", de_territory=de_territory(consultation.territory),
                              commune=user.commune.name))
    return CallToAction(_("Vous ne pouvez pas participer à cette consultation."))


def _participate(user, consultation: Consultation, allowed: bool, text: str, label: str, anchor: str):
    if allowed:
        return CallToAction(text, label, url_for("consultations.show", consultation_id=consultation.id,
                                                 _anchor=anchor))
    if not user.is_authenticated:
        return _sign_in(consultation)
    return _why_not(user, consultation)


def _survey_action(user, consultation: Consultation) -> CallToAction:
    survey = consultation.survey
    if survey is None:
        return CallToAction(_("Le questionnaire de cette consultation se tient hors de la plateforme."))
    from ..core.models import local_today
    from ..surveys.services import has_answered, official_has_answered
    from ..surveys.status import SurveyState, survey_status

    if can("can_answer_as_official", survey) and not official_has_answered(survey, user):
        return CallToAction(_("Le questionnaire des personnes élues vous attend : estimez ce que pensent les "
                              "habitantes et habitants, avant de voir le moindre résultat."),
                            _("Répondre au questionnaire des élus"),
                            url_for("surveys.officials", survey_id=survey.id))
    # Whether it is still open comes before who may answer: to a resident of another commune too.
    state = survey_status(survey, local_today())
    if state.state == SurveyState.PUBLISHED:
        return CallToAction(_("Le questionnaire est %(state)s.", state=state.label), _("Voir les résultats"),
                            url_for("surveys.results", survey_id=survey.id))
    if state.is_over:
        return CallToAction(_("Le questionnaire est %(state)s.", state=state.label), _("Voir le questionnaire"),
                            url_for("surveys.show", survey_id=survey.id))
    if state.state == SurveyState.DRAFT:
        return CallToAction(_("Le questionnaire de cette consultation n'est pas encore ouvert."))
    if state.state == SurveyState.UPCOMING:
        return CallToAction(_("Le questionnaire ouvrira le %(date)s.", date=format_day(state.opens_on, "long")),
                            _("Voir le questionnaire"), url_for("surveys.show", survey_id=survey.id))
    if can("can_answer_as_resident", survey):
        if has_answered(survey, user):
            return CallToAction(_("Merci : vous avez répondu au questionnaire. Les résultats seront publiés après "
                                  "sa clôture."))
        return CallToAction(_("Le questionnaire est ouvert : quelques affirmations, votre avis sur chacune."),
                            _("Répondre au questionnaire"), url_for("surveys.answer", survey_id=survey.id))
    if survey.sampling_mode.value == "panel":
        return CallToAction(_("Ce questionnaire se fait sur invitation : si vous avez reçu un code, saisissez-le."),
                            _("Répondre avec mon code"), url_for("surveys.answer_with_code", survey_id=survey.id))
    if not user.is_authenticated:
        return _sign_in(consultation)
    return CallToAction(_("Le questionnaire est réservé aux habitantes et habitants %(de_territory)s.",
                          de_territory=de_territory(survey.territory)), _("Voir le questionnaire"),
                        url_for("surveys.show", survey_id=survey.id))


def call_to_action(user, consultation: Consultation, today: date) -> CallToAction | None:
    """The one thing `user` can do now on `consultation`, for its current stage."""
    status = consultation_status(consultation, today)
    stage = status.stage
    page = lambda anchor: url_for("consultations.show", consultation_id=consultation.id, _anchor=anchor)  # noqa: E731
    if stage in (Stage.DRAFT, Stage.CANCELLED):
        return None
    if stage == Stage.UPCOMING:
        first = consultation.phases[0] if consultation.phases else None
        text = (_("La consultation commence le %(date)s. D'ici là, lisez les fiches enjeux.",
                  date=format_day(first.starts_on, "long")) if first else _("La consultation n'a pas commencé."))
        return CallToAction(text, _("Lire les fiches enjeux"), page("fiches"))
    if stage == Stage.INFORMATION:
        return CallToAction(_("Phase d'information : lisez les fiches enjeux avant le débat."),
                            _("Lire les fiches enjeux"), page("fiches"))
    if stage == Stage.DEBATE:
        return _participate(user, consultation, can("can_comment", consultation),
                            _("Le débat est ouvert : donnez votre avis, répondez aux autres."),
                            _("Donner mon avis"), "debat")
    if stage == Stage.PROPOSALS:
        return _participate(user, consultation, can("can_propose", consultation),
                            _("Les propositions sont ouvertes : proposez une idée, soutenez celles des autres."),
                            _("Proposer une idée"), "propositions")
    if stage == Stage.SURVEY:
        return _survey_action(user, consultation)
    if status.progress == Progress.RESPONSE_PUBLISHED:
        return CallToAction(_("La réponse officielle est publiée : lisez-la, avec les engagements de la "
                              "collectivité."), _("Lire la réponse"), page("suites"))
    if stage in (Stage.SYNTHESIS, Stage.RESPONSE) and consultation.synthesis is None:
        return CallToAction(_("La synthèse de ce qui a été dit est en préparation. Suivez la consultation pour "
                              "être prévenu de sa publication."))
    if stage == Stage.SYNTHESIS or (stage == Stage.RESPONSE and consultation.response is None):
        return CallToAction(_("La synthèse est publiée ; la réponse officielle de la collectivité est attendue."),
                            _("Lire la synthèse"), page("suites"))
    if stage == Stage.RESPONSE:
        return CallToAction(_("La réponse officielle est publiée : lisez-la, avec les engagements de la "
                              "collectivité."), _("Lire la réponse"), page("suites"))
    if stage == Stage.BETWEEN_PHASES:
        upcoming = next((p for p in consultation.phases if p.starts_on > today), None)
        if upcoming is not None:
            from .labels import PHASE_LABELS

            return CallToAction(_("Prochaine phase : %(phase)s, à partir du %(date)s.",
                                  phase=str(PHASE_LABELS[upcoming.kind]).lower(),
                                  date=format_day(upcoming.starts_on, "long")),
                                _("Lire les fiches enjeux"), page("fiches"))
    return CallToAction(_("La consultation est terminée : voyez ce qui en est sorti."), _("Voir les suites"),
                        page("suites"))

