"""Helpers for tests/debate/test_hostile_inputs.py: read a form as a browser sees it (its
fields and their current values), hostile text strategies, and the world the forms act on."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from hypothesis import strategies as st

from plateforme.consultations.models import ConsultationStatus, PhaseKind
from plateforme.core.models import local_today

from ..cards.helpers import Cards
from ..consultations.helpers import build_consultation
from ..consultations.outcome_helpers import response_with_commitments
from .helpers import comment, proposal

# The answers a hostile input may get; never 500 (nor any other 5xx).
ACCEPTABLE = {200, 302, 400, 403, 404, 409, 429}

SPECIAL = [
    "", " ", "\x00", "a\x00b", "\u202etxet\u202c", "\u200b\u200d\ufeff", "🙂👩🏽‍🚀🇫🇷", "ﷺ" * 50,
    "'; DROP TABLE comment; --", "\" OR 1=1 --", "1; SELECT pg_sleep(5)", "%s %(x)s {0} {{7*7}}", "${jndi:x}",
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "\r\n\r\nSet-Cookie: x=1", "../../etc/passwd",
    "-1", "0", "1e309", "NaN", "9" * 40, "-9223372036854775809", "2147483648", "0x10", "١٢", "³",
    "2026-02-30", "0001-01-01", "9999-12-31", "99999-01-01", "2026-13-01", "31/12/2026", "T", "0000-00-00",
    "x" * 100_000, "é" * 5_001, "\t" * 300, "\u0301" * 200,
]

# Any Unicode but lone surrogates (which no browser can send as UTF-8).
_any_char = st.characters(blacklist_categories=("Cs",))
hostile_text = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(_any_char, max_size=60),
    st.text(_any_char, min_size=1, max_size=5).map(lambda s: s * 2_000),
    st.text(st.characters(max_codepoint=0x1F, blacklist_categories=("Cs",)), max_size=20),
    st.integers().map(str),
)


@dataclass
class ScrapedForm:
    action: str | None
    method: str
    fields: dict[str, str] = field(default_factory=dict)   # name -> current value
    options: dict[str, list[str]] = field(default_factory=dict)  # radio/select name -> values


class _FormScraper(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[ScrapedForm] = []
        self._current: ScrapedForm | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        form = self._current
        if tag == "form":
            self._current = ScrapedForm(attrs.get("action"), (attrs.get("method") or "get").lower())
            self.forms.append(self._current)
            return
        if form is None or not attrs.get("name") and tag != "option":
            return
        name = attrs.get("name")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                form.options.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    form.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "reset", "image", "file"):
                form.fields[name] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = ""
        elif tag == "select":
            self._select = name
            form.options[name] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            form.options[self._select].append(value)
            if "selected" in attrs:
                form.fields[self._select] = value

    def handle_data(self, data):
        if self._textarea and self._current is not None:
            self._current.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            if self._textarea and self._current is not None:
                self._current.fields[self._textarea] = _drop_first_newline(self._current.fields[self._textarea])
            self._textarea = None
        elif tag == "select":
            self._select = None


def _drop_first_newline(text: str) -> str:
    """HTML ignores one newline right after <textarea>: the browser's value starts after it."""
    for newline in ("\r\n", "\n", "\r"):
        if text.startswith(newline):
            return text[len(newline):]
    return text


def scrape_forms(html: str) -> list[ScrapedForm]:
    scraper = _FormScraper()
    scraper.feed(html)
    scraper.close()
    return scraper.forms


def post_form_of(html: str, action: str) -> ScrapedForm:
    """The POST form whose action is `action` (or the page's largest POST form)."""
    forms = [f for f in scrape_forms(html) if f.method == "post"]
    matching = [f for f in forms if f.action and f.action.split("?")[0] == action]
    candidates = matching or [f for f in forms if not f.action or f.action.split("?")[0] == ""] or forms
    assert candidates, f"no POST form for {action}"
    return max(candidates, key=lambda f: len(f.fields) + len(f.options))


@dataclass
class World:
    """People and objects every hostile form acts on, all on the Métropole de Lyon."""

    ids: dict[str, int]
    users: dict[str, object]


def build_world(make, db) -> World:
    cards = Cards(make, db)
    official, moderator, admin = cards.elected, cards.moderator, cards.admin
    resident, other = make.user(name="Autrice du débat"), make.user(name="Lectrice attentive")
    published = cards.published(title="Fiche publiée pour les tests hostiles")
    draft_card = cards.draft(title="Brouillon de fiche hostile")
    submitted_card = cards.submitted(title="Fiche soumise hostile")
    common = {"opened_by": official, "cards": [published]}
    debating = build_consultation(make, PhaseKind.DEBATE, title="Débat hostile", **common)
    proposing = build_consultation(make, PhaseKind.PROPOSALS, title="Propositions hostiles", **common)
    in_synthesis = build_consultation(make, PhaseKind.SYNTHESIS, title="Synthèse hostile", **common)
    in_response = build_consultation(make, PhaseKind.RESPONSE, title="Réponse hostile", **common)
    concluded = build_consultation(make, "concluded", title="Engagements hostiles", **common)
    draft = build_consultation(make, PhaseKind.DEBATE, title="Brouillon hostile", status=ConsultationStatus.DRAFT,
                               **common)
    written = comment(db, resident, debating, body="Un commentaire qui sera visé.")
    proposed = proposal(db, resident, proposing)
    commitment = response_with_commitments(db, concluded, official)[0]
    ids = {"debating": debating.id, "proposing": proposing.id, "in_synthesis": in_synthesis.id,
           "in_response": in_response.id, "concluded": concluded.id, "draft": draft.id, "comment": written.id,
           "proposal": proposed.id, "commitment": commitment.id, "card": published.id,
           "draft_card": draft_card.id, "submitted_card": submitted_card.id,
           "territory": debating.territory_id}
    users = {"official": official, "moderator": moderator, "admin": admin, "resident": resident, "other": other}
    db.session.commit()
    return World(ids, users)


def phase_day(offset: int) -> str:
    from datetime import timedelta

    return (local_today() + timedelta(days=offset)).isoformat()
