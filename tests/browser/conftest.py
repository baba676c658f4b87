"""End-to-end fixtures: the test `app` served over HTTP, Chromium driven by Playwright, axe.

- `live_server` serves the *same* application object as the other tests (same database,
  same mail outbox) from a background thread on 127.0.0.1 and a free port.
- `new_context(...)` opens a fresh browser context (cookies, language, JavaScript on or
  off); `page` is a French page in a fresh context.
- `axe_check(page)` runs axe-core (WCAG 2.0/2.1, A and AA) on the page and fails with a
  readable list of violations. Every HTML document a test's pages load must be checked:
  the context fixture fails the test at teardown if one was not (downloads excepted).
- Errors logged by the server (unhandled exceptions, 500 pages) fail the test too.

The server thread and the test share the database: a test must not keep a transaction
open while the browser makes the server write. Read through `db.session` only after
`db.session.rollback()`, and end the read (rollback again) before driving the browser.
"""
from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from werkzeug.serving import make_server

from axe_playwright_python.sync_playwright import Axe

from ..factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
TIMEOUT_MS = 10_000
LANGUAGE_LOCALES = {"fr": "fr-FR", "en": "en-GB"}

expect.set_options(timeout=TIMEOUT_MS)
_axe = Axe()


# --- the application over HTTP ------------------------------------------------------

def _closed_before_sent(app):
    """`app`, its response closed before its bytes go out: the work a real server runs once the
    response is sent (core/after_response.py: account mail) is done when the browser sees the
    page, so a test reading the outbox next never races the server thread."""
    def serve(environ, start_response):
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        return [body]

    return serve


class LiveServer:
    """A threaded werkzeug server for `app` on 127.0.0.1 and a port the OS picks."""

    def __init__(self, app):
        # make_server binds and listens at once: connections queue from here on.
        self._server = make_server("127.0.0.1", 0, _closed_before_sent(app), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="live-server", daemon=True)

    def start(self) -> None:
        self._thread.start()
        last_error: Exception | None = None
        for _attempt in range(20):  # bounded: each attempt waits at most 5 s for an answer
            try:
                with urllib.request.urlopen(f"{self.url}/sante", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as error:
                last_error = error
        raise RuntimeError(f"the live server at {self.url} did not answer: {last_error}")

    def stop(self) -> None:
        self._server.shutdown()  # returns once serve_forever has left its loop
        self._server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app):
    werkzeug_log = logging.getLogger("werkzeug")
    previous_level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # no access log line per request
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    werkzeug_log.setLevel(previous_level)


class _ServerErrors(logging.Handler):
    """Collects what the application logs at ERROR level (unhandled exceptions)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def server_errors():
    handler = _ServerErrors()
    logger = logging.getLogger("plateforme")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


# --- Chromium -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def _playwright():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright) -> Browser:
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class _Audit:
    """The HTML documents a context's pages loaded, and which ones axe checked."""

    pending: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _track_documents(page: Page, audit: _Audit) -> None:
    def on_response(response):
        request = response.request
        if request.resource_type != "document" or request.frame != page.main_frame:
            return
        if 300 <= response.status < 400:
            return  # a redirect: the browser follows it, the final document is what counts
        headers = response.headers
        if headers.get("content-disposition", "").startswith("attachment"):
            return  # a download, not a page
        if not headers.get("content-type", "").startswith("text/html"):
            return  # JSON or CSV opened in the browser: not a page either
        audit.pending.append(f"{request.method} {response.url} ({response.status})")

    page.on("response", on_response)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.browser_test_failed = report.failed


@pytest.fixture
def new_context(request, browser, live_server, db, server_errors):
    """Factory: a fresh browser context on the live server, closed after the test."""
    opened: list[tuple[BrowserContext, _Audit]] = []

    def factory(lang: str = "fr", *, java_script_enabled: bool = True) -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, locale=LANGUAGE_LOCALES[lang],
                                      java_script_enabled=java_script_enabled)
        context.set_default_timeout(TIMEOUT_MS)
        audit = _Audit()
        context._plateforme_audit = audit
        context._plateforme_js = java_script_enabled
        context._plateforme_browser = browser
        context.on("page", lambda page: _track_documents(page, audit))
        opened.append((context, audit))
        return context

    yield factory
    unchecked = []
    for context, audit in opened:
        context.close()
        unchecked += audit.skipped + audit.pending
    if getattr(request.node, "browser_test_failed", False):
        return  # the failure says enough; the log capture shows any server error
    if server_errors:
        messages = "\n".join(record.getMessage() + "\n" + (record.exc_text or "") for record in server_errors)
        pytest.fail(f"the server logged errors:\n{messages}")
    if unchecked:
        pytest.fail("pages loaded but never checked with axe_check():\n  " + "\n  ".join(unchecked))


@pytest.fixture
def page(new_context) -> Page:
    """A page in a fresh French-speaking context (Accept-Language: fr-FR)."""
    return new_context("fr").new_page()


# --- axe ----------------------------------------------------------------------------

def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def _run_axe(page: Page) -> list[dict]:
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def _run_axe_on_copy(page: Page) -> list[dict]:
    """axe needs JavaScript: audit the same markup, at the same address, in a JS page."""
    html = page.content()  # without JavaScript, the DOM is exactly the served markup
    url = page.url.split("#")[0]
    browser = page.context._plateforme_browser
    auditor = getattr(browser, "_plateforme_auditor", None)
    if auditor is None:  # one page for the whole session, in its own cookie-less context
        auditor = browser._plateforme_auditor = browser.new_context().new_page()
        auditor.set_default_timeout(TIMEOUT_MS)

    def serve_copy(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def same_address(address: str) -> bool:  # a predicate: "?" in a glob would match any character
        return address.split("#")[0] == url

    auditor.route(same_address, serve_copy)
    try:
        auditor.goto(url)
        return _run_axe(auditor)
    finally:
        auditor.unroute(same_address, serve_copy)


def axe_check(page: Page) -> None:
    """Run axe (WCAG 2.0 and 2.1, levels A and AA) on the page; fail on any violation."""
    page.wait_for_load_state("load")
    audit: _Audit = page.context._plateforme_audit
    *earlier, _current = audit.pending or [None]
    audit.skipped += earlier
    audit.pending.clear()
    violations = _run_axe(page) if page.context._plateforme_js else _run_axe_on_copy(page)
    if violations:
        pytest.fail(_format_violations(page.url, violations), pytrace=False)


# --- small helpers shared by the test modules --------------------------------------

def visit(page: Page, path: str, *, status: int = 200):
    """Open `path`, check the status code and run axe on the page."""
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response and response.status)
    axe_check(page)
    return response


def submit(page: Page, control: Locator) -> None:
    """Click a control that loads a new document (form submission, link), then run axe."""
    with page.expect_event("load"):
        control.click()
    axe_check(page)


def assert_reflows(page: Page, width: int = 320) -> None:
    """WCAG 1.4.10 (reflow): at `width` CSS pixels, the page needs no sideways scrolling.

    Data tables may scroll inside their own `.table-wrapper`; the page itself may not.
    """
    page.set_viewport_size({"width": width, "height": 640})
    overflow = page.evaluate("""width => {
        const page = document.documentElement.scrollWidth;
        const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-wrapper'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                                  + (e.className ? '.' + String(e.className).replace(/ /g, '.') : ''));
        return {page, wide};
    }""", width)
    assert overflow["page"] <= width, (
        f"{page.url} is {overflow['page']} px wide at {width} px; too wide: {overflow['wide']}")


def page_language(page: Page) -> str:
    return page.locator("html").get_attribute("lang")


@pytest.fixture
def translate(app):
    """translate(page_or_lang, msgid, **variables): the interface text in that language.

    English assertions go through the application's own catalogue, so they hold whether
    or not a string is translated yet.
    """

    def _translate(page_or_lang, message: str, **variables) -> str:
        lang = page_or_lang if isinstance(page_or_lang, str) else page_language(page_or_lang)
        with app.test_request_context(), force_locale(lang):
            return gettext(message, **variables)

    return _translate


@pytest.fixture
def sign_in(translate):
    """Sign in through the form on /connexion, as a person would."""

    def _sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
        visit(page, "/connexion")
        main = page.locator("main")
        main.get_by_label(translate(page, "Adresse électronique"), exact=True).fill(email)
        main.get_by_label(translate(page, "Mot de passe"), exact=True).fill(password)
        submit(page, main.get_by_role("button", name=translate(page, "Se connecter"), exact=True))
        header = page.locator("header")
        expect(header.get_by_role("button", name=translate(page, "Se déconnecter"))).to_be_visible()

    return _sign_in
