"""The debate's pages cost the same number of SQL statements whatever the number of comments
(issue 6): the consultation page, /debat in each sort order the code knows, and the
proposal list and moderation log of a consultation once those routes exist.

Small sizes here (10 and 60 comments, with replies, four stances, withdrawn and hidden
ones, proposals and moderation actions, written in bulk by tests/debate/bulk.py);
bench/debate_pages_bench.py gives the figures at 100, 1,000 and 10,000."""
from __future__ import annotations

import pytest

from bench.debate_pages_bench import pages_of

from ..factories import sign_in
from .bulk import build_debate
from .test_pages import count_queries

SMALL, LARGE = 10, 60


@pytest.mark.parametrize("viewer", ["visitor", "resident"])
def test_every_debate_page_costs_the_same_statements_at_10_and_60_comments(app, client, db, make, viewer):
    consultations = {size: build_debate(db, make, size, authors=6).id for size in (SMALL, LARGE)}
    if viewer == "resident":
        sign_in(client, make.user())
    measured = {}
    for size, consultation_id in consultations.items():
        for label, path in pages_of(app, consultation_id):
            client.get(path)  # templates compiled
            with count_queries(db) as statements:
                response = client.get(path)
            measured.setdefault(label, {})[size] = (len(statements), response.status_code)
    assert {"consultation page", "/debat"} <= set(measured)
    for label, by_size in measured.items():
        assert by_size[SMALL] == by_size[LARGE], (viewer, label, by_size)
    assert measured["/debat"][LARGE][1] == 200
    assert measured["consultation page"][LARGE][1] == 200
