"""Telling partners about reviews: a finding submitted for review reaches the members of the
other organisations (who alone may review it, the independence rule); a review reaches the
finding's author. In-app notifications, and emails for those who want them."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from ..accounts.models import Membership, User
from ..notifications.models import NotificationKind
from ..notifications.services import notify_group, notify_user
from .models import Finding, FindingReview, ReviewDecision


def possible_reviewers(finding: Finding):
    """SELECT of the ids of the people who may review `finding`: members of another
    organisation than the producing one, who are not also members of it, nor its author."""
    producing = select(Membership.user_id).where(Membership.organisation_id == finding.organisation_id)
    ids = (select(Membership.user_id).where(Membership.organisation_id != finding.organisation_id,
                                            Membership.user_id.not_in(producing)).distinct())
    if finding.author_id is not None:
        ids = ids.where(Membership.user_id != finding.author_id)
    return ids


def notify_submitted(finding: Finding, by: User) -> int:
    """Tell the possible reviewers that `finding` waits for them; returns how many were told."""
    return notify_group(possible_reviewers(finding), None, NotificationKind.FINDING_TO_REVIEW,
                        url_for("observatory.review_finding", finding_id=finding.id), finding.title,
                        actor=by, because="partner")


def notify_reviewed(review: FindingReview) -> None:
    """Tell the finding's author (if their account still exists) what the review decided."""
    finding = review.finding
    kind = (NotificationKind.FINDING_PUBLISHED if review.decision == ReviewDecision.APPROVE
            else NotificationKind.FINDING_CHANGES_REQUESTED)
    notify_user(finding.author, kind, None, url_for("observatory.finding", finding_id=finding.id), finding.title,
                actor=review.reviewer)
