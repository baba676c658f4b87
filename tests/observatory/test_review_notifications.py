"""Partners learn of the reviews that concern them: a finding submitted for review reaches the
members of the other organisations (in-app, and by email for those who want it); the review's
outcome reaches the author."""
from __future__ import annotations

from sqlalchemy import select

from plateforme.notifications.models import Notification, NotificationKind
from plateforme.observatory.models import Finding

from ..factories import page_text, post_form, sign_in
from .test_pages import FORM


def _notified(db, kind) -> dict[int, Notification]:
    db.session.expire_all()
    rows = db.session.execute(select(Notification).where(Notification.kind == kind)).scalars()
    return {n.user_id: n for n in rows}


def test_a_submitted_finding_reaches_the_other_organisations_only(client, db, obs, make, outbox):
    org_c = obs.organisation("Chambre de commerce test")
    quiet = make.partner(org_c, name="Sans courriel C")
    quiet.email_notifications = False
    both = make.partner(obs.org_a, name="Membre de A et C")  # a member of the producing organisation too
    obs.member(both, org_c)
    db.session.commit()
    sign_in(client, obs.author)
    data = {**FORM, "organisation": str(obs.org_a.id), "territory": str(make.territory("200046977").id),
            "action": "submit"}
    assert post_form(client, "/observatoire/constats/nouveau", data).status_code == 302
    finding = db.session.execute(select(Finding)).scalar_one()
    notified = _notified(db, NotificationKind.FINDING_TO_REVIEW)
    # The other organisations' members, not the author, their colleague, nor a member of both.
    assert set(notified) == {obs.reviewer.id, quiet.id}
    assert notified[obs.reviewer.id].target_path == f"/observatoire/constats/{finding.id}/relire"
    assert [m.to for m in outbox] == [obs.reviewer.email]  # the other one turned emails off
    assert "Les festivals attirent un public européen" in outbox[0].body
    reviewer = client.application.test_client()
    sign_in(reviewer, obs.reviewer)
    assert "«\u00a0Les festivals attirent un public européen\u00a0» attend la relecture" in page_text(
        reviewer.get("/compte/notifications/"))


def test_the_review_reaches_the_author(client, db, obs, outbox):
    from plateforme.observatory.models import FindingStatus

    finding = obs.finding(FindingStatus.IN_REVIEW)
    outbox.clear()
    sign_in(client, obs.reviewer)
    response = post_form(client, f"/observatoire/constats/{finding.id}/relire",
                         {"decision": "request_changes", "comment": "Citez la source exacte."})
    assert response.status_code == 302
    notified = _notified(db, NotificationKind.FINDING_CHANGES_REQUESTED)
    assert set(notified) == {obs.author.id}
    assert [m.to for m in outbox] == [obs.author.email]
    author = client.application.test_client()
    sign_in(author, obs.author)
    assert "demande des modifications" in page_text(author.get("/compte/notifications/"))


def test_an_approval_tells_the_author_it_is_published(client, db, obs, outbox):
    from plateforme.observatory.models import FindingStatus

    finding = obs.finding(FindingStatus.IN_REVIEW)
    sign_in(client, obs.reviewer)
    post_form(client, f"/observatoire/constats/{finding.id}/relire", {"decision": "approve", "comment": ""})
    notified = _notified(db, NotificationKind.FINDING_PUBLISHED)
    assert set(notified) == {obs.author.id}
    assert notified[obs.author.id].target_path == f"/observatoire/constats/{finding.id}"
