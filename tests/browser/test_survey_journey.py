"""A survey run end to end in Chromium: residents answer, an elected official estimates,
a moderator closes and publishes, a visitor reads the results and downloads the CSV.
axe runs on every page."""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from ..factories import SURVEY_DEFINITION, make_survey
from .conftest import submit, visit

pytestmark = pytest.mark.browser

STATEMENTS = [s["text"] for s in SURVEY_DEFINITION["statements"]]
RESIDENT_CHOICES = [  # (answer per statement, sex, age band)
    (["Tout à fait d'accord", "Plutôt pas d'accord"], "Femme", "18 à 29 ans"),
    (["Plutôt d'accord", "Ne sait pas"], "Homme", "45 à 59 ans"),
    (["Pas du tout d'accord", "Tout à fait d'accord"], "Femme", "60 à 74 ans"),
]


def _answer_as_resident(page, survey_id, answers, sex, age_band):
    visit(page, f"/questionnaires/{survey_id}/repondre")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(SURVEY_DEFINITION["title"])
    for text, answer in zip(STATEMENTS, answers):
        group = main.get_by_role("group", name=f"« {text} »")
        group.get_by_role("radio", name=answer, exact=True).check()
    main.get_by_role("group", name=re.compile("^Vous êtes")).get_by_role("radio", name=sex, exact=True).check()
    main.get_by_role("group", name=re.compile("^Votre âge")).get_by_role("radio", name=age_band, exact=True).check()
    # The commune is preselected from the profile (Villeurbanne).
    expect(main.get_by_label(re.compile("^Votre commune de résidence"))).not_to_have_value("")
    submit(page, main.get_by_role("button", name="Envoyer mes réponses"))
    expect(page).to_have_url(re.compile(rf"/questionnaires/{survey_id}/merci$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, vos réponses sont enregistrées")


def test_survey_answered_closed_published_and_read(new_context, make, db, sign_in, live_server):
    survey = make_survey(db)
    survey_id = survey.id
    residents = [make.user().email for _ in RESIDENT_CHOICES]
    official = make.elected().email
    moderator = make.moderator().email
    db.session.rollback()

    # Three residents of Villeurbanne answer; the first one then tries again.
    db.session.expire_all()  # see what the live server wrote
    for email, (answers, sex, age_band) in zip(residents, RESIDENT_CHOICES):
        page = new_context("fr").new_page()
        sign_in(page, email)
        _answer_as_resident(page, survey_id, answers, sex, age_band)
        if email == residents[0]:
            visit(page, f"/questionnaires/{survey_id}/repondre")
            expect(page.get_by_role("heading", level=1)).to_have_text("Vous avez déjà répondu à ce questionnaire")
            expect(page.locator("main button", has_text="Envoyer mes réponses")).to_have_count(0)
        page.close()

    # An elected official of the Métropole estimates, for each statement, how many agree.
    official_context = new_context("fr")
    page = official_context.new_page()
    sign_in(page, official)
    visit(page, f"/questionnaires/{survey_id}/elus")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questionnaire des élus")
    for number, estimate in ((1, "40"), (2, "65")):
        main.get_by_label(re.compile(rf"combien sont d'accord\s\? \(affirmation {number}\)")).fill(estimate)
    submit(page, main.get_by_role("button", name="Envoyer mes estimations"))
    expect(page).to_have_url(re.compile(rf"/questionnaires/{survey_id}/merci\?elu=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, vos réponses sont enregistrées")
    # The receipt, shown to note down; the browser keeps it too (HttpOnly: no script reads it).
    expect(page.locator("main code.receipt")).to_have_text(re.compile(r"^[A-Za-z0-9_-]{22}$"))
    assert page.evaluate("document.cookie").find("recu_elu") == -1
    page.close()

    # A moderator of the territory closes the survey, then publishes the results.
    page = new_context("fr").new_page()
    sign_in(page, moderator)
    visit(page, f"/questionnaires/{survey_id}/gerer")
    main = page.locator("main")
    participation = main.locator("section[aria-labelledby=participation-title]")
    expect(participation).to_contain_text("3 réponses d'habitants")
    expect(participation).to_contain_text("1 réponse d'élu sur")
    # Closing and publishing cannot be undone: each goes through a page that says so.
    submit(page, main.get_by_role("link", name="Clore le questionnaire…"))
    expect(main).to_contain_text("Un questionnaire clos ne peut pas être rouvert.")
    submit(page, main.get_by_role("button", name="Clore définitivement le questionnaire"))
    expect(page).to_have_url(re.compile(rf"/questionnaires/{survey_id}/gerer$"))
    expect(page.get_by_role("status")).to_contain_text("Questionnaire clos")
    submit(page, main.get_by_role("link", name="Publier les résultats…"))
    expect(main.get_by_role("region", name="Chiffres qui ne seront pas publiés")).to_contain_text("La métropole devrait accueillir davantage d")
    submit(page, main.get_by_role("button", name="Publier définitivement les résultats"))
    expect(page).to_have_url(re.compile(rf"/questionnaires/{survey_id}/resultats$"))
    expect(page.get_by_role("status")).to_contain_text("Résultats publiés (version 1).")
    page.close()

    # The official, in the browser they answered from, opens their private feedback.
    page = official_context.new_page()
    visit(page, f"/questionnaires/{survey_id}/mon-retour")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre retour personnel")
    feedback = page.locator("main").get_by_role("table", name=re.compile("Vos estimations face aux résultats"))
    expect(feedback.locator("tbody tr")).to_have_count(len(STATEMENTS))
    expect(feedback.locator("tbody tr").first).to_contain_text("40")
    expect(feedback.locator("tbody tr").first).to_contain_text("non publié")  # 3 residents: nothing to compare
    page.close()

    # A visitor reads the results: a titled chart, and no resident figure from 3 answers.
    page = new_context("fr").new_page()
    visit(page, f"/questionnaires/{survey_id}/resultats")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Résultats : {SURVEY_DEFINITION['title']}")
    chart = main.locator("svg[role=img]")
    expect(chart).to_have_count(1)
    expect(chart.locator("title")).not_to_have_text("")
    expect(chart).to_have_attribute("aria-labelledby", "chart-title chart-desc")
    table = main.get_by_role("table", name=re.compile("Les données du graphique"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(STATEMENTS))
    for index in range(len(STATEMENTS)):
        residents_cell = rows.nth(index).locator("td").first
        expect(residents_cell).to_contain_text("non publié")
        expect(residents_cell).not_to_contain_text("%")
    for statement_key in ("s1", "s2"):
        details = main.locator(f"section[aria-labelledby=result-{statement_key}] dl")
        expect(details).to_contain_text("non publié (moins de 11 réponses)")
    zero_percent = re.compile(r"(?<![\d,])0\s?%")  # the chart's axis has a "0 %" tick: figures only here
    expect(table).not_to_contain_text(zero_percent)
    for statement_key in ("s1", "s2"):
        expect(main.locator(f"section[aria-labelledby=result-{statement_key}]")).not_to_contain_text(zero_percent)
    expect(chart.locator("g.chart-row")).to_have_count(len(STATEMENTS))
    for index in range(len(STATEMENTS)):
        expect(chart.locator("g.chart-row").nth(index)).to_contain_text("Habitants : non publié")
        expect(chart.locator("g.chart-row").nth(index).locator("circle")).to_have_count(0)  # no point at 0

    # The CSV link downloads the published results, which parse.
    with page.expect_download() as download_info:
        main.get_by_role("link", name="Télécharger les résultats (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"questionnaire-{survey_id}-v1.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [row["key"] for row in rows] == ["s1", "s2"], rows
    assert {row["survey_id"] for row in rows} == {str(survey_id)} and {row["version"] for row in rows} == {"1"}
    for row in rows:
        assert row["residents_suppressed"] in ("True", "true", "1"), row
        assert row["residents_agree"] == "", row
