"""An observatory finding end to end in Chromium: written and submitted by a partner of one
organisation, refused to a reviewer of the same organisation, approved by a partner of another,
then found by a visitor through full-text search and in the open-data CSV. axe on every page."""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import submit, visit

pytestmark = pytest.mark.browser

ORGANISATION_A = "Collectif des mobilités étudiantes"
ORGANISATION_B = "Maison des échanges internationaux"
TITLE = "Les étudiants colombiens se concentrent à Villeurbanne"
BODY = "Les inscriptions d'étudiants colombiens ont doublé en cinq ans, surtout sur le campus de la Doua."
SOURCE = "https://www.example.org/inscriptions-2024"
METROPOLE = "Métropole de Lyon (200046977)"


def test_finding_written_reviewed_published_and_reused(new_context, make, db, sign_in, live_server):
    organisation_a = make.organisation(ORGANISATION_A)
    organisation_b = make.organisation(ORGANISATION_B)
    author = make.partner(organisation_a, name="Alix Autrice").email
    colleague = make.partner(organisation_a, name="Camille Collègue").email
    reviewer = make.partner(organisation_b, name="Rémi Relecteur").email
    db.session.rollback()

    # A partner of organisation A writes the finding and submits it for review.
    db.session.expire_all()  # see what the live server wrote
    page = new_context("fr").new_page()
    sign_in(page, author)
    visit(page, "/observatoire/constats/nouveau")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposer un constat")
    expect(main).to_contain_text(f"Au nom de : {ORGANISATION_A}")
    main.get_by_label(re.compile("^Titre")).fill(TITLE)
    main.get_by_label(re.compile("^Le constat")).fill(BODY)
    main.get_by_role("group", name=re.compile("^Type de flux")).get_by_role("radio", name="Personnes").check()
    main.get_by_role("group", name=re.compile("^Sens du flux")).get_by_role(
        "radio", name="Entrant (de l'étranger vers le territoire)").check()
    main.get_by_role("group", name=re.compile("^Internationalisation voulue ou subie")).get_by_role(
        "radio", name="Voulue", exact=True).check()
    main.get_by_label(re.compile("^Territoire")).select_option(label=METROPOLE)
    main.get_by_label(re.compile("^Période")).fill("2019–2024")
    main.get_by_label(re.compile("^Méthode")).fill("Exploitation des fichiers d'inscription des universités.")
    main.get_by_label(re.compile("^Sources")).fill(SOURCE)
    submit(page, main.get_by_role("button", name="Enregistrer et soumettre à la relecture"))
    expect(page).to_have_url(re.compile(r"/observatoire/constats/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Constat soumis à la relecture.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main.get_by_role("note")).to_contain_text("en relecture")
    finding_path = re.search(r"/observatoire/constats/\d+$", page.url).group(0)
    finding_id = int(finding_path.rsplit("/", 1)[1])
    page.close()

    # Not public while in review: a visitor is sent to the sign-in page.
    page = new_context("fr").new_page()
    visit(page, finding_path)
    expect(page).to_have_url(re.compile(r"/connexion\?next="))
    expect(page.locator("main")).not_to_contain_text(TITLE)
    page.close()

    # A colleague from organisation A may not review it, and is told why.
    page = new_context("fr").new_page()
    sign_in(page, colleague)
    visit(page, "/observatoire/relecture")
    expect(page.locator("main").get_by_role("link", name=TITLE)).to_have_count(0)
    visit(page, f"{finding_path}/relire", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous ne pouvez pas relire ce constat")
    expect(page.locator("main").get_by_role("note")).to_contain_text(
        f"Vous êtes membre de {ORGANISATION_A}, l'organisation qui a produit ce constat")
    page.close()

    # A partner of organisation B finds it in the review queue and approves it.
    page = new_context("fr").new_page()
    sign_in(page, reviewer)
    visit(page, "/observatoire/relecture")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Constats à relire")
    submit(page, main.get_by_role("link", name=TITLE))
    expect(page).to_have_url(f"{live_server.url}{finding_path}")
    submit(page, main.get_by_role("link", name="Relire ce constat"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Relire un constat")
    expect(main).to_contain_text(f"produite par {ORGANISATION_A}")
    main.get_by_role("radio", name=re.compile("^J'approuve")).check()
    main.get_by_label(re.compile("^Commentaire")).fill("Sources vérifiées, chiffres cohérents.")
    submit(page, main.get_by_role("button", name="Envoyer ma relecture"))
    expect(page).to_have_url(f"{live_server.url}{finding_path}")
    expect(page.get_by_role("status")).to_contain_text("Merci : le constat est publié")
    page.close()

    # A visitor finds it by full-text search (accents do not matter), opens it, sees where it comes from.
    page = new_context("fr").new_page()
    visit(page, "/observatoire/constats")
    main = page.locator("main")
    main.get_by_label("Mots à chercher").fill("etudiants colombiens doua")
    submit(page, main.get_by_role("button", name="Afficher les constats"))
    expect(page).to_have_url(re.compile(r"/observatoire/constats\?.*q=etudiants"))
    results = main.locator("ul.finding-list > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(ORGANISATION_A)
    submit(page, results.first.get_by_role("link", name=TITLE))
    expect(page).to_have_url(f"{live_server.url}{finding_path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    provenance = main.get_by_role("region", name="D'où vient ce constat")
    expect(provenance).to_contain_text(f"Produit par{ORGANISATION_A}")
    expect(provenance).to_contain_text("Alix Autrice")
    expect(provenance).to_contain_text("Métropole de Lyon")
    expect(provenance).to_contain_text("2019–2024")
    expect(provenance.get_by_role("link", name=SOURCE)).to_have_attribute("href", SOURCE)
    history = main.get_by_role("region", name=re.compile("^Historique"))
    expect(history).to_contain_text(f"pour {ORGANISATION_B}")

    # The open-data page: the findings CSV, with this finding and its provenance.
    visit(page, "/observatoire/donnees")
    with page.expect_download() as download_info:
        main.get_by_role("link", name="CSV — Constats de l'observatoire").click()
    download = download_info.value
    assert download.suggested_filename == "constats.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert [int(row["id"]) for row in rows] == [finding_id], rows
    row = rows[0]
    assert row["title"] == TITLE and row["status"] == "published"
    assert (row["flow_kind"], row["direction"], row["character"]) == ("people", "inbound", "wanted")
    assert row["territory_code"] == "200046977" and row["period_label"] == "2019–2024"
    assert ORGANISATION_A in row.values(), row
    assert "@" not in "".join(row.values())  # no e-mail addresses in open data
