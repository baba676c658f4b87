"""Proposals as people use them: a resident proposes in the proposals phase; the authority
answers with a status and a public justification; refused moves keep what was typed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from plateforme.consultations.models import PhaseKind
from plateforme.debate.models import Proposal, ProposalStatus, Visibility
from plateforme.debate.reactions import support
from plateforme.debate.services import DebateError, answer_proposal, withdraw_proposal
from plateforme.notifications.models import Notification, NotificationKind

from ..consultations.helpers import build_consultation
from ..factories import page_text, sign_in
from .helpers import answered, executable_markup, proposal
from .test_pages import _post


def _count(db):
    return db.session.execute(select(func.count()).select_from(Proposal)).scalar_one()


def test_a_resident_proposes_and_the_proposal_is_listed_with_its_status(client, db, make, proposing):
    sign_in(client, make.user(name="Noa Habitant"))
    url = f"/consultations/{proposing.id}/debat"
    data = {"proposal-title": "Un guichet d'accueil unique",
            "proposal-body": "Ouvrir un **guichet unique** pour les étudiants étrangers. <script>alert(1)</script>"}
    response = _post(client, f"/consultations/{proposing.id}/proposer", data, url)
    assert response.status_code == 302
    stored = db.session.execute(select(Proposal)).scalar_one()
    assert response.headers["Location"].endswith(f"/consultations/{proposing.id}/propositions/{stored.id}")
    assert "votre proposition est publiée" in page_text(client.get(response.headers["Location"]))
    assert executable_markup(stored.body_html) == [] and "<strong>guichet unique</strong>" in stored.body_html
    text = page_text(client.get(url))
    assert f'id="proposition-{stored.id}"' in text and "Statut\u00a0: déposée" in text and "Noa Habitant" in text
    one = client.get(f"/consultations/{proposing.id}/propositions/{stored.id}")
    assert one.status_code == 200 and "pas encore répondu" in page_text(one)
    assert executable_markup(one.get_data(as_text=True)) == []


@pytest.mark.parametrize("data, field", [
    ({"proposal-title": "", "proposal-body": "Ouvrir un guichet unique."}, "proposal-title"),
    ({"proposal-title": "Un guichet", "proposal-body": "Trop court"[:8]}, "proposal-body"),
])
def test_proposal_errors_keep_what_was_typed(client, db, make, proposing, data, field):
    sign_in(client, make.user())
    response = _post(client, f"/consultations/{proposing.id}/proposer", data, f"/consultations/{proposing.id}/proposer")
    text = page_text(response)
    assert response.status_code == 200 and f'href="#{field}"' in text and f'id="{field}-error"' in text
    assert data["proposal-body"] in text
    assert _count(db) == 0


def test_no_proposal_outside_the_proposals_phase(client, db, make):
    debating = build_consultation(make, PhaseKind.DEBATE)
    sign_in(client, make.user())
    form_page = page_text(client.get(f"/consultations/{debating.id}/proposer"))
    assert "Le dépôt des propositions n'est pas encore ouvert." in form_page
    data = {"proposal-title": "Un guichet d'accueil unique", "proposal-body": "Ouvrir un guichet unique."}
    response = _post(client, f"/consultations/{debating.id}/proposer", data, f"/consultations/{debating.id}/debat")
    text = page_text(response)
    assert response.status_code == 200 and "pas encore ouvert" in text and "Un guichet d'accueil unique" in text
    assert _count(db) == 0


def test_the_authority_answers_and_the_author_is_notified(client, db, make, proposing):
    author = make.user()
    item = proposal(db, author, proposing)
    url = f"/consultations/{proposing.id}/propositions/{item.id}/repondre"
    official = proposing.opened_by
    sign_in(client, official)
    proposal_url = f"/consultations/{proposing.id}/propositions/{item.id}"
    assert "Répondre à cette proposition" in page_text(client.get(proposal_url))
    # Justification required: the chosen answer stays checked.
    missing = _post(client, url, {"status": "accepted", "justification": ""}, url)
    text = page_text(missing)
    assert missing.status_code == 200 and 'id="justification-error"' in text
    assert re.search(r'<input[^>]*\bchecked\b[^>]*value="accepted"', text)
    assert db.session.get(Proposal, item.id).status == ProposalStatus.SUBMITTED
    assert _post(client, url, {"status": "under_study", "justification": "Nous l'étudions avec la métropole."},
                 url).status_code == 302
    assert _post(client, url, {"status": "accepted", "justification": "Elle sera mise en œuvre en 2027."},
                 url).status_code == 302
    # Final: another move is refused next to the field, the justification typed is kept.
    refused = _post(client, url, {"status": "rejected", "justification": "Finalement non, faute de budget."}, url)
    text = page_text(refused)
    assert refused.status_code == 200 and 'id="status-error"' in text and "définitive" in text
    assert "Finalement non, faute de budget." in text
    stored = db.session.get(Proposal, item.id)
    assert stored.status == ProposalStatus.ACCEPTED and "mise en œuvre en 2027" in stored.justification_html
    page = page_text(client.get(f"/consultations/{proposing.id}/propositions/{item.id}"))
    assert "Statut\u00a0: retenue" in page and "Elle sera mise en œuvre en 2027." in page
    listing = page_text(client.get(f"/consultations/{proposing.id}/debat"))
    assert "Statut\u00a0: retenue" in listing and "Elle sera mise en œuvre en 2027." in listing
    assert "Répondre à cette proposition" not in page
    notes = db.session.execute(select(Notification).filter_by(user_id=author.id)).scalars().all()
    assert {n.kind for n in notes} == {NotificationKind.PROPOSAL_ANSWERED} and len(notes) == 2


@pytest.mark.parametrize("role", ["resident", "author", "other_official", "moderator"])
def test_only_the_territory_officials_answer(client, db, make, proposing, role):
    author = make.user()
    item = proposal(db, author, proposing)
    person = {"resident": make.user, "author": lambda: author, "moderator": make.moderator,
              "other_official": lambda: make.elected("69123")}[role]()
    sign_in(client, person)
    url = f"/consultations/{proposing.id}/propositions/{item.id}/repondre"
    assert client.get(url).status_code == 403
    assert "Répondre à cette proposition" not in page_text(
        client.get(f"/consultations/{proposing.id}/propositions/{item.id}"))


def test_proposals_filter_by_status(client, db, make, proposing):
    author = make.user()
    first = proposal(db, author, proposing, title="Première proposition")
    proposal(db, author, proposing, title="Deuxième proposition")
    answered(db, first, proposing, proposing.opened_by, ProposalStatus.REJECTED,
             "Hors des compétences de la métropole.")
    text = page_text(client.get(f"/consultations/{proposing.id}/debat?statut=rejected"))
    assert "Première proposition" in text and "Deuxième proposition" not in text
    assert "Hors des compétences de la métropole." in text


def test_a_proposal_of_another_consultation_is_not_found(client, db, make, proposing):
    other = build_consultation(make, PhaseKind.PROPOSALS, title="Autre")
    item = proposal(db, make.user(), other)
    assert client.get(f"/consultations/{proposing.id}/propositions/{item.id}").status_code == 404


# --- the author withdraws a proposal -------------------------------------------------------------

def _withdraw_url(consultation, item) -> str:
    return f"/consultations/{consultation.id}/propositions/{item.id}/retirer"


def test_the_author_withdraws_a_proposal_with_a_public_reason(client, db, make, proposing):
    author = make.user(name="Noa Habitant")
    item = proposal(db, author, proposing, title="Un guichet d'accueil unique")
    page_url = f"/consultations/{proposing.id}/propositions/{item.id}"
    sign_in(client, author)
    assert "Retirer ma proposition" in page_text(client.get(page_url))
    url = _withdraw_url(proposing, item)
    done = _post(client, url, {"reason": "Déjà proposée par une autre habitante."}, url)
    assert done.status_code == 302 and done.headers["Location"].endswith(page_url)
    stored = db.session.get(Proposal, item.id)
    assert (stored.visibility, stored.visibility_reason) == (Visibility.WITHDRAWN, "Déjà proposée par une autre habitante.")
    # Its place in the list and its page say so, with the reason; its text is gone.
    for shown in (page_text(client.get(f"/consultations/{proposing.id}/debat")), page_text(client.get(page_url))):
        assert "Proposition retirée par la personne qui l'a déposée" in shown
        assert "Déjà proposée par une autre habitante." in shown
        assert "Ouvrir un guichet unique pour les étudiants étrangers." not in shown
    # Nobody supports it or answers it any more; a second withdrawal is told, not an error.
    assert "Répondre à cette proposition" not in page_text(client.get(page_url))
    again = client.get(url)
    assert again.status_code == 302 and "déjà retirée" in page_text(client.get(again.headers["Location"]))
    supporter = make.user()
    with pytest.raises(DebateError):
        support(supporter, db.session.get(Proposal, item.id))
    db.session.rollback()
    with pytest.raises(DebateError, match="retirée"):
        answer_proposal(db.session.get(Proposal, item.id), proposing, proposing.opened_by, "accepted",
                        "Nous la retenons pour 2027.")
    db.session.rollback()


@pytest.mark.parametrize("blocker", ["supported", "answered", "someone_else"])
def test_a_proposal_is_withdrawn_only_by_its_author_before_any_support_or_answer(client, db, make, proposing,
                                                                                   blocker):
    author = make.user()
    item = proposal(db, author, proposing)
    person = author
    if blocker == "supported":
        support(make.user(), item)
        db.session.commit()
    elif blocker == "answered":
        answered(db, item, proposing, proposing.opened_by, ProposalStatus.UNDER_STUDY)
    else:
        person = make.user()
    sign_in(client, person)
    url = _withdraw_url(proposing, item)
    assert "Retirer ma proposition" not in page_text(client.get(f"/consultations/{proposing.id}/propositions/{item.id}"))
    assert client.get(url).status_code == 403
    with pytest.raises(DebateError):
        withdraw_proposal(db.session.get(Proposal, item.id), person, "")
    db.session.rollback()
    assert db.session.get(Proposal, item.id).visibility == Visibility.VISIBLE


def test_a_too_long_reason_is_refused_next_to_the_field_and_kept(client, db, make, proposing):
    author = make.user()
    item = proposal(db, author, proposing)
    sign_in(client, author)
    url = _withdraw_url(proposing, item)
    typed = "Trop long. " * 60
    refused = _post(client, url, {"reason": typed}, url)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="reason-error"' in text and "au plus 500 caractères" in text
    assert typed.strip()[:100] in text
    assert db.session.get(Proposal, item.id).visibility == Visibility.VISIBLE
    assert client.post(url, data={"reason": "Sans jeton."}).status_code == 400  # CSRF
    assert db.session.get(Proposal, item.id).visibility == Visibility.VISIBLE


def test_the_people_who_support_a_proposal_learn_the_answer(app, db, make, proposing, outbox):
    """The author and each supporter are told once (the supporters in a sentence of their
    own); the official who answers is not; emails follow each person's choice."""
    author, fan, quiet_fan = make.user(), make.user(locale="en"), make.user()
    quiet_fan.email_notifications = False
    item = proposal(db, author, proposing)
    for person in (fan, quiet_fan):
        support(person, item)
    db.session.commit()
    official = proposing.opened_by
    with app.test_request_context():
        answered(db, item, proposing, official, ProposalStatus.ACCEPTED, "Elle sera mise en œuvre en 2027.")
    notes = {(n.user_id, n.kind) for n in db.session.execute(select(Notification)).scalars()}
    assert notes == {(author.id, NotificationKind.PROPOSAL_ANSWERED),
                     (fan.id, NotificationKind.SUPPORTED_PROPOSAL_ANSWERED),
                     (quiet_fan.id, NotificationKind.SUPPORTED_PROPOSAL_ANSWERED)}
    assert sorted(message.to for message in outbox) == sorted([author.email, fan.email])
    to_fan = next(message for message in outbox if message.to == fan.email)
    assert "that you support" in to_fan.body and f"/propositions/{item.id}" in to_fan.body
