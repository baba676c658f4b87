"""The Atom feeds: exactly the public events of a territory and of what it contains, newest
first, dated as the pages date them; nothing from a neighbour, no draft."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from plateforme.core.page_cache import _reading
from plateforme.feeds.events import TABLES
from plateforme.surveys.publication import publish

from ..conftest import GENAS
from ..consultations.helpers import build_consultation
from ..factories import statements_for
from .conftest import METROPOLE, VILLEURBANNE
from ..surveys.corrections import publish_correction

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    # French spacing (a non-breaking space before « : ») may come from the French catalogue.
    entries = [{"id": e.findtext(f"{ATOM}id"), "title": e.findtext(f"{ATOM}title").replace("\u00a0", " "),
                "updated": datetime.fromisoformat(e.findtext(f"{ATOM}updated")),
                "link": e.find(f"{ATOM}link").get("href"),
                "authors": [a.findtext(f"{ATOM}name") for a in e.findall(f"{ATOM}author")]}
               for e in root.findall(f"{ATOM}entry")]
    return root, entries


def test_a_territory_feed_lists_exactly_its_public_events_and_its_communes_newest_first(client, world):
    root, entries = _feed(client, f"/territoires/epci/{METROPOLE}/flux.atom")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert [e["title"] for e in entries] == [
        "Constat publié : Constat de Villeurbanne",
        "Résultats publiés : " + world["survey"].title,
        "Engagement « Engagement numéro 1 » : en cours",
        "Réponse officielle : Consultation de la Métropole",
        "Synthèse publiée : Consultation de la Métropole",
        "Consultation annulée : Consultation annulée test",
        "Nouvelle consultation : Consultation de Villeurbanne",
        "Nouvelle consultation : Consultation de la Métropole",
    ]
    dates = [e["updated"] for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert dates[-1] == world["metropole"].published_at  # the date the page shows, not a new clock
    assert len({e["id"] for e in entries}) == len(entries)
    assert all(e["id"].startswith("tag:localhost,2026:") for e in entries)
    assert entries[0]["link"] == f"http://localhost/observatoire/constats/{world['finding'].id}"
    assert entries[0]["authors"] == ["Autrice A", "Agence d'urbanisme test"]
    assert entries[2]["link"] == f"http://localhost/consultations/engagements/{world['commitment'].id}"


def test_a_commune_feed_has_its_own_events_only_and_the_neighbour_none_of_the_metropole(client, world):
    _root, entries = _feed(client, f"/territoires/commune/{VILLEURBANNE}/flux.atom")
    assert [e["title"] for e in entries] == ["Constat publié : Constat de Villeurbanne",
                                             "Nouvelle consultation : Consultation de Villeurbanne"]
    _root, entries = _feed(client, f"/territoires/commune/{GENAS}/flux.atom")
    titles = [e["title"] for e in entries]
    assert titles == ["Constat publié : Constat de Genas", "Nouvelle consultation : Consultation de Genas"]


def test_the_site_feed_has_every_public_event_and_no_draft(client, world):
    _root, entries = _feed(client, "/flux.atom")
    titles = " | ".join(e["title"] for e in entries)
    assert "Genas" in titles and "Villeurbanne" in titles and "Métropole" in titles
    assert "Brouillon" not in titles and "relecture" not in titles
    assert len(entries) == 10


def test_each_version_of_survey_results_is_an_entry(client, db, world):
    survey = world["survey"]
    publish_correction(survey, "Une réponse en double a été retirée.")
    db.session.commit()
    _root, entries = _feed(client, f"/territoires/epci/{METROPOLE}/flux.atom")
    assert entries[0]["title"] == f"Résultats corrigés (version 2) : {survey.title}"
    assert entries[0]["link"].endswith(f"/questionnaires/{survey.id}/resultats/v2")


def test_an_unknown_territory_has_no_feed(client, db):
    assert client.get("/territoires/epci/000000000/flux.atom").status_code == 404
    assert client.get("/territoires/galaxie/69266/flux.atom").status_code == 404


def test_the_feeds_speak_english_to_an_english_reader(client, world):
    root, entries = _feed_en(client)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert entries[-1]["title"] == "New consultation: Consultation de la Métropole"


def test_the_address_may_choose_the_language_of_a_feed(client, world):
    root = ET.fromstring(client.get(f"/territoires/epci/{METROPOLE}/flux.atom?lang=en").data)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.findtext(f"{ATOM}title") == "News from Métropole de Lyon"
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == f"http://localhost/territoires/epci/{METROPOLE}/flux.atom?lang=en"
    root = ET.fromstring(client.get("/flux.atom?lang=fr", headers={"Accept-Language": "en"}).data)
    assert root.findtext(f"{ATOM}title") == "Les nouvelles de la plateforme"
    assert client.get("/flux.atom?lang=klingon").status_code == 400


def _feed_en(client):
    response = client.get(f"/territoires/epci/{METROPOLE}/flux.atom", headers={"Accept-Language": "en"})
    root = ET.fromstring(response.data)
    return root, [{"title": e.findtext(f"{ATOM}title")} for e in root.findall(f"{ATOM}entry")]


def test_the_territory_and_home_pages_announce_their_feed(client, db, make):
    make.territory(METROPOLE)
    page = client.get(f"/territoires/epci/{METROPOLE}").get_data(as_text=True)
    assert (f'<link rel="alternate" type="application/atom+xml"' in page
            and f'href="/territoires/epci/{METROPOLE}/flux.atom"' in page)
    assert page.count(f'/territoires/epci/{METROPOLE}/flux.atom') == 2  # the head's and a visible link
    home = client.get("/").get_data(as_text=True)
    assert 'type="application/atom+xml"' in home and 'href="/flux.atom"' in home


def test_the_feeds_declare_every_table_they_read(client, world):
    """Their ETag comes from these tables' change marks (core/http_cache.py)."""
    for url in ("/flux.atom", f"/territoires/epci/{METROPOLE}/flux.atom"):
        tables: set[str] = set()
        token = _reading.set(tables)
        try:
            assert client.get(url).status_code == 200
        finally:
            _reading.reset(token)
        assert tables and tables <= set(TABLES), tables - set(TABLES)


def test_a_current_copy_of_a_feed_gets_a_304(client, world, cached):
    url = f"/territoires/epci/{METROPOLE}/flux.atom"
    first = client.get(url)
    assert first.headers.get("ETag")
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_feed_costs_the_same_queries_whatever_the_number_of_events(client, db, make, world):
    url = f"/territoires/epci/{METROPOLE}/flux.atom"
    before = statements_for(db, client, url)
    for n in range(3):
        build_consultation(make, title=f"Encore une consultation {n}", cards=[])
    assert len(_feed(client, url)[1]) == 11
    after = statements_for(db, client, url)
    assert after == before <= 12
