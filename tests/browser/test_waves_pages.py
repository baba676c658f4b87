"""Waves (issue 24, part 2) in a browser: a wave's results page with its changes since the
previous wave, and the territory page with its chart of the waves. Without JavaScript, axe
on each page (visit), and no sideways scroll at 390 px (the chart may scroll in its own box)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..surveys.test_waves import waves  # noqa: F401  (two published waves on the Métropole)
from .conftest import assert_reflows, submit, visit

pytestmark = pytest.mark.browser


def test_a_waves_results_page_shows_its_changes_on_a_phone_without_javascript(new_context, waves):  # noqa: F811
    first, second = waves
    page = new_context("fr", java_script_enabled=False).new_page()
    visit(page, f"/questionnaires/{second.id}/resultats")
    section = page.locator("section.wave-changes")
    expect(section.locator("#changes-title")).to_be_visible()
    table = section.get_by_role("table")
    expect(table.locator("caption")).to_contain_text("Évolution affirmation par affirmation")
    # s1, s2 compared, s4 new, s3 removed: a row each, in that order.
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(section.locator("#change-s1 td")).to_have_count(5)
    expect(section.locator("#change-s4")).to_contain_text("Nouvelle affirmation")
    expect(section.locator("#change-s3")).to_contain_text("Affirmation retirée")
    expect(section.get_by_role("link", name="Télécharger l'évolution (CSV)")).to_have_attribute(
        "href", f"/api/v1/surveys/{second.id}/changes.csv?version=1")
    assert_reflows(page, 390)
    # From the changes to the previous wave's results, a plain link.
    submit(page, section.get_by_role("link", name="Résultats de la vague précédente (version 1)"))
    assert page.url.endswith(f"/questionnaires/{first.id}/resultats")
    expect(page.locator("section.wave-changes")).to_have_count(0)  # the first wave repeats none


def test_the_territory_page_draws_the_waves_on_a_phone_without_javascript(new_context, waves):  # noqa: F811
    page = new_context("fr", java_script_enabled=False).new_page()
    visit(page, "/territoires/epci/200046977")
    section = page.locator("section.wave-series")
    chart = section.locator("svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).not_to_have_text("")
    # The chart's description reads each statement's gap wave by wave (a screen reader's chart).
    expect(chart.locator("desc")).to_contain_text("Affirmation 3, Les jumelages sont utiles aux habitants")
    expect(chart.locator("desc")).to_contain_text("absente de cette vague")
    table = section.locator(".table-wrapper table")
    expect(table.locator("caption")).to_contain_text("Les données du graphique")
    expect(table).to_contain_text("Vague 2025")
    expect(table).to_contain_text("Vague 2026")
    assert_reflows(page, 390)


def test_the_waves_in_english_with_javascript(new_context, waves):  # noqa: F811
    _first, second = waves
    page = new_context("en").new_page()
    visit(page, f"/questionnaires/{second.id}/resultats")
    expect(page.locator("section.wave-changes")).to_contain_text("New statement")
    assert_reflows(page, 390)
    visit(page, "/territoires/epci/200046977")
    expect(page.locator("section.wave-series svg[role=img]")).to_be_visible()
    assert_reflows(page, 390)


def test_the_chart_axis_labels_are_whole_and_clear_of_the_markers(new_context, waves):  # noqa: F811
    # A fixed left margin once cut the minus sign off "−20 points": below the zero line, the
    # axis then read "20 points". Every text stays inside the chart's box.
    for language in ("fr", "en"):
        page = new_context(language).new_page()
        visit(page, "/territoires/epci/200046977")
        boxes = page.locator("section.wave-series svg[role=img]").evaluate("""svg => ({
            ticks: [...svg.querySelectorAll('text[text-anchor=end]')].map(t => {
                const b = t.getBBox(); return {text: t.textContent, left: b.x, right: b.x + b.width}; }),
            markers: [...svg.querySelectorAll('g.wave-line circle, g.wave-line rect, g.wave-line path')]
                .map(m => m.getBBox().x),
            width: svg.viewBox.baseVal.width,
            texts: [...svg.querySelectorAll('text')].map(t => {
                const b = t.getBBox(); return {text: t.textContent, left: b.x, right: b.x + b.width}; })})""")
        assert any(t["text"].startswith("−") for t in boxes["ticks"])
        for tick in boxes["ticks"]:
            assert tick["left"] >= 0, tick
        assert max(t["right"] for t in boxes["ticks"]) < min(boxes["markers"])
        for text in boxes["texts"]:  # the statements' legend too stays inside the chart
            assert 0 <= text["left"] and text["right"] <= boxes["width"], text
