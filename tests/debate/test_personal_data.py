"""A participant's data export holds what they wrote and follow; deleting the account
keeps the debate readable ("Compte supprimé") without anything that names them."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from plateforme.consultations.models import ConsultationFollow, PhaseKind
from plateforme.debate.models import Comment, Proposal, ProposalStatus, Support
from plateforme.notifications.models import Notification

from ..consultations.helpers import build_consultation
from ..factories import PASSWORD, page_text, post_form, sign_in
from .helpers import answered, comment, proposal


def test_export_lists_comments_proposals_and_follows(client, make, db):
    debate = build_consultation(make, current=PhaseKind.DEBATE)
    proposals = build_consultation(make, current=PhaseKind.PROPOSALS, title="Une autre consultation")
    resident = make.user(name="Inès")
    comment(db, resident, debate, body="Les **étudiants** font vivre le quartier.")
    proposal(db, resident, proposals)
    sign_in(client, resident)

    data = json.loads(client.get("/compte/mes-donnees.json").get_data(as_text=True))

    assert [c["body"] for c in data["comments"]] == ["Les **étudiants** font vivre le quartier."]
    assert data["comments"][0]["consultation_id"] == debate.id
    assert [p["consultation_id"] for p in data["proposals"]] == [proposals.id]
    assert {f["consultation_id"] for f in data["followed_consultations"]} == {debate.id, proposals.id}
    assert data["endorsements_and_supports"] == {"endorsed_comments": [], "supported_proposals": []}


def test_deleting_the_account_keeps_contributions_without_their_author(client, make, db):
    debate = build_consultation(make, current=PhaseKind.DEBATE)
    resident = make.user(name="Inès")
    written = comment(db, resident, debate)
    sign_in(client, resident)

    response = post_form(client, "/compte/supprimer", {"password": PASSWORD, "confirm": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Comment, written.id)
    assert kept is not None and kept.author_id is None
    assert db.session.execute(select(func.count()).select_from(ConsultationFollow)).scalar_one() == 0
    page = client.get(f"/consultations/{debate.id}").get_data(as_text=True)
    assert "Compte supprimé" in page and "Inès" not in page
    assert db.session.execute(select(func.count()).select_from(Proposal)).scalar_one() == 0


def test_the_person_may_erase_the_text_of_their_contributions_with_the_account(client, make, db):
    from plateforme.debate.models import CommentRevision

    debate = build_consultation(make, current=PhaseKind.DEBATE)
    proposals = build_consultation(make, current=PhaseKind.PROPOSALS, title="Une autre consultation")
    resident = make.user(name="Inès")
    written = comment(db, resident, debate, body="Mon adresse est au 12 rue des Lilas.")
    db.session.add(CommentRevision(comment_id=written.id, body="Une version plus ancienne.", body_html="<p>x</p>",
                                   stance=written.stance))
    supporter = make.user(name="Sam")
    with client.application.test_request_context(method="POST"):
        submitted = proposal(db, resident, proposals, title="Une idée signée", body="Un texte qui me ressemble.")
        db.session.add(Support(proposal_id=submitted.id, user_id=supporter.id))
        db.session.commit()
        answered(db, submitted, proposals, make.admin(), ProposalStatus.ACCEPTED)
    other = make.user(name="Paul")
    reply = comment(db, other, debate, body="Je réponds à Inès.", parent=written)
    db.session.commit()
    sign_in(client, resident)

    form = client.get("/compte/supprimer").get_data(as_text=True)
    assert "Effacer aussi le texte de mes commentaires et propositions" in form
    response = post_form(client, "/compte/supprimer", {"password": PASSWORD, "confirm": "y", "erase_contributions": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    erased, erased_proposal = db.session.get(Comment, written.id), db.session.get(Proposal, submitted.id)
    assert (erased.author_id, erased.body) == (None, "Contribution supprimée avec le compte")
    assert (erased_proposal.title, erased_proposal.body) == ("Contribution supprimée avec le compte",) * 2
    assert db.session.execute(select(func.count()).select_from(CommentRevision)).scalar_one() == 0
    assert db.session.get(Comment, reply.id).body == "Je réponds à Inès."  # others' words stay
    told = db.session.execute(select(Notification.subject).where(Notification.user_id == supporter.id)).scalars().all()
    assert told == ["Contribution supprimée avec le compte"]  # the title goes from supporters' notifications
    page = client.get(f"/consultations/{debate.id}").get_data(as_text=True)
    assert "12 rue des Lilas" not in page and "Contribution supprimée avec le compte" in page


def test_without_the_box_the_text_stays_and_the_pages_say_so(client, make, db):
    debate = build_consultation(make, current=PhaseKind.DEBATE)
    resident = make.user(name="Inès")
    written = comment(db, resident, debate, body="Un avis que je laisse.")
    sign_in(client, resident)
    form = page_text(client.get("/compte/supprimer"))
    assert "restent publiés sans votre nom" in form
    privacy = page_text(client.get("/confidentialite"))
    assert "ils restent publiés sans nom («\u00a0Compte supprimé\u00a0»)" in privacy
    post_form(client, "/compte/supprimer", {"password": PASSWORD, "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Comment, written.id).body == "Un avis que je laisse."
