"""The official response is published once and for all (issue 19): a valid form first shows
exactly what will be published; only the preview's own button publishes."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from plateforme.consultations.models import AuthorityResponse, Commitment, PhaseKind
from plateforme.core.models import local_today

from ..factories import page_text, post_form, sign_in
from .helpers import build_consultation

BODY = "La métropole retient l'idée d'un **guichet unique**."


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_response_is_previewed_then_published_once(client, db, make):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    sign_in(client, consultation.opened_by)
    url = f"/consultations/{consultation.id}/reponse"
    due = local_today() + timedelta(days=120)
    fields = {"body": BODY, "commitments-0-title": "Ouvrir un guichet unique",
              "commitments-0-owner": "Direction de la vie étudiante", "commitments-0-due_on": str(due),
              "commitments-0-status": "planned"}

    preview = post_form(client, url, fields)
    html = preview.get_data(as_text=True)
    text = page_text(preview)
    assert preview.status_code == 200 and "publiée une seule fois" in text
    assert "<strong>guichet unique</strong>" in html  # rendered as it will be published
    assert "Ouvrir un guichet unique" in text and "Direction de la vie étudiante" in text
    assert _count(db, AuthorityResponse) == 0
    # The preview posts back exactly what it shows.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert hidden["commitments-0-title"] == "Ouvrir un guichet unique" and hidden["commitments-0-due_on"] == str(due)

    edit = post_form(client, url, {**fields, "edit": "1"})
    assert "guichet unique**.</textarea>" in page_text(edit) and _count(db, AuthorityResponse) == 0
    assert client.post(url, data={**fields, "confirm": "yes"}).status_code == 400  # no CSRF token
    assert _count(db, AuthorityResponse) == 0

    done = post_form(client, url, {**fields, "confirm": "yes"})
    assert done.status_code == 302 and _count(db, AuthorityResponse) == 1 and _count(db, Commitment) == 1
    again = post_form(client, url, {**fields, "confirm": "yes"}, form_url="/plan-du-site", follow_redirects=True)
    assert "déjà" in page_text(again) and _count(db, AuthorityResponse) == 1
