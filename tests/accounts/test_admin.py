"""Administration: mandates, organisations and members, moderators, territories and margins."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from plateforme.accounts.models import (
    Mandate, MandateStatus, MandateTitle, Membership, ModeratorAppointment, Organisation,
)
from plateforme.territories.models import PopulationMargin, Territory

from ..factories import csrf_token, page_text, post_form, sign_in


def _admin_client(client, make):
    admin = make.admin()
    sign_in(client, admin)
    return admin


def test_declared_mandate_is_verified_by_an_administrator(app, client, make, db):
    official = make.user()
    official_client = app.test_client()
    sign_in(official_client, official)
    villeurbanne = make.territory("69266")
    post_form(official_client, "/compte/mandat", {"territory": villeurbanne.id, "title": "maire"})
    mandate = db.session.execute(select(Mandate)).scalar_one()
    assert mandate.status == MandateStatus.PENDING
    _admin_client(client, make)
    assert "À vérifier" in client.get("/admin/mandats").get_data(as_text=True)
    response = post_form(client, f"/admin/mandats/{mandate.id}/verifier", {}, form_url="/admin/mandats")
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.VERIFIED
    # A decided mandate cannot be decided again.
    post_form(client, f"/admin/mandats/{mandate.id}/refuser", {}, form_url="/admin/mandats")
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.VERIFIED


def test_admin_grants_a_mandate_by_email(client, make, db):
    official = make.user("maire@example.org")
    _admin_client(client, make)
    epci = make.territory("200046977")
    post_form(client, "/admin/mandats", {"email": "MAIRE@example.org", "territory": epci.id,
                                         "title": MandateTitle.CONSEILLER_COMMUNAUTAIRE.value})
    mandate = db.session.execute(select(Mandate)).scalar_one()
    assert mandate.user_id == official.id and mandate.status == MandateStatus.VERIFIED


def test_grant_to_unknown_email_or_territory_is_refused(client, make, db):
    _admin_client(client, make)
    body = page_text(post_form(client, "/admin/mandats", {"email": "inconnu@example.org", "territory": 999999,
                                                "title": "maire"}))
    assert "Not a valid choice" in body or "choix" in body.lower()
    epci = make.territory("200046977")
    body = page_text(post_form(client, "/admin/mandats", {"email": "inconnu@example.org", "territory": epci.id,
                                                "title": "maire"}))
    assert "Aucun compte n'utilise cette adresse" in body
    assert db.session.execute(select(func.count(Mandate.id))).scalar_one() == 0


def test_create_organisation_and_attach_members(client, make, db):
    member = make.user("membre@example.org")
    _admin_client(client, make)
    response = post_form(client, "/admin/organisations", {
        "name": "Observatoire des mobilités", "kind": "research", "fields": ["social", "education"],
        "territory": "", "website": "https://example.org"})
    assert response.status_code == 302
    organisation = db.session.execute(select(Organisation)).scalar_one()
    assert organisation.field_list and organisation.fields == "education social"
    url = f"/admin/organisations/{organisation.id}"
    post_form(client, url, {"email": "membre@example.org"})
    assert db.session.execute(select(Membership)).scalar_one().user_id == member.id
    body = page_text(post_form(client, url, {"email": "membre@example.org"}))
    assert "déjà membre" in body
    post_form(client, f"{url}/membres/{member.id}/retirer", {}, form_url=url)
    assert db.session.execute(select(func.count(Membership.id))).scalar_one() == 0


def test_organisation_bad_input(client, make, db):
    make.organisation("Déjà là")
    _admin_client(client, make)
    body = page_text(post_form(client, "/admin/organisations", {"name": "Déjà là", "kind": "research", "territory": "",
                                                      "website": "pas une adresse"}))
    assert "commençant par https://" in body
    body = page_text(post_form(client, "/admin/organisations", {"name": "Déjà là", "kind": "research", "territory": ""}
                     ))
    assert "Une organisation porte déjà ce nom" in body
    assert db.session.execute(select(func.count(Organisation.id))).scalar_one() == 1


def test_appoint_and_revoke_moderator(client, make, db):
    person = make.user("moderatrice@example.org")
    _admin_client(client, make)
    epci = make.territory("200046977")
    post_form(client, "/admin/moderation", {"email": person.email, "territory": epci.id})
    appointment = db.session.execute(select(ModeratorAppointment)).scalar_one()
    assert appointment.user_id == person.id and appointment.territory_id == epci.id
    body = page_text(post_form(client, "/admin/moderation", {"email": person.email, "territory": epci.id}))
    assert "modère déjà" in body
    # Each row's link names its person and territory for a screen reader; it leads to a page
    # saying what the removal does; a POST from anywhere else removes nothing.
    listing = client.get("/admin/moderation").get_data(as_text=True)
    assert f"de {person.display_name} (Métropole de Lyon)</span>" in listing
    url = f"/admin/moderation/{appointment.id}/retirer"
    assert "ne modérera plus Métropole de Lyon" in page_text(client.get(url))
    response = post_form(client, url, {}, form_url="/admin/moderation")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert db.session.execute(select(func.count(ModeratorAppointment.id))).scalar_one() == 1
    post_form(client, url, {"confirm": "yes"}, form_url=url)
    assert db.session.execute(select(func.count(ModeratorAppointment.id))).scalar_one() == 0


def test_ending_a_mandate_asks_for_confirmation(client, make, db):
    official = make.user("maire@example.org")
    _admin_client(client, make)
    epci = make.territory("200046977")
    post_form(client, "/admin/mandats", {"email": official.email, "territory": epci.id,
                                         "title": MandateTitle.CONSEILLER_COMMUNAUTAIRE.value})
    mandate = db.session.execute(select(Mandate)).scalar_one()
    listing = client.get("/admin/mandats").get_data(as_text=True)
    assert f"le mandat de {official.display_name} (Métropole de Lyon)</span>" in listing
    url = f"/admin/mandats/{mandate.id}/terminer"
    assert "ne peut pas être rétabli" in page_text(client.get(url))
    response = post_form(client, url, {}, form_url="/admin/mandats")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.rollback()
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.VERIFIED
    post_form(client, url, {"confirm": "yes"}, form_url=url)
    db.session.rollback()
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.ENDED


def test_admin_loads_a_territory_and_unknown_codes_change_nothing(client, make, db):
    _admin_client(client, make)
    before = db.session.execute(select(func.count(Territory.id))).scalar_one()
    body = page_text(post_form(client, "/admin/territoires", {"load-code": "99999"}))
    assert "Aucun EPCI" in body and 'value="99999"' in body
    assert db.session.execute(select(func.count(Territory.id))).scalar_one() == before
    response = post_form(client, "/admin/territoires", {"load-code": "200040715"})  # Grenoble-Alpes-Métropole
    assert response.status_code == 302
    assert "Grenoble-Alpes-Métropole" in client.get("/admin/territoires").get_data(as_text=True)


def _upload(client, content: bytes, name="marges.csv"):
    token = csrf_token(client, "/admin/territoires")
    return client.post("/admin/territoires", data={"csrf_token": token, "margins-file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_margins_upload_lists_every_faulty_line_and_imports_nothing(client, make, db):
    _admin_client(client, make)
    bad = ("commune,sex,age_band,count\n69266,F,18-29,100\n99999,F,18-29,10\n69266,X,18-29,10\n"
           "69266,F,18-29,5\n69029,M,12-17,5\n69029,M,30-44,-3\n").encode()
    body = page_text(_upload(client, bad))
    for line in ("3", "4", "5", "6", "7"):
        assert f'<td class="number">{line}</td>' in body, line
    assert "rien n'a été importé" in body
    assert db.session.execute(select(func.count(PopulationMargin.id))).scalar_one() == 0


def test_margins_upload_rejects_non_utf8(client, make, db):
    _admin_client(client, make)
    body = page_text(_upload(client, "commune,sex,age_band,count\n69266,F,18-29,100\n".encode("utf-16")))
    assert "UTF-8" in body
    assert db.session.execute(select(func.count(PopulationMargin.id))).scalar_one() == 0


def test_margins_upload_accepts_semicolons_and_bom(client, make, db):
    _admin_client(client, make)
    content = "\ufeffcommune;sex;age_band;count\n69266;F;18-29;100\n69266;M;18-29;90\n".encode()
    response = _upload(client, content)
    assert response.status_code == 302
    assert db.session.execute(select(func.sum(PopulationMargin.count))).scalar_one() == 190


def test_a_title_must_be_held_on_that_kind_of_territory(client, make, db):
    """« Maire — Métropole de Lyon » was saved without a word; the title is refused, by name,
    and nothing is recorded; the same person as a mayor of a commune is recorded."""
    make.user("elue@example.org")
    _admin_client(client, make)
    metropole, villeurbanne = make.territory("200046977"), make.territory("69266")
    refused = post_form(client, "/admin/mandats", {"email": "elue@example.org", "territory": metropole.id,
                                                   "title": MandateTitle.MAIRE.value})
    assert "n'est pas une fonction de ce type de territoire" in page_text(refused).replace("\u00a0", " ")
    assert db.session.execute(select(func.count(Mandate.id))).scalar_one() == 0
    post_form(client, "/admin/mandats", {"email": "elue@example.org", "territory": villeurbanne.id,
                                         "title": MandateTitle.MAIRE.value})
    assert db.session.execute(select(func.count(Mandate.id))).scalar_one() == 1
