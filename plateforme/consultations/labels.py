"""Human labels for consultation enums, in the reader's language (also template globals)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..cards.models import PoliticalStatus
from ..core.models import local_today
from .models import Audience, PhaseKind
from .status import consultation_status

PHASE_LABELS = {
    PhaseKind.INFORMATION: _l("Information"),
    PhaseKind.DEBATE: _l("Débat"),
    PhaseKind.PROPOSALS: _l("Propositions"),
    PhaseKind.SURVEY: _l("Questionnaire"),
    PhaseKind.SYNTHESIS: _l("Synthèse"),
    PhaseKind.RESPONSE: _l("Réponse officielle"),
}

PHASE_HINTS = {
    PhaseKind.INFORMATION: _l("Chacun lit les fiches enjeux et s'informe."),
    PhaseKind.DEBATE: _l("Les participantes et participants commentent et échangent."),
    PhaseKind.PROPOSALS: _l("Chacun peut proposer une idée et soutenir celles des autres."),
    PhaseKind.SURVEY: _l("Chacun répond au questionnaire de perception."),
    PhaseKind.SYNTHESIS: _l("La modération rédige la synthèse de ce qui a été dit."),
    PhaseKind.RESPONSE: _l("La collectivité publie sa réponse et ses engagements."),
}

AUDIENCE_LABELS = {
    Audience.REGISTERED: _l("Toute personne inscrite sur la plateforme"),
    Audience.RESIDENTS: _l("Les habitantes et habitants du territoire"),
}

POLITICAL_STATUS_LABELS = {
    PoliticalStatus.CONSENSUAL: _l("consensuel"),
    PoliticalStatus.INVISIBLE: _l("invisible"),
    PoliticalStatus.DIVISIVE: _l("clivant"),
}


def register_template_helpers(state) -> None:
    """Blueprint hook: the helpers consultation templates use (names prefixed: other domains add theirs)."""
    state.app.jinja_env.globals.update(
        consultation_phase_label=lambda kind: PHASE_LABELS[PhaseKind(kind)],
        consultation_phase_hint=lambda kind: PHASE_HINTS[PhaseKind(kind)],
        consultation_status=lambda consultation: consultation_status(consultation, local_today()),
        consultation_audience_label=lambda audience: AUDIENCE_LABELS[Audience(audience)],
        consultation_card_status_label=lambda status: POLITICAL_STATUS_LABELS[PoliticalStatus(status)],
    )
