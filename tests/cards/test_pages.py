"""Card pages: the list, a card with its provenance, drafting (errors keep what was typed),
editing rules, the publication flow, history and diff, the debate kit and its PDF."""
from __future__ import annotations

import re

from sqlalchemy import delete, func, select

from plateforme.cards.kits import build_kit
from plateforme.cards.models import CardKitPdf, IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus
from plateforme.consultations.models import ConsultationStatus

from ..consultations.helpers import build_consultation
from ..factories import page_text, post_form, sign_in
from .pdftext import extract_text

FORM_DATA = {
    "title": "L'accueil des étudiants étrangers",
    "summary": "La métropole accueille de plus en plus d’étudiants.",
    "stakes": "Le logement.",
    "known": "Leur nombre progresse.",
    "unknown": "Combien restent.",
    "questions": "Faut-il des logements dédiés ?\nComment les accueillir ?",
    "political_status": "invisible",
}


def _versions(db) -> int:
    return db.session.execute(select(func.count()).select_from(IssueCardVersion)).scalar_one()


def test_the_list_shows_published_cards_only_and_filters(client, cards):
    cards.published(title="Fiche sur la Métropole")
    cards.published(title="Fiche sur Villeurbanne", territory=cards.villeurbanne,
                    political_status=PoliticalStatus.DIVISIVE)
    cards.draft(title="Brouillon secret de fiche")
    text = page_text(client.get("/fiches-enjeux/"))
    assert "Fiche sur la Métropole" in text and "Fiche sur Villeurbanne" in text
    assert "Brouillon secret" not in text and "2 fiches publiées" in text
    text = page_text(client.get("/fiches-enjeux/?political_status=divisive"))
    assert "Fiche sur Villeurbanne" in text and "Fiche sur la Métropole" not in text
    text = page_text(client.get("/fiches-enjeux/?territory=69266"))
    assert "Fiche sur Villeurbanne" in text and "Fiche sur la Métropole" not in text
    assert "Aucune fiche ne correspond" in page_text(client.get("/fiches-enjeux/?territory=00000"))
    refused = client.get("/fiches-enjeux/?territory=00000&political_status=nope&page=zz")  # issue 23: not ignored
    assert refused.status_code == 400
    assert "<code>political_status</code>" in refused.get_data(as_text=True) and "page" in page_text(refused)


def test_the_card_page_shows_provenance_evidence_and_public_consultations(client, cards, make):
    card = cards.published(finding_ids=[cards.finding.id], value_ids=[cards.value_villeurbanne.id])
    build_consultation(make, cards=[card], title="Consultation publique sur la fiche")
    build_consultation(make, cards=[card], title="Consultation en brouillon", status=ConsultationStatus.DRAFT)
    text = page_text(client.get(f"/fiches-enjeux/{card.id}"))
    assert "L'accueil des étudiants étrangers" in text
    assert "Rédigée par" in text and "Élue de la Métropole" in text and "Modérateur de la Métropole" in text
    assert "historique des versions" in text
    # The finding with its organisation, period and licence; the figure with its indicator and source.
    assert cards.finding.title in text and "Agence d'urbanisme test" in text and "2019–2024" in text
    assert "Licence Ouverte 2.0" in text and "licence Licence" not in text  # the name says it is a licence
    assert "Étudiants étrangers inscrits" in text and "Villeurbanne, 2024" in text and "Rectorat" in text
    assert "Faut-il construire des logements dédiés\u00a0?" in text  # French pages space their signs (core/typography.py)
    assert "Consultation publique sur la fiche" in text and "Consultation en brouillon" not in text
    assert 'href="/fiches-enjeux/%d/kit.pdf"' % card.id in client.get(f"/fiches-enjeux/{card.id}").get_data(
        as_text=True)


def test_a_draft_card_is_hidden_from_others(client, cards, make):
    card = cards.draft()
    assert client.get(f"/fiches-enjeux/{card.id}").status_code == 302  # a visitor is asked to sign in
    sign_in(client, make.user())
    assert client.get(f"/fiches-enjeux/{card.id}").status_code == 404
    assert client.get(f"/fiches-enjeux/{card.id}/kit.pdf").status_code == 404


def test_an_official_of_a_member_commune_neither_reads_nor_retitles_a_metropole_draft(client, cards, make, db):
    """The issue's story: Villeurbanne's mayor read and retitled a Métropole draft card written
    by another organisation."""
    card = cards.draft(author=cards.obs.author)
    sign_in(client, make.elected(cards.villeurbanne.code))
    assert client.get(f"/fiches-enjeux/{card.id}").status_code == 404
    assert client.get(f"/fiches-enjeux/{card.id}/modifier").status_code == 404
    response = post_form(client, f"/fiches-enjeux/{card.id}/modifier", {**FORM_DATA, "title": "Titre changé en douce"},
                         form_url="/plan-du-site")
    assert response.status_code == 404
    db.session.expire_all()
    assert card.latest_version.title == FORM_DATA["title"] and card.title == FORM_DATA["title"]


def test_drafting_in_two_steps_saves_a_draft_with_its_evidence(client, cards, db):
    sign_in(client, cards.elected)
    step = page_text(client.get("/fiches-enjeux/nouvelle"))
    assert "Étape 1 sur 2" in step
    form_url = f"/fiches-enjeux/nouvelle?territoire={cards.villeurbanne.id}"
    page = page_text(client.get(form_url))
    assert cards.finding.title in page and cards.finding_villeurbanne.title in page
    assert cards.finding_bron.title not in page and "Un brouillon de constat" not in page
    response = post_form(client, "/fiches-enjeux/nouvelle", {
        **FORM_DATA, "territory": str(cards.villeurbanne.id), "findings": [str(cards.finding.id)],
        "values": [str(cards.value_villeurbanne.id)], "action": "draft"}, form_url=form_url)
    assert response.status_code == 302
    card = db.session.execute(select(IssueCard)).scalar_one()
    assert card.territory_id == cards.villeurbanne.id and card.latest_version.findings == [cards.finding]
    assert "Brouillon enregistré" in page_text(client.get(response.headers["Location"]))


def test_an_unknown_territory_is_explained_at_both_steps(client, cards, db):
    sign_in(client, cards.elected)
    response = client.get("/fiches-enjeux/nouvelle?territoire=999999")
    assert response.status_code == 200 and "Choisissez une des options proposées" in page_text(response)
    response = post_form(client, "/fiches-enjeux/nouvelle", {**FORM_DATA, "territory": "999999"},
                         form_url=f"/fiches-enjeux/nouvelle?territoire={cards.epci.id}")
    assert response.status_code == 200 and "Ce territoire est introuvable" in page_text(response)
    for territory in ("99999999999999999999", "-1", "abc", ""):
        response = post_form(client, "/fiches-enjeux/nouvelle", {**FORM_DATA, "territory": territory},
                             form_url=f"/fiches-enjeux/nouvelle?territoire={cards.epci.id}")
        assert response.status_code == 200 and "Ce territoire est introuvable" in page_text(response)
    for findings in (["99999999999999999999"], ["-3"]):
        response = post_form(client, "/fiches-enjeux/nouvelle", {
            **FORM_DATA, "territory": str(cards.epci.id), "findings": findings},
            form_url=f"/fiches-enjeux/nouvelle?territoire={cards.epci.id}")
        assert response.status_code == 200 and 'id="findings-error"' in response.get_data(as_text=True)
    assert _versions(db) == 0


def test_form_errors_keep_what_was_typed_and_save_nothing(client, cards, db):
    sign_in(client, cards.elected)
    form_url = f"/fiches-enjeux/nouvelle?territoire={cards.epci.id}"
    response = post_form(client, "/fiches-enjeux/nouvelle", {
        **FORM_DATA, "title": "", "summary": "", "stakes": "Ce que j'avais écrit sur le logement",
        "territory": str(cards.epci.id), "findings": [str(cards.finding.id)]}, form_url=form_url)
    text = page_text(response)
    assert response.status_code == 200
    assert "Donnez un titre à la fiche." in text and "Écrivez le résumé en langage courant." in text
    assert "Ce que j'avais écrit sur le logement" in text
    assert re.search(rf'value="{cards.finding.id}" id="finding-{cards.finding.id}" checked', text)
    assert _versions(db) == 0


def test_unpublished_or_unknown_evidence_is_refused_next_to_the_field(client, cards, db):
    sign_in(client, cards.elected)
    form_url = f"/fiches-enjeux/nouvelle?territoire={cards.epci.id}"
    for findings in ([str(cards.draft_finding.id)], ["424242"], ["n'importe quoi"]):
        response = post_form(client, "/fiches-enjeux/nouvelle", {
            **FORM_DATA, "territory": str(cards.epci.id), "findings": findings}, form_url=form_url)
        assert response.status_code == 200
        assert 'id="findings-error"' in response.get_data(as_text=True)
    assert _versions(db) == 0


def test_residents_cannot_draft(client, make):
    sign_in(client, make.user())
    assert client.get("/fiches-enjeux/nouvelle").status_code == 403


def test_editing_a_published_card_without_a_new_version_is_refused(client, cards, db):
    card = cards.published()
    sign_in(client, cards.elected)
    assert client.get(f"/fiches-enjeux/{card.id}/modifier").status_code == 409
    response = post_form(client, f"/fiches-enjeux/{card.id}/modifier", {**FORM_DATA, "title": "Titre changé en douce"},
                         form_url=f"/fiches-enjeux/{card.id}")
    assert response.status_code == 409
    assert "on ne modifie jamais une version publiée" in page_text(response)
    assert "Rien n'a été enregistré" in page_text(response)
    db.session.expire_all()
    assert card.published_version.title == FORM_DATA["title"] and _versions(db) == 1


def test_a_new_version_needs_a_change_note_then_goes_through_publication(client, cards, db):
    card = cards.published(finding_ids=[cards.finding.id])
    sign_in(client, cards.elected)
    url = f"/fiches-enjeux/{card.id}/nouvelle-version"
    page = page_text(client.get(url))
    assert FORM_DATA["title"] in page and re.search(rf'id="finding-{cards.finding.id}" checked', page)
    data = {**FORM_DATA, "title": "L'accueil des étudiants et des chercheurs étrangers",
            "findings": [str(cards.finding.id), str(cards.finding_bron.id)], "action": "submit"}
    response = post_form(client, url, {**data, "change_note": ""})
    assert response.status_code == 200 and "ce qui change dans cette nouvelle version" in page_text(response)
    assert _versions(db) == 1
    response = post_form(client, url, {**data, "change_note": "Le constat sur Bron est ajouté"})
    assert response.status_code == 302
    # A second version while this one is in progress: refused.
    assert client.get(url).status_code == 409
    assert post_form(client, url, {**data, "change_note": "Encore"}, form_url=f"/fiches-enjeux/{card.id}"
                     ).status_code == 409
    assert _versions(db) == 2
    # The elected official may not publish; the territory's moderator does.
    refusal = client.get(f"/fiches-enjeux/{card.id}/publication")
    assert refusal.status_code == 403 and "Seule la modération du territoire" in page_text(refusal)
    assert post_form(client, f"/fiches-enjeux/{card.id}/publication", {"decision": "publish"},
                     form_url=f"/fiches-enjeux/{card.id}").status_code == 403
    post_form(client, "/deconnexion", {}, form_url="/plan-du-site")
    sign_in(client, cards.moderator)
    queue = page_text(client.get("/fiches-enjeux/a-publier"))
    assert "L'accueil des étudiants et des chercheurs étrangers" in queue
    review_url = f"/fiches-enjeux/{card.id}/publication"
    review = client.get(review_url).get_data(as_text=True)
    assert "<ins>" in review and "ajouté\u00a0:" in review
    response = post_form(client, review_url, {"decision": "publish"})
    assert response.status_code == 302
    db.session.expire_all()
    card = db.session.get(IssueCard, card.id)
    assert card.published_version.number == 2 and card.title.startswith("L'accueil des étudiants et des")
    assert card.versions[0].status == VersionStatus.SUPERSEDED


def test_the_draft_of_a_new_version_keeps_its_change_note_editable(client, cards, db):
    card = cards.published()
    version = cards.new_version(card)
    sign_in(client, cards.elected)
    url = f"/fiches-enjeux/{card.id}/modifier"
    assert "Chiffres 2024 ajoutés" in page_text(client.get(url))
    response = post_form(client, url, {**FORM_DATA, "change_note": "", "action": "draft"})
    assert response.status_code == 200 and "ce qui change dans cette nouvelle version" in page_text(response)
    assert post_form(client, url, {**FORM_DATA, "change_note": "Titre précisé", "action": "draft"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(IssueCardVersion, version.id).change_note == "Titre précisé"


def test_sending_back_needs_a_note_which_the_authors_then_see(client, cards, db):
    card = cards.submitted()
    sign_in(client, cards.moderator)
    url = f"/fiches-enjeux/{card.id}/publication"
    response = post_form(client, url, {"decision": "return", "note": ""})
    assert response.status_code == 200 and "Expliquez aux auteurs" in page_text(response)
    assert post_form(client, url, {"decision": "return", "note": "Ajoutez une source chiffrée."}).status_code == 302
    post_form(client, "/deconnexion", {}, form_url="/plan-du-site")
    sign_in(client, cards.elected)
    assert "Ajoutez une source chiffrée." in page_text(client.get(f"/fiches-enjeux/{card.id}/modifier"))
    mine = page_text(client.get("/fiches-enjeux/mes-fiches"))
    assert FORM_DATA["title"] in mine and "remarque de la modération à lire" in mine


def test_submitting_a_draft_from_its_page(client, cards, db):
    card = cards.draft()
    sign_in(client, cards.elected)
    response = post_form(client, f"/fiches-enjeux/{card.id}/soumettre", {}, form_url=f"/fiches-enjeux/{card.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(IssueCard, card.id).latest_version.status == VersionStatus.SUBMITTED
    # Submitting again is refused in words, not with an error page.
    response = post_form(client, f"/fiches-enjeux/{card.id}/soumettre", {}, form_url=f"/fiches-enjeux/{card.id}",
                         follow_redirects=True)
    assert response.status_code == 200 and "Cette action n'est pas possible" in page_text(response)


def test_a_partner_cannot_publish(client, cards, make):
    card = cards.published()
    sign_in(client, make.partner())
    assert client.get("/fiches-enjeux/a-publier").status_code == 403
    assert client.get(f"/fiches-enjeux/{card.id}/publication").status_code == 403


def test_history_and_diff_pages(client, cards, make):
    card = cards.published(finding_ids=[cards.finding.id])
    version = cards.new_version(card, summary="Un résumé réécrit.", finding_ids=[])
    from plateforme.cards.services import publish_version, submit_version

    submit_version(version, cards.elected)
    publish_version(version, cards.moderator)
    make.db.session.commit()
    history = page_text(client.get(f"/fiches-enjeux/{card.id}/historique"))
    assert "Chiffres 2024 ajoutés" in history and "remplacée par une version plus récente" in history
    assert "Première version" in history
    diff = client.get(f"/fiches-enjeux/{card.id}/versions/2").get_data(as_text=True)
    assert "<del><span class=\"visually-hidden\">[supprimé\u00a0: </span>" in diff
    assert "<ins><span class=\"visually-hidden\">[ajouté\u00a0: </span>" in diff
    assert "Constat\u00a0:" in diff and cards.finding.title in page_text(client.get(f"/fiches-enjeux/{card.id}/versions/2"))
    assert client.get(f"/fiches-enjeux/{card.id}/versions/1").status_code == 200
    assert client.get(f"/fiches-enjeux/{card.id}/versions/9").status_code == 404


def test_drafts_stay_out_of_the_public_history(client, cards):
    card = cards.published()
    cards.new_version(card)
    assert "Chiffres 2024 ajoutés" not in page_text(client.get(f"/fiches-enjeux/{card.id}/historique"))
    assert client.get(f"/fiches-enjeux/{card.id}/versions/2").status_code == 404


def test_the_printable_kit(client, cards):
    card = cards.published(value_ids=[cards.value_epci.id])
    response = client.get(f"/fiches-enjeux/{card.id}/kit")
    text = page_text(response)
    assert response.status_code == 200 and 'class="debate-kit"' in text
    assert "Questions pour le débat" in text and "Rectorat" in text and "version 1 publiée le" in text
    assert f"/fiches-enjeux/{card.id}" in text


def test_the_kit_as_pdf(client, cards):
    card = cards.published(title="L’accueil des « étudiants » étrangers — œuvre commune",
                           value_ids=[cards.value_epci.id], finding_ids=[cards.finding.id])
    response = client.get(f"/fiches-enjeux/{card.id}/kit.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="kit-debat-fiche-{card.id}-v1.pdf"' in disposition
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    text = " ".join(extract_text(body).split())  # lines joined: a long title wraps
    assert "L’accueil des « étudiants » étrangers — œuvre commune" in text
    assert "Faut-il construire des logements dédiés ?" in text
    assert "Rectorat" in text and "Licence Ouverte 2.0" in text and "licence Licence" not in text
    assert f"/fiches-enjeux/{card.id}" in text


def test_the_finding_page_lists_the_cards_built_on_it(client, cards):
    card = cards.published(finding_ids=[cards.finding.id])
    text = page_text(client.get(f"/observatoire/constats/{cards.finding.id}"))
    assert "Fiches enjeux qui s'appuient sur ce constat" in text and card.title in text
    assert "Fiches enjeux qui s'appuient" not in page_text(client.get(f"/observatoire/constats/{cards.finding_bron.id}"))


def test_navigation_and_site_map_link_to_the_cards(client, db):
    assert 'href="/fiches-enjeux/"' in client.get("/").get_data(as_text=True)
    assert 'href="/fiches-enjeux/"' in client.get("/plan-du-site").get_data(as_text=True)


def test_the_kit_pdf_copes_with_long_words_many_questions_and_empty_sections(client, cards):
    questions = "\n".join(f"Question numéro {n} : qu’en pensez-vous ?" for n in range(1, 16))
    card = cards.published(stakes="", known="", unknown="", questions=questions,
                           summary="https://exemple.org/" + "tres-long-chemin-sans-espace" * 12)
    response = client.get(f"/fiches-enjeux/{card.id}/kit.pdf")
    assert response.status_code == 200
    text = " ".join(extract_text(response.get_data()).split())
    assert "Question numéro 15" in text and "Non précisé." in text and "Page 2 sur" in text


def test_the_french_kit_never_wraps_before_a_question_mark(db, cards, monkeypatch):
    """The PDF's text keeps French typography in what people wrote too: the layout gets « dédiés ? »
    with a non-breaking space, which fpdf2 never wraps at (its font draws it as a space, so the
    extracted text cannot tell; the text handed to the layout can)."""
    from fpdf import FPDF

    laid_out = []
    original = FPDF.multi_cell
    monkeypatch.setattr(FPDF, "multi_cell", lambda self, w, h=None, text="", *a, **k: (
        laid_out.append(text), original(self, w, h, text, *a, **k))[1])
    card = cards.published(value_ids=[cards.value_epci.id], finding_ids=[cards.finding.id])
    # The kits are laid out by the task queue, once per language (cards/kits.py): lay out each again.
    version_id = card.published_version_id
    for language, nbsp_expected in (("fr", True), ("en", False)):
        db.session.execute(delete(CardKitPdf).where(CardKitPdf.version_id == version_id))
        db.session.commit()
        laid_out.clear()
        assert build_kit(version_id, language) is True
        assert any("dédiés" in text for text in laid_out), language
        assert any("\u00a0?" in text for text in laid_out) is nbsp_expected, language
