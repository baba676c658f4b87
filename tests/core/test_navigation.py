"""Each role's way in: one navigation entry per role held, with what waits for the person
("À relire (1)"), the count in words for screen readers, and the same count on the page it
leads to. Visitors cost no query; a signed-in person's counts cost a fixed number."""
from __future__ import annotations

import re


from plateforme.accounts.models import Mandate, MandateStatus, MandateTitle
from plateforme.consultations.models import CommitmentStatus, ConsultationStatus, PhaseKind
from plateforme.debate.models import ReportReason
from plateforme.debate.reports import report
from plateforme.observatory.models import FindingStatus

from ..consultations.helpers import build_consultation
from ..consultations.outcome_helpers import response_with_commitments
from ..debate.helpers import comment
from ..factories import page_text, sign_in, statements_for
from ..observatory.helpers import Observatory


def _nav(client, url="/plan-du-site") -> str:
    text = page_text(client.get(url))
    return text[text.index('<nav class="main-nav"'):text.index("</nav>")]


def _entry(nav: str, label: str) -> str | None:
    """The visible text of the navigation link whose text starts with `label` (the space before
    the count is a non-breaking one, inside the count: flex links drop a plain space there)."""
    for link in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S):
        if link.startswith(label):
            return re.sub(r'<span class="visually-hidden">.*?</span>', "", link).replace(
                '<span class="nav-count" aria-hidden="true">', "").replace("</span>", "").replace("\u00a0", " ").strip()
    return None


def _spoken(nav: str, label: str) -> str:
    link = next(link for link in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S) if link.startswith(label))
    return " ".join(re.findall(r'<span class="visually-hidden">(.*?)</span>', link)).strip()


def test_a_resident_sees_no_role_entry(client, db, make):
    sign_in(client, make.user())
    nav = _nav(client)
    for label in ("Mon territoire", "Modération", "À relire", "Mon organisation", "Administration"):
        assert _entry(nav, label) is None, label


def test_an_official_s_entry_counts_what_waits_as_the_page_lists_it(client, db, make):
    official = make.elected()
    build_consultation(make, PhaseKind.DEBATE, opened_by=official, status=ConsultationStatus.DRAFT, title="Brouillon")
    concluded = build_consultation(make, PhaseKind.RESPONSE, opened_by=official, title="Conclue")
    response_with_commitments(db, concluded, official, CommitmentStatus.PLANNED, CommitmentStatus.DONE, due_in=-3)
    sign_in(client, official)
    nav = _nav(client)
    # Two things: the draft to publish and the open commitment past its date (not the done
    # one; the concluded consultation's response is published, so nothing to write there).
    page = page_text(client.get("/consultations/mon-territoire"))
    assert "Engagement numéro 1" in page.split('id="commitments-title"')[1]
    assert "Engagement numéro 2" not in page.split('id="commitments-title"')[1]
    assert _entry(nav, "Mon territoire") == "Mon territoire (2)"
    assert _spoken(nav, "Mon territoire") == "(2 choses à faire)"
    assert "2 choses vous attendent" in page


def test_a_partner_gets_the_review_queue_and_their_organisation(client, db, make):
    obs = Observatory(make, db)
    obs.finding(FindingStatus.IN_REVIEW)
    sign_in(client, obs.reviewer)
    nav = _nav(client)
    assert _entry(nav, "À relire") == "À relire (1)"
    assert _spoken(nav, "À relire") == "(1 constat à relire)"
    assert _entry(nav, "Mon organisation") == "Mon organisation"
    other = client.application.test_client()
    sign_in(other, obs.author)  # their own finding does not wait for them
    assert _entry(_nav(other), "À relire") == "À relire"


def test_a_moderator_counts_reported_contributions_once_each(client, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    moderator = make.moderator()
    with client.application.test_request_context(method="POST"):
        written = comment(db, make.user(), consultation)
        for _ in range(2):
            report(make.user(), consultation, written, ReportReason.SPAM)
    db.session.commit()
    sign_in(client, moderator)
    nav = _nav(client)
    assert _entry(nav, "Modération") == "Modération (1)"
    assert _spoken(nav, "Modération") == "(1 contribution à examiner)"


def test_an_administrator_counts_mandates_to_verify(client, db, make):
    admin = make.admin()
    for _ in range(2):
        db.session.add(Mandate(user=make.user(), territory=make.territory("69266"), title=MandateTitle.MAIRE,
                               status=MandateStatus.PENDING))
    db.session.commit()
    sign_in(client, admin)
    nav = _nav(client)
    assert _entry(nav, "Administration") == "Administration (2)"
    assert _spoken(nav, "Administration") == "(2 mandats à vérifier)"


def test_visitors_pay_nothing_and_counts_cost_the_same_whatever_waits(client, db, make):
    assert statements_for(db, client, "/plan-du-site") == 0  # a visitor: no query at all
    obs = Observatory(make, db)
    partner = make.partner(obs.org_b, name="Relectrice B2")
    partner.is_admin = True
    db.session.commit()
    obs.finding(FindingStatus.IN_REVIEW)
    sign_in(client, partner)
    one = statements_for(db, client, "/plan-du-site")
    for _ in range(4):
        obs.finding(FindingStatus.IN_REVIEW)
        db.session.add(Mandate(user=make.user(), territory=make.territory("69266"), title=MandateTitle.MAIRE,
                               status=MandateStatus.PENDING))
    db.session.commit()
    assert statements_for(db, client, "/plan-du-site") == one
    assert _entry(_nav(client), "À relire") == "À relire (5)"


def test_the_navigation_speaks_english(client, db, make):
    obs = Observatory(make, db)
    obs.finding(FindingStatus.IN_REVIEW)
    sign_in(client, make.partner(obs.org_b, locale="en"))
    nav = _nav(client)
    assert _entry(nav, "To review") == "To review (1)"
    assert _spoken(nav, "To review") == "(1 finding to review)"
    assert _entry(nav, "My organisation") == "My organisation"
