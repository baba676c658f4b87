"""A consultation end to end in Chromium, as new users would live it, with axe on every page.

An elected official of the Métropole de Lyon opens a consultation through the form on a
published issue card (which cites an observatory finding and an indicator value) and publishes
it; a resident follows it; two residents debate and one proposes; a moderator writes the
synthesis citing contributions; the official publishes the response with two commitments and
then reports progress on one; the follower is told (notifications page and email); finally a
visitor walks the evidence chain back from the accountability page to the observatory, and
prints the card's debate kit. A last test opens a consultation with JavaScript off.

Phases follow the calendar (`local_today()`). Rather than changing the clock, the test moves
the consultation's phase dates back in the database: "time passes" (`_days_pass`).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from plateforme.consultations.models import Consultation, ConsultationPhase
from plateforme.core.models import local_today
from plateforme.core.text import french_spacing

from ..cards.helpers import Cards
from ..cards.pdftext import extract_text
from .conftest import assert_reflows, axe_check, submit, visit

pytestmark = pytest.mark.browser

TITLE = "Quel accueil pour les étudiants étrangers ?"
DESCRIPTION = "La Métropole veut **mieux accueillir** les étudiants venus de l'étranger. Dites-nous comment."
METROPOLE = "Métropole de Lyon (200046977)"
CARD_LABEL = "L'accueil des étudiants étrangers — Métropole de Lyon"
RESIDENTS = "Les habitantes et habitants du territoire"
# Each phase lasts a week, back to back, from today: (first day, last day) as offsets in days.
PHASES = {"Information": (0, 6), "Débat": (7, 13), "Propositions": (14, 20), "Synthèse": (21, 27),
          "Réponse officielle": (28, 34)}
COMMENT_FOR = "Je suis pour : un accueil organisé profite à toute la ville."
COMMENT_QUESTION = "Qui financera les logements prévus pour ces étudiants ?"
PROPOSAL_TITLE = "Un guichet unique d'accueil à la Doua"
PROPOSAL_BODY = "Un seul lieu pour le titre de séjour, le logement et l'inscription, ouvert en septembre."
SYNTHESIS = "Les habitants soutiennent un accueil organisé mais s'interrogent sur le financement du logement."
RESPONSE = "La Métropole retient l'idée d'un guichet unique et étudie le financement de logements dédiés."
COMMITMENTS = [  # (title, owner, due in days)
    ("Ouvrir un guichet unique d'accueil", "Direction des relations internationales", 120),
    ("Étudier 300 logements étudiants dédiés", "Vice-présidence au logement", 240),
]
PROGRESS = "Le local est trouvé sur le campus de la Doua ; le recrutement de deux agents est lancé."


def _days_pass(db, consultation_id: int, days: int) -> None:
    """Time passes: `days` later, seen from the consultation, is its phases `days` earlier."""
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    for phase in db.session.execute(select(ConsultationPhase).where(
            ConsultationPhase.consultation_id == consultation_id)).scalars():
        phase.starts_on -= timedelta(days=days)
        phase.ends_on -= timedelta(days=days)
    db.session.commit()
    db.session.expire_all()


def _reflows(page) -> None:
    """No sideways scrolling at 320 CSS pixels (WCAG 1.4.10), then back to a desktop width."""
    assert_reflows(page)
    page.set_viewport_size({"width": 1280, "height": 720})


def _fill_consultation_form(main, today) -> None:
    main.get_by_label(re.compile("^Titre")).fill(TITLE)
    main.get_by_label(re.compile("^Présentation")).fill(DESCRIPTION)
    main.get_by_label(re.compile("^Territoire")).select_option(label=METROPOLE)
    main.get_by_role("group", name=re.compile("^Qui peut participer")).get_by_role(
        "radio", name=RESIDENTS, exact=True).check()
    main.get_by_role("group", name="Fiches enjeux").get_by_role("checkbox", name=CARD_LABEL).check()
    for phase, (first, last) in PHASES.items():
        group = main.get_by_role("group", name=phase, exact=True)
        group.get_by_label(f"{phase} : début").fill((today + timedelta(days=first)).isoformat())
        group.get_by_label(f"{phase} : fin (incluse)").fill((today + timedelta(days=last)).isoformat())


def _comment(page, consultation_path, stance, text) -> None:
    visit(page, consultation_path)
    debate = page.get_by_role("region", name="Débat", exact=True)
    debate.get_by_role("group", name=re.compile("^Votre position")).get_by_role(
        "radio", name=stance, exact=True).check()
    debate.get_by_label(re.compile("^Votre commentaire")).fill(text)
    submit(page, debate.get_by_role("button", name="Publier mon commentaire"))
    expect(page.get_by_role("status")).to_contain_text("Merci : votre commentaire est publié.")
    expect(page.get_by_role("region", name="Débat", exact=True)).to_contain_text(text)
    _reflows(page)


def test_consultation_opened_debated_answered_followed_and_traced_back(new_context, make, db, sign_in,
                                                                        live_server, outbox):
    cards = Cards(make, db)
    card = cards.published(finding_ids=[cards.finding.id], value_ids=[cards.value_epci.id])
    card_title, finding_title = card.title, cards.finding.title
    indicator_name = cards.indicator.name
    official = cards.elected.email
    moderator = cards.moderator.email
    residents = [make.user(name="Inès Habitante").email, make.user(name="Marc Habitant").email]
    follower = make.user(name="Fanny Fidèle").email
    today = local_today()
    db.session.rollback()

    # The official opens the consultation through the form: a draft, then published.
    page = new_context("fr").new_page()
    sign_in(page, official)
    visit(page, "/consultations/nouvelle")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir une consultation")
    _reflows(page)
    _fill_consultation_form(main, today)
    submit(page, main.get_by_role("button", name="Enregistrer le brouillon"))
    expect(page).to_have_url(re.compile(r"/consultations/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main.get_by_role("note")).to_contain_text("Brouillon.")
    consultation_path = re.search(r"/consultations/\d+$", page.url).group(0)
    consultation_id = int(consultation_path.rsplit("/", 1)[1])
    submit(page, main.get_by_role("link", name="Publier la consultation"))
    expect(main.get_by_role("note")).to_contain_text("ne redevient pas un brouillon")
    submit(page, main.get_by_role("button", name="Publier définitivement la consultation"))
    expect(page.get_by_role("status")).to_contain_text("Consultation publiée")
    expect(main.locator("dl.details")).to_contain_text("Phase d'information")
    expect(main.locator("[aria-current=step]")).to_contain_text("Information")
    page.close()

    # A resident follows the consultation without taking part.
    page = new_context("fr").new_page()
    sign_in(page, follower)
    visit(page, consultation_path)
    submit(page, page.locator("main").get_by_role("button", name="Suivre cette consultation"))
    expect(page.get_by_role("status")).to_contain_text("Vous suivez cette consultation")
    page.close()

    # Time passes: a week later, the debate is open. Two residents comment, with stances.
    _days_pass(db, consultation_id, 7)
    for email, stance, text in ((residents[0], "Pour", COMMENT_FOR), (residents[1], "Question", COMMENT_QUESTION)):
        page = new_context("fr").new_page()
        sign_in(page, email)
        _comment(page, consultation_path, stance, text)
        page.close()

    # Time passes: the proposals phase. The first resident proposes an idea.
    _days_pass(db, consultation_id, 7)
    page = new_context("fr").new_page()
    sign_in(page, residents[0])
    visit(page, consultation_path)
    proposals = page.get_by_role("region", name="Propositions", exact=True)
    expect(page.get_by_role("region", name="Débat", exact=True)).to_contain_text(COMMENT_QUESTION)
    proposals.get_by_label(re.compile("^Titre de la proposition")).fill(PROPOSAL_TITLE)
    proposals.get_by_label(re.compile("^Votre proposition")).fill(PROPOSAL_BODY)
    submit(page, proposals.get_by_role("button", name="Déposer ma proposition"))
    expect(page.get_by_role("status")).to_contain_text("Merci : votre proposition est publiée.")
    expect(page.get_by_role("heading", level=1)).to_have_text(PROPOSAL_TITLE)
    page.close()

    # Time passes: the synthesis phase. A moderator of the territory writes it, citing contributions.
    _days_pass(db, consultation_id, 7)
    page = new_context("fr").new_page()
    sign_in(page, moderator)
    visit(page, consultation_path)
    main = page.locator("main")
    submit(page, main.get_by_role("link", name="Rédiger la synthèse"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publier la synthèse de « {TITLE} »")
    main.get_by_label(re.compile("^La synthèse")).fill(SYNTHESIS)
    main.get_by_role("checkbox", name=re.compile(r"^Inès Habitante : « Je suis pour")).check()
    main.get_by_role("checkbox", name=f"« {PROPOSAL_TITLE} », par Inès Habitante").check()
    submit(page, main.get_by_role("button", name="Vérifier avant de publier"))
    expect(main.get_by_role("note")).to_contain_text("publiée une seule fois")
    submit(page, main.get_by_role("button", name="Publier définitivement la synthèse"))
    expect(page).to_have_url(f"{live_server.url}{consultation_path}#synthese")
    expect(page.get_by_role("status")).to_contain_text("Synthèse publiée.")
    synthesis = main.get_by_role("region", name="Synthèse : ce qui a été entendu")
    expect(synthesis).to_contain_text(SYNTHESIS)
    expect(synthesis.get_by_role("link", name="Commentaire")).to_have_count(1)
    expect(synthesis.get_by_role("link", name=f"Proposition « {PROPOSAL_TITLE} »")).to_have_count(1)
    expect(synthesis).not_to_contain_text(COMMENT_QUESTION)  # not cited
    page.close()

    # Time passes: the response phase. The official publishes the response with two commitments.
    _days_pass(db, consultation_id, 7)
    page = new_context("fr").new_page()
    sign_in(page, official)
    visit(page, consultation_path)
    main = page.locator("main")
    submit(page, main.get_by_role("link", name="Publier la réponse officielle"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publier la réponse officielle — {TITLE}")
    _reflows(page)
    main.get_by_label(re.compile("^La réponse de la collectivité")).fill(RESPONSE)
    for number, (title, owner, due_in) in enumerate(COMMITMENTS, start=1):
        group = main.get_by_role("group", name=f"Engagement {number}", exact=True)
        group.get_by_label(re.compile("^Titre de l'engagement")).fill(title)
        group.get_by_label(re.compile("^Qui en répond")).fill(owner)
        group.get_by_label(re.compile("^Échéance")).fill((today + timedelta(days=due_in)).isoformat())
    submit(page, main.get_by_role("button", name="Vérifier avant de publier"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Vérifier avant de publier : {TITLE}")
    expect(main).to_contain_text("publiée une seule fois")
    _reflows(page)
    submit(page, main.get_by_role("button", name="Publier définitivement la réponse officielle"))
    expect(page).to_have_url(f"{live_server.url}{consultation_path}#reponse")
    expect(page.get_by_role("status")).to_contain_text("Réponse officielle publiée.")
    response = main.get_by_role("region", name="Réponse officielle de la collectivité")
    expect(response).to_contain_text(RESPONSE)
    expect(response.locator("li.commitment")).to_have_count(2)
    expect(response.locator("li.commitment").first).to_contain_text("Statut : prévu")

    # Then reports progress on the first commitment: planned → in progress, with a note.
    first_commitment = COMMITMENTS[0][0]
    submit(page, response.get_by_role("link", name=first_commitment, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(first_commitment)
    commitment_path = re.search(r"/consultations/engagements/\d+$", page.url).group(0)
    submit(page, main.get_by_role("link", name="Publier un point d'étape"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Point d'étape sur « {first_commitment} »")
    main.get_by_label(re.compile("^Où en est l'engagement")).fill(PROGRESS)
    main.get_by_role("group", name=re.compile("^Statut après ce point d'étape")).get_by_role(
        "radio", name="en cours", exact=True).check()
    submit(page, main.get_by_role("button", name="Publier le point d'étape"))
    expect(page).to_have_url(f"{live_server.url}{commitment_path}")
    expect(page.get_by_role("status")).to_contain_text("Point d'étape publié.")
    expect(main.locator("dl.details")).to_contain_text("en cours")
    updates = main.get_by_role("region", name=re.compile("^Avancement"))
    expect(updates).to_contain_text("statut : prévu → en cours")
    expect(updates).to_contain_text(PROGRESS)
    _reflows(page)
    page.close()

    # The follower is told: three notifications (synthesis, response, progress), and three emails.
    page = new_context("fr").new_page()
    sign_in(page, follower)
    header = page.locator("header")
    expect(header.get_by_role("link", name=re.compile("^Notifications"))).to_contain_text("3 non lues")
    submit(page, header.get_by_role("link", name=re.compile("^Notifications")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes notifications")
    notifications = page.locator("main ol.notifications > li")
    expect(notifications).to_have_count(3)
    update_text = f"L'engagement « {first_commitment} » (consultation « {TITLE} ») a été mis à jour."
    expect(notifications.first).to_contain_text(update_text)
    expect(notifications.nth(1)).to_contain_text(f"La réponse officielle à la consultation « {TITLE} » est publiée")
    expect(notifications.nth(2)).to_contain_text(f"La synthèse de la consultation « {TITLE} » est publiée.")
    submit(page, notifications.first.get_by_role("link", name=update_text))
    expect(page).to_have_url(f"{live_server.url}{commitment_path}")
    page.close()
    to_follower = [message for message in outbox if message.to == follower]
    assert len(to_follower) == 3, [(m.to, m.subject) for m in outbox]
    # The mail says it as the French catalogue does: non-breaking spaces inside « » (Playwright's
    # text checks above count them as spaces; a mail body is compared character for character).
    in_mail = french_spacing("L'engagement « {} » (consultation « {} ») a été mis à jour.").format(first_commitment, TITLE)
    assert any(in_mail in message.body and commitment_path in message.body
               for message in to_follower)
    assert official not in {message.to for message in outbox}  # nobody is told of their own action

    # A visitor walks the chain back: accountability → commitment → consultation → card → finding, indicator.
    page = new_context("fr").new_page()
    visit(page, "/consultations/redevabilite/epci/200046977")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce que la Métropole de Lyon a fait de ses consultations")
    table = main.get_by_role("table")
    expect(table).to_contain_text("1 engagement « en cours »")
    _reflows(page)
    submit(page, table.get_by_role("link", name=first_commitment, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(first_commitment)
    evidence = main.get_by_role("region", name="D'où vient cet engagement")
    expect(evidence.get_by_role("link", name=finding_title)).to_have_count(1)
    expect(evidence.get_by_role("link", name=indicator_name)).to_have_count(1)
    submit(page, main.locator("dl.details").get_by_role("link", name=TITLE))
    expect(page).to_have_url(f"{live_server.url}{consultation_path}#reponse")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main.locator("dl.details")).to_contain_text("Réponse officielle publiée")
    submit(page, main.get_by_role("region", name="Les fiches enjeux en débat").get_by_role("link", name=card_title))
    expect(page.get_by_role("heading", level=1)).to_have_text(card_title)
    card_path = page.url.removeprefix(live_server.url)
    consultations_on_card = main.get_by_role("region", name="Les consultations sur cette fiche")
    expect(consultations_on_card.get_by_role("link", name=TITLE)).to_have_count(1)
    submit(page, main.get_by_role("link", name=finding_title))
    expect(page.get_by_role("heading", level=1)).to_have_text(finding_title)
    citing = main.get_by_role("region", name="Consultations qui en ont débattu")
    expect(citing.get_by_role("link", name=TITLE)).to_have_count(1)
    # The finding names no figure: back to the card through the finding's own link, then the figure.
    citing_cards = main.get_by_role("region", name="Fiches enjeux qui s'appuient sur ce constat")
    submit(page, citing_cards.get_by_role("link", name=card_title))
    expect(page).to_have_url(f"{live_server.url}{card_path}")
    submit(page, main.get_by_role("link", name=indicator_name))
    expect(page).to_have_url(re.compile(r"/observatoire/indicateurs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(indicator_name)

    # The card's debate kit: its PDF link answers with a PDF, and its page prints the card alone.
    visit(page, card_path)
    kit = main.get_by_role("region", name="Kit de débat")
    pdf_href = kit.get_by_role("link", name="Télécharger le kit en PDF").get_attribute("href")
    pdf = page.request.get(pdf_href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf", (pdf.status, pdf.headers)
    assert pdf.body().startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith("attachment")
    pdf_text = " ".join(extract_text(pdf.body()).split())
    assert card_title in pdf_text and finding_title in pdf_text, pdf_text[:300]
    submit(page, kit.get_by_role("link", name="Version à imprimer"))
    expect(page.get_by_role("heading", level=1)).to_have_text(card_title)
    _reflows(page)
    page.emulate_media(media="print")
    printed = page.locator("article.debate-kit")
    expect(printed).to_be_visible()
    expect(printed.get_by_role("heading", name="Questions pour le débat")).to_be_visible()
    expect(printed).to_contain_text(finding_title)
    for screen_only in ("header.site-header", "nav.breadcrumbs", "footer.site-footer", ".kit-screen-only"):
        expect(page.locator(screen_only)).to_be_hidden()
    axe_check(page)  # the printed page too
    page.close()


def test_consultation_form_works_without_javascript(new_context, make, db, sign_in, live_server):
    cards = Cards(make, db)
    cards.published()
    official = cards.elected.email
    today = local_today()
    db.session.rollback()

    page = new_context("fr", java_script_enabled=False).new_page()
    sign_in(page, official)
    visit(page, "/consultations/nouvelle")
    main = page.locator("main")
    _fill_consultation_form(main, today)
    card = main.get_by_role("group", name="Fiches enjeux").get_by_role("checkbox", name=CARD_LABEL)

    # A first mistake: no issue card. The summary's link leads to the group of cards, which says why.
    card.uncheck()
    submit(page, main.get_by_role("button", name="Enregistrer le brouillon"))
    expect(page).to_have_title(re.compile("^Erreur — Ouvrir une consultation"))
    _expect_summary_leads_to(page, "Choisissez au moins une fiche enjeu publiée")
    expect(main.get_by_role("group", name="Fiches enjeux")).to_have_accessible_description(
        re.compile("Choisissez au moins une fiche enjeu publiée"))
    expect(main.get_by_label(re.compile("^Titre"))).to_have_value(TITLE)
    expect(main.get_by_label("Débat : début")).to_have_value((today + timedelta(days=7)).isoformat())

    # A second one: the debate ends before it starts. The server says so next to the field.
    card.check()
    debate = main.get_by_role("group", name="Débat", exact=True)
    debate.get_by_label("Débat : fin (incluse)").fill((today + timedelta(days=5)).isoformat())
    submit(page, main.get_by_role("button", name="Enregistrer le brouillon"))
    expect(page).to_have_title(re.compile("^Erreur — Ouvrir une consultation"))
    _expect_summary_leads_to(page, "La date de fin doit être le jour du début ou après")
    end_field = main.get_by_label("Débat : fin (incluse)")
    expect(end_field).to_have_attribute("aria-invalid", "true")
    expect(end_field).to_have_accessible_description(re.compile("La date de fin doit être le jour du début ou après"))
    expect(main.get_by_label(re.compile("^Titre"))).to_have_value(TITLE)
    expect(card).to_be_checked()
    assert _count_consultations(db) == 0

    # Corrected, the draft is saved and published, still without JavaScript.
    end_field.fill((today + timedelta(days=PHASES["Débat"][1])).isoformat())
    submit(page, main.get_by_role("button", name="Enregistrer le brouillon"))
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré.")
    submit(page, main.get_by_role("link", name="Publier la consultation"))
    submit(page, main.get_by_role("button", name="Publier définitivement la consultation"))
    expect(page.get_by_role("status")).to_contain_text("Consultation publiée")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert _count_consultations(db) == 1


def _expect_summary_leads_to(page, message: str) -> None:
    """The error summary has one link, with `message`, to an element of the page that exists."""
    links = page.get_by_role("alert").get_by_role("link")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text(message)
    target = links.first.get_attribute("href")
    assert target.startswith("#") and page.locator(target).count() == 1, f"the summary links to {target}: absent"


def _count_consultations(db) -> int:
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    count = len(db.session.execute(select(Consultation.id)).all())
    db.session.rollback()
    return count
