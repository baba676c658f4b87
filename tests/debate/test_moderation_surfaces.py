"""Hidden, report-hidden and held contributions disappear from pages, counts, the synthesis
form's citable list, the open data API and the CSV export; the thread keeps a placeholder."""
from __future__ import annotations

import pytest

from plateforme.consultations.models import PhaseKind
from plateforme.consultations.responses import synthesis_candidates
from plateforme.debate.models import Visibility
from plateforme.debate.queries import contribution_counts

from ..consultations.helpers import build_consultation
from ..consultations.outcome_helpers import comment as raw_comment, proposal as raw_proposal, synthesis
from ..factories import page_text

STATES = [Visibility.HIDDEN, Visibility.REPORTED, Visibility.HELD]
SECRET = "Texte qui ne doit plus paraître nulle part"


@pytest.mark.parametrize("state", STATES)
def test_hidden_content_leaves_pages_counts_and_the_synthesis_list(client, make, db, state):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    author = make.user()
    shown = raw_comment(db, consultation, author, body="Un avis bien visible.")
    gone = raw_comment(db, consultation, author, body=SECRET, visibility=state)
    gone.visibility_reason = "Raison publique de la modération."
    db.session.commit()
    for url in (f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/debat", "/"):
        assert SECRET not in page_text(client.get(url)), url
    assert contribution_counts([consultation.id]) == {consultation.id: (1, 0)}
    comments, _proposals = synthesis_candidates(consultation)
    assert [c.id for c in comments] == [shown.id]


def test_placeholders_say_why(client, make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    hidden = raw_comment(db, consultation, make.user(), body=SECRET, visibility=Visibility.HIDDEN)
    hidden.visibility_reason = "Données personnelles d'un tiers."
    raw_comment(db, consultation, make.user(), body=SECRET + " bis", visibility=Visibility.REPORTED)
    db.session.commit()
    text = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "Commentaire masqué par la modération. Raison\u00a0: Données personnelles d'un tiers." in text
    assert "Commentaire masqué en attendant l'examen de la modération" in text


@pytest.mark.parametrize("state", STATES)
def test_hidden_content_leaves_the_api_and_csv(client, make, db, state):
    consultation = build_consultation(make, current="concluded")
    author = make.user()
    kept = raw_comment(db, consultation, author, body="Un avis cité.")
    gone = raw_comment(db, consultation, author, body=SECRET, visibility=state)
    kept_proposal = raw_proposal(db, consultation, author, title="Une idée citée")
    gone_proposal = raw_proposal(db, consultation, author, title=SECRET, visibility=state)
    synthesis(db, consultation, make.moderator(), comments=[kept, gone], proposals=[kept_proposal, gone_proposal])
    data = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    body = repr(data)
    assert str(kept.id) in body and SECRET not in body
    synthesis_data = data.get("synthesis") or data.get("data", {}).get("synthesis")
    assert synthesis_data["comment_ids"] == [kept.id]
    assert synthesis_data["proposal_ids"] == [kept_proposal.id]
    assert SECRET not in client.get("/api/v1/consultations.csv").get_data(as_text=True)
