"""Reporting a contribution: anyone signed in (confirmed, not suspended) reports someone
else's visible comment or proposal, once. When enough different people have reports open on
it (the territory's threshold), it is hidden pending a moderator's review.
"""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..accounts.models import User
from ..consultations.models import Consultation
from ..core.models import utcnow
from ..core.sanitize import clean_line
from ..extensions import db
from .models import Comment, Proposal, Report, ReportReason, TargetKind, Visibility
from .moderation import ModerationError, auto_hide, kind_of, report_threshold, suspension_message

log = logging.getLogger("plateforme.debate.reports")

NOTE_MAX = 500


def content_of(consultation: Consultation, kind, target_id: int):
    """The comment or proposal `target_id` of `consultation`, or None."""
    try:
        kind = TargetKind(kind)
    except ValueError:
        return None
    model = Comment if kind == TargetKind.COMMENT else Proposal
    content = db.session.get(model, target_id)
    if content is None or content.consultation_id != consultation.id:
        return None
    return content


def own_report(reporter: User, content) -> Report | None:
    """`reporter`'s report of `content`, if they made one (the page then confirms it instead
    of offering the form again)."""
    return db.session.execute(select(Report).where(
        Report.target_kind == kind_of(content), Report.target_id == content.id,
        Report.reporter_id == reporter.id)).scalar_one_or_none()


def report(reporter: User, consultation: Consultation, content, reason, note: str = "") -> Report | None:
    """`reporter` reports `content`; a second report by the same person is refused. May hide
    the content pending review (threshold reached). Returns the report."""
    suspended = suspension_message(reporter)
    if suspended:
        raise ModerationError(suspended)
    if not reporter.is_confirmed:
        raise ModerationError(_("Confirmez d'abord votre adresse électronique pour signaler un contenu."))
    if content.author_id == reporter.id:
        raise ModerationError(_("On ne peut pas signaler sa propre contribution."))
    if not content.is_visible:
        raise ModerationError(_("Ce contenu n'est plus affiché : il n'y a rien à signaler."))
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise ModerationError(_("Choisissez le motif du signalement."), "reason")
    note = clean_line(note or "")
    if reason == ReportReason.OTHER and not note:
        raise ModerationError(_("Pour le motif « autre », précisez en quelques mots ce qui pose problème."), "note")
    if len(note) > NOTE_MAX:
        raise ModerationError(_("La précision doit compter au plus %(max)s caractères.", max=NOTE_MAX), "note")
    kind = kind_of(content)
    # One report per person and content, decided by the unique key: two quick clicks (or two
    # tabs) cannot count twice, and nothing is raised mid-transaction.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = db.session.execute(insert(Report).values(
        consultation_id=consultation.id, target_kind=kind, target_id=content.id, reporter_id=reporter.id,
        reason=reason, note=note, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["target_kind", "target_id", "reporter_id"]).returning(Report.id))
    if result.scalar_one_or_none() is None:  # RETURNING, not rowcount: psycopg's rowcount is unreliable here
        raise ModerationError(_("Vous avez déjà signalé ce contenu."))
    reporters = db.session.execute(select(func.count(func.distinct(Report.reporter_id))).where(
        Report.target_kind == kind, Report.target_id == content.id, Report.resolved_at.is_(None))).scalar_one()
    if reporters >= report_threshold(consultation) and content.visibility == Visibility.VISIBLE:
        auto_hide(content, consultation)
    log.info("%s %s reported by user %s (%s)", kind.value, content.id, reporter.id, reason.value)
    return db.session.execute(select(Report).where(
        Report.target_kind == kind, Report.target_id == content.id, Report.reporter_id == reporter.id)).scalar_one()
