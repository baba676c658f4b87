"""Moderation test data: reports, a territory's policy, a moderator's acts, a suspension."""
from __future__ import annotations

from datetime import timedelta

from plateforme.core.models import utcnow
from plateforme.debate.models import AccountSuspension, ModerationPolicy, ReportReason
from plateforme.debate.reports import report


def reported(db, reporter, consultation, content, reason=ReportReason.SPAM, note=""):
    created = report(reporter, consultation, content, reason, note)
    db.session.commit()
    return created


def policy(make, territory_code="200046977", report_threshold=3, hold_first_posts=0):
    row = ModerationPolicy(territory_id=make.territory(territory_code).id, report_threshold=report_threshold,
                           hold_first_posts=hold_first_posts)
    make.db.session.add(row)
    make.db.session.commit()
    return row


def suspended(db, user, days=3, reason="Insultes répétées envers d'autres personnes."):
    row = AccountSuspension(user_id=user.id, ends_at=utcnow() + timedelta(days=days), reason=reason)
    db.session.add(row)
    db.session.commit()
    return row


def act_url(consultation, content, act, kind="commentaire"):
    return f"/consultations/{consultation.id}/moderation/{kind}/{content.id}/{act}"

