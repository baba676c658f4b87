"""Observatory operations on findings and on the external-action inventory.

Findings: write a draft, submit it (each submission is kept as a version), review it
(only from another organisation: the independence rule), withdraw it with a public
reason. Indicators and their values live in `indicators.py`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from ..accounts.models import Field, Organisation, User
from ..core.models import utcnow
from ..core.sanitize import clean_line, markdown_to_safe_html
from ..core.text import french_sort_key, search_key
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from .models import (
    DEFAULT_LICENCE, Character, Direction, ExternalAction, ExternalActionKind, ExternalActionStatus, Finding,
    FindingReview, FindingStatus, FindingTransitionError, FindingVersion, ReviewDecision,
)
from .permissions import member_of

log = logging.getLogger("plateforme.observatory")

# Territories the observatory describes: the intercommunal scale and what it contains.
OBSERVED_KINDS = (TerritoryKind.EPCI, TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT)
FIRST_YEAR, LAST_YEAR = 1900, 2100
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


class ObservatoryError(ValueError):
    """A refusal the person can act on; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def parse_period(text: str) -> tuple[str, int, int]:
    """("2019–2024", 2019, 2024) from free text holding one year or two.

    "2021" is the year 2021; "2019–2024", "2019-2024" or "de 2019 à 2024" a range.
    """
    label = clean_line(text)
    years = [int(y) for y in _YEAR.findall(label)]
    if not years or len(years) > 2:
        raise ObservatoryError(_("Indiquez une année ou deux (début et fin), par exemple « 2023 » ou « 2019–2024 »."),
                               "period")
    start, end = years[0], years[-1]
    if not (FIRST_YEAR <= start <= LAST_YEAR and FIRST_YEAR <= end <= LAST_YEAR):
        raise ObservatoryError(_("Les années doivent être comprises entre %(first)s et %(last)s.",
                                 first=FIRST_YEAR, last=LAST_YEAR), "period")
    if start > end:
        raise ObservatoryError(_("L'année de début doit précéder l'année de fin."), "period")
    return label, start, end


def padded_fields(values) -> str:
    """Known Field values, sorted, space-padded (" economic social ") for whole-word LIKE."""
    known = {f.value for f in Field}
    chosen = sorted({v for v in values or [] if v in known})
    return f" {' '.join(chosen)} " if chosen else ""


# --- findings -----------------------------------------------------------------------

@dataclass
class FindingInput:
    title: str
    flow_kind: FlowKind
    direction: Direction
    character: Character
    territory: Territory
    period: str
    body: str
    organisation: Organisation
    fields: list[str] = field(default_factory=list)
    method: str = ""
    sources: str = ""
    licence: str = DEFAULT_LICENCE


def _clean_sources(text: str) -> str:
    return "\n".join(clean_line(line) for line in (text or "").splitlines() if line.strip())


def _apply(finding: Finding, data: FindingInput) -> None:
    if data.territory is None or data.territory.kind not in OBSERVED_KINDS:
        raise ObservatoryError(_("Choisissez l'intercommunalité, une commune ou un arrondissement."), "territory")
    label, start, end = parse_period(data.period)
    finding.title = clean_line(data.title)
    finding.flow_kind = FlowKind(data.flow_kind)
    finding.direction = Direction(data.direction)
    finding.character = Character(data.character)
    finding.fields = padded_fields(data.fields)
    finding.territory = data.territory
    finding.period_label, finding.period_start, finding.period_end = label, start, end
    finding.method = (data.method or "").strip()
    finding.sources = _clean_sources(data.sources)
    finding.licence = clean_line(data.licence) or DEFAULT_LICENCE
    finding.body = (data.body or "").strip()
    finding.body_html = markdown_to_safe_html(finding.body)
    finding.updated_at = utcnow()
    finding.search_text = search_key(" ".join([
        finding.title, finding.body, finding.method, finding.sources, finding.period_label,
        data.organisation.name, data.territory.name,
    ]))


def create_finding(author: User, data: FindingInput) -> Finding:
    """A draft, written by `author` for one of their organisations."""
    if not member_of(author, data.organisation.id):
        raise ObservatoryError(_("Vous ne pouvez écrire qu'au nom d'une organisation dont vous êtes membre."),
                               "organisation")
    finding = Finding(author=author, organisation=data.organisation, status=FindingStatus.DRAFT)
    _apply(finding, data)
    db.session.add(finding)
    db.session.flush()
    log.info("finding %s drafted by user %s for organisation %s", finding.id, author.id, data.organisation.id)
    return finding


def update_finding(finding: Finding, data: FindingInput) -> Finding:
    """Change a draft, or a finding whose reviewer asked for changes."""
    if finding.status not in (FindingStatus.DRAFT, FindingStatus.CHANGES_REQUESTED):
        raise ObservatoryError(_("Ce constat ne peut plus être modifié à cette étape."))
    if data.organisation.id != finding.organisation_id:
        raise ObservatoryError(_("Un constat reste attaché à l'organisation qui l'a produit."), "organisation")
    _apply(finding, data)
    db.session.flush()
    return finding


def _move(finding: Finding, status: FindingStatus) -> None:
    try:
        finding.move_to(status)
    except FindingTransitionError:
        raise ObservatoryError(_("Cette action n'est pas possible à cette étape du constat."))


def submit_finding(finding: Finding, by: User, change_note: str = "") -> FindingVersion:
    """Send the finding to review, keeping exactly what was submitted as a new version."""
    if not finding.body.strip():
        raise ObservatoryError(_("Écrivez le constat avant de le soumettre."), "body")
    if not finding.source_list:
        raise ObservatoryError(_("Un constat doit être sourcé : indiquez au moins une source avant de le soumettre."),
                               "sources")
    change_note = clean_line(change_note)[:500]
    if finding.versions and not change_note:
        raise ObservatoryError(_("Dites en une phrase ce qui a changé depuis la relecture."), "change_note")
    _move(finding, FindingStatus.IN_REVIEW)
    version = FindingVersion(
        finding=finding, number=finding.current_version + 1, title=finding.title, flow_kind=finding.flow_kind,
        direction=finding.direction, character=finding.character, fields=finding.fields,
        territory_id=finding.territory_id, period_label=finding.period_label, method=finding.method,
        sources=finding.sources, licence=finding.licence, body=finding.body, body_html=finding.body_html,
        change_note=change_note, submitted_by=by,
    )
    db.session.add(version)
    db.session.flush()
    log.info("finding %s submitted for review (version %s) by user %s", finding.id, version.number, by.id)
    return version


def independence_problem(finding: Finding, reviewer: User) -> str | None:
    """Why `reviewer` may not review `finding`, in words, or None when they may."""
    if not reviewer.memberships:
        return _("Seuls les membres d'une organisation partenaire de l'observatoire peuvent relire un constat.")
    if member_of(reviewer, finding.organisation_id):
        return _("Vous êtes membre de %(organisation)s, l'organisation qui a produit ce constat. Pour qu'un constat "
                 "publié soit indépendant, sa relecture doit venir d'une autre organisation partenaire.",
                 organisation=finding.organisation.name)
    if finding.author_id == reviewer.id:
        return _("Vous avez rédigé ce constat : sa relecture doit venir d'une autre organisation partenaire.")
    return None


def reviewing_organisation(finding: Finding, reviewer: User) -> Organisation:
    """The organisation the reviewer answers for: the first of theirs, by name, that is
    not the producing one (independence_problem has ruled out the producing one)."""
    organisations = sorted((m.organisation for m in reviewer.memberships),
                           key=lambda o: french_sort_key(o.name))
    return next(o for o in organisations if o.id != finding.organisation_id)


def review_finding(finding: Finding, reviewer: User, decision: ReviewDecision, comment: str = "") -> FindingReview:
    """Approve (publish) or ask for changes. The reviewer must belong to another organisation."""
    if finding.status != FindingStatus.IN_REVIEW:
        raise ObservatoryError(_("Ce constat n'attend pas de relecture."))
    problem = independence_problem(finding, reviewer)
    if problem:
        raise ObservatoryError(problem)
    comment = (comment or "").strip()
    decision = ReviewDecision(decision)
    if decision == ReviewDecision.REQUEST_CHANGES and not comment:
        raise ObservatoryError(_("Expliquez les modifications attendues : l'équipe qui a rédigé le constat en a besoin."),
                               "comment")
    review = FindingReview(finding=finding, version_number=finding.current_version, reviewer=reviewer,
                           organisation=reviewing_organisation(finding, reviewer), decision=decision,
                           comment=comment)
    db.session.add(review)
    _move(finding, FindingStatus.PUBLISHED if decision == ReviewDecision.APPROVE
          else FindingStatus.CHANGES_REQUESTED)
    db.session.flush()
    log.info("finding %s reviewed by user %s (%s): %s", finding.id, reviewer.id, review.organisation_id,
             decision.value)
    return review


def withdraw_finding(finding: Finding, by: User, reason: str) -> None:
    """Withdraw a published finding; its page stays, with the public reason."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ObservatoryError(_("Expliquez publiquement pourquoi ce constat est retiré (10 caractères au moins)."),
                               "reason")
    _move(finding, FindingStatus.WITHDRAWN)
    finding.withdrawal_reason = reason
    db.session.flush()
    log.info("finding %s withdrawn by user %s", finding.id, by.id)


# --- the external-action inventory --------------------------------------------------

@dataclass
class ExternalActionInput:
    title: str
    kind: ExternalActionKind
    partner_country: str
    status: ExternalActionStatus
    partner_city: str = ""
    budget_eur: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    description: str = ""
    organisation: Organisation | None = None


def save_external_action(territory: Territory, data: ExternalActionInput, by: User,
                         action: ExternalAction | None = None) -> ExternalAction:
    """Create (or update) one item of the authority's action abroad."""
    if data.budget_eur is not None and data.budget_eur < 0:
        raise ObservatoryError(_("Le budget ne peut pas être négatif."), "budget_eur")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise ObservatoryError(_("La date de fin doit suivre la date de début."), "end_date")
    if action is None:
        action = ExternalAction(territory=territory, created_by_id=by.id)
        db.session.add(action)
    action.title = clean_line(data.title)
    action.kind = ExternalActionKind(data.kind)
    action.partner_country = clean_line(data.partner_country)
    action.partner_city = clean_line(data.partner_city)
    action.budget_eur = data.budget_eur
    action.start_date, action.end_date = data.start_date, data.end_date
    action.status = ExternalActionStatus(data.status)
    action.description = (data.description or "").strip()
    action.description_html = markdown_to_safe_html(action.description)
    action.organisation = data.organisation
    action.updated_at = utcnow()
    db.session.flush()
    log.info("external action %s saved by user %s", action.id, by.id)
    return action
