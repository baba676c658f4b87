"""The API page (/donnees/api): the OpenAPI description rendered on the server, read without
JavaScript, listing every operation and every parameter of the document itself."""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from plateforme.surveys.publication import publish

from ..factories import make_survey
from ..surveys.test_waves import waves  # noqa: F401  (two published waves, the second following the first)
from .test_consultation_api import data  # noqa: F401  (cards, consultations, commitments)
from .test_data_package import published  # noqa: F401  (findings, indicators, values, a published survey)


class _Page(HTMLParser):
    """The page's text, its ids and whether it carries a script to run."""

    def __init__(self):
        super().__init__()
        self.text, self.ids, self.scripts = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "script" and attrs.get("type") not in ("application/ld+json",):
            self.scripts.append(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _text(response) -> str:
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return " ".join(" ".join(page.text).split())  # no-break spaces as spaces too


FILTER_NOTE = " Vide : pas de filtre (tous). EN: empty: no filter (all)."


def test_the_api_page_lists_every_operation_and_parameter_of_the_document(client):
    """The French page: each text of the document in French, without the English aside some
    carry (« … EN: … »), which the English page shows instead."""
    document = client.get("/api/v1/openapi.json").json
    response = client.get("/donnees/api")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = _Page()
    page.feed(response.get_data(as_text=True))
    text = _text(response)
    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operations += 1
            assert f"{method.upper()} {path}" in text, path
            assert operation["summary"] in text, path
            for parameter in operation["parameters"]:
                description = parameter["description"]
                if parameter.get("allowEmptyValue"):  # a filter: its note on empty values, after what it filters
                    assert description.endswith(FILTER_NOTE), (path, parameter["name"])
                    description = description[:-len(FILTER_NOTE)] + "."
                    assert "Vide : pas de filtre (tous)." in text
                french = description.split(" EN: ")[0]
                assert parameter["name"] in text and french in text, (path, parameter["name"])
                if " EN: " in description:
                    assert description.split(" EN: ")[1] not in text, (path, parameter["name"])
                for value in parameter["schema"].get("enum", []):
                    assert str(value) in text, (path, parameter["name"], value)
            for code in operation["responses"]:
                assert code in text
    assert operations >= 15
    for name in document["components"]["schemas"]:
        assert f"schema-{name}" in page.ids, name
    # Usable without JavaScript: no script beyond the page's shared ones, content in the HTML.
    assert all(s.get("src", "").startswith("/static/") for s in page.scripts)


def test_an_example_address_carries_the_required_query_parameters(client):
    """/comparisons refuses a request without ?surveys= (400): its example gives the
    documented one, as a developer clicking it expects an answer, not an error."""
    html = client.get("/donnees/api").get_data(as_text=True)
    assert 'href="http://localhost/api/v1/comparisons?surveys=1,2"' in html
    assert 'href="http://localhost/api/v1/comparisons"' not in html
    assert 'href="http://localhost/api/v1/findings"' in html  # no required parameter: nothing added


def test_the_api_page_is_linked_from_the_data_page_and_the_footer(client):
    assert 'href="/donnees/api"' in client.get("/observatoire/donnees").get_data(as_text=True)
    assert 'href="/donnees/api"' in client.get("/").get_data(as_text=True)


def _summaries(html: str) -> dict[str, str]:
    """Each operation's summary as the page's table of contents gives it, by path."""
    return dict(re.findall(r'<li><a href="#op-[^"]*"><code>GET ([^<]+)</code></a> — ([^<]*)</li>', html))


def test_the_api_page_in_english(client):
    """Summaries, parameter and answer descriptions in English; names, paths and values as the
    document has them. The OpenAPI document itself stays one French text."""
    document = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json
    assert document == client.get("/api/v1/openapi.json").json
    response = client.get("/donnees/api", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Open data API" in html
    text = _text(response)
    for english in (
        "A survey's published results",
        "Changes since the previous wave, one row per statement (CSV)",
        "The survey's identifier",  # a path parameter
        "Rows per page (at most 100)",  # a message with a value
        "Type of flow. Empty: no filter (all).",  # a filter, its note translated apart
        "Spreadsheet variant: excel",  # a text carrying its own English: that half
        "Unknown, or not published yet",  # an answer
        "Not modified since the copy the client holds",
        "UTF-8 CSV, comma-separated, under the Licence Ouverte 2.0. Columns: id, title,",
    ):
        assert english in text, english
    for french in ("Identifiant du questionnaire", "Inconnu, ou pas encore publié", "Vide : pas de filtre (tous)",
                   "Variante pour tableur", "Lignes par page"):
        assert french not in text, french
    assert 'flow_kind' in text and "∈ {" in text  # names and values untouched
    # Every operation's summary translated: none is left as its French source.
    summaries = _summaries(html)
    operations = {path: item["get"]["summary"] for path, item in document["paths"].items()}
    assert set(summaries) == set(operations)
    assert [path for path, summary in summaries.items() if not summary or summary == operations[path]] == []


# Property descriptions written the same in both languages: nothing to translate.
SAME_IN_BOTH = {"Markdown", "Description (markdown)", "Note", "twinning, decentralised_cooperation, student_mobility, "
                "economic_mission, cross_border_cooperation, network_membership, humanitarian_aid"}


def _schema_descriptions(html: str) -> dict[str, str]:
    """What the page says of each schema and of each of its properties, by « Schema » and
    « Schema.property » (a property's line reads « name — type (required): description »)."""
    out = {}
    for section in html.split('<h3 id="schema-')[1:]:
        name, _, rest = section.partition('"')
        rest = rest.split("</ul>")[0]
        paragraph = re.search(r"</h3>\s*<p>([^<]*)</p>", rest)
        if paragraph:
            out[name] = unescape(paragraph.group(1))
        for line in re.findall(r"<li>(.*?)</li>", rest):
            text = unescape(re.sub(r"<[^>]+>", "", line))
            prefix, separator, description = text.partition(": ")
            if separator:
                out[f"{name}.{prefix.split(' — ')[0]}"] = description
    return out


def test_the_api_page_gives_every_schema_description_in_english(client):
    """Each schema's and each property's description on the English page is not the document's
    French text (a few texts read the same in both languages); the document's own introduction
    in English only; English spacing before colons."""
    document = client.get("/api/v1/openapi.json").json
    response = client.get("/donnees/api", headers={"Accept-Language": "en"})
    shown = _schema_descriptions(response.get_data(as_text=True))
    described = {}
    for name, schema in document["components"]["schemas"].items():
        if schema.get("description"):
            described[name] = schema["description"]
        for key, value in schema.get("properties", {}).items():
            if value.get("description"):
                described[f"{name}.{key}"] = value["description"]
    assert len(described) > 100 and set(described) == set(shown)
    untranslated = {key: french for key, french in described.items()
                    if shown[key] in (french, french.split(" EN: ")[0]) and shown[key] not in SAME_IN_BOTH}
    assert untranslated == {}
    assert shown["Finding.flow_kind"].startswith("Type of flow: people, institutions")
    assert shown["Finding.territory_name"] == "Name of the territory"
    assert shown["SurveyResults.statements"].startswith("Per statement: residents")
    assert shown["Comparison"].startswith("Territories side by side")  # a text carrying its English
    page = _Page()
    page.feed(response.get_data(as_text=True))
    text = " ".join("".join(page.text).split())
    # The introduction: the reader's half of each of its parts, never both.
    assert "Read-only, without authentication." in text and "Lecture seule" not in text
    assert "Every operation names its parameters" in text and "Chaque opération nomme" not in text
    assert "Mise en cache" not in text
    # French spacing before a colon (« nom : texte ») has no place in English, nor « ; ».
    assert re.findall(r".{30}[ \u00a0\u202f][:;](?= ).{30}", "".join(page.text)) == []
    # The document itself stays one French text.
    assert client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json == document


def test_every_example_link_on_the_page_answers(client, db, waves, published, neighbour):  # noqa: F811
    """Each example address is a link that answers 200: real identifiers (the wave that has a
    previous one for /changes, two comparable surveys for ?surveys=), not 1 everywhere."""
    _first, second = waves
    other = make_survey(db, "closed", territory=neighbour.code, title="Est Lyonnais")  # comparable with the metropole
    publish(other)
    db.session.commit()
    html = client.get("/donnees/api").get_data(as_text=True)
    examples = re.findall(r'href="(http://localhost/api/v1/[^"]*)"', html)
    document = client.get("/api/v1/openapi.json").json
    assert len(examples) == len(document["paths"])  # every operation's example is a link
    assert f"http://localhost/api/v1/surveys/{second.id}/changes" in examples
    assert f"http://localhost/api/v1/surveys/{second.id}/changes.csv" in examples
    for example in examples:
        address = urlsplit(example)
        response = client.get(address.path + (f"?{address.query}" if address.query else ""))
        assert response.status_code == 200, example


def test_without_data_the_examples_fall_back_to_1(client):
    html = client.get("/donnees/api").get_data(as_text=True)
    assert 'href="http://localhost/api/v1/surveys/1/changes"' in html
    assert 'href="http://localhost/api/v1/cards/1"' in html


def test_the_folder_of_the_open_files_leads_to_the_open_data_page(client):
    """/donnees/tout.zip, /donnees/api…: a reader who shortens one of these addresses lands
    on the page that lists and explains them, not on a 404."""
    for address in ("/donnees", "/donnees/"):
        response = client.get(address)
        assert response.status_code == 302 and response.headers["Location"].endswith("/observatoire/donnees")
