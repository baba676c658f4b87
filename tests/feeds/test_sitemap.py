"""sitemap.xml lists the public pages and no private one; robots.txt keeps crawlers out of
accounts, management, moderation and forms, and lets them read every page of the sitemap."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from plateforme.core.page_cache import _reading
from plateforme.feeds import sitemap as sitemap_module
from plateforme.feeds.views import SITEMAP_TABLES

from .conftest import METROPOLE, VILLEURBANNE

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _locs(client, url="/sitemap.xml", tag="url"):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    return root, [node.findtext(f"{SITEMAP}loc") for node in root.findall(f"{SITEMAP}{tag}")]


def test_the_sitemap_lists_the_public_pages_and_no_private_one(app, client, world):
    root, locs = _locs(client)
    assert root.tag == f"{SITEMAP}urlset"
    assert len(locs) == len(set(locs))
    site = "http://localhost"
    for path in ("/", "/territoires/", "/consultations/", "/fiches-enjeux/", "/observatoire/constats",
                 "/observatoire/indicateurs", "/observatoire/donnees", f"/territoires/epci/{METROPOLE}",
                 f"/territoires/commune/{VILLEURBANNE}", f"/consultations/{world['metropole'].id}",
                 f"/consultations/{world['cancelled'].id}", f"/consultations/engagements/{world['commitment'].id}",
                 f"/observatoire/constats/{world['finding'].id}", f"/questionnaires/{world['survey'].id}/resultats"):
        assert site + path in locs, path
    for path in (f"/consultations/{world['draft'].id}", f"/observatoire/constats/{world['in_review'].id}",
                 f"/questionnaires/{world['draft_survey'].id}/resultats"):
        assert site + path not in locs, path
    assert not [loc for loc in locs if re.search(r"/(compte|admin|connexion|inscription)\b|/modifier|/gerer", loc)]


def test_every_page_of_the_sitemap_answers_200_to_a_visitor(client, world):
    _root, locs = _locs(client)
    failing = [(loc, status) for loc in locs
               if (status := client.get(loc.removeprefix("http://localhost")).status_code) != 200]
    assert failing == []


def test_the_sitemap_addresses_come_from_site_url(app, client, world):
    app.config["SITE_URL"] = "https://plateforme.example.org"
    try:
        _root, locs = _locs(client)
    finally:
        app.config["SITE_URL"] = None
    assert locs and all(loc.startswith("https://plateforme.example.org/") for loc in locs)


def test_over_the_limit_the_sitemap_becomes_an_index_of_files(client, world, monkeypatch):
    _root, every = _locs(client)
    monkeypatch.setattr(sitemap_module, "MAX_URLS", 10)
    monkeypatch.setattr("plateforme.feeds.views.MAX_URLS", 10)
    root, files = _locs(client, tag="sitemap")
    assert root.tag == f"{SITEMAP}sitemapindex"
    assert files == [f"http://localhost/sitemap-{n}.xml" for n in range(1, (len(every) - 1) // 10 + 2)]
    pages = [_locs(client, file.removeprefix("http://localhost"))[1] for file in files]
    assert [loc for page in pages for loc in page] == every
    assert client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404


def test_without_an_index_there_are_no_numbered_files(client, world):
    assert client.get("/sitemap-1.xml").status_code == 404


def _disallowed(rules: list[tuple[str, str]], path: str) -> bool:
    """RFC 9309: the longest matching rule wins, Allow on a tie; `*` any characters, `$` the end."""
    best = None
    for kind, pattern in rules:
        regex = "".join(".*" if ch == "*" else "$" if ch == "$" else re.escape(ch) for ch in pattern)
        if re.match(regex, path) and (best is None or len(pattern) > len(best[1])
                                      or (len(pattern) == len(best[1]) and kind == "allow")):
            best = (kind, pattern)
    return best is not None and best[0] == "disallow"


def _robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    rules = [(key.lower(), value.strip()) for key, _, value in
             (line.partition(":") for line in text.splitlines()) if key.lower() in ("allow", "disallow")]
    return text, rules


def test_robots_points_to_the_sitemap_and_lets_every_public_page_be_read(client, world):
    text, rules = _robots(client)
    assert text.startswith("User-agent: *\n")
    assert "Sitemap: http://localhost/sitemap.xml" in text.splitlines()
    _root, locs = _locs(client)
    paths = [loc.removeprefix("http://localhost") for loc in locs]
    paths += ["/flux.atom", f"/territoires/epci/{METROPOLE}/flux.atom", "/api/v1/findings",
              "/observatoire/donnees/valeurs.json", "/donnees/catalogue.jsonld"]
    assert [path for path in paths if _disallowed(rules, path)] == []


PRIVATE_ENDPOINTS = re.compile(r"^(accounts|admin|notifications)\.|manage|moderat|edit|create|new_|review|queue|"
                               r"mine|publish|withdraw|submit|cancel|import|report|hide|suspend|reply|answer|"
                               r"comment$|propose|support|endorse|follow|update_commitment|add_commitment|"
                               r"write_synthesis|officials|indicator_values|my_organisation|confirm_|^open_$|close|"
                               r"generate|set_language")


def test_robots_keeps_crawlers_out_of_every_private_or_post_only_route(app, client):
    _text, rules = _robots(client)
    open_routes = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        private = methods == {"POST"} or PRIVATE_ENDPOINTS.search(rule.endpoint.rpartition(".")[2]) \
            or PRIVATE_ENDPOINTS.search(rule.endpoint)
        if rule.endpoint.startswith(("api.", "opendata.")) or rule.endpoint in (
                "surveys.answer_with_code", "debate.comment_link", "surveys.results_snapshot"):
            continue  # the API is public data; a comment's link is its page
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        if private and not _disallowed(rules, path):
            open_routes.append((rule.endpoint, path))
    assert open_routes == []


def test_the_sitemap_declares_every_table_it_reads(client, world):
    """Its ETag comes from these tables' change marks (core/http_cache.py)."""
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        assert client.get("/sitemap.xml").status_code == 200
    finally:
        _reading.reset(token)
    assert tables and tables <= set(SITEMAP_TABLES), tables - set(SITEMAP_TABLES)
