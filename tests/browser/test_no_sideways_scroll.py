"""Issue 19: no page scrolls sideways, on a phone (390 px) or a laptop (1280 px), whoever looks.

The demo data is loaded (`flask demo`, the territory `make run` shows), then for each role a
crawler follows the same-origin links of the home page, the site map and every page it reaches
(bounded: a few pages per address pattern, at most MAX_PAGES per role), and measures each page at
both widths. Data tables may scroll inside their own `.table-wrapper`; the page itself may not.
All offenders are reported at once.

axe is not run here (the other browser tests audit each kind of page): this test opens its own
contexts so the crawl stays within a few minutes.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from ..page_crawl import DEMO_ROLES as ROLES
from .conftest import CHROMIUM_ARGS, TIMEOUT_MS  # noqa: F401  (same browser settings)

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
MAX_PAGES = 60
PER_PATTERN = 2  # /debat/commentaires/12 and /13 are the same page twice: two of each shape
# Addresses that are not pages: downloads, machine-readable data, signing out.
NOT_A_PAGE = re.compile(r"(\.(csv|json|pdf|ods|xlsx|zip|svg|png|ico|txt)$)|^/api/|/export|/telecharg|/deconnexion"
                        r"|/lettres|/openapi")

OVERFLOW = """() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-wrapper')
                     && getComputedStyle(e).visibility !== 'hidden')
        .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                              + (e.className ? '.' + String(e.className).trim().replace(/\\s+/g, '.') : ''));
    return {page: document.documentElement.scrollWidth, width, wide};
}"""


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not NOT_A_PAGE.search(parts.path):
            paths.append(path)
    return paths


def _crawl(context, origin: str) -> list[str]:
    """Visit pages breadth first from / and the site map; return the offenders found."""
    page = context.new_page()
    queue = deque(["/", "/plan-du-site"])
    seen_paths: set[str] = set(queue)
    per_pattern: dict[str, int] = {}
    offenders, visited = [], 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        try:
            response = page.goto(path)
        except PlaywrightError:  # a download the address did not announce
            continue
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        visited += 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            measure = page.evaluate(OVERFLOW)
            if measure["page"] > measure["width"]:
                offenders.append(f"{path} at {width} px: {measure['page']} px wide; too wide: {measure['wide']}")
        for link in _links(page, origin):
            if link in seen_paths:
                continue
            seen_paths.add(link)
            shape = _pattern(link.split("?")[0])
            if per_pattern.get(shape, 0) >= PER_PATTERN:
                continue
            per_pattern[shape] = per_pattern.get(shape, 0) + 1
            queue.append(link)
    page.close()
    assert visited >= 10, f"the crawl reached only {visited} pages"
    return offenders


def _signed_in_context(browser, live_server, email: str | None, password: str):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    if email:
        page = context.new_page()
        page.goto("/connexion")
        main = page.locator("main")
        main.get_by_label("Adresse électronique", exact=True).fill(email)
        main.get_by_label("Mot de passe", exact=True).fill(password)
        with page.expect_event("load"):
            main.get_by_role("button", name="Se connecter", exact=True).click()
        assert page.locator("header form button", has_text="Se déconnecter").count() == 1, email
        page.close()
    return context


def test_no_page_scrolls_sideways_for_any_role(app, db, browser, live_server, server_errors):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    password = app.config["DEMO_PASSWORD"]

    offenders = []
    for role, email in ROLES.items():
        context = _signed_in_context(browser, live_server, email, password)
        try:
            offenders += [f"[{role}] {line}" for line in _crawl(context, live_server.url)]
        finally:
            context.close()
    assert not server_errors, [record.getMessage() for record in server_errors]
    assert not offenders, "pages that scroll sideways:\n  " + "\n  ".join(offenders)
