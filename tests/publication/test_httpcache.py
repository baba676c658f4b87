"""HTTP caching of open data (issue 23): ETag and Last-Modified with 304 answers decided
before any body is read (core/http_cache.py), immutable versioned snapshots, CORS on every
/api/ answer (errors and preflights too), the `Link` header, the API's index and its survey
listing."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event

from plateforme.consultations.models import PhaseKind
from plateforme.core.http_cache import IMMUTABLE
from plateforme.core.page_cache import _READ, _reading
from plateforme.observatory.resources import RESOURCES
from plateforme.observatory.models import FindingStatus
from plateforme.surveys.publication import publish
from plateforme.surveys.services import close_survey, submit_official_answers, submit_resident_answers

from ..consultations.helpers import build_consultation, published_card
from ..factories import make_survey
from ..observatory.helpers import Observatory
from ..surveys.page_helpers import _resident
from ..surveys.corrections import publish_correction


@pytest.fixture
def visitor(app):
    return app.test_client(use_cookies=False)


def _published_survey(db, make):
    survey = make_survey(db, "open")
    for index in range(12):
        submit_resident_answers(survey, _resident(make, sex="FM"[index % 2], answers={"s1": "5", "s2": "4"}))
    for estimate in (20, 30, 40):
        submit_official_answers(survey, make.elected(), {"s1": estimate, "s2": 50}, {})
    close_survey(survey)
    publish(survey)
    db.session.commit()
    return survey


@pytest.fixture
def world(make, db):
    obs = Observatory(make, db)
    obs.finding(title="Premier constat")
    obs.finding(title="Second constat")
    obs.finding(FindingStatus.DRAFT, title="Brouillon")
    indicator = obs.indicator()
    obs.value(indicator, "69266", 2023, 12)
    card = published_card(make, title="Accueillir les étudiants")
    build_consultation(make, PhaseKind.DEBATE, cards=[card])
    survey = _published_survey(db, make)
    open_survey = make_survey(db, "open", title="Un questionnaire ouvert")
    make_survey(db, "draft", title="Un brouillon secret")
    return {"obs": obs, "indicator": indicator, "card": card, "survey": survey, "open_survey": open_survey}


def _statements(db, client, url, **kwargs):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return response, seen


def _urls(world):
    return ["/api/v1/findings", f"/api/v1/findings/{world['obs'].finding(title='Un troisième').id}",
            "/api/v1/indicators", f"/api/v1/indicators/{world['indicator'].id}",
            f"/api/v1/indicators/{world['indicator'].id}/values?territory=200046977", "/api/v1/external-actions",
            "/api/v1/cards", f"/api/v1/cards/{world['card'].id}", "/api/v1/consultations", "/api/v1/commitments",
            "/api/v1/consultations.csv", "/api/v1/commitments.csv", "/api/v1/surveys",
            "/observatoire/donnees/constats.csv", "/observatoire/donnees/valeurs.json",
            "/observatoire/donnees/indicateurs.json", "/observatoire/donnees/actions-exterieures.csv"]


def _undeclared(app, visitor, url) -> set[str]:
    """The tables the view of `url` read without declaring them (it must be conditional)."""
    endpoint, view_args = app.url_map.bind("localhost").match(url.split("?")[0])
    view = app.view_functions[endpoint]
    assert hasattr(view, "read_tables"), f"{url}: no ETag, no 304 (core/http_cache.py conditional)"
    declared = set(view.tables_for(**view_args) if view.tables_for else view.read_tables)
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        response = visitor.get(url)
    finally:
        _reading.reset(token)
    response.get_data()  # a streamed file reads its rows now
    assert response.status_code == 200, url
    return tables - declared


def test_every_conditional_view_declares_every_table_it_reads(app, db, world, visitor):
    """A table read but not declared would let a 304 answer for data that changed."""
    missing = {url: tables for url in _urls(world) if (tables := _undeclared(app, visitor, url))}
    assert not missing, "\n".join(f"{url}: {sorted(tables)}" for url, tables in missing.items())


@pytest.fixture
def comparison(db, world, neighbour):
    """The address comparing the world's published survey with a neighbour's on the same statements."""
    other = make_survey(db, "closed", territory=neighbour.code, title="Est Lyonnais")
    publish(other)
    db.session.commit()
    return f"/api/v1/comparisons?surveys={world['survey'].id},{other.id}"


def test_a_comparison_has_validators_like_every_other_answer(app, db, world, comparison, cached, visitor):
    """The API page promises ETag, Last-Modified and 304 on every answer: /comparisons had none."""
    assert not _undeclared(app, visitor, comparison)
    first = visitor.get(comparison)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    for headers in ({"If-None-Match": first.headers["ETag"]}, {"If-Modified-Since": first.headers["Last-Modified"]}):
        again, statements = _statements(db, visitor, comparison, headers=headers)
        assert again.status_code == 304 and again.data == b"" and statements == []
    # A correction of either survey is another comparison.
    publish_correction(world["survey"], "Correction")
    db.session.commit()
    assert visitor.get(comparison, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    described = visitor.get("/api/v1/openapi.json").get_json()["paths"]["/comparisons"]["get"]
    assert "304" in described["responses"]


def test_each_file_declares_the_tables_its_statement_reads():
    """The values are streamed from the raw DB-API cursor, which no SQLAlchemy event sees:
    their statement itself is read."""
    for resource in RESOURCES.values():
        named = {name.lower() for name in _READ.findall(str(resource.statement()))}
        assert named and named <= set(resource.tables), resource.slug


@pytest.mark.parametrize("url", ["/api/v1/findings?per_page=1", "/observatoire/donnees/valeurs.csv",
                                 "/api/v1/consultations.csv", "/api/v1/surveys"])
def test_a_current_copy_gets_a_304_without_a_single_query(db, world, cached, visitor, url):
    first = visitor.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": last_modified}):
        again, statements = _statements(db, visitor, url, headers=headers)
        assert again.status_code == 304 and again.data == b"" and statements == []
        assert again.headers["ETag"] == etag
    stale, _ = _statements(db, visitor, url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_the_etag_follows_the_data_and_nothing_else(db, world, cached, visitor):
    url = "/observatoire/donnees/valeurs.csv"
    etag = visitor.get(url).headers["ETag"]
    visitor.get("/api/v1/findings")  # reading changes nothing, nor a write to a table the file is not read from
    world["obs"].finding(title="Un constat de plus")
    assert visitor.get(url).headers["ETag"] == etag
    assert visitor.get(url, headers={"If-None-Match": etag}).status_code == 304
    world["obs"].value(world["indicator"], "69123", 2023, 1200)  # commits a new value
    changed = visitor.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and "69123" in changed.get_data(as_text=True)
    # Another page of the same list is another representation.
    assert visitor.get("/api/v1/findings?page=2").headers["ETag"] != visitor.get("/api/v1/findings").headers["ETag"]


def test_without_a_cache_there_is_no_validator_and_never_a_304(world, visitor):
    response = visitor.get("/api/v1/findings", headers={"If-None-Match": "*"})
    assert response.status_code == 200 and "ETag" not in response.headers


NO_VALIDATORS = "ses réponses de données ne portent ni ETag ni Last-Modified"


def test_the_api_description_says_when_this_server_gives_no_validators(db, world, visitor):
    """The suite runs without a cache: the description and the API page say the data answers
    carry no validator (they do not, above), and that the survey results keep theirs."""
    assert NO_VALIDATORS in visitor.get("/api/v1/openapi.json").get_json()["info"]["description"]
    assert NO_VALIDATORS in html.unescape(visitor.get("/donnees/api").get_data(as_text=True))
    survey = world["survey"]
    results = visitor.get(f"/api/v1/surveys/{survey.id}/results")
    assert results.headers["ETag"]
    assert visitor.get(f"/api/v1/surveys/{survey.id}/results",
                       headers={"If-None-Match": results.headers["ETag"]}).status_code == 304


def test_with_a_cache_the_description_makes_no_such_exception(db, world, cached, visitor):
    assert NO_VALIDATORS not in visitor.get("/api/v1/openapi.json").get_json()["info"]["description"]
    assert visitor.get("/api/v1/findings").headers["ETag"]


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_versioned_survey_results_are_immutable_and_the_latest_revalidated(db, world, visitor, suffix):
    survey = world["survey"]
    versioned = visitor.get(f"/api/v1/surveys/{survey.id}/results{suffix}?version=1")
    latest = visitor.get(f"/api/v1/surveys/{survey.id}/results{suffix}")
    assert versioned.status_code == latest.status_code == 200 and versioned.data == latest.data
    assert versioned.headers["Cache-Control"] == IMMUTABLE
    assert latest.headers["Cache-Control"] == "public, no-cache"
    assert versioned.headers["ETag"] == latest.headers["ETag"]  # the same snapshot
    for headers in ({"If-None-Match": latest.headers["ETag"]}, {"If-Modified-Since": latest.headers["Last-Modified"]}):
        again = visitor.get(f"/api/v1/surveys/{survey.id}/results{suffix}", headers=headers)
        assert again.status_code == 304 and again.data == b""
    # A correction makes a version 2: the latest address changes, version 1 does not.
    publish_correction(survey, "Correction")
    db.session.commit()
    assert visitor.get(f"/api/v1/surveys/{survey.id}/results{suffix}",
                       headers={"If-None-Match": latest.headers["ETag"]}).status_code == 200
    assert visitor.get(f"/api/v1/surveys/{survey.id}/results{suffix}?version=1",
                       headers={"If-None-Match": versioned.headers["ETag"]}).status_code == 304
    # Lists and files that change are never marked immutable.
    assert visitor.get("/api/v1/surveys").headers.get("Cache-Control") != IMMUTABLE


def test_the_snapshot_file_of_a_version_is_immutable(world, visitor):
    survey = world["survey"]
    response = visitor.get(f"/questionnaires/{survey.id}/resultats/v1.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == IMMUTABLE
    assert visitor.get(f"/questionnaires/{survey.id}/resultats/v1.json",
                       headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_a_preflight_answers_204_with_what_may_be_sent_and_read(visitor):
    response = visitor.options("/api/v1/findings", headers={
        "Origin": "https://exemple.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert response.status_code == 204 and response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert all(name in exposed for name in ("ETag", "Link", "Retry-After"))


@pytest.mark.parametrize("url", ["/observatoire/donnees/constats.csv", "/observatoire/donnees/valeurs.json",
                                 "/observatoire/donnees/datapackage.json", "/donnees/catalogue.jsonld",
                                 "/donnees/tout.zip", "/questionnaires/{survey}/resultats/v1.json"])
def test_open_data_files_outside_the_api_are_as_open_as_the_api(world, visitor, url):
    """The data page's files, the package, the catalogue and the snapshots are read by scripts
    on other sites too: a revalidation (If-None-Match) needs a preflight, and the ETag must be
    readable. Only /api/ answered preflights; the files answered OPTIONS with no CORS at all."""
    url = url.format(survey=world["survey"].id)
    preflight = visitor.options(url, headers={
        "Origin": "https://exemple.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    response = visitor.get(url, headers={"Origin": "https://exemple.org"})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"].split(", ")


def test_pages_get_no_cors(visitor):
    page = visitor.options("/observatoire/donnees", headers={"Origin": "https://exemple.org",
                                                              "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in page.headers


@pytest.mark.parametrize("url,status", [("/api/v1/findings/999999", 404), ("/api/v1/nothing-here", 404),
                                        ("/api/v1/findings?page=abc", 400), ("/api/v1/surveys?status=draft", 400)])
def test_errors_are_readable_from_other_sites(world, visitor, url, status):
    response = visitor.get(url)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" not in response.headers


def test_pages_of_a_list_are_linked_in_a_link_header_too(world, visitor):
    world["obs"].finding(title="Troisième constat")
    response = visitor.get("/api/v1/findings?per_page=1&page=2")
    body = response.get_json()
    assert body["meta"]["pages"] == 3
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"]))
    assert links == {rel: url for rel, url in body["links"].items() if url}
    assert set(links) == {"self", "first", "last", "next", "prev"}
    last = visitor.get(links["last"])
    assert 'rel="next"' not in last.headers["Link"] and 'rel="prev"' in last.headers["Link"]
    # Asked too far, every list finds its way back: `prev` is the last page, not page 9998.
    for listing in ("findings", "consultations", "surveys"):
        beyond = visitor.get(f"/api/v1/{listing}?per_page=1&page=9999").get_json()
        assert beyond["data"] == [] and beyond["links"]["next"] is None
        assert beyond["links"]["prev"] == beyond["links"]["last"]


@pytest.mark.parametrize("url", ["/api/v1", "/api/v1/"])
def test_the_api_root_lists_the_operations_of_its_description(visitor, url):
    response = visitor.get(url)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    index = response.get_json()
    described = visitor.get("/api/v1/openapi.json").get_json()["paths"]
    assert sorted(e["path"] for e in index["endpoints"]) == sorted(described)
    assert {"/surveys", "/findings", "/surveys/{survey_id}/results"} <= set(described)
    assert index["openapi"].endswith("/api/v1/openapi.json")


def test_the_survey_listing_says_what_each_page_says(world, visitor):
    listing = visitor.get("/api/v1/surveys").get_json()
    records = {record["id"]: record for record in listing["data"]}
    assert set(records) == {world["survey"].id, world["open_survey"].id}  # never the draft
    for survey_id, record in records.items():
        page = visitor.get(f"/questionnaires/{survey_id}").get_data(as_text=True)
        state, label = re.search(r'data-state="(\w+)">([^<]+)<', page).groups()
        assert (record["status"], record["status_label"]) == (state, html.unescape(label))
    published = records[world["survey"].id]
    assert published["status"] == "published" and published["latest_version"] == 1
    assert visitor.get(published["results_url"]).status_code == 200
    assert records[world["open_survey"].id]["results_url"] is None
    only_open = visitor.get("/api/v1/surveys?status=open").get_json()["data"]
    assert [record["id"] for record in only_open] == [world["open_survey"].id]
    assert visitor.get("/api/v1/surveys?territory=69123").get_json()["data"] == []
    described = visitor.get("/api/v1/openapi.json").get_json()["paths"]["/surveys"]["get"]
    assert {p["name"] for p in described["parameters"]} == {"page", "per_page", "territory", "status"}
    assert {"200", "304", "400"} <= set(described["responses"]) and "Link" in described["responses"]["200"]["headers"]
