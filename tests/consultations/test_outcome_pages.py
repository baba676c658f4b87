"""Pages that close a consultation, as people use them: writing the synthesis, publishing the
response with its commitments, a commitment's page and its progress updates, the
accountability page and the finding page's consultations — with every kind of mistake."""
from __future__ import annotations

import re
from contextlib import contextmanager
from html.parser import HTMLParser
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from plateforme.consultations.models import (
    AuthorityResponse, Commitment, CommitmentStatus, CommitmentUpdate, PhaseKind, Synthesis,
)
from plateforme.core.models import local_today
from plateforme.debate.models import Visibility

from ..factories import page_text, post_form, sign_in
from ..observatory.helpers import Observatory
from .helpers import build_consultation, published_card
from .outcome_helpers import comment, proposal, response_with_commitments, synthesis

SITEMAP = "/plan-du-site"  # any page carries a CSRF token


@contextmanager
def count_queries(db):
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _commitment_fields(index: int, **values) -> dict:
    return {f"commitments-{index}-{name}": value for name, value in values.items()}


@pytest.fixture
def moderator(make, client):
    user = make.moderator()
    sign_in(client, user)
    return user


# --- synthesis --------------------------------------------------------------------------------

def test_a_moderator_writes_the_synthesis_linking_contributions(client, make, db, moderator):
    consultation = build_consultation(make, current=PhaseKind.SYNTHESIS)
    resident = make.user(name="Awa Diallo")
    cited = comment(db, consultation, resident, body="Il faut des logements pour les étudiants.")
    hidden = comment(db, consultation, resident, body="Un commentaire masqué par la modération.",
                     visibility=Visibility.HIDDEN)
    idea = proposal(db, consultation, resident)
    url = f"/consultations/{consultation.id}/synthese"
    form = page_text(client.get(url))
    assert "Il faut des logements pour les étudiants." in form and "masqué par la modération" not in form
    assert f'value="{cited.id}"' in form and f'value="{hidden.id}"' not in form

    data = {"body": "Les **logements** reviennent souvent.", "comments": [str(cited.id)], "proposals": [str(idea.id)]}
    # Published once and never rewritten: the form first shows the synthesis as it will read,
    # with what it cites, and saves nothing; only the preview's button publishes.
    preview = post_form(client, url, data)
    text = page_text(preview)
    assert preview.status_code == 200 and "<strong>logements</strong>" in text
    assert "Il faut des logements pour les étudiants." in text and "Publier définitivement la synthèse" in text
    assert db.session.execute(select(Synthesis)).first() is None
    response = post_form(client, url, {**data, "confirm": "yes"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#synthese")
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "<strong>logements</strong>" in page and "Synthèse publiée" in page
    link = f"/consultations/{consultation.id}/commentaires/{cited.id}"
    assert f'href="{link}"' in page and f"#proposition-{idea.id}" in page
    # Each cited comment's link names its author and date: links read alone stay distinct.
    # « d'Awa »: « de » elided before a vowel.
    assert re.search(rf'href="{link}">Commentaire d\'Awa Diallo, \d{{1,2}}(er)?\s\w+\s\d{{4}}</a>', page)
    assert "Rédiger la synthèse" not in page
    assert client.get(link).headers["Location"].endswith(f"#commentaire-{cited.id}")


def test_a_refused_synthesis_keeps_what_was_typed_and_saves_nothing(client, make, db, moderator):
    consultation = build_consultation(make, current=PhaseKind.SYNTHESIS)
    elsewhere = build_consultation(make, current=PhaseKind.DEBATE, cards=consultation.cards)
    foreign = comment(db, elsewhere, make.user())
    url = f"/consultations/{consultation.id}/synthese"
    response = post_form(client, url, {"body": "Trop court"})
    page = page_text(response)
    assert response.status_code == 200 and "Trop court</textarea>" in page
    assert "Entre 20 et 20 000 caractères." in page
    response = post_form(client, url, {"body": "Une synthèse assez longue pour passer.", "comments": [str(foreign.id)]})
    page = page_text(response)
    assert response.status_code == 200 and "ne sont pas proposées ici" in page
    assert "Une synthèse assez longue pour passer.</textarea>" in page
    assert db.session.execute(select(Synthesis)).first() is None


def test_the_synthesis_page_says_why_it_is_not_open(client, make, db, moderator):
    early = build_consultation(make, current=PhaseKind.PROPOSALS)
    response = client.get(f"/consultations/{early.id}/synthese", follow_redirects=True)
    assert "La synthèse s'écrit à partir du" in page_text(response)
    done = build_consultation(make, current=PhaseKind.SYNTHESIS, cards=early.cards)
    synthesis(db, done, moderator)
    response = post_form(client, f"/consultations/{done.id}/synthese", {"body": "Une deuxième synthèse, refusée."},
                         form_url=SITEMAP, follow_redirects=True)
    assert response.status_code == 200 and "déjà publiée" in page_text(response)
    assert db.session.execute(select(Synthesis)).scalars().all() == [done.synthesis]


# --- the official response ------------------------------------------------------------------------

def test_an_official_publishes_the_response_with_its_commitments(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    sign_in(client, consultation.opened_by)
    url = f"/consultations/{consultation.id}/reponse"
    form = page_text(client.get(url))
    assert form.count("<legend>Engagement ") == 5
    due = str(local_today() + timedelta(days=120))
    response = post_form(client, url, {
        "body": "La métropole retient l'idée d'un guichet unique.",
        **_commitment_fields(0, title="Ouvrir un guichet unique", owner="Direction de la vie étudiante", due_on=due,
                             status="planned"),
        **_commitment_fields(3, title="", owner="", due_on="", status="planned"),
        "confirm": "yes",
    })
    assert response.status_code == 302 and response.headers["Location"].endswith("#reponse")
    commitment = db.session.execute(select(Commitment)).scalar_one()
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert f'id="engagement-{commitment.id}"' in page and "Ouvrir un guichet unique" in page
    assert "Direction de la vie étudiante" in page and "prévu" in page
    assert "Ajouter un engagement" in page and "Publier la réponse officielle" not in page


@pytest.mark.parametrize("fields, message", [
    (dict(title="Un engagement sans responsable", owner="", due_on="2099-01-01"),
     "Dites qui répond de cet engagement."),
    (dict(title="Une échéance mal écrite", owner="La mairie", due_on="31/13/2026"),
     "Saisissez une date valide, par exemple 31/03/2026."),
    (dict(title="", owner="La mairie", due_on="2099-01-01"), "Donnez un titre à l'engagement."),
])
def test_a_faulty_commitment_is_pointed_out_in_its_fieldset(client, make, db, fields, message):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    sign_in(client, consultation.opened_by)
    response = post_form(client, f"/consultations/{consultation.id}/reponse", {
        "body": "Une réponse assez longue pour être acceptée.", **_commitment_fields(1, status="planned", **fields)})
    page = page_text(response)
    assert response.status_code == 200 and message in page
    assert "Engagement 2 — " in page  # the summary names the fieldset
    assert "Une réponse assez longue pour être acceptée.</textarea>" in page
    for value in fields.values():
        if value:
            assert f'value="{value}"' in page
    assert db.session.execute(select(AuthorityResponse)).first() is None


def test_a_response_without_commitment_needs_the_box_ticked(client, make, db):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    sign_in(client, consultation.opened_by)
    url = f"/consultations/{consultation.id}/reponse"
    body = "Nous ne prenons pas d'engagement : la compétence est régionale."
    page = page_text(post_form(client, url, {"body": body}))
    assert "Ajoutez au moins un engagement" in page
    assert db.session.execute(select(AuthorityResponse)).first() is None
    assert post_form(client, url, {"body": body, "no_commitment": "y", "confirm": "yes"}).status_code == 302
    assert "n'a pris aucun engagement précis" in page_text(client.get(f"/consultations/{consultation.id}"))


def test_an_official_adds_a_commitment_after_the_response(client, make, db):
    consultation = build_consultation(make, current="concluded")
    response_with_commitments(db, consultation, consultation.opened_by)
    sign_in(client, consultation.opened_by)
    url = f"/consultations/{consultation.id}/engagements/nouveau"
    page = page_text(post_form(client, url, {"title": "Publier les chiffres", "owner": "", "due_on": "demain",
                                             "status": "planned"}))
    assert "Dites qui répond de cet engagement." in page and "Saisissez une date valide" in page
    assert 'value="Publier les chiffres"' in page
    response = post_form(client, url, {"title": "Publier les chiffres", "owner": "Observatoire",
                                       "due_on": str(local_today() + timedelta(days=60)), "status": "in_progress"})
    assert response.status_code == 302
    added = db.session.execute(select(Commitment).order_by(Commitment.id.desc())).scalars().first()
    assert (added.title, added.position, added.status) == ("Publier les chiffres", 2, CommitmentStatus.IN_PROGRESS)


# --- a commitment -------------------------------------------------------------------------------

def test_the_commitment_page_shows_progress_and_the_evidence_chain(client, make, db):
    observatory = Observatory(make, db)
    finding = observatory.finding()
    indicator = observatory.indicator()
    value = observatory.value(indicator, "69266", 2024, 1250, source="Rectorat de Lyon")
    card = published_card(make, title="Les étudiants étrangers")
    card.published_version.findings.append(finding)
    card.published_version.indicator_values.append(value)
    db.session.commit()
    consultation = build_consultation(make, current="concluded", cards=[card])
    commitment = response_with_commitments(db, consultation, consultation.opened_by, due_in=-2)[0]
    sign_in(client, consultation.opened_by)
    url = f"/consultations/engagements/{commitment.id}"
    for text, status in (("Premier point : le marché est lancé.", "in_progress"),
                         ("Second point : le guichet est ouvert.", "done")):
        assert post_form(client, f"{url}/suivi", {"body": text, "status": status}).status_code == 302
    page = page_text(client.get(url))
    assert page.index("Second point") < page.index("Premier point")  # newest first
    assert "prévu → en cours" in page and "en cours → tenu" in page
    assert "Direction des relations internationales" in page and "échéance dépassée" not in page  # done
    assert f"/observatoire/constats/{finding.id}" in page and f"/observatoire/indicateurs/{indicator.id}" in page
    assert "Agence d'urbanisme test" in page and "Rectorat de Lyon" in page
    assert f"/fiches-enjeux/{card.id}" in page


def test_a_refused_status_move_is_explained_next_to_the_status(client, make, db):
    consultation = build_consultation(make, current="concluded")
    commitment = response_with_commitments(db, consultation, consultation.opened_by, CommitmentStatus.DONE)[0]
    sign_in(client, consultation.opened_by)
    response = post_form(client, f"/consultations/engagements/{commitment.id}/suivi",
                         {"body": "Finalement, tout est à refaire.", "status": "in_progress"})
    page = page_text(response)
    assert response.status_code == 200 and 'id="status-error"' in page and "déjà tenu ou abandonné" in page
    assert "Finalement, tout est à refaire.</textarea>" in page
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.DONE
    assert db.session.execute(select(CommitmentUpdate)).first() is None


def test_an_overdue_commitment_is_said_in_words(client, make, db):
    consultation = build_consultation(make, current="concluded")
    commitment = response_with_commitments(db, consultation, consultation.opened_by, due_in=-1)[0]
    assert "échéance dépassée" in page_text(client.get(f"/consultations/engagements/{commitment.id}"))
    assert "Échéance dépassée" in page_text(client.get(f"/consultations/{consultation.id}"))


def test_a_draft_consultations_commitment_is_not_public(client, make, db):
    from plateforme.consultations.models import ConsultationStatus

    consultation = build_consultation(make, current="concluded")
    commitment = response_with_commitments(db, consultation, consultation.opened_by)[0]
    consultation.status = ConsultationStatus.DRAFT  # as if never published
    db.session.commit()
    assert client.get(f"/consultations/engagements/{commitment.id}").status_code == 302  # sign in
    sign_in(client, make.user())
    assert client.get(f"/consultations/engagements/{commitment.id}").status_code == 404
    assert client.get("/consultations/engagements/999999").status_code == 404


# --- accountability and the finding page -------------------------------------------------------------

def test_the_accountability_page_lists_consultations_in_a_fixed_number_of_queries(client, make, db):
    first = build_consultation(make, current="concluded", title="Première consultation")
    response_with_commitments(db, first, first.opened_by, CommitmentStatus.PLANNED, CommitmentStatus.DONE,
                              due_in=-5)
    url = "/consultations/redevabilite/epci/200046977"
    client.get(url)
    with count_queries(db) as few:
        page = page_text(client.get(url))
    assert "Première consultation" in page and "1 engagement en retard" in page
    assert "1 engagement «\u00a0tenu\u00a0»" in page and "en retard" in page
    for i in range(4):
        more = build_consultation(make, current="concluded", cards=first.cards, opened_by=first.opened_by,
                                  title=f"Consultation {i}", territory_code="69266" if i % 2 else "200046977")
        response_with_commitments(db, more, first.opened_by, CommitmentStatus.IN_PROGRESS, CommitmentStatus.PLANNED)
        synthesis(db, more, first.opened_by)
    with count_queries(db) as many:
        page = page_text(client.get(url))
    assert "Consultation 3" in page and "Villeurbanne" in page
    assert len(few) == len(many), (len(few), len(many))
    assert "Les consultations de la Métropole de Lyon et leurs suites" in page_text(
        client.get("/territoires/epci/200046977"))


def test_the_finding_page_lists_the_consultations_that_used_it(client, make, db):
    observatory = Observatory(make, db)
    finding = observatory.finding()
    card = published_card(make)
    card.published_version.findings.append(finding)
    db.session.commit()
    consultation = build_consultation(make, current=PhaseKind.DEBATE, cards=[card], title="Débat sur les étudiants")
    page = page_text(client.get(f"/observatoire/constats/{finding.id}"))
    assert "Consultations qui en ont débattu" in page and f"/consultations/{consultation.id}" in page


def test_the_progress_form_hint_is_in_the_reader_s_language(client, make, db):
    """The hint joined to the formatting help was frozen in French when the module loaded (audit 19)."""
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    official = consultation.opened_by
    commitment = response_with_commitments(db, consultation, official)[0]
    sign_in(client, official)
    english = page_text(client.get(f"/consultations/engagements/{commitment.id}/suivi",
                                   headers={"Accept-Language": "en"}))
    assert "What has been done since the last update" in english and "Ce qui a été fait" not in english


class _LanguageOfText(HTMLParser):
    """The language each piece of text is read in: the nearest enclosing lang attribute."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        lang = next((lang for _tag, lang in reversed(self.stack) if lang), None)
        self.texts.append((data, lang, {tag for tag, _lang in self.stack}))

    def language_of(self, text: str, inside: str = "main") -> str | None:
        return next(lang for data, lang, tags in self.texts if text in data and inside in tags)


def test_french_contributions_are_marked_french_on_english_pages(client, make, db):
    """On an English page, what people wrote in French is read as French (WCAG 3.1.2, audit 19)."""
    consultation = build_consultation(make, current=PhaseKind.DEBATE, title="Une métropole accueillante")
    comment(db, consultation, make.user(), body="Mon fils a étudié à l'étranger.")
    html = client.get(f"/consultations/{consultation.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en"' in html
    parser = _LanguageOfText()
    parser.feed(html)
    assert parser.language_of("Mon fils a étudié à l'étranger.") == "fr"
    assert parser.language_of("Une métropole accueillante", inside="h1") == "fr"
    assert parser.language_of("Une métropole accueillante", inside="nav") == "fr"  # the breadcrumb
    assert parser.language_of("Schedule", inside="h2") == "en"  # the interface around it stays English
