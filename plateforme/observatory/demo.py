"""A living observatory for the demo (Métropole de Lyon): a dozen organisations of different
kinds, findings in every state with their versions and reviews, indicators with values
over several years, and the authorities' external action.

Everything here is invented for the demonstration. What the open data carries away (values,
findings) is marked in the data itself ("illustratif", ILLUSTRATIVE): a downloaded file has no banner. Idempotent: what exists (by name or title) is left as it is.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..accounts.models import Membership, Organisation, OrganisationKind, User
from ..accounts.passwords import hash_password
from ..core.models import utcnow
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory
from .indicators import IndicatorInput, create_indicator
from .models import (
    Character, Direction, ExternalAction, ExternalActionKind, ExternalActionStatus, Finding, FindingStatus, Indicator,
    IndicatorValue, ReviewDecision,
)
from .services import (
    ExternalActionInput, FindingInput, create_finding, review_finding, save_external_action, submit_finding,
    withdraw_finding,
)

ILLUSTRATIVE = "Donnée illustrative, inventée pour la démonstration."
YEARS = range(2019, 2025)

# (name, kind, fields) — the four of plateforme/demo.py come first and are reused.
ORGANISATIONS = (
    ("Agence d'urbanisme (démo, illustrative)", OrganisationKind.PUBLIC_AGENCY, "economic social"),
    ("Association des étudiants internationaux (démo)", OrganisationKind.ASSOCIATION, "education social"),
    ("Chambre économique locale (démo)", OrganisationKind.PUBLIC_AGENCY, "economic"),
    ("Laboratoire de recherche urbaine (démo)", OrganisationKind.RESEARCH, "social cultural"),
    ("Direction des relations internationales de la métropole (démo)", OrganisationKind.LOCAL_AUTHORITY,
     "economic cultural"),
    ("Service des jumelages d'une commune (démo)", OrganisationKind.LOCAL_AUTHORITY, "cultural education"),
    ("Entreprise de logistique internationale (démo)", OrganisationKind.COMPANY, "economic"),
    ("Cabinet d'études territoriales (démo)", OrganisationKind.STUDY_FIRM, "economic social"),
    ("Association d'accès aux droits des personnes étrangères (démo)", OrganisationKind.ASSOCIATION,
     "social legal health"),
    ("Maison des cultures du monde (démo)", OrganisationKind.ASSOCIATION, "cultural"),
    ("Université, observatoire de la vie étudiante (démo)", OrganisationKind.RESEARCH, "education"),
    ("Agence publique de santé (démo)", OrganisationKind.PUBLIC_AGENCY, "health social"),
)


@dataclass(frozen=True)
class Contributor:
    email: str
    display_name: str
    organisation: int  # index in ORGANISATIONS
    role: str          # as printed by `flask demo`


CONTRIBUTORS = (
    Contributor("etudes@demo.plateforme.example", "Noa Lefèvre", 7, "partenaire (bureau d'études)"),
    Contributor("universite@demo.plateforme.example", "Lou Garnier", 10, "partenaire (université)"),
    Contributor("droits@demo.plateforme.example", "Sami Benali", 8, "partenaire (association)"),
    Contributor("chambre@demo.plateforme.example", "Maé Rousseau", 2, "partenaire (chambre économique)"),
    Contributor("cultures@demo.plateforme.example", "Eden Nguyen", 9, "partenaire (maison des cultures)"),
    Contributor("relations@demo.plateforme.example", "Ange Moreau", 4, "partenaire (collectivité)"),
)


def _organisations(epci: Territory) -> list[Organisation]:
    existing = {o.name: o for o in db.session.execute(select(Organisation)).scalars()}
    out = []
    for name, kind, fields in ORGANISATIONS:
        organisation = existing.get(name)
        if organisation is None:
            organisation = Organisation(name=name, kind=kind, fields=fields, territory=epci)
            db.session.add(organisation)
        out.append(organisation)
    db.session.flush()
    return out


def _contributors(organisations: list[Organisation], password: str, commune: Territory | None) -> list[User]:
    users = []
    for contributor in CONTRIBUTORS:
        user = db.session.execute(select(User).where(User.email == contributor.email)).scalar_one_or_none()
        if user is None:
            user = User(email=contributor.email, display_name=contributor.display_name,
                        password_hash=hash_password(password), commune=commune, email_confirmed_at=utcnow(),
                        locale="fr")
            db.session.add(user)
            db.session.flush()
        organisation = organisations[contributor.organisation]
        if not any(m.organisation_id == organisation.id for m in user.memberships):
            db.session.add(Membership(user=user, organisation=organisation))
        users.append(user)
    db.session.flush()
    for user in users:
        db.session.refresh(user)
    return users


# (title, author index, reviewer index or None, target status, flow, direction, character, fields,
#  territory code, period, body)
FINDINGS = (
    ("Les étudiantes et étudiants étrangers se concentrent à Lyon et Villeurbanne", 1, 0,
     FindingStatus.PUBLISHED, FlowKind.PEOPLE, Direction.INBOUND, Character.WANTED, ["education", "social"],
     "200046977", "2019–2024",
     "Plus de huit inscriptions d'étudiants étrangers sur dix se font dans deux communes. Les autres communes "
     "accueillent peu d'étudiants étrangers, mais beaucoup y logent."),
    ("Les établissements à capitaux étrangers se multiplient dans l'est de la métropole", 3, 0,
     FindingStatus.PUBLISHED, FlowKind.CAPITAL, Direction.INBOUND, Character.MIXED, ["economic"],
     "200046977", "2018-2023",
     "Les zones d'activité de l'est accueillent des sièges logistiques de groupes étrangers : des emplois, mais "
     "aussi des décisions prises loin du territoire."),
    ("Les cuisines du monde transforment les rues commerçantes de la Guillotière", 4, 2,
     FindingStatus.PUBLISHED, FlowKind.GASTRONOMY, Direction.INBOUND, Character.WANTED, ["cultural", "economic"],
     "69123", "2015–2024",
     "Les restaurants de cuisines du monde ont doublé en dix ans dans le quartier, portés par des commerçants "
     "venus d'ailleurs et par une clientèle qui recherche ces cuisines."),
    ("L'accès aux droits des personnes étrangères passe par les associations", 2, 1,
     FindingStatus.PUBLISHED, FlowKind.PEOPLE, Direction.INBOUND, Character.SUFFERED, ["social", "legal"],
     "69266", "2022–2024",
     "Les files d'attente en préfecture reportent sur les associations l'accompagnement des démarches : un flux "
     "subi par les personnes comme par les structures qui les aident."),
    ("Des architectes lyonnais exportent le modèle des berges réaménagées", 0, 3,
     FindingStatus.PUBLISHED, FlowKind.URBAN_MODELS, Direction.OUTBOUND, Character.WANTED, ["economic", "cultural"],
     "200046977", "2010–2024",
     "Le réaménagement des berges est cité en exemple à l'étranger ; des agences locales en tirent des contrats."),
    ("Les mobilités étudiantes sortantes restent réservées à une minorité", 1, 5,
     FindingStatus.PUBLISHED, FlowKind.PEOPLE, Direction.OUTBOUND, Character.MIXED, ["education"],
     "200046977", "2021-2023",
     "Les séjours d'études à l'étranger concernent surtout les étudiantes et étudiants des grandes écoles."),
    ("Des pratiques sportives venues d'ailleurs gagnent les équipements municipaux", 4, 0,
     FindingStatus.PUBLISHED, FlowKind.LIFESTYLES, Direction.INBOUND, Character.WANTED, ["cultural", "health"],
     "69259", "2020–2024",
     "Cricket, kabaddi, capoeira : de nouveaux clubs demandent des créneaux dans les gymnases."),
    ("Un entrepôt relocalisé à l'étranger supprime des emplois à Saint-Priest", 3, 1,
     FindingStatus.WITHDRAWN, FlowKind.CAPITAL, Direction.OUTBOUND, Character.SUFFERED, ["economic", "social"],
     "69290", "2023",
     "Un groupe a regroupé sa logistique hors de France ; les emplois locaux ont été supprimés."),
    ("Les réseaux de villes diffusent des politiques climatiques locales", 5, 2,
     FindingStatus.CHANGES_REQUESTED, FlowKind.IDEAS, Direction.BOTH, Character.WANTED, ["environment"],
     "200046977", "2019–2024",
     "Les plans climat locaux reprennent des mesures échangées dans des réseaux internationaux de villes."),
    ("Les diasporas financent des projets dans leurs pays d'origine", 2, None,
     FindingStatus.IN_REVIEW, FlowKind.CAPITAL, Direction.OUTBOUND, Character.WANTED, ["economic", "social"],
     "69256", "2018–2024",
     "Des associations de Vaulx-en-Velin réunissent des fonds pour des écoles et des centres de santé."),
    ("Les festivals internationaux attirent un public venu de toute l'Europe", 4, None,
     FindingStatus.IN_REVIEW, FlowKind.LIFESTYLES, Direction.INBOUND, Character.WANTED, ["cultural", "economic"],
     "69123", "2022–2024",
     "Les grands festivals remplissent les hôtels et font connaître la ville à l'étranger."),
    ("La part des emplois liés à l'export varie fortement d'une commune à l'autre", None, None,
     FindingStatus.DRAFT, FlowKind.GOODS, Direction.OUTBOUND, Character.MIXED, ["economic"],
     "200046977", "2023",
     "Premier jet : à compléter avec les données des douanes avant de soumettre."),
)


def _findings(epci: Territory, organisations: list[Organisation], contributors: list[User], partner: User) -> None:
    existing = set(db.session.execute(select(Finding.title)).scalars())
    by_code = {t.code: t for t in db.session.execute(select(Territory)).scalars()}
    people = {index: user for index, user in enumerate(contributors)}
    for (title, author_index, reviewer_index, status, flow, direction, character, fields, code, period,
         body) in FINDINGS:
        if title in existing:
            continue
        author = partner if author_index is None else people[author_index]
        organisation = next(m.organisation for m in author.memberships)
        finding = create_finding(author, FindingInput(
            title=title, flow_kind=flow, direction=direction, character=character, territory=by_code[code],
            period=period, body=f"{body}\n\n*{ILLUSTRATIVE}*", organisation=organisation, fields=fields,
            method="Exploitation de fichiers administratifs et entretiens avec les structures concernées.",
            sources="Source fictive pour la démonstration\nhttps://example.org/observatoire-demo",
        ))
        if status == FindingStatus.DRAFT:
            continue
        submit_finding(finding, author)
        reviewer = people[reviewer_index] if reviewer_index is not None else None
        if status == FindingStatus.CHANGES_REQUESTED:
            review_finding(finding, reviewer, ReviewDecision.REQUEST_CHANGES,
                           "Pouvez-vous préciser quelles villes et quels réseaux ? La période paraît large.")
        elif status in (FindingStatus.PUBLISHED, FindingStatus.WITHDRAWN):
            if reviewer_index == 0:
                reviewer = partner  # the demo partner has reviewed some findings too
            review_finding(finding, reviewer, ReviewDecision.APPROVE, "Sources vérifiées : les chiffres correspondent aux fichiers cités.")
        if status == FindingStatus.WITHDRAWN:
            withdraw_finding(finding, author, "L'entreprise a démenti la relocalisation : le constat reposait sur "
                                              "une annonce qui n'a pas eu lieu.")
        _backdate(finding, len(existing))
        existing.add(title)
    db.session.flush()


def _backdate(finding: Finding, index: int) -> None:
    """The workflow above ran just now; a demo territory has a past. Findings were written, reviewed
    and published months ago (before the issue cards that cite them, cards/demo.py: up to 240 days),
    a few days apart, and the withdrawn one was withdrawn weeks after its publication."""
    start = utcnow() - timedelta(days=330 - 6 * index)
    step = timedelta(days=2)
    finding.created_at = start
    for version in finding.versions:
        version.created_at = start + timedelta(hours=1)
    if finding.submitted_at is not None:
        finding.submitted_at = start + step
    for number, review in enumerate(finding.reviews):
        review.created_at = start + step * (2 + number)
    if finding.published_at is not None:
        finding.published_at = start + step * 2
    if finding.withdrawn_at is not None:
        finding.withdrawn_at = start + timedelta(days=45)
    finding.updated_at = max(t for t in (finding.created_at, finding.submitted_at, finding.published_at,
                                         finding.withdrawn_at, *(r.created_at for r in finding.reviews)) if t)


# (name, unit, flow, additive, organisation index, per 100,000 residents, yearly growth, definition)
INDICATORS = (
    ("Étudiantes et étudiants étrangers inscrits", "personnes", FlowKind.PEOPLE, True, 10, 900, 0.04,
     "Personnes de nationalité étrangère inscrites dans l'enseignement supérieur au 15 janvier, par commune "
     "d'études."),
    ("Établissements à capitaux étrangers", "établissements", FlowKind.CAPITAL, True, 2, 60, 0.03,
     "Établissements dont la tête de groupe est contrôlée depuis l'étranger."),
    ("Associations à vocation internationale", "associations", FlowKind.INSTITUTIONS, True, 9, 25, 0.02,
     "Associations déclarées dont l'objet mentionne la solidarité internationale, les échanges ou une diaspora."),
    ("Restaurants de cuisines du monde", "restaurants", FlowKind.GASTRONOMY, True, 7, 45, 0.05,
     "Restaurants dont la carte relève d'une cuisine étrangère, recensés sur la voie publique."),
    ("Part des emplois liés à l'exportation", "%", FlowKind.GOODS, False, 7, 0, 0.0,
     "Part des emplois salariés dans des établissements qui exportent plus du quart de leur production."),
)


def _values(indicator: Indicator, epci: Territory, communes: list[Territory], per_100k: float, growth: float,
            seed: int) -> None:
    """Illustrative values: proportional to population, growing, with some communes missing
    in some years (so the page shows an incomplete sum)."""
    rng = random.Random(seed)
    rows = []
    skipped = {c.id for c in rng.sample(communes, k=min(4, len(communes)))}
    for year in YEARS:
        for commune in communes:
            if commune.id in skipped and year >= 2023:
                continue  # illustrative gap: these communes have not reported recent years
            if indicator.additive:
                base = (commune.population or 0) / 100_000 * per_100k * rng.uniform(0.4, 1.6)
                value = round(base * (1 + growth) ** (year - YEARS[0]))
            else:
                value = round(rng.uniform(6, 28), 1)
            rows.append(IndicatorValue(indicator_id=indicator.id, territory_id=commune.id, period=year, value=value,
                                       note="illustratif", source=ILLUSTRATIVE))
        if not indicator.additive:
            rows.append(IndicatorValue(indicator_id=indicator.id, territory_id=epci.id, period=year,
                                       value=round(15 + (year - YEARS[0]) * 0.4, 1), note="illustratif",
                                       source=ILLUSTRATIVE))
    db.session.add_all(rows)


def _indicators(epci: Territory, communes: list[Territory], organisations: list[Organisation], admin: User) -> None:
    for seed, (name, unit, flow, additive, org_index, per_100k, growth, definition) in enumerate(INDICATORS):
        indicator = db.session.execute(select(Indicator).where(Indicator.name == name)).scalar_one_or_none()
        if indicator is None:
            indicator = create_indicator(admin, IndicatorInput(
                name=name, unit=unit, flow_kind=flow, organisation=organisations[org_index], additive=additive,
                definition=f"{definition} {ILLUSTRATIVE}",
                method="Valeurs inventées à partir de la population de chaque commune."))
        has_values = db.session.execute(
            select(func.count(IndicatorValue.id)).where(IndicatorValue.indicator_id == indicator.id)).scalar_one()
        if not has_values:
            _values(indicator, epci, communes, per_100k, growth, seed)
    db.session.flush()


# (territory code, title, kind, country, city, budget, start, status, organisation index)
ACTIONS = (
    ("200046977", "Coopération décentralisée pour la gestion de l'eau",
     ExternalActionKind.DECENTRALISED_COOPERATION, "Bénin", "Porto-Novo", 180_000, date(2016, 3, 1),
     ExternalActionStatus.ONGOING, 4),
    ("200046977", "Mission économique sur la logistique", ExternalActionKind.ECONOMIC_MISSION,
     "Canada", "Montréal", 45_000, date(2024, 5, 1), ExternalActionStatus.ENDED, 4),
    ("200046977", "Adhésion à un réseau européen de métropoles", ExternalActionKind.NETWORK_MEMBERSHIP,
     "Belgique", "Bruxelles", 30_000, date(2012, 1, 1), ExternalActionStatus.ONGOING, 4),
    ("200046977", "Aide d'urgence après un séisme", ExternalActionKind.HUMANITARIAN_AID, "Maroc", "",
     100_000, date(2023, 9, 15), ExternalActionStatus.ENDED, None),
    ("200046977", "Bourses de mobilité pour les apprentis", ExternalActionKind.STUDENT_MOBILITY,
     "Espagne", "Barcelone", 60_000, date(2021, 9, 1), ExternalActionStatus.ONGOING, None),
    ("69123", "Jumelage avec une ville allemande", ExternalActionKind.TWINNING, "Allemagne",
     "Francfort-sur-le-Main", 20_000, date(1960, 1, 1), ExternalActionStatus.ONGOING, None),
    ("69123", "Coopération transfrontalière sur les transports",
     ExternalActionKind.CROSS_BORDER_COOPERATION, "Suisse", "Genève", None, date(2019, 1, 1),
     ExternalActionStatus.PLANNED, None),
    ("69266", "Jumelage avec une ville italienne", ExternalActionKind.TWINNING, "Italie", "Turin",
     8_000, date(1990, 6, 1), ExternalActionStatus.ONGOING, 5),
)


def _actions(organisations: list[Organisation], admin: User) -> None:
    existing = set(db.session.execute(select(ExternalAction.title)).scalars())
    by_code = {t.code: t for t in db.session.execute(select(Territory)).scalars()}
    for code, title, kind, country, city, budget, start, status, org_index in ACTIONS:
        if title in existing or code not in by_code:
            continue
        save_external_action(by_code[code], ExternalActionInput(
            title=title, kind=kind, partner_country=country, partner_city=city, budget_eur=budget, start_date=start,
            status=status, organisation=organisations[org_index] if org_index is not None else None,
            description=f"Exemple d'action extérieure pour la démonstration. *{ILLUSTRATIVE}*"), admin)


def load_observatory_demo(epci: Territory, communes: list[Territory], partner: User, admin: User,
                          password: str) -> list[User]:
    """Load the demo observatory; return the contributors created for it (one per organisation used)."""
    organisations = _organisations(epci)
    if not any(m.organisation_id == organisations[0].id for m in partner.memberships):
        db.session.add(Membership(user=partner, organisation=organisations[0]))
        db.session.flush()
        db.session.refresh(partner)
    contributors = _contributors(organisations, password, communes[0] if communes else None)
    _findings(epci, organisations, contributors, partner)
    _indicators(epci, communes, organisations, admin)
    _actions(organisations, admin)
    db.session.flush()
    return contributors
