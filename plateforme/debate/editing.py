"""Correcting one's comment shortly after posting it, with a public history.

An author may change the text and the stance of their own visible comment for
DEBATE_EDIT_WINDOW_MINUTES (15 by default) after posting. The previous text and stance
are kept as a CommentRevision, so "modifié" links to every earlier version: nobody can
quietly rewrite what others already answered.
"""
from __future__ import annotations

import logging

from flask_babel import gettext as _, ngettext
from sqlalchemy import select

from ..accounts.models import User
from ..core.models import utcnow
from ..core.sanitize import markdown_to_safe_html
from ..extensions import db
from .models import Comment, CommentRevision, Visibility
from .permissions import edit_window, is_suspended, within_edit_window
from .services import COMMENT_MAX, COMMENT_MIN, DebateError, _check_length, _stance

log = logging.getLogger("plateforme.debate.editing")

def edit_comment(comment: Comment, by: User, stance, body: str) -> Comment:
    """The author's new text and stance; the previous ones become a revision."""
    if comment.author_id is None or comment.author_id != by.id:
        raise DebateError(_("Seule la personne qui a écrit ce commentaire peut le modifier."))
    if comment.visibility != Visibility.VISIBLE:
        raise DebateError(_("Ce commentaire a été retiré ou masqué : il ne peut plus être modifié."))
    if is_suspended(by):
        raise DebateError(_("Votre compte est suspendu par la modération : vous ne pouvez pas modifier vos "
                            "commentaires pour l'instant."))
    if not within_edit_window(comment):
        minutes = int(edit_window().total_seconds() // 60)
        raise DebateError(ngettext(
            "Un commentaire ne peut être modifié que dans la minute qui suit sa publication. Vous pouvez le "
            "retirer, ou y répondre pour préciser votre pensée.",
            "Un commentaire ne peut être modifié que dans les %(num)s minutes qui suivent sa publication. Vous "
            "pouvez le retirer, ou y répondre pour préciser votre pensée.", minutes))
    stance = _stance(stance)
    body = _check_length(body, COMMENT_MIN, COMMENT_MAX, "body")
    if stance == comment.stance and body == comment.body:
        raise DebateError(_("Le texte et la position sont inchangés : il n'y a rien à enregistrer."), "body")
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body, body_html=comment.body_html,
                                   stance=comment.stance))
    comment.stance = stance
    comment.body = body
    comment.body_html = markdown_to_safe_html(body)
    comment.edited_at = utcnow()
    db.session.flush()
    log.info("comment %s edited by its author %s", comment.id, by.id)
    return comment


def revisions(comment: Comment) -> list[CommentRevision]:
    """The earlier versions of `comment`, oldest first."""
    return list(db.session.execute(select(CommentRevision).where(CommentRevision.comment_id == comment.id)
                                   .order_by(CommentRevision.created_at, CommentRevision.id)).scalars())
