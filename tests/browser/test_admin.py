"""Administration in the browser: mandates, organisations, moderators, territories and
population margins, with axe on every page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, func, or_, select, update

from plateforme.accounts.models import Mandate, MandateStatus, Membership, ModeratorAppointment, Organisation
from plateforme.territories.models import PopulationMargin, Territory

from .conftest import assert_reflows, submit, visit

pytestmark = pytest.mark.browser

LYON_OPTION = "Métropole de Lyon (200046977)"
ORGANISATION = "Maison des échanges internationaux"


@pytest.fixture
def restore_territories(db):
    """Territories survive the per-test cleanup: remove those a test loads, after it."""
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    before = set(db.session.execute(select(Territory.id)).scalars())
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    yield
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    added = [tid for tid in db.session.execute(select(Territory.id)).scalars() if tid not in before]
    if added:
        pointing = or_(Territory.parent_id.in_(added), Territory.epci_id.in_(added))
        db.session.execute(update(Territory).where(pointing).values(parent_id=None, epci_id=None))
        db.session.execute(delete(PopulationMargin).where(PopulationMargin.territory_id.in_(added)))
        db.session.execute(delete(Territory).where(Territory.id.in_(added)))
    db.session.commit()


def _scalar(db, statement):
    db.session.rollback()  # see what the server committed
    db.session.expire_all()  # see what the live server wrote
    value = db.session.execute(statement).scalar_one_or_none()
    return value


def _admin_page(new_context, make, db, sign_in):
    email = make.admin(name="Ada Admin").email
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    page = new_context("fr").new_page()
    sign_in(page, email)
    nav = page.get_by_role("navigation", name="Navigation principale")
    submit(page, nav.get_by_role("link", name="Administration"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    return page


def _admin_nav(page, name: str):
    return page.get_by_role("navigation", name="Administration").get_by_role("link", name=name, exact=True)


def test_admin_verifies_a_mandate_declared_by_an_elected_person(new_context, make, db, sign_in, live_server):
    claude = make.user(name="Claude Maire", commune="69266").email
    db.session.rollback()

    # The elected person declares the mandate from their account.
    db.session.expire_all()  # see what the live server wrote
    elected = new_context("fr").new_page()
    sign_in(elected, claude)
    visit(elected, "/compte")
    submit(elected, elected.get_by_role("link", name="Je suis élue ou élu : déclarer un mandat"))
    expect(elected.get_by_role("heading", level=1)).to_have_text("Déclarer un mandat")
    main = elected.locator("main")
    main.get_by_label("Territoire", exact=True).select_option(label="Villeurbanne (69100)")
    main.get_by_label("Fonction", exact=True).select_option(label="Maire")
    submit(elected, main.get_by_role("button", name="Déclarer ce mandat"))
    expect(elected).to_have_url(f"{live_server.url}/compte")
    roles = elected.locator("section[aria-labelledby=roles-title]")
    expect(roles).to_contain_text("Maire — Villeurbanne (en attente de vérification)")
    mandate_id = _scalar(db, select(Mandate.id))
    db.session.rollback()

    # The administrator sees it waiting, and verifies it.
    db.session.expire_all()  # see what the live server wrote
    admin = _admin_page(new_context, make, db, sign_in)
    expect(admin.locator("main .cards")).to_contain_text("1 mandat à vérifier")
    submit(admin, _admin_nav(admin, "Mandats"))
    expect(admin.get_by_role("heading", level=1)).to_have_text("Mandats des personnes élues")
    pending = admin.get_by_role("table", name="Mandats déclarés, en attente de vérification")
    row = pending.get_by_role("row").filter(has_text="Claude Maire")
    expect(row).to_contain_text("Villeurbanne")
    submit(admin, row.get_by_role("button", name="Vérifier"))
    expect(admin.get_by_role("status")).to_contain_text("Mandat mis à jour.")
    expect(admin.get_by_text("Aucun mandat n'attend de vérification.")).to_be_visible()
    verified = admin.get_by_role("table", name="Mandats vérifiés")
    expect(verified.get_by_role("row").filter(has_text="Claude Maire")).to_contain_text("Maire")
    assert _scalar(db, select(Mandate.status).where(Mandate.id == mandate_id)) == MandateStatus.VERIFIED
    db.session.rollback()

    # The elected person's account now says so.
    db.session.expire_all()  # see what the live server wrote
    visit(elected, "/compte")
    expect(roles).to_contain_text("Maire — Villeurbanne (vérifié)")


def test_admin_creates_an_organisation_and_adds_a_member_by_email(new_context, make, db, sign_in,
                                                                  live_server):
    member = make.user(name="Noor Partenaire")
    member_email = member.email
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    admin = _admin_page(new_context, make, db, sign_in)
    submit(admin, _admin_nav(admin, "Organisations"))
    main = admin.locator("main")
    expect(main).to_contain_text("Aucune organisation pour l'instant.")

    main.get_by_label("Nom", exact=True).fill(ORGANISATION)
    main.get_by_label("Type", exact=True).select_option(label="Association")
    domains = main.get_by_role("group", name="Domaines")
    domains.get_by_role("checkbox", name="Culturel").check()
    domains.get_by_role("checkbox", name="Éducation").check()
    main.get_by_label("Territoire", exact=True).select_option(label=LYON_OPTION)
    main.get_by_label("Site web (facultatif)", exact=True).fill("https://example.org/maison")
    submit(admin, main.get_by_role("button", name="Créer l'organisation"))
    expect(admin).to_have_url(re.compile(re.escape(f"{live_server.url}/admin/organisations/") + r"\d+$"))
    expect(admin.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    expect(admin.get_by_role("status")).to_contain_text("Organisation créée. Ajoutez-lui des membres.")
    details = main.locator("dl.details")
    expect(details).to_contain_text("Association")
    expect(details.locator(".tag")).to_have_text(["Culturel", "Éducation"])
    expect(details).to_contain_text("Métropole de Lyon")
    expect(main).to_contain_text("Cette organisation n'a pas encore de membre.")

    # An address nobody uses is refused, next to the field.
    email_field = main.get_by_label("Adresse électronique du nouveau membre", exact=True)
    email_field.fill("personne@nulle-part.example")
    submit(admin, main.get_by_role("button", name="Ajouter", exact=True))
    expect(admin.get_by_role("alert")).to_contain_text("Aucun compte n'utilise cette adresse.")
    expect(email_field).to_have_attribute("aria-invalid", "true")
    expect(email_field).to_have_value("personne@nulle-part.example")

    email_field.fill(member_email.upper())
    submit(admin, main.get_by_role("button", name="Ajouter", exact=True))
    expect(admin.get_by_role("status")).to_contain_text("Noor Partenaire est maintenant membre.")
    expect(main.get_by_role("listitem").filter(has_text=member_email)).to_contain_text("Noor Partenaire")
    expect(main.get_by_role("button", name="Retirer Noor Partenaire")).to_be_visible()
    organisation = _scalar(db, select(Organisation).where(Organisation.name == ORGANISATION))
    assert organisation.field_list == ["cultural", "education"] and organisation.territory.code == "200046977"
    assert [m.user.email for m in organisation.memberships] == [member_email]
    db.session.rollback()

    # The list of organisations and the list of people show it.
    db.session.expire_all()  # see what the live server wrote
    submit(admin, _admin_nav(admin, "Organisations"))
    table = admin.get_by_role("table", name="Organisations de l'observatoire")
    expect(table.get_by_role("row").filter(has_text=ORGANISATION)).to_contain_text("1")  # one member
    submit(admin, _admin_nav(admin, "Personnes"))
    expect(admin.get_by_role("row").filter(has_text=member_email)).to_contain_text("partenaire")


def test_admin_appoints_a_moderator_for_the_metropole(new_context, make, db, sign_in):
    moderator_email = make.user(name="Sam Modération").email
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    admin = _admin_page(new_context, make, db, sign_in)
    submit(admin, _admin_nav(admin, "Modération"))
    main = admin.locator("main")
    expect(main.get_by_role("table")).to_have_count(0)
    main.get_by_label("Adresse électronique de la personne à nommer", exact=True).fill(moderator_email)
    main.get_by_label("Territoire", exact=True).select_option(label=LYON_OPTION)
    submit(admin, main.get_by_role("button", name="Nommer", exact=True))
    expect(admin.get_by_role("status")).to_contain_text("Sam Modération")
    table = main.get_by_role("table", name="Nominations par territoire")
    row = table.get_by_role("row").filter(has_text="Sam Modération")
    expect(row).to_contain_text("Métropole de Lyon")
    # The link's name says whose nomination it removes (it is repeated on every row).
    expect(row.get_by_role("link", name="Retirer la nomination de Sam Modération (Métropole de Lyon)")).to_be_visible()
    appointment = _scalar(db, select(ModeratorAppointment))
    assert appointment.user.email == moderator_email and appointment.territory.code == "200046977"
    assert appointment.appointed_by.display_name == "Ada Admin"
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote


def test_admin_loads_a_departement_then_imports_population_margins(restore_territories, new_context, make, db,
                                                                    sign_in, live_server):
    admin = _admin_page(new_context, make, db, sign_in)
    submit(admin, _admin_nav(admin, "Territoires"))
    main = admin.locator("main")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Territoires et marges de population")

    # Load the Territoire de Belfort (département 90, about a hundred communes) from the reference data.
    main.get_by_label(re.compile("^Code SIREN de l'EPCI ou code du département")).fill("90")
    submit(admin, main.get_by_role("button", name="Charger", exact=True))
    expect(admin).to_have_url(f"{live_server.url}/admin/territoires")
    expect(admin.get_by_role("status")).to_contain_text(
        re.compile(r"Territoire de Belfort chargé\s: \d+ territoires créés"))
    expect(main.get_by_role("link", name="Territoire de Belfort", exact=True)).to_be_visible()
    communes = _scalar(db, select(func.count(Territory.id)).where(
        Territory.parent_id == select(Territory.id).where(Territory.code == "90").scalar_subquery()))
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    assert communes > 90

    # A margins file with faulty lines: every one is listed, nothing is imported.
    faulty = ("commune,sex,age_band,count\n"
              "69266,F,18-29,100\n"      # line 2: fine
              "99999,F,18-29,10\n"       # line 3: unknown commune
              "69266,X,18-29,10\n"       # line 4: bad sex
              "69266,F,18-29,5\n"        # line 5: duplicate of line 2
              "69029,M,12-17,5\n"        # line 6: bad age band
              "69029,M,30-44,-3\n")      # line 7: negative count
    upload = main.get_by_label(re.compile("^Fichier CSV des marges"))
    upload.set_input_files(files=[{"name": "marges.csv", "mimeType": "text/csv", "buffer": faulty.encode()}])
    submit(admin, main.get_by_role("button", name="Importer les marges"))
    expect(admin.get_by_role("alert")).to_contain_text("5 lignes en erreur : rien n'a été importé.")
    expect(upload).to_have_attribute("aria-invalid", "true")
    table = main.get_by_role("table", name="Lignes en erreur")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.locator("td:first-child")).to_have_text(["3", "4", "5", "6", "7"])
    for index, fragment in enumerate(["99999", "« X »", "double", "12-17", "-3"]):
        expect(rows.nth(index).locator("td").nth(1)).to_contain_text(fragment)
    assert _scalar(db, select(func.count(PopulationMargin.id))) == 0
    db.session.rollback()

    # Corrected, the file is imported and the commune page shows the margins.
    db.session.expire_all()  # see what the live server wrote
    good = "commune,sex,age_band,count\n69266,F,18-29,100\n69266,M,18-29,90\n"
    upload.set_input_files(files=[{"name": "marges.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    submit(admin, main.get_by_role("button", name="Importer les marges"))
    expect(admin.get_by_role("status")).to_contain_text("2 cellules de marges importées.")
    visit(admin, "/territoires/commune/69266")
    margins = admin.get_by_role("table", name=re.compile("^Adultes par sexe et tranche d'âge"))
    expect(margins.get_by_role("row", name=re.compile("^18-29"))).to_contain_text("100")
    expect(margins.get_by_role("row", name=re.compile("^18-29"))).to_contain_text("90")


SIGNED_IN_PAGES = [
    ("/compte", "Mon compte"),
    ("/compte/mot-de-passe", "Changer de mot de passe"),
    ("/compte/mandat", "Déclarer un mandat"),
    ("/compte/supprimer", "Supprimer mon compte"),
    ("/admin/", "Administration"),
    ("/admin/personnes", "Personnes"),
    ("/admin/mandats", "Mandats des personnes élues"),
    ("/admin/organisations", "Organisations partenaires"),
    ("/admin/moderation", "Personnes chargées de la modération"),
    ("/admin/courriels", "Courriels"),
    ("/admin/territoires", "Territoires et marges de population"),  # last: its form is tried below
]


@pytest.mark.parametrize("lang", ["en"])  # the flows above audit these pages in French
def test_account_and_administration_pages_are_accessible_on_a_narrow_screen(new_context, make, db, sign_in,
                                                                           translate, lang):
    email = make.admin(name="Ada Admin").email
    make.elected(name="Claude Maire")  # so the mandates table has a row
    from plateforme.core.mail import queue_mail

    queue_mail("courriel@example.org", "Bienvenue", "Corps")  # so the outbox's table has a row
    db.session.commit()
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    page = new_context(lang).new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, email)
    for path, heading in SIGNED_IN_PAGES:
        visit(page, path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", level=1)).to_have_text(translate(lang, heading))
        assert_reflows(page)
    # An error state too: an unknown code on the territory loader.
    page.locator("main").get_by_label(re.compile("^" + re.escape(
        translate(lang, "Code SIREN de l'EPCI ou code du département")))).fill("99999")
    submit(page, page.locator("main").get_by_role("button", name=translate(lang, "Charger"), exact=True))
    expect(page.get_by_role("alert")).to_contain_text("99999")
    assert_reflows(page)


def test_administration_is_refused_to_a_resident(new_context, make, db, sign_in, translate):
    email = make.user(name="Rémi Résident").email
    db.session.rollback()
    db.session.expire_all()  # see what the live server wrote
    page = new_context("fr").new_page()
    sign_in(page, email)
    expect(page.get_by_role("navigation", name="Navigation principale")
           .get_by_role("link", name="Administration")).to_have_count(0)
    visit(page, "/admin/", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("fr", "Accès refusé"))
    expect(page.get_by_role("link", name=translate("fr", "Revenir à l'accueil"))).to_be_visible()
