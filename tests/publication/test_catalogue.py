"""The DCAT-AP catalogue a portal harvests, and the schema.org datasets on the open-data page:
every dataset of the data package, each with its licence (on every distribution too), its
territories (official codes, COG year), period, frequency, version and last change. The
catalogue is parsed as RDF by rdflib, so what is checked is what a harvester reads."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import rdflib

from plateforme.extensions import cache
from plateforme.territories.reference import COG_YEAR

from .test_consultation_api import data  # noqa: F401
from .test_data_package import published  # noqa: F401

# Bound here rather than imported by name: pytest would inspect the namespaces as test items.
DCAT, DCTERMS, OWL, RDF, SKOS = (rdflib.namespace.DCAT, rdflib.namespace.DCTERMS, rdflib.namespace.OWL,
                                 rdflib.namespace.RDF, rdflib.namespace.SKOS)
URL = "/donnees/catalogue.jsonld"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # IANA's registration
ETALAB = rdflib.URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


def _graph(client) -> rdflib.Graph:
    response = client.get(URL)
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format="json-ld")


def _file_type(graph: rdflib.Graph, distribution) -> str:
    """The distribution's format as its code in the EU's file-type table (CSV, XLSX, JSON)."""
    return str(graph.value(distribution, DCTERMS["format"])).removeprefix(FILE_TYPE)


def test_the_catalogue_describes_every_dataset_of_the_package(client, published):  # noqa: F811
    graph = _graph(client)
    package = client.get("/observatoire/donnees/datapackage.json").get_json()
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    identifiers = {str(graph.value(d, DCTERMS.identifier)) for d in datasets}
    assert identifiers == {r["name"] for r in package["resources"]}
    for dataset in datasets:
        name = graph.value(dataset, DCTERMS.identifier)
        assert graph.value(dataset, DCTERMS.title) and graph.value(dataset, DCTERMS.description), name
        assert graph.value(dataset, DCTERMS.license) == ETALAB, name
        assert graph.value(ETALAB, DCTERMS.identifier) == rdflib.Literal("etalab-2.0")
        assert graph.value(dataset, DCTERMS.modified) is not None, name
        assert graph.value(dataset, OWL.versionInfo) is not None, name
        assert str(graph.value(dataset, DCTERMS.accrualPeriodicity)).startswith(
            "http://publications.europa.eu/resource/authority/frequency/"), name
        assert graph.value(dataset, DCTERMS.temporal) is not None, name
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert distributions, name
        for distribution in distributions:
            assert str(graph.value(distribution, DCAT.downloadURL)).startswith("http"), name
            assert str(graph.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/"), name
            assert graph.value(distribution, DCTERMS.license) == ETALAB, name
    survey = published["survey"]
    results = next(d for d in datasets if str(graph.value(d, DCTERMS.identifier)) == f"survey-results-{survey.id}")
    assert str(graph.value(results, OWL.versionInfo)) == "2"
    assert str(graph.value(results, DCTERMS.accrualPeriodicity)).endswith("/IRREG")
    media = {str(graph.value(d, DCAT.mediaType)) for d in graph.objects(results, DCAT.distribution)}
    assert media == {"https://www.iana.org/assignments/media-types/text/csv",
                     "https://www.iana.org/assignments/media-types/" + XLSX,
                     "https://www.iana.org/assignments/media-types/application/json"}


def test_every_dataset_lists_its_spreadsheet_forms_each_served_as_declared(client, published):  # noqa: F811
    """The CSV, the CSV for Excel and the XLSX workbook of every dataset are distributions of
    their own, with IANA's media types, and each address answers with the media type the
    catalogue gives (a harvester that follows the link gets what it was told)."""
    graph = _graph(client)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    for dataset in datasets:
        name = str(graph.value(dataset, DCTERMS.identifier))
        forms = {}
        for distribution in graph.objects(dataset, DCAT.distribution):
            url = urlsplit(str(graph.value(distribution, DCAT.downloadURL)))
            media = str(graph.value(distribution, DCAT.mediaType)).removeprefix(
                "https://www.iana.org/assignments/media-types/")
            variant = dict(parse_qsl(url.query)).get("format", "")
            forms[(_file_type(graph, distribution), variant)] = media
            response = client.get(url.path, query_string=url.query)
            assert response.status_code == 200 and response.mimetype == media, (name, url.query)
        assert forms[("CSV", "")] == "text/csv" and forms[("CSV", "excel")] == "text/csv", name
        assert forms[("XLSX", "xlsx")] == XLSX, name
    assert len(datasets) >= 7


def test_a_file_too_long_for_a_workbook_has_no_xlsx_distribution(client, published, monkeypatch):  # noqa: F811
    from plateforme.core import spreadsheet

    monkeypatch.setattr(spreadsheet, "XLSX_MAX_ROWS", 1)
    graph = _graph(client)
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        name = str(graph.value(dataset, DCTERMS.identifier))
        xlsx = [d for d in graph.objects(dataset, DCAT.distribution) if _file_type(graph, d) == "XLSX"]
        addresses = [str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(dataset, DCAT.distribution)]
        csv_url = urlsplit(next(a for a in addresses if ".csv" in a and "format=" not in a))
        refused = client.get(csv_url.path, query_string=[*parse_qsl(csv_url.query), ("format", "xlsx")])
        assert (refused.status_code == 200) == bool(xlsx), name  # listed exactly where it is served


def test_spatial_coverage_gives_the_official_codes_and_the_cog_year(client, published):  # noqa: F811
    graph = _graph(client)
    values = next(d for d in graph.subjects(RDF.type, DCAT.Dataset)
                  if str(graph.value(d, DCTERMS.identifier)) == "indicator_values")
    places = list(graph.objects(values, DCTERMS.spatial))
    assert {str(graph.value(p, DCTERMS.identifier)) for p in places} == {"200046977", "69266"}
    for place in places:
        scheme = graph.value(place, SKOS.inScheme)
        assert str(graph.value(scheme, OWL.versionInfo)) == str(COG_YEAR)
    temporal = graph.value(values, DCTERMS.temporal)
    assert str(graph.value(temporal, DCAT.startDate)) == "2024-01-01"
    assert str(graph.value(temporal, DCAT.endDate)) == "2024-12-31"


def test_the_catalogue_is_stable_and_linked_from_the_open_data_page(client, published):  # noqa: F811
    first = client.get(URL)
    assert client.get(URL).get_data() == first.get_data()
    assert client.get(URL, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    page = client.get("/observatoire/donnees").get_data(as_text=True)
    assert re.search(r'<link rel="alternate" type="application/ld\+json" href="/donnees/catalogue.jsonld"', page)
    assert 'href="/donnees/catalogue.jsonld" type="application/ld+json"' in page
    english = client.get("/observatoire/donnees", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Data portals (data.gouv.fr" in english and "DCAT-AP catalogue (JSON-LD)" in english


def test_the_open_data_page_carries_each_dataset_for_schema_org(client, published):  # noqa: F811
    page = client.get("/observatoire/donnees").get_data(as_text=True)
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    datasets = json.loads(script)
    package = client.get("/observatoire/donnees/datapackage.json").get_json()
    assert len(datasets) == len(package["resources"])
    for dataset in datasets:
        assert dataset["@type"] == "Dataset" and dataset["license"] == str(ETALAB)
        assert dataset["name"] and dataset["description"] and dataset["version"] and dataset["dateModified"]
        assert dataset["distribution"] and all(d["contentUrl"].startswith("http") for d in dataset["distribution"])
    values = next(d for d in datasets if d["@id"].endswith("#indicator_values"))
    assert values["temporalCoverage"] == "2024-01-01/2024-12-31"
    assert {p["identifier"]["value"] for p in values["spatialCoverage"]} == {"200046977", "69266"}


def test_each_survey_results_page_carries_its_version_as_a_schema_org_dataset(client, published):  # noqa: F811
    survey = published["survey"]
    for url, version in ((f"/questionnaires/{survey.id}/resultats", "2"),
                         (f"/questionnaires/{survey.id}/resultats/v1", "1")):
        page = client.get(url).get_data(as_text=True)
        dataset = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        assert dataset["@type"] == "Dataset" and dataset["version"] == version and dataset["license"] == str(ETALAB)
        assert dataset["url"].endswith(f"/questionnaires/{survey.id}/resultats/v{version}")
        assert {d["encodingFormat"] for d in dataset["distribution"]} == {"text/csv", "application/json", XLSX}
        assert all(dict(parse_qsl(urlsplit(d["contentUrl"]).query))["version"] == version
                   for d in dataset["distribution"])
        assert dataset["spatialCoverage"][0]["identifier"]["value"] == survey.territory.code
        assert dataset["temporalCoverage"] == f"{survey.opens_at.isoformat()}/{survey.closes_at.isoformat()}"


def test_a_kept_catalogue_is_replaced_when_the_data_change(client, published, make, db, monkeypatch):  # noqa: F811
    """The shared cache keeps a catalogue under the data's version (a NullCache in tests):
    with a real store, a new finding still shows at once."""
    store = {}
    monkeypatch.setattr(cache, "get", store.get)
    monkeypatch.setattr(cache, "set", lambda key, value, timeout=None: store.__setitem__(key, value))
    before = client.get(URL).get_json()
    assert store and client.get(URL).get_json() == before
    published["observatory"].finding(title="Un constat sur Villeurbanne", territory=make.territory("69266"))
    after = _graph(client)
    findings = next(d for d in after.subjects(RDF.type, DCAT.Dataset)
                    if str(after.value(d, DCTERMS.identifier)) == "findings")
    assert "69266" in {str(after.value(p, DCTERMS.identifier)) for p in after.objects(findings, DCTERMS.spatial)}
    assert str(after.value(rdflib.URIRef(before["@id"]), OWL.versionInfo)) != before["owl:versionInfo"]


from ..surveys.test_waves import waves  # noqa: E402,F401  (two published waves of one territory)


def test_a_waves_changes_are_a_dataset_of_the_catalogue(client, waves):  # noqa: F811
    first, second = waves
    graph = _graph(client)
    datasets = {str(graph.value(d, DCTERMS.identifier)): d for d in graph.subjects(RDF.type, DCAT.Dataset)}
    assert f"survey-changes-{second.id}" in datasets and f"survey-changes-{first.id}" not in datasets
    changes = datasets[f"survey-changes-{second.id}"]
    assert str(graph.value(changes, DCTERMS.accrualPeriodicity)).endswith("/IRREG")
    urls = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(changes, DCAT.distribution)}
    assert f"http://localhost/api/v1/surveys/{second.id}/changes?version=1" in urls
    # A harvester's reader lands on the page that shows the changes, not on the data page.
    assert str(graph.value(changes, DCAT.landingPage)) == f"http://localhost/questionnaires/{second.id}/resultats"
    results = datasets[f"survey-results-{second.id}"]
    assert str(graph.value(results, DCAT.landingPage)).endswith(f"/questionnaires/{second.id}/resultats/v1")
    titles = {str(graph.value(d, DCTERMS.title)) for d in graph.objects(results, DCAT.distribution)}
    assert titles and not any(") (" in title for title in titles), titles  # "(version 1) (CSV)" read badly
    for url in urls:  # every form the catalogue lists is served
        parts = urlsplit(url)
        assert client.get(parts.path + "?" + parts.query).status_code == 200, url
    # The period covers both waves: from the first's opening to the second's closing.
    temporal = graph.value(changes, DCTERMS.temporal)
    start = str(next(o for p, o in graph.predicate_objects(temporal) if "start" in str(p).lower()))
    end = str(next(o for p, o in graph.predicate_objects(temporal) if "end" in str(p).lower()))
    assert start.startswith("2025-01-01") and end.startswith("2026-06-30")
