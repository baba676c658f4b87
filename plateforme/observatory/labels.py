"""Human labels for observatory enums, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import (
    Character, Direction, ExternalActionKind, ExternalActionStatus, FindingStatus, ReviewDecision,
)

DIRECTION_LABELS = {
    Direction.INBOUND: _l("Entrant (de l'étranger vers le territoire)"),
    Direction.OUTBOUND: _l("Sortant (du territoire vers l'étranger)"),
    Direction.BOTH: _l("Dans les deux sens"),
}
DIRECTION_SHORT_LABELS = {
    Direction.INBOUND: _l("entrant"),
    Direction.OUTBOUND: _l("sortant"),
    Direction.BOTH: _l("dans les deux sens"),
}

CHARACTER_LABELS = {
    Character.WANTED: _l("Voulue"),
    Character.SUFFERED: _l("Subie"),
    Character.MIXED: _l("Mêlée (voulue et subie)"),
}

FINDING_STATUS_LABELS = {
    FindingStatus.DRAFT: _l("brouillon"),
    FindingStatus.IN_REVIEW: _l("en relecture"),
    FindingStatus.CHANGES_REQUESTED: _l("modifications demandées"),
    FindingStatus.PUBLISHED: _l("publié"),
    FindingStatus.WITHDRAWN: _l("retiré"),
}

REVIEW_DECISION_LABELS = {
    ReviewDecision.APPROVE: _l("approuvé pour publication"),
    ReviewDecision.REQUEST_CHANGES: _l("modifications demandées"),
}

ACTION_KIND_LABELS = {
    ExternalActionKind.TWINNING: _l("Jumelage"),
    ExternalActionKind.DECENTRALISED_COOPERATION: _l("Coopération décentralisée"),
    ExternalActionKind.STUDENT_MOBILITY: _l("Mobilité étudiante"),
    ExternalActionKind.ECONOMIC_MISSION: _l("Mission économique"),
    ExternalActionKind.CROSS_BORDER_COOPERATION: _l("Coopération transfrontalière"),
    ExternalActionKind.NETWORK_MEMBERSHIP: _l("Adhésion à un réseau international"),
    ExternalActionKind.HUMANITARIAN_AID: _l("Aide humanitaire"),
}

ACTION_STATUS_LABELS = {
    ExternalActionStatus.PLANNED: _l("en projet"),
    ExternalActionStatus.ONGOING: _l("en cours"),
    ExternalActionStatus.SUSPENDED: _l("suspendue"),
    ExternalActionStatus.ENDED: _l("terminée"),
}


def register_label_helpers(state) -> None:
    """Blueprint hook: the labels every observatory template uses."""
    from ..accounts.labels import FIELD_LABELS
    from ..core.vocabulary import FLOW_KIND_LABELS
    from .charts import number

    state.app.jinja_env.globals.update(
        observatory_number=number,
        flow_kind_labels=FLOW_KIND_LABELS, field_labels=FIELD_LABELS, direction_labels=DIRECTION_LABELS,
        character_labels=CHARACTER_LABELS,
        direction_label=lambda value: DIRECTION_LABELS[Direction(value)],
        direction_short_label=lambda value: DIRECTION_SHORT_LABELS[Direction(value)],
        character_label=lambda value: CHARACTER_LABELS[Character(value)],
        finding_status_label=lambda value: FINDING_STATUS_LABELS[FindingStatus(value)],
        review_decision_label=lambda value: REVIEW_DECISION_LABELS[ReviewDecision(value)],
        action_kind_label=lambda value: ACTION_KIND_LABELS[ExternalActionKind(value)],
        action_status_label=lambda value: ACTION_STATUS_LABELS[ExternalActionStatus(value)],
    )
