"""Observatory pages: the territory overview, "who sees what", the partner's own page.

Findings, indicators, external action and open data have their own view modules.
"""
from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import current_user

from ..accounts.labels import FIELD_LABELS
from ..accounts.models import Field
from ..core.permissions import requires
from ..core.vocabulary import FLOW_KIND_LABELS, FlowKind
from ..core.text import french_sort_key
from ..territories.models import TerritoryKind
from ..territories.services import home_territory
from . import bp
from .indicators import epci_communes, key_figures
from .labels import register_label_helpers
from .queries import (
    counts_by_commune, coverage, external_actions_of, observed_territory, organisation_work, recent_findings,
    review_queue,
)

bp.record_once(register_label_helpers)


def _overview(territory):
    epci = territory if territory.kind == TerritoryKind.EPCI else territory.epci
    communes = epci_communes(territory) if territory.kind == TerritoryKind.EPCI else []
    return render_template(
        "observatory/territory.html", territory=territory, epci=epci, communes=communes,
        figures=key_figures(territory), findings=recent_findings(territory),
        actions=external_actions_of(territory),
        commune_counts=counts_by_commune(territory) if communes else {},
    )


@bp.route("/")
def index():
    """The observatory of the home territory (the EPCI, by default the Métropole de Lyon)."""
    territory = home_territory(current_app.config["HOME_TERRITORY"])
    if territory is None or territory.kind not in (TerritoryKind.EPCI, TerritoryKind.COMMUNE):
        return render_template("observatory/empty.html")
    return _overview(territory)


@bp.route("/territoire/<kind>/<code>")
def territory(kind, code):
    return _overview(observed_territory(kind, code) or abort(404))


@bp.route("/qui-voit-quoi")
def who_sees_what():
    return render_template("observatory/who_sees_what.html", coverage=coverage(), flow_kinds=list(FlowKind),
                           fields=list(Field), flow_kind_labels=FLOW_KIND_LABELS, field_labels=FIELD_LABELS)


@bp.route("/mon-organisation")
@requires("can_submit_findings")
def my_organisation():
    """A partner's desk: their organisations' findings in every state, indicators, the queue."""
    work = organisation_work(current_user)
    return render_template("observatory/my_organisation.html", findings=work["findings"],
                           indicators=work["indicators"], queue=review_queue(current_user),
                           organisations=sorted((m.organisation for m in current_user.memberships),
                                                key=lambda o: french_sort_key(o.name)))
