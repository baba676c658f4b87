"""Addresses that carry a notice (core/notices.py)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from plateforme.core.notices import PARAM, notice, with_notice, without_notice
from plateforme.debate import notices as debate_notices


def test_a_notice_joins_an_address_keeping_its_query_and_anchor_and_replaces_an_earlier_one(app):
    with app.test_request_context():
        first = with_notice("/consultations/3/debat?tri=soutenus&page=2#commentaire-7", debate_notices.ENDORSED)
        again = with_notice(first, debate_notices.ALREADY_ENDORSED)
    parts = urlsplit(again)
    query = parse_qs(parts.query)
    assert parts.path == "/consultations/3/debat" and parts.fragment == "commentaire-7"
    assert query["tri"] == ["soutenus"] and query["page"] == ["2"]
    assert [value.split(".")[0] for value in query[PARAM]] == [debate_notices.ALREADY_ENDORSED]
    assert without_notice(again) == "/consultations/3/debat?tri=soutenus&page=2#commentaire-7"
    assert without_notice("/consultations?page=2") == "/consultations?page=2"


def test_only_declared_notices_can_be_given(app):
    with app.test_request_context(), pytest.raises(KeyError):
        with_notice("/", "jamais-declare")
    with pytest.raises(ValueError):
        notice("espace interdit", "info", "…")
    with pytest.raises(ValueError):
        notice(debate_notices.ENDORSED, "info", "Une autre phrase.")
