"""The comparison page in a browser without JavaScript: choosing two territories with the
form, the tables at 390 px, and axe on the chosen, refused and English pages."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..surveys.test_comparison import pair  # noqa: F401  (two published territories)
from .conftest import assert_reflows, submit, visit

pytestmark = pytest.mark.browser


def test_choose_two_territories_and_read_them_on_a_phone(new_context, pair):  # noqa: F811
    first, second = pair
    page = new_context("fr", java_script_enabled=False).new_page()
    visit(page, "/questionnaires/comparaison")
    page.get_by_label(f"{first.title} — {first.territory.name}").check()
    page.get_by_label(f"{second.title} — {second.territory.name}").check()
    submit(page, page.get_by_role("button", name="Comparer", exact=True))
    assert f"questionnaires={first.id}&questionnaires={second.id}" in page.url
    expect(page.get_by_role("heading", level=2, name="« Affirmation s1 »")).to_be_visible()
    table = page.get_by_role("table", name=f"Par territoire, et différence avec {first.territory.name}").first
    expect(table.get_by_role("rowheader")).to_have_count(2)
    # What was chosen stays ticked, to change the choice from here.
    expect(page.get_by_label(f"{second.title} — {second.territory.name}")).to_be_checked()
    assert_reflows(page, 390)
    assert_reflows(page, 320)


def test_refused_and_english_pages(new_context, pair):  # noqa: F811
    first, second = pair
    page = new_context("fr", java_script_enabled=False).new_page()
    visit(page, f"/questionnaires/comparaison?questionnaires={first.id},99999", status=400)
    expect(page.get_by_role("alert")).to_contain_text("99999")
    english = new_context("en").new_page()
    visit(english, f"/questionnaires/comparaison?questionnaires={first.id},{second.id}")
    expect(english.get_by_role("heading", level=1)).to_have_text("Compare territories")
    assert_reflows(english, 390)
