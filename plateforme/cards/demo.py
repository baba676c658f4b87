"""Demo issue cards for `make run`, on the Métropole de Lyon: three published cards (one in
its second version) built on the demo observatory's published findings and values, and a
draft. Everything is invented (the site's demo banner says so); a card whose title exists is
left as it is. The consultations' demo (consultation_demo.py) opens consultations on them.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..observatory.models import Finding, FindingStatus, Indicator, IndicatorValue
from ..territories.models import Territory
from .models import IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


# (title, status, findings (title starts), indicator name, summary, stakes, known, unknown, questions)
CARDS = (
    ("Accueillir les étudiantes et étudiants étrangers", PoliticalStatus.CONSENSUAL,
     ("Les étudiantes et étudiants étrangers se concentrent", "Les mobilités étudiantes sortantes"),
     "Étudiantes et étudiants étrangers inscrits",
     "Des milliers d'étudiantes et d'étudiants étrangers vivent dans la métropole. Leur accueil (logement, "
     "démarches, vie sociale) dépend de plusieurs acteurs.",
     "L'attractivité des universités, le logement étudiant, les liens durables avec d'autres pays.",
     "Les inscriptions se concentrent à Lyon et Villeurbanne ; les départs à l'étranger restent rares.",
     "Combien restent travailler ici après leurs études ; ce que vivent celles et ceux qui logent loin du campus.",
     "Faut-il un guichet unique d'accueil ?\nComment mieux répartir le logement étudiant ?"),
    ("Entreprises à capitaux étrangers et emploi local", PoliticalStatus.DIVISIVE,
     ("Les établissements à capitaux étrangers",), "Établissements à capitaux étrangers",
     "Des groupes étrangers installent des sites dans l'est de la métropole : des emplois, mais des décisions "
     "prises ailleurs.",
     "L'emploi, la dépendance à des décisions lointaines, l'usage du foncier économique.",
     "Le nombre d'établissements à capitaux étrangers augmente chaque année.",
     "La qualité et la durée des emplois créés ; ce qui se passe lors d'une relocalisation.",
     "Faut-il conditionner les aides publiques au maintien de l'emploi ?\nQuels secteurs attirer en priorité ?"),
    ("Les cuisines du monde dans nos quartiers", PoliticalStatus.INVISIBLE,
     ("Les cuisines du monde",), "Restaurants de cuisines du monde",
     "Les restaurants de cuisines du monde ont doublé en dix ans dans certains quartiers.",
     "Le commerce de proximité, l'image des quartiers, la transmission des savoir-faire.",
     "Les commerçants et la clientèle de ces restaurants viennent de toute la métropole.",
     "Les conditions de travail dans ces commerces ; l'effet sur les loyers commerciaux.",
     "Faut-il valoriser ces cuisines dans la communication de la métropole ?"),
)
DRAFT_CARD = ("L'accès aux droits des personnes étrangères", PoliticalStatus.DIVISIVE)


def _evidence(finding_starts, indicator_name: str) -> tuple[list[Finding], list[IndicatorValue]]:
    findings = [f for f in db.session.execute(select(Finding).where(Finding.status == FindingStatus.PUBLISHED))
                .scalars() if any(f.title.startswith(start) for start in finding_starts)]
    values = list(db.session.execute(
        select(IndicatorValue).join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .join(Territory, Territory.id == IndicatorValue.territory_id)
        .where(Indicator.name == indicator_name, Territory.code.in_(["69123", "69266"]))
        .order_by(IndicatorValue.period.desc(), Territory.code).limit(2)).scalars())
    return findings, values


def demo_cards(epci: Territory, author: User, moderator: User, today: date) -> list[IssueCard]:
    """The demo cards, published at dates before `today`; the existing ones are returned as they are."""
    existing = {c.title: c for c in db.session.execute(select(IssueCard)).scalars()}
    cards = []
    for index, (title, status, finding_starts, indicator, summary, stakes, known, unknown, questions) in \
            enumerate(CARDS):
        if title in existing:
            cards.append(existing[title])
            continue
        findings, values = _evidence(finding_starts, indicator)
        first_day = today - timedelta(days=240 - 20 * index)
        card = IssueCard(territory=epci, created_by=author, title=title, political_status=status,
                         first_published_at=_at(first_day, 9), updated_at=_at(first_day, 9))
        content = dict(summary=summary, stakes=stakes, known=known, unknown=unknown, questions=questions,
                       political_status=status, author=author, published_by=moderator)
        versions = [IssueCardVersion(card=card, number=1, title=title, status=VersionStatus.PUBLISHED,
                                     submitted_at=_at(first_day, 8), published_at=_at(first_day, 9),
                                     findings=findings, indicator_values=values[:1], **content)]
        if index == 0:  # the first card was corrected: version 2 adds the latest figures
            versions[0].status = VersionStatus.SUPERSEDED
            second_day = first_day + timedelta(days=60)
            versions.append(IssueCardVersion(
                card=card, number=2, title=title, status=VersionStatus.PUBLISHED, submitted_at=_at(second_day, 8),
                published_at=_at(second_day, 9), findings=findings, indicator_values=values,
                change_note="Ajout des inscriptions à Villeurbanne et de la question du logement.",
                **content))
            card.updated_at = _at(second_day, 9)
        db.session.add(card)
        db.session.flush()
        card.published_version_id = versions[-1].id
        cards.append(card)
    title, status = DRAFT_CARD
    if title not in existing:
        card = IssueCard(territory=epci, created_by=author, title=title, political_status=status)
        IssueCardVersion(card=card, number=1, title=title, status=VersionStatus.DRAFT, political_status=status,
                         author=author, summary="Premier jet, à compléter avant de le soumettre à la modération.")
        db.session.add(card)
    db.session.flush()
    return cards
