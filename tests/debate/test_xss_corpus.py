"""Every payload of the XSS corpus, written as a comment, a proposal (title and body) and
an authority's answer, is stored as inert HTML, and the pages that show them stay inert."""
from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from plateforme.consultations.models import PhaseKind
from plateforme.core.sanitize import markdown_to_safe_html
from plateforme.core.typography import french_page
from plateforme.debate.models import Comment, Proposal, ProposalStatus, Stance
from plateforme.debate.services import answer_proposal, post_comment, submit_proposal

from ..consultations.helpers import build_consultation
from ..factories import sign_in
from .xss_corpus import dangerous_url, fragment_problems, load_payloads, page_problems

PAYLOADS = load_payloads()
TITLE_PAD = "Titre : "  # titles need 5 characters at least
BODY_PAD = " (texte de la proposition)"  # proposal bodies need 10


def test_the_corpus_is_large_and_every_payload_is_observable():
    assert len(PAYLOADS) >= 80
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    observable = ("alert", "confirm", "prompt", "__xss", "fetch", "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg")
    assert [p for p in PAYLOADS if not any(word in p for word in observable)] == []


def test_the_checker_catches_what_it_should():
    assert fragment_problems('<p>ok <a href="https://x.example" rel="nofollow">x</a></p>') == []
    assert fragment_problems("<script>alert(1)</script>")
    assert fragment_problems('<a href="jav&#x09;ascript:alert(1)">x</a>')
    assert fragment_problems('<p onclick="x">x</p>')
    assert page_problems('<html><head><meta charset="utf-8"></head><body><form action="/x"><button>x</button>'
                         '</form></body></html>') == []
    assert page_problems("<html><body><h1>x<img src=x onerror=alert(1)></h1></body></html>")
    assert dangerous_url(" &#106;avascript:alert(1)") and not dangerous_url("https://ok.example/javascript:")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sanitiser_leaves_each_payload_inert(payload):
    assert fragment_problems(markdown_to_safe_html(payload)) == [], payload


def test_comments_proposals_and_answers_store_the_corpus_inert_and_the_pages_escape_titles(client, db, make):
    debating = build_consultation(make, PhaseKind.DEBATE, title="Débat sous attaque")
    proposing = build_consultation(make, PhaseKind.PROPOSALS, title="Propositions sous attaque")
    author, official = make.user(name="Autrice"), make.elected()
    for payload in PAYLOADS:
        top = post_comment(author, debating, Stance.FOR, payload)
        post_comment(author, debating, Stance.AGAINST, payload, parent=top)
        proposal = submit_proposal(author, proposing, TITLE_PAD + payload, payload + BODY_PAD)
        answer_proposal(proposal, proposing, official, ProposalStatus.UNDER_STUDY, payload + BODY_PAD)
    db.session.commit()

    comments = db.session.execute(select(Comment)).scalars().all()
    proposals = db.session.execute(select(Proposal)).scalars().all()
    assert len(comments) == 2 * len(PAYLOADS) and len(proposals) == len(PAYLOADS)
    problems = {c.body: fragment_problems(c.body_html) for c in comments}
    problems.update({p.body: fragment_problems(p.body_html) + fragment_problems(p.justification_html)
                     for p in proposals})
    assert {body: found for body, found in problems.items() if found} == {}
    titles = {p.id: p.title for p in proposals}
    proposal_ids = sorted(titles)
    db.session.rollback()

    sign_in(client, make.user(name="Lectrice"))
    pages = [f"/consultations/{debating.id}/debat", f"/consultations/{debating.id}",
             f"/consultations/{proposing.id}/debat?page_propositions=2",
             f"/consultations/{proposing.id}/propositions/{proposal_ids[0]}",
             f"/consultations/{proposing.id}/propositions/{proposal_ids[-1]}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert page_problems(response.get_data(as_text=True)) == [], url
    # A title is plain text: the proposal page shows it escaped, as typed (control characters aside).
    for proposal_id in (proposal_ids[0], proposal_ids[10], proposal_ids[-1]):
        body = client.get(f"/consultations/{proposing.id}/propositions/{proposal_id}").get_data(as_text=True)
        # …with French typography, as every French page (core/typography.py): « Titre\u00a0: ».
        assert french_page(f"<h1 id=\"proposal-title\" lang=\"fr\">{escape(titles[proposal_id])}</h1>") in body
