"""Observatory test data: findings moved to any state, indicators with values."""
from __future__ import annotations

from plateforme.accounts.models import Membership, Organisation, OrganisationKind
from plateforme.core.vocabulary import FlowKind
from plateforme.observatory.indicators import IndicatorInput, create_indicator, set_value
from plateforme.observatory.models import Character, Direction, FindingStatus, ReviewDecision
from plateforme.observatory.services import (
    FindingInput, create_finding, review_finding, submit_finding, withdraw_finding,
)


def finding_input(make, organisation: Organisation, **overrides) -> FindingInput:
    values = dict(
        title="Les étudiants étrangers se concentrent à Lyon et Villeurbanne",
        flow_kind=FlowKind.PEOPLE, direction=Direction.INBOUND, character=Character.WANTED,
        territory=make.territory("200046977"), period="2019–2024",
        body="Les inscriptions d'étudiants **étrangers** progressent.", organisation=organisation,
        fields=["education", "social"], method="Exploitation des inscriptions universitaires.",
        sources="https://exemple.org/inscriptions\nRapport annuel 2024",
    )
    values.update(overrides)
    return FindingInput(**values)


class Observatory:
    """Two organisations with one partner each, and builders on top."""

    def __init__(self, make, db):
        self.make, self.db = make, db
        self.org_a = make.organisation("Agence d'urbanisme test", OrganisationKind.PUBLIC_AGENCY)
        self.org_b = make.organisation("Association test", OrganisationKind.ASSOCIATION)
        self.author = make.partner(self.org_a, name="Autrice A")
        self.colleague = make.partner(self.org_a, name="Collègue A")
        self.reviewer = make.partner(self.org_b, name="Relectrice B")

    def organisation(self, name, kind=OrganisationKind.COMPANY, fields="economic"):
        organisation = Organisation(name=name, kind=kind, fields=fields)
        self.db.session.add(organisation)
        self.db.session.commit()
        return organisation

    def member(self, user, organisation):
        self.db.session.add(Membership(user=user, organisation=organisation))
        self.db.session.commit()

    def finding(self, status: FindingStatus = FindingStatus.PUBLISHED, author=None, organisation=None, **overrides):
        author = author or self.author
        organisation = organisation or self.org_a
        finding = create_finding(author, finding_input(self.make, organisation, **overrides))
        if status != FindingStatus.DRAFT:
            submit_finding(finding, author)
        reviewer = self.reviewer if organisation.id != self.org_b.id else self.make.partner(self.org_a)
        if status == FindingStatus.CHANGES_REQUESTED:
            review_finding(finding, reviewer, ReviewDecision.REQUEST_CHANGES, "Précisez la source.")
        elif status in (FindingStatus.PUBLISHED, FindingStatus.WITHDRAWN):
            review_finding(finding, reviewer, ReviewDecision.APPROVE, "Bien sourcé.")
        if status == FindingStatus.WITHDRAWN:
            withdraw_finding(finding, author, "Les chiffres ont été corrigés par la source.")
        self.db.session.commit()
        return finding

    def indicator(self, name="Étudiants étrangers inscrits", additive=True, organisation=None, by=None, **extra):
        indicator = create_indicator(by or self.author, IndicatorInput(
            name=name, unit="personnes", flow_kind=FlowKind.PEOPLE, organisation=organisation or self.org_a,
            additive=additive, definition="Inscrits au 15 janvier.", **extra))
        self.db.session.commit()
        return indicator

    def value(self, indicator, code, year, value, **kwargs):
        row, _created = set_value(indicator, self.make.territory(code), year, value, **kwargs)
        self.db.session.commit()
        return row


def route_matrix_fixtures(make, db) -> dict:
    """Objects the observatory's rows of the route matrix point at: findings of an
    organisation none of the tested roles belongs to, its indicator, an EPCI action."""
    from datetime import date

    from plateforme.observatory.models import ExternalActionKind, ExternalActionStatus
    from plateforme.observatory.services import ExternalActionInput, save_external_action

    organisation = make.organisation("Organisation de la matrice")
    author = make.partner(organisation)
    other = make.partner(make.organisation("Relectrice de la matrice"))
    published = create_finding(author, finding_input(make, organisation, title="Constat publié de la matrice"))
    submit_finding(published, author)
    review_finding(published, other, ReviewDecision.APPROVE)
    in_review = create_finding(author, finding_input(make, organisation, title="Constat en relecture"))
    submit_finding(in_review, author)
    draft = create_finding(author, finding_input(make, organisation, title="Brouillon de la matrice"))
    indicator = create_indicator(author, IndicatorInput(
        name="Indicateur de la matrice", unit="personnes", flow_kind=FlowKind.PEOPLE, organisation=organisation,
        additive=True))
    set_value(indicator, make.territory("69266"), 2024, 10)
    action = save_external_action(make.territory("200046977"), ExternalActionInput(
        title="Jumelage de la matrice", kind=ExternalActionKind.TWINNING, partner_country="Italie",
        status=ExternalActionStatus.ONGOING, start_date=date(2020, 1, 1)), make.admin())
    db.session.commit()
    return {"finding": published.id, "finding_in_review": in_review.id, "finding_draft": draft.id,
            "indicator": indicator.id, "external_action": action.id}
