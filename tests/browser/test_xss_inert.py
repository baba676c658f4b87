"""The XSS corpus in a real browser: every payload posted as a comment, a reply, a proposal
(title and body) and an authority's answer; a few typed through the comment form. Chromium
then opens every page that shows them, with a dialog handler, and nothing runs: no dialog,
no `window.__xss`, no request to a probe or a foreign host, not after load nor after the
contributions are hovered, focused and clicked (navigation is cancelled: nothing leaves the
page). CSP violations are recorded as a signal; the main assertion is the sanitiser's: the
contributions' containers hold no script, no event-handler attribute, no dangerous URL.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from plateforme.consultations.models import PhaseKind
from plateforme.debate.models import Proposal, ProposalStatus, Stance
from plateforme.debate.queries import COMMENTS_PER_PAGE, PROPOSALS_PER_PAGE
from plateforme.debate.services import answer_proposal, post_comment, submit_proposal

from ..consultations.helpers import build_consultation
from ..debate.xss_corpus import load_payloads
from .conftest import submit, visit

pytestmark = pytest.mark.browser

PAYLOADS = load_payloads()
TYPED = ["<img src=x onerror=alert(1)>", "[clic](javascript:alert(1))", '<svg onload="window.__xss=1">']
# Comments, proposals (in lists and on their own page, title included) and answers.
CONTRIBUTIONS = 'article.comment, article[id^="proposition-"], .answer'


# Before any page script: record CSP violations, and cancel the default action of clicks in
# the contributions so that clicking their links never navigates (its own handlers, if any, still run).
INIT_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI), true);
const inContribution = e => e.target.closest && e.target.closest('article.comment, article[id^="proposition-"]');
document.addEventListener('click', e => inContribution(e) && e.preventDefault(), true);
document.addEventListener('auxclick', e => inContribution(e) && e.preventDefault(), true);
"""

# Inside the contributions: what a browser could run (after its own parsing and decoding).
DOM_AUDIT = """(containers) => {
    const problems = [];
    const dangerous = /^(javascript|vbscript|livescript|data:text\\/html|data:image\\/svg)/;
    for (const container of containers) {
        for (const element of [container, ...container.querySelectorAll('*')]) {
            const tag = element.tagName.toLowerCase();
            if (['script', 'iframe', 'object', 'embed', 'base', 'meta', 'style', 'svg', 'math', 'img',
                 'video', 'audio', 'link', 'template', 'noscript', 'frame', 'details'].includes(tag)) {
                problems.push('<' + tag + '>');
            }
            for (const attribute of element.attributes) {
                if (attribute.name.startsWith('on')) problems.push(tag + '[' + attribute.name + ']');
                if (attribute.name === 'style') problems.push(tag + '[style]');
            }
            for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
                const value = element.getAttribute(name);
                if (value !== null && dangerous.test(value.replace(/[\\x00-\\x20]/g, '').toLowerCase())) {
                    problems.push(tag + '[' + name + '=' + value + ']');
                }
            }
            if (tag === 'a' && element.protocol && !['http:', 'https:', 'mailto:'].includes(element.protocol)) {
                problems.push('a with protocol ' + element.protocol);
            }
        }
    }
    return problems;
}"""


class Watch:
    """What would show that a payload ran, on one page."""

    def __init__(self, page, base_url: str):
        self.dialogs: list[str] = []
        self.stray_requests: list[str] = []
        self.console_errors: list[str] = []
        self.base_url = base_url
        page.on("dialog", self._on_dialog)
        page.on("request", self._on_request)
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.add_init_script(INIT_SCRIPT)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _on_request(self, request) -> None:
        if not request.url.startswith(self.base_url) or "xss-probe" in request.url:
            self.stray_requests.append(request.url)


def _seed(db, make) -> dict:
    """The corpus in two consultations (debate; proposals), through the services."""
    debating = build_consultation(make, PhaseKind.DEBATE, title="Débat sous attaque")
    proposing = build_consultation(make, PhaseKind.PROPOSALS, title="Propositions sous attaque")
    author, official = make.user(name="Autrice"), make.elected()
    for payload in PAYLOADS:
        top = post_comment(author, debating, Stance.FOR, payload)
        post_comment(author, debating, Stance.QUESTION, payload, parent=top)
        proposal = submit_proposal(author, proposing, "Titre : " + payload, payload + " (proposition)")
        answer_proposal(proposal, proposing, official, ProposalStatus.UNDER_STUDY, payload + " (réponse)")
    db.session.commit()
    first, last = db.session.execute(select(Proposal.id).order_by(Proposal.id)).scalars().all()[::len(PAYLOADS) - 1]
    ids = {"debating": debating.id, "proposing": proposing.id, "first_proposal": first, "last_proposal": last}
    db.session.rollback()  # the live server writes next: end this transaction
    return ids


def _pages(ids: dict) -> list[str]:
    debating, proposing = ids["debating"], ids["proposing"]
    comment_pages = -(-(len(PAYLOADS) + len(TYPED)) // COMMENTS_PER_PAGE)
    proposal_pages = -(-len(PAYLOADS) // PROPOSALS_PER_PAGE)
    return ([f"/consultations/{debating}", f"/consultations/{proposing}"]
            + [f"/consultations/{debating}/debat?page_commentaires={n}" for n in range(1, comment_pages + 1)]
            + [f"/consultations/{proposing}/debat?page_propositions={n}" for n in range(1, proposal_pages + 1)]
            + [f"/consultations/{proposing}/propositions/{ids[key]}" for key in ("first_proposal", "last_proposal")])


def _poke_contributions(page) -> int:
    """Hover each contribution's text; hover, focus and click each of its links (clicks are
    cancelled by INIT_SCRIPT, so nothing navigates)."""
    for prose in page.locator(".prose").all():
        prose.hover(timeout=2_000)
    links = page.locator(", ".join(f"{c} .prose a" for c in ("article.comment", 'article[id^="proposition-"]')))
    count = links.count()
    for index in range(count):
        link = links.nth(index)
        link.hover(timeout=2_000)
        link.focus()
        link.click(timeout=2_000, modifiers=["Control"], no_wait_after=True)
    return count


def test_the_corpus_never_runs_in_chromium(new_context, live_server, db, make, sign_in):
    ids = _seed(db, make)
    context = new_context("fr")
    page = context.new_page()
    watch = Watch(page, live_server.url)

    # A resident types a few payloads through the form, as an attacker would.
    sign_in(page, make.user(name="Résidente malveillante").email)
    for text in TYPED:
        visit(page, f"/consultations/{ids['debating']}")
        debate = page.get_by_role("region", name="Débat", exact=True)
        debate.get_by_role("group", name=re.compile("^Votre position")).get_by_role(
            "radio", name="Contre", exact=True).check()
        debate.get_by_label(re.compile("^Votre commentaire")).fill(text)
        submit(page, debate.get_by_role("button", name="Publier mon commentaire"))
        expect(page.get_by_role("status")).to_contain_text("Merci : votre commentaire est publié.")

    poked = 0
    for path in _pages(ids):
        visit(page, path)
        assert page.locator(CONTRIBUTIONS).count() > 0, path
        problems = page.eval_on_selector_all(CONTRIBUTIONS, DOM_AUDIT)
        assert problems == [], (path, problems)
        assert page.evaluate("typeof window.__xss") == "undefined", path
        poked += _poke_contributions(page)
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert page.url.startswith(live_server.url + path.split("?")[0]), path  # nothing navigated away
        assert (watch.dialogs, watch.stray_requests) == ([], []), path
        # A blocked inline script would mean one got through the sanitiser: CSP is a second wall.
        assert [v for v in page.evaluate("window.__csp") if "script" in v] == [], path
    assert poked > 10  # the contributions' (sanitised, harmless) links really were there to poke
    assert not [e for e in watch.console_errors if "Content Security Policy" in e]
    # The payloads typed in the form are shown as text, escaped: the reader sees what was typed.
    visit(page, f"/consultations/{ids['debating']}/debat")
    debate = page.get_by_role("region", name="Débat", exact=True)
    expect(debate.get_by_text(TYPED[0], exact=True)).to_be_visible()
