"""Issue 19: one behaviour for every form, and the little things every page links."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_form_leaves_validation_to_the_server():
    """The browser's own bubbles (in the browser's language, gone on the next click) never
    replace the server's messages, summarised above the form and kept next to each field."""
    missing = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for tag in re.findall(r"<form\b[^>]*>", template.read_text()):
            if not re.search(r"\bnovalidate\b", tag):
                missing.append(f"{template.relative_to(TEMPLATES)}: {tag[:70]}")
    assert not missing, "\n".join(missing)


def test_pages_link_an_icon_and_the_error_summary_script(client):
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in html and "favicon.svg" in html
    assert re.search(r'<script src="[^"]*/js/error-summary\.js" defer>', html)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    icon.close()


def test_one_banner_says_the_data_is_invented_when_the_demo_is_shown(app, client):
    banner = "Données de démonstration"
    assert banner not in client.get("/").get_data(as_text=True)  # a real instance says nothing
    app.config["DEMO_DATA"] = True
    try:
        for path in ("/", "/observatoire/"):
            html = client.get(path).get_data(as_text=True)
            assert html.count('class="demo-banner"') == 1 and banner in html
    finally:
        app.config["DEMO_DATA"] = False
