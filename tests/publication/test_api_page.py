"""The API page (/donnees/api): the OpenAPI description rendered on the server, read without
JavaScript, listing every operation and every parameter of the document itself."""
from __future__ import annotations

from html.parser import HTMLParser


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


def test_the_api_page_lists_every_operation_and_parameter_of_the_document(client):
    document = client.get("/api/v1/openapi.json").json
    response = client.get("/donnees/api")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = _Page()
    page.feed(response.get_data(as_text=True))
    text = " ".join(" ".join(page.text).split())
    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operations += 1
            assert f"{method.upper()} {path}" in text, path
            assert operation["summary"] in text, path
            for parameter in operation["parameters"]:
                assert parameter["name"] in text and parameter["description"] in text, (path, parameter["name"])
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


def test_the_api_page_in_english(client):
    response = client.get("/donnees/api", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "Open data API" in response.get_data(as_text=True)


def test_the_folder_of_the_open_files_leads_to_the_open_data_page(client):
    """/donnees/tout.zip, /donnees/api…: a reader who shortens one of these addresses lands
    on the page that lists and explains them, not on a 404."""
    for address in ("/donnees", "/donnees/"):
        response = client.get(address)
        assert response.status_code == 302 and response.headers["Location"].endswith("/observatoire/donnees")
