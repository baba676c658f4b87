"""Issue-card test data: an observatory with published evidence, people in every role,
and cards moved to any state through the services."""
from __future__ import annotations

from plateforme.cards.models import PoliticalStatus
from plateforme.cards.services import (
    CardInput, create_card, publish_version, return_to_draft, start_new_version, submit_version,
)
from plateforme.observatory.models import FindingStatus

from ..observatory.helpers import Observatory

EPCI = "200046977"       # Métropole de Lyon
VILLEURBANNE = "69266"
BRON = "69029"


def card_input(**overrides) -> CardInput:
    values = dict(
        title="L'accueil des étudiants étrangers",
        summary="La métropole accueille de plus en plus d’étudiants venus de l’étranger.",
        stakes="Le logement, la vie étudiante, l'attractivité des universités.",
        known="Leur nombre progresse depuis 2019.",
        unknown="Combien restent travailler ici après leurs études.",
        questions="Faut-il construire des logements dédiés ?\nComment mieux les accueillir ?",
        political_status=PoliticalStatus.INVISIBLE,
    )
    values.update(overrides)
    return CardInput(**values)


class Cards:
    """People in each role, published evidence on the Métropole and Villeurbanne, and card builders."""

    def __init__(self, make, db):
        self.make, self.db = make, db
        self.obs = Observatory(make, db)
        self.epci = make.territory(EPCI)
        self.villeurbanne = make.territory(VILLEURBANNE)
        self.bron = make.territory(BRON)
        self.elected = make.elected(EPCI, name="Élue de la Métropole")
        self.moderator = make.moderator(EPCI, name="Modérateur de la Métropole")
        self.admin = make.admin(name="Administratrice")
        self.finding = self.obs.finding(title="Les étudiants étrangers se concentrent à Lyon et Villeurbanne")
        self.finding_villeurbanne = self.obs.finding(title="Villeurbanne attire des chercheurs étrangers",
                                                     territory=self.villeurbanne)
        self.finding_bron = self.obs.finding(title="Bron accueille des entreprises étrangères", territory=self.bron)
        self.draft_finding = self.obs.finding(FindingStatus.DRAFT, title="Un brouillon de constat")
        self.indicator = self.obs.indicator()
        self.value_epci = self.obs.value(self.indicator, EPCI, 2024, 41250, source="Rectorat")
        self.value_villeurbanne = self.obs.value(self.indicator, VILLEURBANNE, 2024, 5120, source="Rectorat")
        self.value_bron = self.obs.value(self.indicator, BRON, 2024, 310, source="Rectorat")

    def draft(self, author=None, territory=None, **overrides):
        card = create_card(author or self.elected, territory or self.epci, card_input(**overrides))
        self.db.session.commit()
        return card

    def submitted(self, author=None, **overrides):
        card = self.draft(author, **overrides)
        submit_version(card.latest_version, author or self.elected)
        self.db.session.commit()
        return card

    def published(self, author=None, **overrides):
        card = self.submitted(author, **overrides)
        publish_version(card.latest_version, self.moderator)
        self.db.session.commit()
        return card

    def new_version(self, card, by=None, note="Chiffres 2024 ajoutés", **overrides):
        version = start_new_version(card, by or self.elected, card_input(**overrides), note)
        self.db.session.commit()
        return version

    def send_back(self, card, note="Précisez la source des chiffres."):
        return_to_draft(card.latest_version, self.moderator, note)
        self.db.session.commit()


def route_matrix_fixtures(make, db) -> dict:
    """Cards the route matrix points at, on the Métropole de Lyon, written by someone who
    holds none of the tested roles' accounts: one published, one draft, one submitted."""
    author = make.elected(EPCI)
    moderator = make.moderator(EPCI)
    published = create_card(author, make.territory(EPCI), card_input(title="Fiche publiée de la matrice"))
    submit_version(published.latest_version, author)
    publish_version(published.latest_version, moderator)
    draft = create_card(author, make.territory(EPCI), card_input(title="Brouillon de fiche de la matrice"))
    submitted = create_card(author, make.territory(EPCI), card_input(title="Fiche soumise de la matrice"))
    submit_version(submitted.latest_version, author)
    db.session.commit()
    return {"card": published.id, "card_draft": draft.id, "card_submitted": submitted.id}
