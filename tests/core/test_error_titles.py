"""Issue 19 (RGAA 8.5, 11.10): a page that shows a form's errors says so in its title, the first
thing a screen reader announces after a failed submit: « Erreur — … », "Error — …" in English.
The title is decided in one place (templates/base.html) from what the page shows; this walks
every POST form an administrator and a resident see, submits it empty, and checks every page that
answers with errors."""
from __future__ import annotations

import re

import pytest

from ..debate.hostile_forms import build_world, scrape_forms
from ..factories import make_survey, sign_in
from .test_every_post_form import SKIPPED, _pages

TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
SHOWS_ERRORS = re.compile(r'class="error-(summary|message)"')


def _title(html: str) -> str:
    match = TITLE.search(html)
    return match.group(1).strip() if match else ""


@pytest.mark.parametrize("who, language, prefix", [("admin", "fr-FR", "Erreur — "), ("resident", "en-GB", "Error — ")])
def test_every_form_page_that_shows_errors_says_so_in_its_title(app, client, db, make, who, language, prefix):
    world = build_world(make, db)
    sign_in(client, world.users[who])
    headers = {"Accept-Language": language}
    missing, with_errors, without_errors = [], 0, 0
    for url in _pages(app, {**world.ids, "survey": make_survey(db, "open").id}):
        page = client.get(url, headers=headers)
        html = page.get_data(as_text=True) if page.status_code == 200 and page.mimetype == "text/html" else ""
        if html and not SHOWS_ERRORS.search(html):
            without_errors += 1
            assert not _title(html).startswith(prefix), url  # no error shown, none announced
        for form in scrape_forms(html):
            action = form.action or url
            if form.method != "post" or any(part in action for part in SKIPPED):
                continue
            csrf = {name: token for name, token in form.fields.items() if name.endswith("csrf_token")}
            empty = {name: "" for name in form.fields if name not in csrf}
            response = client.post(action, data={**empty, **csrf}, headers=headers)
            answer = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            if SHOWS_ERRORS.search(answer):
                with_errors += 1
                if not _title(answer).startswith(prefix):
                    missing.append(f"{url} → {action}: {_title(answer)!r}")
    assert with_errors >= (15 if who == "admin" else 5) and without_errors >= 10, (with_errors, without_errors)
    assert not missing, "pages showing errors without the title saying so:\n  " + "\n  ".join(sorted(set(missing)))
