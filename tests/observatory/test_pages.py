"""Observatory pages as people use them: a partner submits, another organisation reviews,
a visitor finds and reads; forms keep what was typed; listings cost fixed queries."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from plateforme.observatory.models import ExternalAction, Finding, FindingStatus, IndicatorValue

from ..factories import page_text, post_form, sign_in

FORM = {
    "organisation": "", "title": "Les festivals attirent un public européen", "body": "Un constat **sourcé**.",
    "flow_kind": "lifestyles", "direction": "inbound", "character": "wanted", "fields": ["cultural", "economic"],
    "territory": "", "period": "2022–2024", "method": "Billetterie.", "sources": "https://example.org/billetterie",
    "licence": "Licence Ouverte 2.0", "action": "draft",
}


@contextmanager
def count_queries(app, db):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _h1_count(response) -> int:
    return len(re.findall(r"<h1[\s>]", response.get_data(as_text=True)))


def test_a_partner_writes_submits_and_another_organisation_publishes(client, db, obs, make):
    sign_in(client, obs.author)
    epci = make.territory("200046977")
    data = {**FORM, "organisation": str(obs.org_a.id), "territory": str(epci.id)}
    # Errors are shown next to their fields, linked from the summary, and what was typed stays.
    bad = post_form(client, "/observatoire/constats/nouveau", {**data, "period": "bientôt", "flow_kind": ""})
    text = page_text(bad)
    assert bad.status_code == 200 and "error-summary" in text
    assert 'href="#period"' in text and 'href="#flow_kind"' in text
    assert 'value="Les festivals attirent un public européen"' in text and "Un constat **sourcé**." in text
    assert _h1_count(bad) == 1
    created = post_form(client, "/observatoire/constats/nouveau", {**data, "action": "submit"})
    assert created.status_code == 302, page_text(created)[:3000]
    finding = db.session.execute(select(Finding)).scalar_one()
    assert finding.status == FindingStatus.IN_REVIEW and len(finding.versions) == 1
    # The author's colleague is refused, with the reason.
    client2 = client.application.test_client()
    sign_in(client2, obs.colleague)
    refused = client2.get(f"/observatoire/constats/{finding.id}/relire")
    assert refused.status_code == 403
    assert "Agence d'urbanisme test" in page_text(refused) and "autre organisation" in page_text(refused)
    assert f"/observatoire/constats/{finding.id}" not in page_text(client2.get("/observatoire/relecture")).split(
        "Constats à relire")[-1]
    # A partner of another organisation sees it in the queue and approves it.
    client3 = client.application.test_client()
    sign_in(client3, obs.reviewer)
    assert "Les festivals attirent" in page_text(client3.get("/observatoire/relecture"))
    empty = post_form(client3, f"/observatoire/constats/{finding.id}/relire", {"decision": "request_changes",
                                                                                 "comment": ""})
    assert empty.status_code == 200 and 'href="#comment"' in page_text(empty)
    approved = post_form(client3, f"/observatoire/constats/{finding.id}/relire", {"decision": "approve",
                                                                                    "comment": "Vérifié."})
    assert approved.status_code == 302
    page = page_text(client.application.test_client().get(f"/observatoire/constats/{finding.id}"))
    assert "Version 1 soumise à la relecture" in page and "Association test" in page and "Vérifié." in page
    assert "<strong>sourcé</strong>" in page and "Licence Ouverte 2.0" in page


def test_changes_requested_then_resubmitted_with_a_change_note(client, db, obs):
    finding = obs.finding(FindingStatus.CHANGES_REQUESTED)
    sign_in(client, obs.colleague)
    form = client.get(f"/observatoire/constats/{finding.id}/modifier")
    assert "Précisez la source." in page_text(form) and 'id="change_note"' in page_text(form)
    data = {**FORM, "organisation": str(obs.org_a.id), "territory": str(finding.territory_id), "action": "submit"}
    missing_note = post_form(client, f"/observatoire/constats/{finding.id}/modifier", data)
    assert missing_note.status_code == 200 and 'href="#change_note"' in page_text(missing_note)
    done = post_form(client, f"/observatoire/constats/{finding.id}/modifier", {**data, "change_note": "Sources."})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).status == FindingStatus.IN_REVIEW


def test_withdrawn_finding_keeps_its_page_with_the_reason(client, db, obs):
    finding = obs.finding(FindingStatus.PUBLISHED)
    sign_in(client, obs.author)
    short = post_form(client, f"/observatoire/constats/{finding.id}/retirer", {"reason": "non"})
    assert short.status_code == 200 and 'href="#reason"' in page_text(short)
    post_form(client, f"/observatoire/constats/{finding.id}/retirer", {"reason": "La source a publié un erratum."})
    visitor = client.application.test_client()
    page = visitor.get(f"/observatoire/constats/{finding.id}")
    assert page.status_code == 200
    assert "Ce constat a été retiré" in page_text(page) and "La source a publié un erratum." in page_text(page)


def test_drafts_stay_private(client, obs, make):
    draft = obs.finding(FindingStatus.DRAFT)
    visitor = client.get(f"/observatoire/constats/{draft.id}")
    assert visitor.status_code == 302 and "/connexion" in visitor.headers["Location"]
    sign_in(client, make.user())
    assert client.get(f"/observatoire/constats/{draft.id}").status_code == 404
    assert "Les étudiants étrangers" not in page_text(client.get("/observatoire/constats"))


def test_findings_filters_and_search(client, obs, make):
    obs.finding(title="Les cuisines du monde à la Guillotière", flow_kind="gastronomy", character="mixed",
                territory=make.territory("69123"), period="2015–2018", fields=["cultural"])
    obs.finding(title="Des étudiants venus d'ailleurs", territory=make.territory("69266"), period="2023")
    obs.finding(FindingStatus.WITHDRAWN, title="Un constat retiré sur l'emploi")

    def titles(query):
        return page_text(client.get(f"/observatoire/constats?{query}"))

    assert "Guillotière" in titles("q=GUILLOTIERE") and "venus d'ailleurs" not in titles("q=guillotière")
    assert "Guillotière" in titles("q=cuisines+monde") and "Guillotière" not in titles("q=cuisines+lune")
    assert "Guillotière" not in titles("flow_kind=people") and "venus d'ailleurs" in titles("flow_kind=people")
    assert "Guillotière" in titles("character=mixed") and "venus d'ailleurs" not in titles("character=mixed")
    assert "Guillotière" in titles("field=cultural") and "venus d'ailleurs" not in titles("field=cultural")
    assert "venus d'ailleurs" in titles("territory=69266") and "Guillotière" not in titles("territory=69266")
    assert "venus d'ailleurs" in titles("territory=200046977") and "Guillotière" in titles("territory=200046977")
    assert "Guillotière" not in titles("period_from=2020") and "venus d'ailleurs" in titles("period_from=2020")
    assert "Guillotière" in titles("period_to=2016") and "venus d'ailleurs" not in titles("period_to=2016")
    assert "Un constat retiré" in titles("organisation=%d" % obs.org_a.id)
    assert "Aucun constat ne correspond" in titles(f"organisation={obs.org_b.id}")


@pytest.mark.parametrize("query", [
    "page=abc", "page=-3", "per_page=0", "per_page=100000", "flow_kind=météo", "period_from=deux",
    "territory=%00", "organisation=x", "organisation=99999999999999999999", "q=" + "a" * 5000,
    "q=%00", "period_to=99999999999",
])
def test_odd_parameters_never_break_the_listing(client, obs, query):
    """Never a 500, and never the unfiltered list either (issue 23): a 400 naming the parameter."""
    obs.finding()
    name = query.split("=")[0]
    page = client.get(f"/observatoire/constats?{query}")
    assert page.status_code == 400 and f"<code>{name}</code>" in page.get_data(as_text=True)
    api = client.get(f"/api/v1/findings?{query}")
    assert api.status_code == 400 and [p["name"] for p in api.get_json()["invalid_params"]] == [name]


def test_wildcards_in_a_search_are_a_valid_search(client, obs):
    obs.finding()
    assert client.get("/observatoire/constats?q=%25_%25").status_code == 200
    assert client.get("/api/v1/findings?q=%25_%25").status_code == 200


@pytest.mark.parametrize("url", [
    "/observatoire/constats/99999999999999", "/api/v1/findings/99999999999999",
    "/observatoire/indicateurs/99999999999999", "/api/v1/indicators/99999999999999/values",
    "/observatoire/territoire/commune/%00",
])
def test_numbers_too_large_for_the_database_are_not_found(client, url):
    # PostgreSQL refuses integers beyond 32 bits: they must not reach it as a 500.
    assert client.get(url).status_code == 404


def test_a_query_number_too_large_for_the_database_is_refused(client):
    # A query parameter is declared with its bounds (core/params.py): refused before the database.
    refused = client.get("/observatoire/donnees/valeurs.csv?indicateur=99999999999999")
    assert refused.status_code == 400 and refused.json["invalid_params"][0]["name"] == "indicateur"


def _many_findings(obs, make, n=30):
    communes = ["69123", "69266", "69029", "69259"]
    for i in range(n):
        obs.finding(title=f"Constat numéro {i}", territory=make.territory(communes[i % 4]))


@pytest.mark.parametrize("url", ["/observatoire/constats?per_page={n}", "/api/v1/findings?per_page={n}",
                                 "/observatoire/indicateurs?per_page={n}", "/api/v1/indicators?per_page={n}",
                                 "/api/v1/external-actions?per_page={n}", "/observatoire/relecture?n={n}",
                                 "/observatoire/qui-voit-quoi?n={n}", "/observatoire/?n={n}"])
def test_listings_cost_the_same_queries_whatever_the_page_size(app, client, db, obs, make, url):
    _many_findings(obs, make)
    for i in range(25):
        indicator = obs.indicator(f"Indicateur {i}", organisation=obs.org_a if i % 2 else obs.org_b,
                                  by=obs.author if i % 2 else obs.reviewer)
        obs.value(indicator, "69266", 2024, i)
    sign_in(client, obs.reviewer)
    counts = []
    for n in (10, 100):
        with count_queries(app, db) as statements:
            response = client.get(url.format(n=n))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], (url, counts)


def test_indicator_page_draws_an_accessible_chart_and_lists_missing_communes(client, obs, make):
    indicator = obs.indicator()
    for year, values in ((2022, (100, 200)), (2023, (120, 230))):
        obs.value(indicator, "69266", year, values[0], source="Rectorat")
        obs.value(indicator, "69123", year, values[1])
    page = client.get(f"/observatoire/indicateurs/{indicator.id}")
    text = page_text(page)
    assert page.status_code == 200 and _h1_count(page) == 1
    assert text.count('role="img"') == 2 and "<title id=\"time-svg-title\">" in text and "<desc" in text
    assert not re.search(r'<script(?! src="/static/js/)', text)  # no script draws the chart
    assert "somme de 2 communes sur" in text and "Bron" in text  # Bron has no value: listed as missing
    assert "pas de valeur" in text and "Rectorat" in text
    commune = client.get(f"/observatoire/indicateurs/{indicator.id}?territoire=69266&annee=2022")
    assert "de 100 en 2022 à 120 en 2023" in page_text(commune)


def test_values_by_form_and_by_import_report_every_line(client, db, obs, make):
    indicator = obs.indicator()
    sign_in(client, obs.colleague)
    url = f"/observatoire/indicateurs/{indicator.id}/valeurs"
    bad = post_form(client, url, {"value-territory": str(make.territory("69266").id), "value-period": "24",
                                  "value-value": "douze", "value-source": "INSEE"})
    assert bad.status_code == 200 and 'href="#value-period"' in page_text(bad) and 'value="douze"' in page_text(bad)
    good = post_form(client, url, {"value-territory": str(make.territory("69266").id), "value-period": "2024",
                                   "value-value": "1 250", "value-source": "INSEE"})
    assert good.status_code == 302
    raw = b"territory_code,period,value,note\n69266,2023,5,\n99999,2023,1,\n69123,20x3,1,\n"
    imported = post_form(client, f"/observatoire/indicateurs/{indicator.id}/importer",
                         {"import-source": "Rectorat", "import-file": (io.BytesIO(raw), "valeurs.csv")},
                         form_url=url, content_type="multipart/form-data")
    text = page_text(imported)
    assert "Ligne 3" in text and "99999" in text and "Ligne 4" in text and "rien n'a été importé" in text
    assert db.session.execute(select(func.count(IndicatorValue.id))).scalar_one() == 1
    ok = post_form(client, f"/observatoire/indicateurs/{indicator.id}/importer",
                   {"import-source": "Rectorat", "import-file": (io.BytesIO(raw.split(b"99999")[0]), "v.csv")},
                   form_url=url, content_type="multipart/form-data")
    assert ok.status_code == 302
    assert db.session.execute(select(func.count(IndicatorValue.id))).scalar_one() == 2


def test_external_action_page_explains_the_difference_and_officials_edit_it(client, db, make):
    official = make.elected(territory_code="69266")
    page = page_text(client.get("/observatoire/action-exterieure/commune/69266"))
    assert "deux choses différentes" in page and "CIEDEL" in page
    sign_in(client, official)
    url = "/observatoire/action-exterieure/commune/69266/nouvelle"
    bad = post_form(client, url, {"title": "Jumelage", "kind": "twinning", "partner_country": "Italie",
                                  "status": "ongoing", "budget_eur": "beaucoup", "start_date": "2020-13-01"})
    assert 'href="#budget_eur"' in page_text(bad) and 'href="#start_date"' in page_text(bad)
    done = post_form(client, url, {"title": "Jumelage avec Turin", "kind": "twinning", "partner_country": "Italie",
                                   "partner_city": "Turin", "status": "ongoing", "budget_eur": "8 000",
                                   "start_date": "1990-06-01"})
    assert done.status_code == 302
    action = db.session.execute(select(ExternalAction)).scalar_one()
    assert action.budget_eur == 8000
    assert "Jumelage avec Turin" in page_text(client.get("/observatoire/action-exterieure/commune/69266"))
    assert client.get("/observatoire/action-exterieure/commune/69123/nouvelle").status_code == 403


def test_who_sees_what_shows_contributors_and_gaps(client, obs):
    obs.finding(fields=["education"], flow_kind="people")
    text = page_text(client.get("/observatoire/qui-voit-quoi"))
    assert "Agence d'urbanisme test" in text and "Là où personne ne regarde encore" in text
    assert "Gastronomie — culturel" in text  # nobody looks at gastronomy from the cultural field yet


def test_territory_pages(client, obs, make):
    obs.finding(territory=make.territory("69266"))
    indicator = obs.indicator()
    obs.value(indicator, "69266", 2024, 42)
    epci = page_text(client.get("/observatoire/"))
    assert "Métropole de Lyon" in epci and "Villeurbanne" in epci and "Chiffres clés" in epci
    commune = client.get("/observatoire/territoire/commune/69266")
    assert commune.status_code == 200 and "42" in page_text(commune) and _h1_count(commune) == 1
    assert client.get("/observatoire/territoire/departement/69").status_code == 404
    assert client.get("/observatoire/territoire/commune/00000").status_code == 404


@pytest.mark.parametrize("budget", ["3000000000", "9" * 400])
def test_a_budget_too_large_for_the_database_is_refused_next_to_its_field(client, db, make, budget):
    sign_in(client, make.elected(territory_code="69266"))
    response = post_form(client, "/observatoire/action-exterieure/commune/69266/nouvelle", {
        "title": "Jumelage avec Turin", "kind": "twinning", "partner_country": "Italie", "status": "ongoing",
        "budget_eur": budget})
    assert response.status_code == 200
    assert "Indiquez un budget entre 0 et 2 milliards d'euros." in page_text(response)
    assert db.session.execute(select(func.count(ExternalAction.id))).scalar_one() == 0
