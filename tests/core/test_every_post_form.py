"""Every POST form a visitor or an administrator sees, on every page of the site, survives hostile text in
all its fields at once: 60,000 characters (SQLite refuses a LIKE pattern that long; lookups
must check lengths first), control characters (PostgreSQL refuses NUL), non-finite numbers.
The answer is never a server error (issue 18, part 5)."""
from __future__ import annotations

import re

import pytest

from ..debate.hostile_forms import ACCEPTABLE, build_world, scrape_forms
from ..factories import make_survey, sign_in

HOSTILE = ["x" * 60_000, "a\x00b\x1b\r\nc", "inf"]
SKIPPED = ("/deconnexion", "/compte/sessions", "/supprimer", "/langue")  # ending the session or the account stops the walk


def _pages(app, ids: dict[str, int]) -> list[str]:
    """Every GET route, its ids filled with objects of the world."""
    fill = {"survey_id": ids["survey"], "consultation_id": ids["debating"], "card_id": ids["card"],
            "comment_id": ids["comment"], "proposal_id": ids["proposal"], "kind": "epci", "code": "200046977"}
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            pages.append(re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(fill.get(m.group(1), 1)), rule.rule))
    return sorted(set(pages))


@pytest.mark.parametrize("who, least", [("visitor", 3), ("admin", 30)])
@pytest.mark.parametrize("value", HOSTILE, ids=["60000-characters", "control-characters", "inf"])
def test_hostile_text_in_every_field_of_every_form_never_gives_a_server_error(app, client, db, make, value, who,
                                                                               least):
    world = build_world(make, db)
    ids = {**world.ids, "survey": make_survey(db, "open").id}
    if who == "admin":
        sign_in(client, world.users["admin"])
    failures, posted = [], 0
    for url in _pages(app, ids):
        page = client.get(url)
        html = page.get_data(as_text=True) if page.status_code == 200 and page.mimetype == "text/html" else ""
        page.close()
        for form in scrape_forms(html):
            action = form.action or url
            if form.method != "post" or any(part in action for part in SKIPPED):
                continue
            csrf = {name: token for name, token in form.fields.items() if name.endswith("csrf_token")}
            choices = {name: options[0] for name, options in form.options.items() if options}
            texts = {name: value for name in form.fields if name not in csrf}
            response = client.post(action, data={**choices, **texts, **csrf})
            response.close()
            posted += 1
            if response.status_code not in ACCEPTABLE:
                failures.append((url, action, response.status_code))
    assert posted >= least  # the walk reached the forms
    assert not failures
