"""Who may do what in the observatory.

Partners (members of an organisation) contribute for their organisation; a finding is
reviewed by a member of *another* organisation (the independence rule); the authority's
external action is kept by its own elected officials and the administrators.
"""
from __future__ import annotations

from ..accounts.models import MandateStatus
from ..accounts.permissions import is_administrator, is_elected_official, is_partner, is_signed_in
from ..core.permissions import predicate
from .models import FindingStatus

EDITABLE_STATUSES = (FindingStatus.DRAFT, FindingStatus.CHANGES_REQUESTED)


def member_of(user, organisation_id: int | None) -> bool:
    """Whether `user` belongs to the organisation (by id, so no lazy load is needed)."""
    return is_signed_in(user) and organisation_id is not None and any(
        m.organisation_id == organisation_id for m in user.memberships)


@predicate
def can_submit_findings(user) -> bool:
    """Any partner writes findings, for one of their organisations."""
    return is_partner(user)


@predicate
def can_see_finding(user, finding) -> bool:
    """Published and withdrawn findings are public. Before that: the producing organisation,
    the administrators, and (once submitted) the partners who may review it."""
    if finding.is_public:
        return True
    if is_administrator(user) or member_of(user, finding.organisation_id):
        return True
    return finding.status in (FindingStatus.IN_REVIEW, FindingStatus.CHANGES_REQUESTED) and is_partner(user)


@predicate
def can_edit_finding(user, finding) -> bool:
    """The producing organisation's members, while it is a draft or changes are requested."""
    return finding.status in EDITABLE_STATUSES and member_of(user, finding.organisation_id)


@predicate
def can_review_findings(user) -> bool:
    """Any partner may review (the queue shows them only other organisations' findings)."""
    return is_partner(user)


@predicate
def can_review_finding(user, finding) -> bool:
    """A partner of another organisation, on a finding in review, never its own author."""
    if finding.status != FindingStatus.IN_REVIEW or not is_partner(user):
        return False
    if member_of(user, finding.organisation_id) or finding.author_id == user.id:
        return False
    return True


@predicate
def can_withdraw_finding(user, finding) -> bool:
    """The producing organisation or an administrator withdraws a published finding."""
    if finding.status != FindingStatus.PUBLISHED:
        return False
    return is_administrator(user) or member_of(user, finding.organisation_id)


@predicate
def can_define_indicators(user) -> bool:
    return is_partner(user)


@predicate
def can_manage_indicator(user, indicator) -> bool:
    """Edit the definition and load values: the producing organisation, or an administrator."""
    return is_administrator(user) or member_of(user, indicator.organisation_id)


@predicate
def can_edit_external_actions(user, territory) -> bool:
    """The authority's own action abroad is kept by its own elected officials (a verified
    mandate on this very territory: a commune's mayor does not edit the EPCI's inventory,
    nor the reverse) and by the administrators. Stricter than `holds_mandate_covering` on
    purpose: the inventory is the authority's own record, not the territory's."""
    if is_administrator(user):
        return True
    if not is_signed_in(user) or territory is None:
        return False
    return any(m.status == MandateStatus.VERIFIED and m.territory_id == territory.id for m in user.mandates)


@predicate
def can_edit_any_external_actions(user) -> bool:
    """Whether to offer the link at all: an administrator or any verified official."""
    return is_administrator(user) or is_elected_official(user)
