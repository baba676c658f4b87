"""The import log shown to a survey's managers names a role, never the importer's address."""
from __future__ import annotations

import io

from plateforme.surveys.models import ImportLog

from ..factories import make_survey, page_text, post_form, sign_in

CSV = b"sex,age_band,commune,s1,s2\nF,30-44,69266,5,dk\nM,75+,69029,1,\n"


def test_a_commune_official_sees_the_importers_role_not_their_address(app, client, db, make):
    survey = make_survey(db, "open")
    manage_url = f"/questionnaires/{survey.id}/gerer"
    admin = make.admin(email="admin.personnel@example.org", name="Alix Administratrice")
    sign_in(client, admin)
    post_form(client, f"{manage_url}/import-reponses", {"answers-file": (io.BytesIO(CSV), "papier.csv")},
              form_url=manage_url, content_type="multipart/form-data")
    assert db.session.query(ImportLog).one().imported_by_label == "admin"  # nothing personal stored

    official = app.test_client()
    sign_in(official, make.elected(territory_code="200046977"))
    page = page_text(official.get(manage_url))
    assert "papier.csv" in page and "Administration de la plateforme" in page
    assert "admin.personnel@example.org" not in page and "Alix" not in page


def test_a_row_left_with_an_address_is_shown_as_a_role(app, client, db, make):
    """Rows written before the migration and missed by it still show no address."""
    survey = make_survey(db, "open")
    db.session.add(ImportLog(survey_id=survey.id, kind="answers", filename="ancien.csv", rows=2, sha256="0" * 64,
                             imported_by_label="ancienne.adresse@example.org"))
    db.session.commit()
    sign_in(client, make.elected(territory_code="200046977"))
    page = page_text(client.get(f"/questionnaires/{survey.id}/gerer"))
    assert "ancien.csv" in page and "ancienne.adresse@example.org" not in page
