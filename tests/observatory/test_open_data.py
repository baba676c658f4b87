"""Open data read back by ordinary tools: CSV and JSON files, the data package, the JSON API
and its OpenAPI description."""
from __future__ import annotations

import csv
import io
import json
import re

from plateforme.observatory.models import FindingStatus

from ..factories import page_text


PERSONAL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _data(obs, make):
    published = obs.finding(title="=HYPERLINK(\"http://x\")", sources="+33 1 23\n@source\nRapport 2024")
    obs.finding(FindingStatus.WITHDRAWN, title="Un constat retiré")
    obs.finding(FindingStatus.DRAFT, title="Brouillon secret")
    obs.finding(FindingStatus.IN_REVIEW, title="En relecture secrète")
    indicator = obs.indicator("-Indicateur piégé")
    obs.value(indicator, "69266", 2023, -12.5, note="=1+1", source="@INSEE")
    obs.value(indicator, "69123", 2023, 1200)
    return published, indicator


def test_csv_files_are_read_back_with_formulas_neutralised_and_nothing_private(client, obs, make):
    published, indicator = _data(obs, make)
    findings = _csv(client.get("/observatoire/donnees/constats.csv"))
    assert [f["title"] for f in findings] == ["'=HYPERLINK(\"http://x\")", "Un constat retiré"]
    first = findings[0]
    assert first["sources"] == "'+33 1 23\n@source\nRapport 2024"
    assert first["reviewed_by"] == "Association test" and first["url"].endswith(f"/observatoire/constats/{published.id}")
    assert first["organisation_name"] == "Agence d'urbanisme test" and first["licence"] == "Licence Ouverte 2.0"
    assert first["fields"] == "education\nsocial" and first["period_start"] == "2019"
    assert findings[1]["status"] == "withdrawn" and findings[1]["withdrawal_reason"]
    values = _csv(client.get("/observatoire/donnees/valeurs.csv"))
    by_code = {v["territory_code"]: v for v in values}
    assert by_code["69266"]["value"] == "-12.5"  # a negative number is data, not a formula
    assert by_code["69266"]["note"] == "'=1+1" and by_code["69266"]["source"] == "'@INSEE"
    assert by_code["69123"]["value"] == "1200" and by_code["69266"]["indicator_name"] == "'-Indicateur piégé"
    indicators = _csv(client.get("/observatoire/donnees/indicateurs.csv"))
    assert indicators[0]["additive"] == "true" and indicators[0]["name"] == "'-Indicateur piégé"
    only = _csv(client.get(f"/observatoire/donnees/valeurs.csv?indicateur={indicator.id + 1}"))
    assert only == []
    for slug in ("constats", "indicateurs", "valeurs", "actions-exterieures"):
        for fmt in ("csv", "json"):
            body = client.get(f"/observatoire/donnees/{slug}.{fmt}").get_data(as_text=True)
            assert not PERSONAL.search(body), (slug, fmt)
            assert "Autrice A" not in body and "Relectrice B" not in body and "secrète" not in body
            assert "Brouillon secret" not in body


def test_json_files_carry_provenance_and_the_same_rows(client, obs, make):
    _published, indicator = _data(obs, make)
    document = json.loads(client.get("/observatoire/donnees/constats.json").get_data(as_text=True))
    assert document["licence"] == "Licence Ouverte 2.0" and document["name"] == "findings"
    assert [f["title"] for f in document["data"]] == ["=HYPERLINK(\"http://x\")", "Un constat retiré"]
    assert document["data"][0]["sources"] == ["+33 1 23", "@source", "Rapport 2024"]
    assert document["data"][0]["fields"] == ["education", "social"]
    assert document["data"][0]["reviewed_by"] == ["Association test"]  # a list, as in the API
    values = json.loads(client.get(f"/observatoire/donnees/valeurs.json?indicateur={indicator.id}").get_data())
    assert sorted(v["value"] for v in values["data"]) == [-12.5, 1200]
    empty = json.loads(client.get("/observatoire/donnees/actions-exterieures.json").get_data())
    assert empty["data"] == []


def test_datapackage_lists_every_resource_with_its_schema(client, obs):
    descriptor = json.loads(client.get("/observatoire/donnees/datapackage.json").get_data())
    assert descriptor["profile"] == "tabular-data-package" and descriptor["licenses"][0]["name"] == "etalab-2.0"
    tabular = {r["name"]: r for r in descriptor["resources"] if r["profile"] == "tabular-data-resource"}
    assert set(tabular) == {"findings", "indicators", "indicator_values", "external_actions",
                            "consultations", "commitments"}  # the last two: tests/publication
    allowed = {"string", "integer", "number", "boolean", "date", "datetime"}
    for name, resource in tabular.items():
        assert resource["path"].startswith("http") and resource["path"].endswith(".csv")
        fields = [f["name"] for f in resource["schema"]["fields"]]
        assert {f["type"] for f in resource["schema"]["fields"]} <= allowed
        header = next(csv.reader(io.StringIO(client.get(resource["path"]).get_data(as_text=True))))
        assert header == fields, name
    # Only tabular resources: the JSON twins are listed by the catalogue (catalogue.jsonld).
    assert all(r["profile"] == "tabular-data-resource" for r in descriptor["resources"])


def test_api_pages_and_details(client, obs, make):
    published, indicator = _data(obs, make)
    for i in range(3):
        obs.finding(title=f"Page {i}")
    page = client.get("/api/v1/findings?per_page=2&page=2").get_json()
    assert page["meta"]["total"] == 5 and page["meta"]["pages"] == 3 and len(page["data"]) == 2
    assert page["links"]["next"].endswith("page=3&per_page=2") or "page=3" in page["links"]["next"]
    detail = client.get(f"/api/v1/findings/{published.id}").get_json()
    assert detail["reviews"][0]["organisation"] == "Association test" and "reviewer" not in detail["reviews"][0]
    assert detail["versions"][0]["number"] == 1 and detail["reviewed_by"] == ["Association test"]
    draft_id = max(f["id"] for f in page["data"]) + 100
    assert client.get(f"/api/v1/findings/{draft_id}").status_code == 404
    hidden = [f for f in client.get("/api/v1/findings?per_page=100").get_json()["data"] if "secr" in f["title"]]
    assert hidden == []
    values = client.get(f"/api/v1/indicators/{indicator.id}/values?territory=69266").get_json()
    assert [v["value"] for v in values["data"]] == [-12.5]
    epci_values = client.get(f"/api/v1/indicators/{indicator.id}/values?territory=200046977&period=2023").get_json()
    assert epci_values["meta"]["total"] == 2
    assert client.get("/api/v1/indicators/999999").status_code == 404
    assert client.get("/api/v1/indicators/999999/values").status_code == 404
    assert client.get("/api/v1/findings").headers["Access-Control-Allow-Origin"] == "*"


def test_openapi_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.1")
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        assert path in documented, path
        operation = document["paths"][path]["get"]
        for name in re.findall(r"{(\w+)}", path):
            assert any(p["name"] == name and p["in"] == "path" for p in operation["parameters"]), (path, name)
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document))
    assert refs and set(refs) <= set(document["components"]["schemas"])


def test_raw_cursor_rows_match_what_sqlalchemy_reads(db, obs):
    """The values file streams from the DB-API cursor: it must read exactly what SQLAlchemy reads."""
    from plateforme.observatory.exports import _raw_rows, _rows
    from plateforme.observatory.resources import VALUES, values_statement

    indicator = obs.indicator()
    obs.value(indicator, "69266", 2023, 12.25, note="=1")
    obs.value(indicator, "69123", 2023, 1200)
    obs.value(indicator, "200046977", 2022, -3)
    assert VALUES.plain_types
    for stmt in (VALUES.statement(), values_statement(indicator.id)):
        through_sqlalchemy = [tuple(row) for batch in _rows(stmt) for row in batch]
        raw = [tuple(row) for batch in _raw_rows(stmt) for row in batch]
        assert raw == through_sqlalchemy and len(raw) == 3
        assert {type(row[6]) for row in raw} == {float}


def test_every_multi_valued_cell_has_one_value_a_line(client, obs, make, db):
    """One separator for every cell holding several values (the data page and the column
    descriptions say so), read back by pandas as a spreadsheet user's script would."""
    import io

    import pandas as pd

    published, _indicator = _data(obs, make)
    second = make.organisation(name="Bureau d'études ; conseil")  # a name holding « ; »
    from plateforme.observatory.models import FindingReview, ReviewDecision
    db.session.add(FindingReview(finding_id=published.id, organisation_id=second.id, reviewer_id=make.user().id,
                                 decision=ReviewDecision.APPROVE, version_number=1))
    db.session.commit()
    frame = pd.read_csv(io.StringIO(client.get("/observatoire/donnees/constats.csv").get_data(as_text=True)),
                        dtype=str, keep_default_na=False)
    row = frame[frame["id"] == str(published.id)].iloc[0]
    assert row["fields"].split("\n") == ["education", "social"]
    assert row["reviewed_by"].split("\n") == ["Association test", "Bureau d'études ; conseil"]
    assert row["sources"].split("\n") == ["'+33 1 23", "@source", "Rapport 2024"]
    page = page_text(client.get("/observatoire/donnees"))
    assert "une valeur par ligne, séparées par un saut de ligne" in page
    descriptor = json.loads(client.get("/observatoire/donnees/datapackage.json").get_data())
    findings = {f["name"]: f["description"] for r in descriptor["resources"] if r["name"] == "findings"
                for f in r["schema"]["fields"]}
    assert all("par ligne" in findings[name] for name in ("fields", "reviewed_by", "sources"))
