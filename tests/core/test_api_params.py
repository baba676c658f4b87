"""Issue 23, first finding: invalid query parameters are refused, never ignored. Each case the
issue names answers 400 application/problem+json (RFC 9457) naming the parameter; valid values
still filter; the OpenAPI description lists every parameter from the same declaration, with a
400 answer; a 405 carries its Allow header, on the API and on pages."""
from __future__ import annotations

import re
from datetime import date

import pytest

from plateforme.core.vocabulary import FlowKind
from plateforme.observatory.models import Direction, ExternalActionKind, ExternalActionStatus
from plateforme.observatory.services import ExternalActionInput, save_external_action
from plateforme.surveys.publication import publish

from ..factories import make_survey, page_text
from ..observatory.helpers import Observatory
from ..surveys.corrections import publish_correction


@pytest.fixture
def data(make, db):
    obs = Observatory(make, db)
    people = obs.finding(title="Des étudiants")
    ideas = obs.finding(title="Des idées", flow_kind=FlowKind.IDEAS, direction=Direction.OUTBOUND)
    indicator = obs.indicator()
    obs.value(indicator, "69266", 2023, 10)
    obs.value(indicator, "69266", 2024, 12)
    save_external_action(make.territory("200046977"), ExternalActionInput(
        title="Jumelage", kind=ExternalActionKind.TWINNING, partner_country="Italie",
        status=ExternalActionStatus.ONGOING, start_date=date(2020, 1, 1)), make.admin())
    save_external_action(make.territory("200046977"), ExternalActionInput(
        title="Mission", kind=ExternalActionKind.ECONOMIC_MISSION, partner_country="Japon",
        status=ExternalActionStatus.ENDED, start_date=date(2019, 1, 1)), make.admin())
    survey = make_survey(db, "closed")
    publish(survey)
    publish_correction(survey, "Une coquille corrigée.")
    db.session.commit()
    return {"people": people.id, "ideas": ideas.id, "indicator": indicator.id, "survey": survey.id}


def _refused(response, *names):
    """A 400 problem+json naming exactly `names`, each with a reason."""
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["type"].endswith("#/components/responses/InvalidParameters")
    assert body["title"] and all(name in body["detail"] for name in names)
    assert [p["name"] for p in body["invalid_params"]] == list(names)
    assert all(p["reason"] for p in body["invalid_params"])
    return body


# Every case issue 23 names (the survey's path is filled in by the test).
ISSUE_CASES = [
    ("/api/v1/findings?flow_kind=bogus", ["flow_kind"]),
    ("/api/v1/findings?direction=bogus", ["direction"]),
    ("/api/v1/findings?character=bogus", ["character"]),
    ("/api/v1/findings?field=bogus", ["field"]),
    ("/api/v1/findings?organisation=abc", ["organisation"]),
    ("/api/v1/findings?period_from=abc", ["period_from"]),
    ("/api/v1/indicators?flow_kind=bogus", ["flow_kind"]),
    ("/api/v1/external-actions?kind=bogus&status=bogus", ["kind", "status"]),
    ("/api/v1/indicators/{indicator}/values?period=abc", ["period"]),
    ("/api/v1/findings?page=abc", ["page"]),
    ("/api/v1/findings?per_page=143693242", ["per_page"]),
    ("/api/v1/findings?page=-184087", ["page"]),
    ("/api/v1/surveys/{survey}/results?version=abc", ["version"]),
    ("/api/v1/surveys/{survey}/results.csv?version=abc", ["version"]),
]


@pytest.mark.parametrize("url, names", ISSUE_CASES, ids=[case[0] for case in ISSUE_CASES])
def test_each_case_of_the_issue_is_refused_naming_the_parameter(client, data, url, names):
    _refused(client.get(url.format(**data)), *names)


def test_reasons_say_what_would_fit_in_the_readers_language(client, data):
    french = _refused(client.get("/api/v1/findings?flow_kind=bogus&per_page=0&organisation=1.5"),
                      "per_page", "flow_kind", "organisation")  # in the order the operation declares them
    reasons = {p["name"]: p["reason"] for p in french["invalid_params"]}
    assert reasons["flow_kind"].startswith("valeur inconnue\u00a0; valeurs permises\u00a0: people, institutions")
    assert reasons["per_page"] == "doit valoir au moins 1"
    assert reasons["organisation"] == "un nombre entier est attendu"
    assert french["title"] == "Paramètres invalides"
    english = _refused(client.get("/api/v1/findings?flow_kind=bogus", headers={"Accept-Language": "en"}),
                       "flow_kind")
    assert english["title"] == "Invalid parameters"
    assert english["invalid_params"][0]["reason"].startswith("unknown value; allowed values: people")
    too_big = _refused(client.get("/api/v1/findings?per_page=101", headers={"Accept-Language": "en"}), "per_page")
    assert too_big["invalid_params"][0]["reason"] == "must be at most 100"


def test_a_misspelt_or_repeated_parameter_is_refused_not_ignored(client, data):
    body = _refused(client.get("/api/v1/findings?flowkind=ideas"), "flowkind")
    assert "flow_kind" in body["invalid_params"][0]["reason"]  # the accepted names, to spot the typo
    _refused(client.get("/api/v1/findings?flow_kind=ideas&flow_kind=people"), "flow_kind")
    _refused(client.get(f"/api/v1/findings/{data['people']}?verbose=1"), "verbose")
    _refused(client.get("/api/v1/findings?q=a%00b"), "q")
    _refused(client.get("/api/v1/findings?territory=" + "1" * 17), "territory")
    _refused(client.get("/api/v1/findings?page=%D9%A3"), "page")  # an Arabic-Indic 3 is no page number


def test_valid_values_still_filter_and_empty_filters_do_not_filter(client, data):
    def ids(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return [row["id"] for row in response.get_json()["data"]]

    assert ids("/api/v1/findings?flow_kind=ideas") == [data["ideas"]]
    assert ids("/api/v1/findings?direction=inbound&character=wanted") == [data["people"]]
    assert sorted(ids("/api/v1/findings?flow_kind=&territory=&q=")) == sorted([data["people"], data["ideas"]])
    assert ids("/api/v1/findings?period_from=2100") == []
    assert ids("/api/v1/indicators?flow_kind=people") == [data["indicator"]]
    assert ids("/api/v1/indicators?flow_kind=capital") == []
    assert [r["title"] for r in client.get("/api/v1/external-actions?kind=twinning&status=ongoing")
            .get_json()["data"]] == ["Jumelage"]
    values = client.get(f"/api/v1/indicators/{data['indicator']}/values?period=2024").get_json()["data"]
    assert [v["value"] for v in values] == [12]
    page = client.get("/api/v1/findings?per_page=1&page=2").get_json()
    assert page["meta"]["page"] == 2 and len(page["data"]) == 1
    survey = data["survey"]
    assert client.get(f"/api/v1/surveys/{survey}/results?version=1").get_json()["survey"]["version"] == 1
    assert client.get(f"/api/v1/surveys/{survey}/results").get_json()["survey"]["version"] == 2
    assert client.get(f"/api/v1/surveys/{survey}/results?version=9").status_code == 404


def test_what_schemathesis_found_reads_as_the_document_says(client, data):
    """tests/publication/test_api_conformance.py's findings: a whole number written 2.0 is the
    integer 2 of JSON Schema; text refuses control characters only (the documented pattern),
    so a non-breaking space, which French names hold, is searched, not refused."""
    page = client.get("/api/v1/findings?per_page=1&page=2.0")
    assert page.status_code == 200 and page.get_json()["meta"]["page"] == 2
    _refused(client.get("/api/v1/findings?page=2.5"), "page")
    assert client.get("/api/v1/findings?q=Saint%C2%A0%C3%89tienne").status_code == 200
    _refused(client.get("/api/v1/findings?q=a%C2%85b"), "q")  # U+0085, a C1 control character
    _refused(client.get("/api/v1/findings?territory=%1B"), "territory")
    # At an end too: Python's strip() takes \x1c–\x1f for white space and used to drop them.
    _refused(client.get("/api/v1/commitments?territory=%1E%C2%B2"), "territory")
    _refused(client.get("/api/v1/findings?page=%1F2"), "page")


def test_the_documented_text_pattern_is_the_check(client):
    """The string parameters' `pattern` and the check refuse the same characters, and the same
    values of white space only (a character at a time, alone or between letters)."""
    from plateforme.core.params import FILTER_TEXT, PRINTABLE, TEXT, Param

    param = Param("q", "Texte")
    for code in [*range(0x00, 0x180), 0x1680, *range(0x2000, 0x2030), 0x205F, 0x3000, 0xFEFF, 0x1F600]:
        for text in (f"a{chr(code)}b", chr(code), chr(code) * 2):
            try:
                param.parse(text)
                accepted = True
            except ValueError:
                accepted = False
            assert accepted == bool(re.fullmatch(TEXT, text)), hex(code)
            if len(text) == 3:
                assert accepted == bool(re.fullmatch(PRINTABLE, text)), hex(code)
            # Python's own idea of white space, with control characters refused apart.
            assert accepted == (not re.search(r"[\x00-\x1f\x7f-\x9f]", text) and bool(text.strip())), hex(code)
    schema = client.get("/api/v1/openapi.json").get_json()["paths"]["/findings"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("pattern") for p in schema}["q"] == FILTER_TEXT
    assert re.fullmatch(FILTER_TEXT, "") and not re.fullmatch(TEXT, "")


def test_openapi_lists_each_declared_parameter_and_a_problem_400(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    problem = document["components"]["responses"]["InvalidParameters"]["content"]["application/problem+json"]
    assert problem["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}
    assert "invalid_params" in document["components"]["schemas"]["ProblemDetails"]["properties"]
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        operation = document["paths"][path]["get"]
        declared = app.view_functions[rule.endpoint].query_params  # every operation declares its list
        query = [p for p in operation["parameters"] if p["in"] == "query"]
        assert [p["name"] for p in query] == [param.name for param in declared], path
        # Only filters take an empty value (it does not filter), and say so.
        assert [p["allowEmptyValue"] for p in query] == [param.empty_means_all for param in declared], path
        assert all(("Vide : pas de filtre" in p["description"]) == p["allowEmptyValue"] for p in query), path
        assert all(p["schema"]["minimum"] == 1 for p in operation["parameters"] if p["in"] == "path"), path
        assert operation["responses"]["400"] == {"$ref": "#/components/responses/InvalidParameters"}, path
        checked += 1
    assert checked >= 15
    findings = {p["name"]: p["schema"] for p in document["paths"]["/findings"]["get"]["parameters"]}
    assert findings["flow_kind"] == {"type": "string", "enum": [kind.value for kind in FlowKind]}
    assert findings["direction"]["enum"] == ["inbound", "outbound", "both"]
    assert findings["organisation"]["type"] == "integer" and findings["organisation"]["minimum"] == 1
    assert findings["period_from"] == {"type": "integer", "minimum": 1900, "maximum": 2100}
    assert findings["per_page"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert findings["page"]["minimum"] == 1
    actions = {p["name"]: p["schema"] for p in document["paths"]["/external-actions"]["get"]["parameters"]}
    assert actions["kind"]["enum"] == [kind.value for kind in ExternalActionKind]
    assert actions["status"]["enum"] == [status.value for status in ExternalActionStatus]
    version = [p for p in document["paths"]["/surveys/{survey_id}/results"]["get"]["parameters"]
               if p["name"] == "version"]
    assert version[0]["schema"]["type"] == "integer" and version[0]["schema"]["minimum"] == 1
    assert "invalid_params" in document["info"]["description"]


def test_405_carries_allow_on_the_api_and_on_pages(client, data):
    api = client.post("/api/v1/findings")
    assert api.status_code == 405 and api.mimetype == "application/problem+json"
    assert set(api.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert api.get_json()["status"] == 405
    page = client.delete("/observatoire/constats")
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "GET" in page.headers["Allow"]
    assert "Action non permise" in page_text(page)


def test_pages_refuse_an_invalid_filter_with_a_clear_message(client, data):
    refused = client.get("/observatoire/constats?flow_kind=bogus&organisation=abc")
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    text = page_text(refused)
    assert "flow_kind" in text and "valeur inconnue" in text and "organisation" in text
    assert "un nombre entier est attendu" in text
    assert client.get("/observatoire/indicateurs?flow_kind=bogus").status_code == 400
    assert client.get("/observatoire/constats?page=abc").status_code == 400
    english = page_text(client.get("/observatoire/constats?direction=up", headers={"Accept-Language": "en"}))
    assert "unknown value; allowed values: inbound, outbound, both" in english
    # A valid filter filters; an empty one (a form's « any ») and a stranger (utm_source) are left alone.
    ideas = page_text(client.get("/observatoire/constats?flow_kind=ideas&direction=&utm_source=lettre"))
    assert "Des idées" in ideas and "Des étudiants" not in ideas
    assert client.get("/observatoire/indicateurs?flow_kind=people&page=1").status_code == 200


def test_survey_results_page_honours_a_valid_version_and_refuses_an_invalid_one(client, data):
    survey = data["survey"]
    older = client.get(f"/questionnaires/{survey}/resultats?version=1")
    assert older.status_code == 200
    text = page_text(older)
    assert "Version 1 (affichée)" in text and "remplacée depuis par une correction" in text
    assert f'href="/questionnaires/{survey}/resultats"' in older.get_data(as_text=True)  # to the latest
    assert "Version 2 (affichée)" in page_text(client.get(f"/questionnaires/{survey}/resultats"))
    refused = client.get(f"/questionnaires/{survey}/resultats?version=abc")
    assert refused.status_code == 400 and "version" in page_text(refused)
    assert client.get(f"/questionnaires/{survey}/resultats?version=0").status_code == 400
    assert client.get(f"/questionnaires/{survey}/resultats?version=9").status_code == 404


def test_indicator_page_refuses_a_malformed_choice_and_says_when_it_cannot_follow_one(client, data):
    url = f"/observatoire/indicateurs/{data['indicator']}"
    assert client.get(f"{url}?annee=deux").status_code == 400
    assert client.get(f"{url}?territoire=" + "6" * 17).status_code == 400
    followed = page_text(client.get(f"{url}?territoire=69266&annee=2023"))
    assert 'role="status"' not in followed
    missing_year = page_text(client.get(f"{url}?territoire=69266&annee=1999"))
    assert "Aucune valeur en 1999\u00a0: la comparaison entre communes porte sur 2024." in missing_year
    unknown = page_text(client.get(f"{url}?territoire=00000", headers={"Accept-Language": "en"}))
    assert "No observed territory has the code 00000: the page shows" in unknown
    assert client.get(f"/observatoire/donnees/valeurs.csv?indicateur={data['indicator']}").status_code == 200
    assert client.get("/observatoire/donnees/valeurs.csv?indicateur=abc").status_code == 400


def test_an_empty_value_is_refused_unless_the_document_says_it_means_all(client, data):
    """The one rule on empty values, read from the OpenAPI document itself: each query parameter
    of each operation is sent empty (`name=`), then as white space only; the empty value passes
    exactly where the document allows it (`allowEmptyValue`, « Vide : pas de filtre »)."""
    document = client.get("/api/v1/openapi.json").get_json()
    ids = {"finding_id": data["people"], "indicator_id": data["indicator"], "survey_id": data["survey"]}
    tried = {True: 0, False: 0}
    for path, item in document["paths"].items():
        parameters = [p for p in item["get"].get("parameters", []) if p["in"] == "query"]
        if not parameters or any("{" + name + "}" in path for name in ("card_id", "consultation_id")):
            continue
        url = "/api/v1" + path.format(**ids)
        for parameter in parameters:
            name = parameter["name"]
            empty = client.get(f"{url}?{name}=")
            if parameter["allowEmptyValue"]:
                assert empty.status_code == 200, (url, name)
                full = client.get(url)  # the same rows as with no filter (the links repeat the address)
                assert (empty.get_json()["data"] if empty.is_json else empty.get_data()) == \
                    (full.get_json()["data"] if full.is_json else full.get_data()), (url, name)
            else:
                _refused(empty, name)
            tried[parameter["allowEmptyValue"]] += 1
            for blank in ("%20", "%20%20", "%C2%A0", "%E2%80%AF"):  # spaces, no-break spaces (U+00A0, U+202F)
                _refused(client.get(f"{url}?{name}={blank}"), name)
    assert tried[True] >= 15 and tried[False] >= 5  # filters and paging, version, format alike


def test_the_reasons_for_empty_and_blank_values_say_what_to_do(client, data):
    body = _refused(client.get("/api/v1/findings?page=&q=%20%20"), "page", "q")
    reasons = {p["name"]: p["reason"] for p in body["invalid_params"]}
    assert reasons["page"] == "valeur vide\u00a0; donnez une valeur ou retirez le paramètre"
    assert reasons["q"] == "rien que des espaces\u00a0; donnez une valeur ou retirez le paramètre"
    english = _refused(client.get(f"/api/v1/surveys/{data['survey']}/results?version=",
                                  headers={"Accept-Language": "en"}), "version")
    assert english["invalid_params"][0]["reason"] == "empty value; give a value or leave the parameter out"
    assert client.get("/api/v1/findings?q=%20Des%20id%C3%A9es%20").status_code == 200  # spaces around: dropped


def test_pages_follow_the_same_rule_on_empty_and_blank_values(client, data):
    blank = client.get("/observatoire/constats?q=%20&flow_kind=")
    assert blank.status_code == 400 and blank.mimetype == "text/html"
    assert "q" in page_text(blank) and "rien que des espaces" in page_text(blank)
    assert client.get("/observatoire/constats?flow_kind=&period_from=").status_code == 200  # the form's « all »
    assert client.get(f"/observatoire/indicateurs/{data['indicator']}?annee=").status_code == 400
    api_page = page_text(client.get("/donnees/api"))
    assert "Vide\u00a0: pas de filtre (tous)" in api_page or "Vide\u202f: pas de filtre (tous)" in api_page
