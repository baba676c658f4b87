"""Human labels for debate enums, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import ProposalStatus, Stance

STANCE_LABELS = {
    Stance.FOR: _l("Pour"),
    Stance.AGAINST: _l("Contre"),
    Stance.NUANCE: _l("Nuance"),
    Stance.QUESTION: _l("Question"),
}

PROPOSAL_STATUS_LABELS = {
    ProposalStatus.SUBMITTED: _l("déposée"),
    ProposalStatus.UNDER_STUDY: _l("à l'étude"),
    ProposalStatus.ACCEPTED: _l("retenue"),
    ProposalStatus.REJECTED: _l("non retenue"),
}

# The answers the authority may give (a proposal starts as "submitted").
ANSWER_LABELS = {
    ProposalStatus.UNDER_STUDY: _l("À l'étude : la collectivité l'examine et répondra"),
    ProposalStatus.ACCEPTED: _l("Retenue : la collectivité la met en œuvre"),
    ProposalStatus.REJECTED: _l("Non retenue"),
}


def register_label_helpers(state) -> None:
    """Blueprint hook: the labels every debate template uses."""
    state.app.jinja_env.globals.update(
        stance_label=lambda value: STANCE_LABELS[Stance(value)],
        proposal_status_label=lambda value: PROPOSAL_STATUS_LABELS[ProposalStatus(value)],
        stance_labels=STANCE_LABELS, proposal_status_labels=PROPOSAL_STATUS_LABELS,
    )
