"""Public card pages: the list, a card, its history, one version with what changed, and
the debate kit (printable page and PDF). Writing and publishing are in edit_views.py."""
from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask_wtf import FlaskForm

from ..core.params import accepts, paging
from ..core.permissions import can, ensure_visible
from ..core.tasks import enqueue_quietly
from ..extensions import db
from ..observatory.models import DEFAULT_LICENCE
from . import bp
from .diff import diff_versions
from .labels import POLITICAL_STATUS_LABELS, register_template_helpers
from .models import IssueCard, IssueCardVersion, VersionStatus
from .kits import build_card_kits, kit_language, stored_kit
from .queries import (
    CARD_PARAMS, CardFilters, card_for_page, observed_territories, previous_version, public_cards,
    public_consultations_on, version_by_number,
)

bp.record_once(register_template_helpers)

PUBLIC_VERSION_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)
CARD_LICENCE = DEFAULT_LICENCE


def visible_card(card_id: int) -> IssueCard:
    """The card, or 404; before its first publication it exists only for those who may edit or
    publish it (a visitor is asked to sign in, like for findings in review)."""
    card = card_for_page(card_id) or abort(404)
    ensure_visible("can_see_card", card)
    return card


def visible_versions(card: IssueCard) -> list[IssueCardVersion]:
    """Every version for those who follow the work; the public ones for everybody else."""
    if can("can_see_card_drafts", card):
        return list(card.versions)
    return [v for v in card.versions if v.status in PUBLIC_VERSION_STATUSES]


@bp.route("/")
@accepts(*CARD_PARAMS, paging()[0], strict=False)
def index(query):
    filters = CardFilters.from_query(query)
    page = public_cards(filters, query["page"])
    return render_template("cards/index.html", page=page, filters=filters, territories=observed_territories(),
                           status_labels=POLITICAL_STATUS_LABELS)


@bp.route("/<int:card_id>")
def show(card_id):
    card = visible_card(card_id)
    version = card.published_version or card.latest_version
    consultations = public_consultations_on(card) if card.is_public else []
    return render_template(
        "cards/show.html", card=card, version=version, working=card.working_version,
        consultations=consultations, consultations_linkable="consultations.show" in current_app.view_functions,
        action_form=FlaskForm())


@bp.route("/<int:card_id>/historique")
def history(card_id):
    card = visible_card(card_id)
    return render_template("cards/history.html", card=card, versions=list(reversed(visible_versions(card))))


@bp.route("/<int:card_id>/versions/<int:number>")
def version(card_id, number):
    card = visible_card(card_id)
    shown = version_by_number(card, number)
    if shown is None or shown not in visible_versions(card):
        abort(404)
    previous = previous_version(card, shown)
    return render_template("cards/version.html", card=card, version=shown, previous=previous,
                           diff=diff_versions(previous, shown))


def _published(card_id: int) -> tuple[IssueCard, IssueCardVersion]:
    """A kit is made from the public version only: before publication there is none."""
    card = visible_card(card_id)
    if card.published_version is None:
        abort(404)
    return card, card.published_version


@bp.route("/<int:card_id>/kit")
def kit(card_id):
    card, shown = _published(card_id)
    return render_template("cards/kit.html", card=card, version=shown, licence=CARD_LICENCE)


KIT_RETRY_AFTER = 30  # seconds: building one kit takes a second or two once the queue gets to it


@bp.route("/<int:card_id>/kit.pdf")
def kit_pdf(card_id):
    """The kit the task queue built for the public version (kits.py), never laid out here."""
    card, shown = _published(card_id)
    language = kit_language()
    stored = stored_kit(shown.id, language)
    if stored is None:
        enqueue_quietly(build_card_kits, shown.id)  # the queue's immediate mode has built it now
        db.session.rollback()  # a new transaction sees it (SQLite's read snapshot would not)
        card, shown = _published(card_id)
        stored = stored_kit(shown.id, language)
    if stored is None:
        return render_template("cards/kit_pending.html", card=card, version=shown), 503, {
            "Retry-After": str(KIT_RETRY_AFTER)}
    filename = f"kit-debat-fiche-{card.id}-v{shown.number}.pdf"
    response = Response(stored.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
    })
    response.set_etag(stored.sha256)
    response.last_modified = stored.created_at
    return response.make_conditional(request)
