"""Every GET route, with a NUL (PostgreSQL refuses it, even as a query parameter) or 60,000
characters in every query argument the site reads, and in every text segment of its path:
never a server error (issue 18, part 5)."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from ..debate.hostile_forms import ACCEPTABLE
from ..factories import sign_in

# Every name the views read from request.args (grep), and the listings' own.
ARGUMENTS = ["page", "per_page", "q", "next", "territory", "territoire", "organisation", "flow_kind", "direction",
             "character", "field", "period", "period_from", "period_to", "annee", "indicateur", "version", "meta",
             "stage", "etape", "statut", "political_status", "tri", "motif", "action", "position", "elu", "lang"]
HOSTILE = {"nul": "x\x00y", "60000-characters": "9" * 60_000}


def _routes(app) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint != "static"})


def _fill(rule: str, text: str) -> str:
    url = re.sub(r"<int:[^>]*>", "1", rule)
    url = re.sub(r"<any\(([^,)]*)[^>]*>", lambda m: m.group(1).strip("'"), url)
    return re.sub(r"<[^>]*>", quote(text, safe=""), url)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_query_arguments_and_path_segments_never_give_a_server_error(app, client, make, value):
    sign_in(client, make.admin())
    failures = []
    for rule in _routes(app):
        for url, args in ((_fill(rule, "epci"), {name: value for name in ARGUMENTS}), (_fill(rule, value[:2000]), {})):
            response = client.get(url, query_string=args)
            response.close()
            if response.status_code not in ACCEPTABLE:
                failures.append((url[:80], response.status_code))
    assert not failures
