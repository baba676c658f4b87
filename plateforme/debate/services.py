"""Debate operations: comment (and reply) in the debate phase, withdraw one's comment,
propose in the proposals phase, and the authority's public answer to a proposal.

Each operation checks its rule again (the view may have been reached in another phase),
sanitises markdown once, on write, and makes its author follow the consultation, all in
the request's one transaction; the view commits.
"""
from __future__ import annotations

import logging

from flask_babel import format_decimal, gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..consultations.models import Consultation, PhaseKind
from ..consultations.permissions import can_answer_proposal
from ..consultations.services import follow
from ..core.models import utcnow
from ..core.sanitize import clean_line, markdown_to_safe_html
from ..extensions import db
from ..notifications.models import NotificationKind
from .models import (
    MAX_DEPTH, Comment, Proposal, ProposalStatus, ProposalTransitionError, Stance, Support, Visibility,
)
from .paths import comment_path, proposal_path
from .permissions import can_comment, can_propose, participation_refusal, withdrawal_refusal

# Posts and reactions, the busiest acts, are logged at DEBUG: the rows say who did what and
# when. Rarer acts (withdrawals, answers, moderation) stay at INFO.
log = logging.getLogger("plateforme.debate")

COMMENT_MIN, COMMENT_MAX = 3, 5000
TITLE_MIN, TITLE_MAX = 5, 200
PROPOSAL_MIN, PROPOSAL_MAX = 10, 10000
JUSTIFICATION_MIN, JUSTIFICATION_MAX = 10, 5000
ANSWER_STATUSES = (ProposalStatus.UNDER_STUDY, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)


class DebateError(ValueError):
    """A refusal the person can act on; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def refusal_message(code: str | None, kind: PhaseKind) -> str:
    """The sentence for a `participation_refusal` code (also shown on the pages)."""
    debate = kind == PhaseKind.DEBATE
    messages = {
        "draft": _("Cette consultation n'est pas encore publiée : on y participera une fois publiée."),
        "cancelled": _("Cette consultation a été annulée : on ne peut plus y participer."),
        "no_phase": _("Cette consultation n'a pas de phase de débat ouverte.") if debate
        else _("Cette consultation n'a pas de phase de propositions ouverte."),
        "upcoming": _("Le débat n'est pas encore ouvert.") if debate
        else _("Le dépôt des propositions n'est pas encore ouvert."),
        "closed": _("Le débat est clos : on ne peut plus commenter.") if debate
        else _("Le dépôt des propositions est clos."),
        "sign_in": _("Connectez-vous pour participer."),
        "confirm_email": _("Confirmez d'abord votre adresse électronique (le lien est dans le message reçu à "
                           "l'inscription) pour participer."),
        "residents_only": _("Cette consultation est réservée aux habitantes et habitants du territoire : "
                            "indiquez votre commune de résidence dans votre compte."),
        "not_in_audience": _("Cette consultation est réservée aux habitantes et habitants du territoire."),
        "suspended": _("Votre compte est suspendu par la modération : vous ne pouvez pas participer pour "
                       "l'instant."),
    }
    return messages.get(code, _("Vous ne pouvez pas participer à cette consultation."))


def _refuse_if_suspended(author: User) -> None:
    """A suspended person is told until when (moderation.py writes the sentence)."""
    from .moderation import suspension_message

    message = suspension_message(author)
    if message:
        raise DebateError(message)


def _check_length(text: str, low: int, high: int, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DebateError(_("Écrivez votre texte."), field)
    if not low <= len(text) <= high:
        raise DebateError(_("Le texte doit compter entre %(low)s et %(high)s caractères (il en compte %(n)s).",
                            low=format_decimal(low), high=format_decimal(high), n=format_decimal(len(text))),
                          field)
    return text


def _stance(value) -> Stance:
    try:
        return Stance(value)
    except ValueError:
        raise DebateError(_("Choisissez votre position : pour, contre, nuance ou question."), "stance")


def post_comment(author: User, consultation: Consultation, stance, body: str,
                 parent: Comment | None = None) -> Comment:
    """A comment (or a reply to `parent`) by `author`, who then follows the consultation.

    Replies nest to MAX_DEPTH; a reply to a comment already at that depth joins it under
    the same parent, so threads stay readable on a phone. A locked thread takes no more
    replies; a new person's first posts may wait for a moderator (moderation.py).
    """
    from .moderation import initial_visibility, thread_is_locked

    if not can_comment(author, consultation):
        # can_comment already refuses a suspended person: the dated sentence is looked up
        # only then (one query less on every accepted comment).
        _refuse_if_suspended(author)
        raise DebateError(refusal_message(participation_refusal(author, consultation, PhaseKind.DEBATE),
                                          PhaseKind.DEBATE))
    parent_id, depth = None, 0
    if parent is not None:
        if parent.consultation_id != consultation.id:
            raise DebateError(_("On ne peut répondre qu'à un commentaire de cette consultation."))
        if not parent.is_visible:
            raise DebateError(_("Ce commentaire a été retiré ou masqué : on ne peut plus y répondre."))
        if thread_is_locked(parent):
            raise DebateError(_("Ce fil de discussion est verrouillé par la modération : on ne peut plus y "
                                "répondre."))
        if parent.depth >= MAX_DEPTH:
            parent_id, depth = parent.parent_id, MAX_DEPTH
        else:
            parent_id, depth = parent.id, parent.depth + 1
    stance = _stance(stance)
    body = _check_length(body, COMMENT_MIN, COMMENT_MAX, "body")
    visibility = initial_visibility(author, consultation)
    body_html = markdown_to_safe_html(body)
    comment = Comment(consultation_id=consultation.id, author=author, parent_id=parent_id, depth=depth,
                      stance=stance, body=body, body_html=body_html, visibility=visibility)
    db.session.add(comment)
    follow(author, consultation)
    db.session.flush()
    log.debug("comment %s posted by user %s on consultation %s (parent %s)", comment.id, author.id,
              consultation.id, parent_id)
    if parent is not None and comment.is_visible:  # a held reply is not public yet: nobody is told
        _notify_reply(parent, comment, consultation, author)
    return comment


def _notify_reply(parent: Comment, reply: Comment, consultation: Consultation, author: User) -> None:
    """Tell the author of `parent` that someone answered them (never themselves)."""
    from ..notifications.services import notify_user

    if parent.author is not None:
        notify_user(parent.author, NotificationKind.COMMENT_REPLY, consultation, comment_path(reply),
                    actor=author)


def withdraw_comment(comment: Comment, by: User) -> None:
    """The author withdraws a comment: its row and its place in the thread stay, its text
    is no longer shown."""
    if comment.author_id is None or comment.author_id != by.id:
        raise DebateError(_("Seule la personne qui a écrit ce commentaire peut le retirer."))
    if comment.visibility != Visibility.VISIBLE:
        raise DebateError(_("Ce commentaire n'est plus affiché : il n'y a rien à retirer."))
    comment.visibility = Visibility.WITHDRAWN
    db.session.flush()
    log.info("comment %s withdrawn by its author %s", comment.id, by.id)


def submit_proposal(author: User, consultation: Consultation, title: str, body: str) -> Proposal:
    """A proposal by `author` in the proposals phase; they then follow the consultation."""
    from .moderation import initial_visibility

    _refuse_if_suspended(author)
    if not can_propose(author, consultation):
        raise DebateError(refusal_message(participation_refusal(author, consultation, PhaseKind.PROPOSALS),
                                          PhaseKind.PROPOSALS))
    title = clean_line(title)
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise DebateError(_("Le titre doit compter entre %(low)s et %(high)s caractères.",
                            low=TITLE_MIN, high=TITLE_MAX), "title")
    body = _check_length(body, PROPOSAL_MIN, PROPOSAL_MAX, "body")
    proposal = Proposal(consultation_id=consultation.id, author=author, title=title, body=body,
                        body_html=markdown_to_safe_html(body), visibility=initial_visibility(author, consultation))
    db.session.add(proposal)
    follow(author, consultation)
    db.session.flush()
    log.debug("proposal %s submitted by user %s on consultation %s", proposal.id, author.id, consultation.id)
    return proposal


WITHDRAWAL_REASON_MAX = 500


def _withdrawal_refusal_message(refusal: str) -> str:
    return {
        "not_author": lambda: _("Seule la personne qui a déposé cette proposition peut la retirer."),
        "withdrawn": lambda: _("Cette proposition est déjà retirée."),
        "hidden": lambda: _("Cette proposition est masquée par la modération : elle ne peut pas être retirée."),
        "answered": lambda: _("La collectivité a déjà répondu à cette proposition : elle ne peut plus être "
                              "retirée."),
        "supported": lambda: _("Des personnes soutiennent déjà cette proposition : elle ne peut plus être retirée. "
                               "Vous pouvez expliquer votre changement d'avis dans le débat."),
    }[refusal]()


def withdraw_proposal(proposal: Proposal, by: User, reason: str = "") -> None:
    """The author withdraws their proposal, with an optional public reason: its place in
    the list stays, with the reason, and it takes no more supports or answers. Only while
    the authority has not answered it and nobody supports it (`can_withdraw_proposal`)."""
    refusal = withdrawal_refusal(by, proposal)
    if refusal is not None:
        raise DebateError(_withdrawal_refusal_message(refusal))
    reason = clean_line(reason or "")
    if len(reason) > WITHDRAWAL_REASON_MAX:
        raise DebateError(_("La raison doit compter au plus %(high)s caractères (elle en compte %(n)s).",
                            high=format_decimal(WITHDRAWAL_REASON_MAX), n=format_decimal(len(reason))), "reason")
    proposal.visibility = Visibility.WITHDRAWN
    proposal.visibility_reason = reason
    db.session.flush()
    log.info("proposal %s withdrawn by its author %s", proposal.id, by.id)


def answer_proposal(proposal: Proposal, consultation: Consultation, by: User, status,
                    justification: str) -> None:
    """The authority's public answer: a status (under study, accepted, rejected; the last
    two are final) and its justification. The proposal's author and the people who support
    it are notified."""
    if proposal.consultation_id != consultation.id or not can_answer_proposal(by, consultation):
        raise DebateError(_("Seules les personnes élues du territoire répondent aux propositions."))
    if proposal.visibility == Visibility.WITHDRAWN:
        raise DebateError(_("Cette proposition a été retirée par la personne qui l'a déposée : elle n'attend "
                            "plus de réponse."))
    try:
        status = ProposalStatus(status)
    except ValueError:
        status = None
    if status not in ANSWER_STATUSES:
        raise DebateError(_("Choisissez une réponse : à l'étude, retenue ou non retenue."), "status")
    justification = _check_length(justification, JUSTIFICATION_MIN, JUSTIFICATION_MAX, "justification")
    try:
        proposal.move_to(status)
    except ProposalTransitionError:
        if proposal.status == status:
            raise DebateError(_("La proposition a déjà cette réponse."), "status")
        raise DebateError(_("Une proposition retenue ou non retenue a reçu sa réponse définitive : elle ne "
                            "peut plus changer."), "status")
    proposal.justification = justification
    proposal.justification_html = markdown_to_safe_html(justification)
    proposal.answered_at = utcnow()
    if proposal.author_id is not None:
        _notify_author(proposal, consultation, by)
    _notify_supporters(proposal, consultation, by)
    db.session.flush()
    log.info("proposal %s answered %s by user %s", proposal.id, status.value, by.id)


def _notify_author(proposal: Proposal, consultation: Consultation, by: User) -> None:
    """The one place the author of an answered proposal is told (a notification and an email
    in their language)."""
    from ..notifications.services import notify_user

    notify_user(proposal.author, NotificationKind.PROPOSAL_ANSWERED, consultation, proposal_path(proposal),
                subject=proposal.title, actor=by)


def _notify_supporters(proposal: Proposal, consultation: Consultation, by: User) -> None:
    """The people who support the proposal learn the answer too: they asked for it."""
    from ..notifications.services import notify_group

    supporters = select(Support.user_id).where(Support.proposal_id == proposal.id)
    if proposal.author_id is not None:
        supporters = supporters.where(Support.user_id != proposal.author_id)
    notify_group(supporters, consultation, NotificationKind.SUPPORTED_PROPOSAL_ANSWERED, proposal_path(proposal),
                 subject=proposal.title, actor=by, because="supports")
