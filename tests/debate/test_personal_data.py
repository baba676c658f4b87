"""A participant's data export holds what they wrote and follow; deleting the account
keeps the debate readable ("Compte supprimé") without anything that names them."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from plateforme.consultations.models import ConsultationFollow, PhaseKind
from plateforme.debate.models import Comment, Proposal

from ..consultations.helpers import build_consultation
from ..factories import PASSWORD, post_form, sign_in
from .helpers import comment, proposal


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
