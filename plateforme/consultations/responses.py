"""What closes a consultation: the moderators' synthesis, the authority's official response
with its commitments, and the commitments' dated progress updates. Each publication tells
the consultation's followers (notifications/services.py).

Rules decided here:
- the synthesis is published once, from the synthesis phase on, and cites only visible
  comments and proposals of the same consultation;
- the response is published once, from the response phase on; its text is required, its
  commitments are not: a response without any commitment must say so explicitly (the
  `no_commitment` box), so that none is forgotten by mistake; commitments may be added later;
- a commitment needs a title, an owner (the service or office that answers for it) and a due
  day; it starts planned, in progress or already done (never abandoned);
- a progress update is a dated text and, when the status changes, a move the commitment's
  lifecycle allows (done and abandoned are final).
Reading what these pages show (evidence chain, accountability) lives in `response_queries.py`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.i18n import format_day
from ..accounts.models import User
from ..core.models import local_today, utcnow
from ..core.sanitize import clean_line, markdown_to_safe_html
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify_followers
from .models import (
    AuthorityResponse, Commitment, CommitmentStatus, CommitmentTransitionError, CommitmentUpdate, Consultation,
    ConsultationStatus, PhaseKind, Synthesis,
)
from .response_queries import consultations_citing_finding  # noqa: F401  (re-exported for the finding page)

log = logging.getLogger("plateforme.consultations")

TEXT_MIN, TEXT_MAX = 20, 20000
INITIAL_STATUSES = (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE)
LAST_DUE_YEAR = 2100


class ResponseError(ValueError):
    """A refusal the person can act on; `field` names the form field when there is one, and
    `index` the commitment fieldset it belongs to (0-based) when there are several."""

    def __init__(self, message: str, field: str | None = None, index: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.index = index


def _text(text: str | None, field: str, missing: str) -> tuple[str, str]:
    """Markdown text as (source, sanitised HTML), checked for length."""
    text = (text or "").strip()
    if len(text) < TEXT_MIN:
        raise ResponseError(missing, field)
    if len(text) > TEXT_MAX:
        raise ResponseError(_("20 000 caractères au plus."), field)
    return text, markdown_to_safe_html(text)


def _flush_once(message: str) -> None:
    """Flush a row that exists once per consultation: a concurrent publication loses on the
    unique key and gets `message` (the view rolls back)."""
    try:
        db.session.flush()
    except IntegrityError:
        raise ResponseError(message) from None


def _consultation_path(consultation: Consultation, anchor: str) -> str:
    return url_for("consultations.show", consultation_id=consultation.id, _anchor=anchor)


# --- the synthesis ----------------------------------------------------------------------------

def synthesis_refusal(consultation: Consultation, today: date | None = None) -> str | None:
    """Why no synthesis may be written now, in words, or None when it may."""
    today = today or local_today()
    if consultation.synthesis is not None:
        return _("La synthèse de cette consultation est déjà publiée : elle ne se réécrit pas.")
    if consultation.status == ConsultationStatus.CANCELLED:
        return _("Cette consultation est annulée : elle n'aura pas de synthèse.")
    if not consultation.phase_has_started(PhaseKind.SYNTHESIS, today):
        phase = consultation.phase(PhaseKind.SYNTHESIS)
        if phase is None or not consultation.is_public:
            return _("Cette consultation ne prévoit pas de phase de synthèse.")
        return _("La synthèse s'écrit à partir du %(date)s, quand sa phase commence.",
                 date=format_day(phase.starts_on, "long"))
    return None


# The one visibility a synthesis may cite (debate.models.Visibility.VISIBLE).
VISIBLE = "visible"


def _cited_models():
    """The debate's Comment and Proposal, as the synthesis's own relationships name them
    (consultations/models.py): the consultations sit below the debate and import nothing
    of it (tests/core/test_import_graph.py)."""
    return Synthesis.comments.property.mapper.class_, Synthesis.proposals.property.mapper.class_


def synthesis_candidates(consultation: Consultation) -> tuple[list, list]:
    """The visible comments and proposals a synthesis may cite, oldest first."""
    found = []
    for model in _cited_models():
        found.append(list(db.session.execute(select(model).where(
            model.consultation_id == consultation.id, model.visibility == VISIBLE)
            .order_by(model.created_at, model.id)).scalars()))
    return found[0], found[1]


def _cited(model, consultation: Consultation, ids, field: str) -> list:
    """The visible contributions of `consultation` with these ids; refuses any other id."""
    try:
        wanted = {int(i) for i in ids or []}
    except (TypeError, ValueError):
        raise ResponseError(_("Choisissez parmi les contributions proposées."), field) from None
    if not wanted:
        return []
    rows = db.session.execute(select(model).where(
        model.id.in_(wanted), model.consultation_id == consultation.id, model.visibility == VISIBLE)
        .order_by(model.id)).scalars().all()
    if len(rows) != len(wanted):
        raise ResponseError(_("Certaines contributions choisies n'appartiennent pas à cette consultation ou ne "
                              "sont plus visibles. Choisissez parmi celles proposées."), field)
    return list(rows)


@dataclass
class SynthesisDraft:
    """A synthesis checked but not saved: what the preview shows, exactly as it will be published."""
    body: str
    body_html: str
    comments: list
    proposals: list


def prepare_synthesis(consultation: Consultation, body: str, comment_ids=(), proposal_ids=()) -> SynthesisDraft:
    """Every check of the publication, nothing written: the synthesis is published once and
    never rewritten, so its author first reads it as it will appear."""
    refusal = synthesis_refusal(consultation)
    if refusal:
        raise ResponseError(refusal)
    text, html = _text(body, "body", _("Écrivez la synthèse (20 caractères au moins)."))
    return SynthesisDraft(text, html, _cited(_cited_models()[0], consultation, comment_ids, "comments"),
                          _cited(_cited_models()[1], consultation, proposal_ids, "proposals"))


def publish_synthesis(consultation: Consultation, author: User, body: str, comment_ids=(),
                      proposal_ids=()) -> Synthesis:
    """Publish what was heard, with the contributions it draws on; followers are told."""
    draft = prepare_synthesis(consultation, body, comment_ids, proposal_ids)
    synthesis = Synthesis(consultation=consultation, body=draft.body, body_html=draft.body_html, author=author,
                          published_at=utcnow(), comments=draft.comments, proposals=draft.proposals)
    db.session.add(synthesis)
    _flush_once(_("La synthèse de cette consultation vient d'être publiée par quelqu'un d'autre."))
    notify_followers(consultation, NotificationKind.SYNTHESIS_PUBLISHED, _consultation_path(consultation, "synthese"),
                     consultation.title, actor=author)
    log.info("consultation %s: synthesis published by user %s", consultation.id, author.id)
    return synthesis


# --- the official response and its commitments --------------------------------------------------

@dataclass
class CommitmentInput:
    title: str = ""
    description: str = ""
    owner: str = ""
    due_on: date | None = None
    status: str = CommitmentStatus.PLANNED.value

    @property
    def is_blank(self) -> bool:
        """A fieldset left empty (the response form offers several): ignored."""
        return not (clean_line(self.title) or clean_line(self.owner) or (self.description or "").strip()
                    or self.due_on)


def response_refusal(consultation: Consultation, today: date | None = None) -> str | None:
    """Why the official response may not be published now, in words, or None when it may."""
    today = today or local_today()
    if consultation.response is not None:
        return _("La réponse officielle est déjà publiée. Vous pouvez ajouter un engagement ou en suivre "
                 "l'avancement.")
    if consultation.status == ConsultationStatus.CANCELLED:
        return _("Cette consultation est annulée : elle n'aura pas de réponse officielle.")
    if not consultation.phase_has_started(PhaseKind.RESPONSE, today):
        phase = consultation.phase(PhaseKind.RESPONSE)
        if phase is None or not consultation.is_public:
            return _("Cette consultation ne prévoit pas de phase de réponse officielle.")
        return _("La réponse officielle se publie à partir du %(date)s, quand sa phase commence.",
                 date=format_day(phase.starts_on, "long"))
    return None


def _commitment(data: CommitmentInput, index: int | None, today: date) -> Commitment:
    title = clean_line(data.title)
    if not 5 <= len(title) <= 200:
        raise ResponseError(_("Donnez un titre à l'engagement (entre 5 et 200 caractères)."), "title", index)
    owner = clean_line(data.owner)
    if not owner:
        raise ResponseError(_("Dites qui répond de cet engagement : un service, une direction, une personne élue."),
                            "owner", index)
    if len(owner) > 200:
        raise ResponseError(_("200 caractères au plus."), "owner", index)
    if data.due_on is None:
        raise ResponseError(_("Indiquez l'échéance de l'engagement."), "due_on", index)
    try:
        status = CommitmentStatus(data.status or CommitmentStatus.PLANNED.value)
    except ValueError:
        status = None
    if status not in INITIAL_STATUSES:
        raise ResponseError(_("Un engagement commence prévu, en cours ou déjà tenu."), "status", index)
    if data.due_on.year > LAST_DUE_YEAR:
        raise ResponseError(_("L'échéance doit précéder l'année %(year)s.", year=LAST_DUE_YEAR), "due_on", index)
    if status != CommitmentStatus.DONE and data.due_on < today:
        raise ResponseError(_("L'échéance d'un engagement à tenir ne peut pas être déjà passée."), "due_on", index)
    description = (data.description or "").strip()
    if len(description) > TEXT_MAX:
        raise ResponseError(_("20 000 caractères au plus."), "description", index)
    return Commitment(title=title, owner=owner, due_on=data.due_on, status=status, description=description,
                      description_html=markdown_to_safe_html(description), updated_at=utcnow())


@dataclass
class ResponseDraft:
    """Exactly what publishing would write, checked, and not yet in the session: the
    confirmation page shows it before it is published once and for all."""

    body: str
    body_html: str
    commitments: list[Commitment]


def prepare_response(consultation: Consultation, body: str, commitments: list[CommitmentInput],
                     no_commitment: bool = False) -> ResponseDraft:
    """Check the response as `publish_response` will, and build it without saving anything.
    Refused when nothing was committed and `no_commitment` does not say so."""
    refusal = response_refusal(consultation)
    if refusal:
        raise ResponseError(refusal)
    text, html = _text(body, "body", _("Écrivez la réponse de la collectivité (20 caractères au moins)."))
    today = local_today()
    rows = [_commitment(data, index, today) for index, data in enumerate(commitments) if not data.is_blank]
    if not rows and not no_commitment:
        raise ResponseError(_("Ajoutez au moins un engagement, ou cochez la case qui dit que cette réponse n'en "
                              "comporte pas (et expliquez pourquoi dans la réponse)."), "no_commitment")
    for position, row in enumerate(rows, start=1):
        row.position = position
    return ResponseDraft(text, html, rows)


def publish_response(consultation: Consultation, author: User, body: str, commitments: list[CommitmentInput],
                     no_commitment: bool = False) -> AuthorityResponse:
    """Publish the authority's response with its commitments (blank fieldsets ignored); followers
    are told."""
    draft = prepare_response(consultation, body, commitments, no_commitment)
    rows = draft.commitments
    response = AuthorityResponse(consultation=consultation, body=draft.body, body_html=draft.body_html,
                                 author=author, published_at=utcnow(), commitments=rows)
    db.session.add(response)
    _flush_once(_("La réponse officielle vient d'être publiée par quelqu'un d'autre."))
    notify_followers(consultation, NotificationKind.RESPONSE_PUBLISHED, _consultation_path(consultation, "reponse"),
                     consultation.title, actor=author)
    log.info("consultation %s: response published by user %s with %s commitment(s)", consultation.id, author.id,
             len(rows))
    return response


def add_commitment(response: AuthorityResponse, author: User, data: CommitmentInput) -> Commitment:
    """A commitment added to a published response; followers are told."""
    commitment = _commitment(data, None, local_today())
    last = db.session.execute(select(func.max(Commitment.position)).where(
        Commitment.response_id == response.id)).scalar_one()
    commitment.position = (last or 0) + 1
    commitment.response = response
    db.session.add(commitment)
    db.session.flush()
    consultation = response.consultation
    notify_followers(consultation, NotificationKind.COMMITMENT_UPDATED,
                     url_for("consultations.commitment", commitment_id=commitment.id), commitment.title, actor=author)
    log.info("consultation %s: commitment %s added by user %s", consultation.id, commitment.id, author.id)
    return commitment


def update_commitment(commitment: Commitment, author: User, body: str, status: str) -> CommitmentUpdate:
    """A dated progress report, moving the commitment's status when it changes (final statuses
    stay final); followers are told."""
    try:
        new_status = CommitmentStatus(status)
    except ValueError:
        raise ResponseError(_("Choisissez un des statuts proposés."), "status") from None
    text, html = _text(body, "body", _("Décrivez où en est l'engagement (20 caractères au moins)."))
    before = commitment.status
    try:
        commitment.move_to(new_status)
    except CommitmentTransitionError:
        if before in (CommitmentStatus.DONE, CommitmentStatus.ABANDONED):
            message = _("Cet engagement est déjà tenu ou abandonné : son statut ne change plus. Vous pouvez "
                        "encore publier un point d'étape en gardant ce statut.")
        else:
            message = _("Un engagement en cours ne redevient pas « prévu ». Choisissez en cours, tenu ou "
                        "abandonné.")
        raise ResponseError(message, "status") from None
    update = CommitmentUpdate(commitment=commitment, body=text, body_html=html, status_before=before,
                              status_after=new_status, author=author, created_at=utcnow())
    commitment.updated_at = update.created_at
    db.session.add(update)
    db.session.flush()
    notify_followers(commitment.response.consultation, NotificationKind.COMMITMENT_UPDATED,
                     url_for("consultations.commitment", commitment_id=commitment.id), commitment.title, actor=author)
    log.info("commitment %s updated by user %s: %s → %s", commitment.id, author.id, before.value, new_status.value)
    return update
