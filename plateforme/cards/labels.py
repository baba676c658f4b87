"""Human labels for issue-card enums, in the reader's language (also template globals)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import PoliticalStatus, VersionStatus

POLITICAL_STATUS_LABELS = {
    PoliticalStatus.CONSENSUAL: _l("Consensuel"),
    PoliticalStatus.INVISIBLE: _l("Invisible"),
    PoliticalStatus.DIVISIVE: _l("Clivant"),
}

# What each status means for a debate, shown next to the radio buttons and on the card.
POLITICAL_STATUS_HINTS = {
    PoliticalStatus.CONSENSUAL: _l("Personne ne s'y oppose, mais le sujet reste marginal."),
    PoliticalStatus.INVISIBLE: _l("Le sujet existe mais n'est jamais mis à l'ordre du jour."),
    PoliticalStatus.DIVISIVE: _l("Le sujet touche la vie quotidienne et divise."),
}

VERSION_STATUS_LABELS = {
    VersionStatus.DRAFT: _l("brouillon"),
    VersionStatus.SUBMITTED: _l("en attente de publication"),
    VersionStatus.PUBLISHED: _l("publiée"),
    VersionStatus.SUPERSEDED: _l("remplacée par une version plus récente"),
}


def register_template_helpers(state) -> None:
    """Blueprint hook: the helpers card templates use (names prefixed: other domains add theirs)."""
    state.app.jinja_env.globals.update(
        card_political_status_label=lambda status: POLITICAL_STATUS_LABELS[PoliticalStatus(status)],
        card_political_status_hint=lambda status: POLITICAL_STATUS_HINTS[PoliticalStatus(status)],
        card_version_status_label=lambda status: VERSION_STATUS_LABELS[VersionStatus(status)],
    )
