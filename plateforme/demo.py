"""Demo data for `make run`: the Métropole de Lyon, illustrative margins, one account per role.

Idempotent: running it again updates nothing that exists and creates what is missing.
Every invented figure is marked illustrative.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .accounts.models import (
    Mandate, MandateStatus, MandateTitle, Membership, ModeratorAppointment, Organisation, OrganisationKind, User,
)
from .accounts.passwords import hash_password
from .core.models import utcnow
from .extensions import db
from .territories.models import PopulationMargin, Sex, Territory
from .territories.services import children_of, load_territory

DEMO_EPCI = "200046977"  # Métropole de Lyon
# Its neighbour, the CC de l'Est Lyonnais: a second territory, with its own illustrative
# survey on the same statements, so the comparison page has something to compare.
NEIGHBOUR_EPCI = "246900575"

# Illustrative shares of adults by sex × age band (rounded from the national census
# pyramid); used only to give demo communes plausible margins.
ILLUSTRATIVE_ADULT_SHARES = {
    ("F", "18-29"): 0.095, ("F", "30-44"): 0.125, ("F", "45-59"): 0.125, ("F", "60-74"): 0.115, ("F", "75+"): 0.065,
    ("M", "18-29"): 0.095, ("M", "30-44"): 0.120, ("M", "45-59"): 0.120, ("M", "60-74"): 0.100, ("M", "75+"): 0.040,
}
ADULT_SHARE = 0.79


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    display_name: str
    commune_code: str


DEMO_ACCOUNTS = (
    DemoAccount("administrateur", "admin@demo.plateforme.example", "Camille Administratrice", "69123"),
    DemoAccount("modération", "moderation@demo.plateforme.example", "Dominique Modération", "69266"),
    DemoAccount("personne élue (mandat vérifié)", "elue@demo.plateforme.example", "Claude Élue", "69266"),
    DemoAccount("partenaire d'observatoire", "partenaire@demo.plateforme.example", "Sacha Partenaire", "69029"),
    DemoAccount("habitante ou habitant", "habitant@demo.plateforme.example", "Alex Habitant", "69266"),
)

DEMO_ORGANISATIONS = (
    ("Agence d'urbanisme (démo, illustrative)", OrganisationKind.PUBLIC_AGENCY, "economic social"),
    ("Association des étudiants internationaux (démo)", OrganisationKind.ASSOCIATION, "education social"),
    ("Chambre économique locale (démo)", OrganisationKind.PUBLIC_AGENCY, "economic"),
    ("Laboratoire de recherche urbaine (démo)", OrganisationKind.RESEARCH, "social cultural"),
)


def _get_or_create_user(account: DemoAccount, password: str, communes: dict[str, Territory]) -> User:
    user = db.session.execute(select(User).where(User.email == account.email)).scalar_one_or_none()
    if user is None:
        user = User(email=account.email, display_name=account.display_name, password_hash=hash_password(password),
                    commune=communes.get(account.commune_code), email_confirmed_at=utcnow(), locale="fr")
        db.session.add(user)
        db.session.flush()
    return user


def _illustrative_margins(communes: list[Territory]) -> int:
    existing = set(db.session.execute(select(PopulationMargin.territory_id).distinct()).scalars())
    written = 0
    for commune in communes:
        if commune.id in existing or not commune.population:
            continue
        adults = commune.population * ADULT_SHARE
        for (sex, band), share in ILLUSTRATIVE_ADULT_SHARES.items():
            db.session.add(PopulationMargin(territory=commune, sex=Sex(sex), age_band=band,
                                            count=round(adults * share)))
            written += 1
    return written


def load_demo(password: str) -> list[DemoAccount]:
    """Load the demo territory, margins, organisations and accounts; return the accounts."""
    summary = load_territory(DEMO_EPCI)
    epci = summary.root
    communes = children_of(epci)
    by_code = {c.code: c for c in communes}
    _illustrative_margins(communes)

    users = {account.email: _get_or_create_user(account, password, by_code) for account in DEMO_ACCOUNTS}
    admin = users["admin@demo.plateforme.example"]
    admin.is_admin = True

    moderator = users["moderation@demo.plateforme.example"]
    if not moderator.moderations:
        db.session.add(ModeratorAppointment(user=moderator, territory=epci, appointed_by=admin))

    elected = users["elue@demo.plateforme.example"]
    if not elected.mandates:
        db.session.add(Mandate(user=elected, territory=epci, title=MandateTitle.CONSEILLER_COMMUNAUTAIRE,
                               status=MandateStatus.VERIFIED, verified_by=admin, decided_at=utcnow()))

    partner = users["partenaire@demo.plateforme.example"]
    for name, kind, fields in DEMO_ORGANISATIONS:
        organisation = db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
        if organisation is None:
            organisation = Organisation(name=name, kind=kind, fields=fields, territory=epci)
            db.session.add(organisation)
            db.session.flush()
    first = db.session.execute(
        select(Organisation).where(Organisation.name == DEMO_ORGANISATIONS[0][0])
    ).scalar_one()
    if not partner.memberships:
        db.session.add(Membership(organisation=first, user=partner))
    db.session.flush()
    db.session.refresh(partner)

    from .observatory.demo import CONTRIBUTORS, load_observatory_demo
    from .surveys.demo import load_neighbour_survey_demo, load_survey_demo

    # The neighbour's survey first: on a fresh demo it is survey 1 and the Métropole's first
    # wave survey 2, the pair the API document gives as its example (/api/v1/comparisons?surveys=1,2).
    neighbour = load_territory(NEIGHBOUR_EPCI).root
    neighbour_communes = children_of(neighbour)
    _illustrative_margins(neighbour_communes)
    load_neighbour_survey_demo(neighbour, neighbour_communes, admin)
    load_survey_demo(epci, communes, admin)

    load_observatory_demo(epci, communes, partner, admin, password)
    contributors = [DemoAccount(c.role, c.email, c.display_name, "69123") for c in CONTRIBUTORS]

    from .consultation_demo import load_consultation_demo

    # Cards and consultations build on the observatory's published findings and the open survey.
    residents = load_consultation_demo(epci, communes, users, password)
    residents = [DemoAccount(r.role, r.email, r.display_name, r.commune_code) for r in residents]
    return list(DEMO_ACCOUNTS) + contributors + residents
