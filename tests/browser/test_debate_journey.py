"""A debate and its moderation end to end in Chromium, as new users would live it, with axe
on every page.

Two residents debate (stances, a reply); a third posts an insult with a script in it, which
shows as plain text; three other residents report it through the report page, and it is
hidden pending review on the third report. A moderator of the territory opens the queue,
hides it with a public reason, features a comment someone reported for nothing and closes
that report. The author reads in their notifications why; a signed-out visitor sees the
placeholder in the thread and reads the consultation's public moderation log (decision,
reason, role, counts per reason) where no moderator is named.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from plateforme.consultations.models import PhaseKind

from ..consultations.helpers import build_consultation
from .conftest import submit, visit

pytestmark = pytest.mark.browser

CAMILLE_SAYS = "Un accueil organisé des étudiants étrangers profite à tout le quartier."
BASTIEN_SAYS = "Je suis contre tant que les logements manquent pour tout le monde."
REPLY = "Justement : la Métropole pourrait construire des logements pour tous."
INSULT = "Vous êtes tous des abrutis <img src=x onerror=alert(1)> [clic](javascript:alert(1))"
PUBLIC_REASON = "Propos insultants envers les autres participants."
MODERATOR = "Modératrice de la Métropole"
REPORTERS = ["Anaïs Lectrice", "Bruno Lecteur", "Chloé Lectrice"]


def _debate(page):
    return page.get_by_role("region", name="Débat", exact=True)


def _comment(page, path: str, stance: str, text: str) -> None:
    visit(page, path)
    debate = _debate(page)
    debate.get_by_role("group", name=re.compile("^Votre position")).get_by_role(
        "radio", name=stance, exact=True).check()
    debate.get_by_label(re.compile("^Votre commentaire")).fill(text)
    submit(page, debate.get_by_role("button", name="Publier mon commentaire"))
    expect(page.get_by_role("status")).to_contain_text("Merci : votre commentaire est publié.")


def _article_of(page, text: str):
    return _debate(page).locator("article.comment").filter(has_text=text)


def _report(page, path: str, author: str, note: str, reason: str = "Insulte ou propos haineux") -> None:
    visit(page, path)
    submit(page, _debate(page).get_by_role("link", name=f"Signaler le commentaire de {author}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler un contenu")
    main = page.locator("main")
    main.get_by_role("radio", name=reason, exact=True).check()
    main.get_by_label(re.compile("^Précision")).fill(note)
    submit(page, main.get_by_role("button", name="Envoyer le signalement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signalement transmis")
    expect(page.get_by_role("status")).to_contain_text("vous avez signalé ce contenu le")
    expect(main.get_by_role("button", name="Envoyer le signalement")).to_have_count(0)  # no second form
    submit(page, main.get_by_role("link", name="Revenir au débat"))


def test_residents_debate_and_the_community_moderates_in_the_open(new_context, db, make, sign_in):
    consultation = build_consultation(make, PhaseKind.DEBATE, title="Quel accueil pour les étudiants étrangers ?")
    camille, bastien = make.user(name="Camille Habitante"), make.user(name="Bastien Habitant")
    troll = make.user(name="Troll Anonyme")
    reporters = [make.user(name=name) for name in REPORTERS]
    moderator = make.moderator("200046977", name=MODERATOR)
    path = f"/consultations/{consultation.id}"
    people = {"camille": camille.email, "bastien": bastien.email, "troll": troll.email,
              "reporters": [r.email for r in reporters], "moderator": moderator.email}
    db.session.rollback()  # the browser drives the server from here

    dialogs: list[str] = []

    def as_person(email: str | None):
        page = new_context("fr").new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        if email:
            sign_in(page, email)
        return page

    # Two residents debate: a comment for, one against, and a reply.
    camille_page = as_person(people["camille"])
    _comment(camille_page, path, "Pour", CAMILLE_SAYS)
    bastien_page = as_person(people["bastien"])
    _comment(bastien_page, path, "Contre", BASTIEN_SAYS)
    submit(bastien_page, _debate(bastien_page).get_by_role(
        "link", name="Répondre au commentaire de Camille Habitante"))
    main = bastien_page.locator("main")
    main.get_by_role("radio", name="Nuance", exact=True).check()
    main.get_by_label(re.compile("^Votre commentaire")).fill(REPLY)
    submit(bastien_page, main.get_by_role("button", name=re.compile("^Publier")))
    expect(bastien_page.get_by_role("status")).to_contain_text("Merci : votre réponse est publiée.")
    thread = _article_of(bastien_page, CAMILLE_SAYS).locator("xpath=..")
    expect(thread.get_by_role("list", name="1 réponse")).to_contain_text(REPLY)
    expect(_article_of(bastien_page, BASTIEN_SAYS)).to_contain_text("Position : Contre")

    # Someone posts an insult with a script in it: the markup shows as text, nothing runs.
    troll_page = as_person(people["troll"])
    _comment(troll_page, path, "Contre", INSULT)
    insult = _article_of(troll_page, "Vous êtes tous des abrutis")
    expect(insult).to_contain_text("<img src=x onerror=alert(1)>")
    assert insult.locator("img, script, [onerror]").count() == 0
    assert insult.get_by_role("link", name="clic").count() == 0
    assert dialogs == []

    # Three other residents report it, each through the report page; the third hides it.
    _report(camille_page, path, "Troll Anonyme", "Une insulte envers tout le monde.")
    _report(bastien_page, path, "Troll Anonyme", "Insultes et code bizarre.")
    reporter_page = as_person(people["reporters"][0])
    _report(reporter_page, path, "Troll Anonyme", "Propos injurieux.")
    expect(_debate(reporter_page)).not_to_contain_text("abrutis")
    expect(_debate(reporter_page)).to_contain_text(
        "Commentaire masqué en attendant l'examen de la modération, après plusieurs signalements.")
    # Someone else reports Camille's comment for nothing (one report: it stays up).
    second_reporter = as_person(people["reporters"][1])
    _report(second_reporter, path, "Camille Habitante", "Je ne suis pas d'accord.", reason="Hors sujet")
    expect(_article_of(second_reporter, CAMILLE_SAYS)).to_be_visible()

    # The moderator of the territory opens the queue from the header.
    moderator_page = as_person(people["moderator"])
    visit(moderator_page, path)
    submit(moderator_page, moderator_page.locator("header").get_by_role("link", name="Modération"))
    reported = moderator_page.get_by_role("region", name=re.compile("^Contenus signalés"))
    expect(reported.get_by_role("heading", level=2)).to_have_text("Contenus signalés (2)")
    troll_item = reported.locator("article").filter(has_text="Troll Anonyme")
    expect(troll_item).to_contain_text("3 signalements :")
    expect(troll_item).to_contain_text("Insulte ou propos haineux : 3")
    expect(troll_item).to_contain_text("Masqué en attente d'examen")
    # It hides it with a public reason.
    submit(moderator_page, troll_item.get_by_role("link", name="Masquer avec une raison publique"))
    main = moderator_page.locator("main")
    main.get_by_role("radio", name="Insulte ou propos haineux", exact=True).check()
    main.get_by_label(re.compile("^Raison publique")).fill(PUBLIC_REASON)
    submit(moderator_page, main.get_by_role("button", name="Masquer"))
    expect(moderator_page.get_by_role("status")).to_contain_text("Le contenu est masqué")
    hidden = moderator_page.get_by_role("region", name=re.compile("^Masqués ces 30 derniers jours"))
    expect(hidden).to_contain_text(PUBLIC_REASON)
    # It features Camille's comment, reported for nothing, and closes that report.
    reported = moderator_page.get_by_role("region", name=re.compile("^Contenus signalés"))
    camille_item = reported.locator("article").filter(has_text=CAMILLE_SAYS)
    submit(moderator_page, camille_item.get_by_role("button", name="Mettre en avant"))
    expect(moderator_page.get_by_role("status")).to_contain_text("Le contenu est mis en avant.")
    camille_item = moderator_page.get_by_role("region", name=re.compile("^Contenus signalés")).locator(
        "article").filter(has_text=CAMILLE_SAYS)
    submit(moderator_page, camille_item.get_by_role("button", name="Classer les signalements"))
    expect(moderator_page.get_by_role("status")).to_contain_text("Les signalements sont classés.")
    expect(moderator_page.get_by_role("region", name=re.compile("^Contenus signalés"))).to_contain_text(
        "Aucun signalement en attente.")

    # The author is told why, in their notifications, and follows the link to the thread.
    visit(troll_page, path)
    submit(troll_page, troll_page.locator("header").get_by_role("link", name=re.compile("^Notifications")))
    notifications = troll_page.locator("ol.notifications li").filter(has_text="décision de modération")
    expect(notifications).to_have_count(2)  # hidden pending review, then hidden with a reason
    notification = notifications.filter(has_text=PUBLIC_REASON)
    expect(notification).to_contain_text(f"Raison : {PUBLIC_REASON}")
    submit(troll_page, notification.get_by_role("link"))
    expect(_debate(troll_page)).to_contain_text(f"Commentaire masqué par la modération. Raison : {PUBLIC_REASON}")

    # A signed-out visitor: the placeholder in the thread, the featured comment, the public log.
    visitor = as_person(None)
    visit(visitor, path)
    debate = _debate(visitor)
    expect(debate).to_contain_text(f"Commentaire masqué par la modération. Raison : {PUBLIC_REASON}")
    expect(debate).not_to_contain_text("abrutis")
    expect(_article_of(visitor, CAMILLE_SAYS)).to_contain_text("Mis en avant par la modération")
    submit(visitor, debate.get_by_role("link", name="Journal public de modération"))
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Journal de modération")
    by_kind = visitor.get_by_role("table", name="Décisions par type")
    expect(by_kind.get_by_role("row", name=re.compile(r"^Masqué 1$"))).to_be_visible()
    auto_hidden = re.compile(r"^Masqué en attente d'examen \(signalements\) 1$")
    expect(by_kind.get_by_role("row", name=auto_hidden)).to_be_visible()
    expect(by_kind.get_by_role("row", name=re.compile(r"^Mis en avant 1$"))).to_be_visible()
    by_reason = visitor.get_by_role("table", name="Décisions par motif")
    expect(by_reason.get_by_role("row", name=re.compile(r"^Insulte ou propos haineux \d+$"))).to_be_visible()
    decisions = visitor.get_by_role("table", name=re.compile("décisions, les plus récentes en premier$"))
    hide_row = decisions.get_by_role("row").filter(has_text=PUBLIC_REASON)
    expect(hide_row).to_contain_text("Masqué")
    expect(hide_row).to_contain_text("Insulte ou propos haineux")
    expect(hide_row).to_contain_text("Modération du territoire")
    expect(decisions).to_contain_text("Automatique (seuil de signalements)")
    expect(visitor.locator("main")).not_to_contain_text(MODERATOR)
    # The log's link leads back to the placeholder.
    submit(visitor, hide_row.get_by_role("link", name=re.compile("^Commentaire n° ")))
    expect(_debate(visitor)).to_contain_text(f"Raison : {PUBLIC_REASON}")
    assert dialogs == []


def test_an_author_withdraws_a_proposal_without_javascript(new_context, db, make, sign_in):
    """In English and without JavaScript: the author's page offers the withdrawal, the form
    explains what it does, the reason typed is published in the proposal's place."""
    from ..debate.helpers import proposal

    proposing = build_consultation(make, PhaseKind.PROPOSALS, title="Accueillir les étudiants étrangers")
    author = make.user(name="Noa Habitant", locale="en")
    item = proposal(db, author, proposing, title="A single welcome desk")
    page = new_context("en", java_script_enabled=False).new_page()
    sign_in(page, author.email)
    visit(page, f"/consultations/{proposing.id}/propositions/{item.id}")
    main = page.locator("main")
    submit(page, main.get_by_role("link", name="Withdraw my proposal"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw my proposal")
    main.get_by_label("Reason for withdrawing (optional)").fill("Already proposed by my neighbour.")
    submit(page, main.get_by_role("button", name="Withdraw my proposal"))
    expect(page.get_by_role("status")).to_contain_text("Your proposal is withdrawn.")
    expect(main).to_contain_text("Proposal withdrawn by the person who submitted it")
    expect(main).to_contain_text("Already proposed by my neighbour.")
    expect(main.get_by_role("link", name="Withdraw my proposal")).to_have_count(0)
