"""Reading the observatory: filtered, searched, paginated findings; the review queue; the
territory overview; "who sees what". Each function runs a fixed number of queries,
whatever the number of rows (relations are joined or loaded in one batch)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, func, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Field, Organisation, User
from ..core.pagination import Page, paginate
from ..core.i18n import N_
from ..core.params import Param, filters
from ..core.urls import MAX_DATABASE_ID
from ..core.text import french_sort_key, search_key
from ..core.vocabulary import FlowKind
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from .models import (
    PUBLIC_STATUSES, Character, Direction, ExternalAction, Finding, FindingReview, FindingStatus, FindingVersion,
    Indicator,
)
from .services import FIRST_YEAR, LAST_YEAR, OBSERVED_KINDS


def text_arg(args, name: str, limit: int = 16) -> str:
    """A short text parameter, printable characters only (PostgreSQL refuses NUL bytes)."""
    value = args.get(name) or ""
    return "".join(ch for ch in value[: limit * 4] if ch.isprintable()).strip()[:limit]


TERRITORY_PARAM = Param("territory", N_("Code officiel d'un territoire (une intercommunalité inclut ses communes)"),
                        max_length=16, empty_means_all=True)
# The finding filters, for the list page, the API and its OpenAPI description alike.
FINDING_PARAMS = filters(
    Param("q", N_("Mots cherchés dans le titre, le texte, la méthode et les sources (sans accents)"), max_length=200),
    Param("flow_kind", N_("Type de flux"), "enum", FlowKind),
    Param("direction", N_("Sens du flux"), "enum", Direction),
    Param("character", N_("Voulue, subie ou les deux"), "enum", Character),
    Param("field", N_("Domaine"), "enum", Field),
    TERRITORY_PARAM,
    Param("organisation", N_("Organisation productrice (identifiant)"), "integer", minimum=1,
          maximum=MAX_DATABASE_ID),
    Param("period_from", N_("Période observée couvrant au moins cette année ou après"), "integer",
          minimum=FIRST_YEAR, maximum=LAST_YEAR),
    Param("period_to", N_("Période observée commençant au plus tard cette année"), "integer",
          minimum=FIRST_YEAR, maximum=LAST_YEAR),
)

INDICATOR_PARAMS = filters(Param("flow_kind", N_("Type de flux"), "enum", FlowKind))


@dataclass
class FindingFilters:
    """What a visitor asked for, parsed from FINDING_PARAMS (a malformed value is refused there)."""

    flow_kind: FlowKind | None = None
    direction: Direction | None = None
    character: Character | None = None
    field: Field | None = None
    territory: str = ""       # an observed territory's code
    organisation: int | None = None
    period_from: int | None = None
    period_to: int | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query: dict) -> FindingFilters:
        """From parse_query's values (FINDING_PARAMS among them)."""
        return cls(**{param.name: query[param.name] or ("" if param.kind == "string" else None)
                      for param in FINDING_PARAMS})

    def as_args(self) -> dict:
        """The filters as query parameters (for pagination links), empty ones left out."""
        values = {
            "flow_kind": self.flow_kind, "direction": self.direction, "character": self.character,
            "field": self.field, "territory": self.territory, "organisation": self.organisation,
            "period_from": self.period_from, "period_to": self.period_to, "q": self.q,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


def territory_scope(code: str):
    """Ids of the territory named by `code` and of what it contains (communes of an EPCI,
    arrondissements of a commune), as a subquery; None when the code is unknown."""
    territory = db.session.execute(
        select(Territory).where(Territory.code == code, Territory.kind.in_(OBSERVED_KINDS))
        .order_by(Territory.kind)).scalars().first()
    if territory is None:
        return None, None
    inside = or_(Territory.id == territory.id, Territory.epci_id == territory.id,
                 Territory.parent_id == territory.id)
    return territory, select(Territory.id).where(inside).scalar_subquery()


def findings_statement(filters: FindingFilters, statuses=PUBLIC_STATUSES) -> Select:
    stmt = (select(Finding)
            .options(joinedload(Finding.territory), joinedload(Finding.organisation))
            .where(Finding.status.in_(list(statuses))))
    return apply_finding_filters(stmt, filters).order_by(Finding.published_at.desc(), Finding.id.desc())


def apply_finding_filters(stmt: Select, filters: FindingFilters) -> Select:
    """The filters as WHERE clauses on Finding's columns (for the pages, the API and the files)."""
    if filters.flow_kind:
        stmt = stmt.where(Finding.flow_kind == filters.flow_kind)
    if filters.direction:
        stmt = stmt.where(Finding.direction == filters.direction)
    if filters.character:
        stmt = stmt.where(Finding.character == filters.character)
    if filters.field:
        stmt = stmt.where(Finding.fields.contains(f" {filters.field.value} "))
    if filters.organisation:
        stmt = stmt.where(Finding.organisation_id == filters.organisation)
    if filters.territory:
        _territory, scope = territory_scope(filters.territory)
        stmt = stmt.where(Finding.territory_id.in_(scope) if scope is not None else literal(False))
    if filters.period_from:
        stmt = stmt.where(Finding.period_end >= filters.period_from)
    if filters.period_to:
        stmt = stmt.where(Finding.period_start <= filters.period_to)
    for word in search_key(filters.q).split()[:10]:
        # search_key leaves letters and digits only, so no LIKE wildcard can come through.
        stmt = stmt.where(Finding.search_text.contains(word))
    return stmt


def search_findings(filters: FindingFilters, page_arg, per_page: int = 20) -> Page:
    """Public findings matching the filters: two queries (count, page), whatever the page size."""
    return paginate(findings_statement(filters), page_arg, per_page=per_page)


def filter_choices() -> dict:
    """Organisations and territories offered in the filter form (two queries)."""
    organisations = sorted(db.session.execute(select(Organisation)).scalars(), key=lambda o: french_sort_key(o.name))
    territories = db.session.execute(
        select(Territory).where(Territory.kind.in_([TerritoryKind.EPCI, TerritoryKind.COMMUNE]))
        .order_by(Territory.kind.desc(), Territory.search_name)).scalars().all()
    return {"organisations": organisations, "territories": territories}


def finding_with_history(finding_id: int) -> Finding | None:
    """A finding with everything its page shows, loaded in a fixed number of queries."""
    return db.session.execute(
        select(Finding).where(Finding.id == finding_id).options(
            joinedload(Finding.territory), joinedload(Finding.organisation), joinedload(Finding.author),
            selectinload(Finding.versions).joinedload(FindingVersion.submitted_by),
            selectinload(Finding.versions).joinedload(FindingVersion.territory),
            selectinload(Finding.reviews).joinedload(FindingReview.reviewer),
            selectinload(Finding.reviews).joinedload(FindingReview.organisation),
        )).unique().scalar_one_or_none()


def review_queue(user: User) -> list[Finding]:
    """Findings in review that `user` may review: not from one of their organisations, nor theirs."""
    own = [m.organisation_id for m in user.memberships]
    stmt = (select(Finding).options(joinedload(Finding.territory), joinedload(Finding.organisation))
            .where(Finding.status == FindingStatus.IN_REVIEW)
            .where(or_(Finding.author_id.is_(None), Finding.author_id != user.id))
            .order_by(Finding.submitted_at, Finding.id))
    if own:
        stmt = stmt.where(Finding.organisation_id.not_in(own))
    return list(db.session.execute(stmt).scalars())


def review_queue_count(user: User) -> int:
    """How many findings `review_queue` lists for `user`: one COUNT, for the navigation."""
    own = [m.organisation_id for m in user.memberships]
    stmt = (select(func.count(Finding.id)).where(Finding.status == FindingStatus.IN_REVIEW)
            .where(or_(Finding.author_id.is_(None), Finding.author_id != user.id)))
    if own:
        stmt = stmt.where(Finding.organisation_id.not_in(own))
    return db.session.execute(stmt).scalar_one()


def organisation_work(user: User) -> dict:
    """The findings and indicators of the user's organisations, every state (partner's page)."""
    own = [m.organisation_id for m in user.memberships]
    if not own:
        return {"findings": [], "indicators": []}
    findings = db.session.execute(
        select(Finding).options(joinedload(Finding.territory), joinedload(Finding.organisation))
        .where(Finding.organisation_id.in_(own)).order_by(Finding.updated_at.desc(), Finding.id.desc())
    ).scalars().all()
    indicators = db.session.execute(
        select(Indicator).options(joinedload(Indicator.organisation))
        .where(Indicator.organisation_id.in_(own)).order_by(Indicator.name)).scalars().all()
    return {"findings": findings, "indicators": indicators}


def recent_findings(territory: Territory, limit: int = 5) -> list[Finding]:
    _territory, scope = territory_scope(territory.code)
    stmt = (select(Finding).options(joinedload(Finding.territory), joinedload(Finding.organisation))
            .where(Finding.status == FindingStatus.PUBLISHED, Finding.territory_id.in_(scope))
            .order_by(Finding.published_at.desc(), Finding.id.desc()).limit(limit))
    return list(db.session.execute(stmt).scalars())


def external_actions_of(territory: Territory) -> list[ExternalAction]:
    return list(db.session.execute(
        select(ExternalAction).options(joinedload(ExternalAction.organisation))
        .where(ExternalAction.territory_id == territory.id)
        .order_by(ExternalAction.kind, ExternalAction.title)).scalars())


def indicators_page(page_arg, per_page: int = 20, flow_kind: FlowKind | None = None) -> Page:
    stmt = select(Indicator).options(joinedload(Indicator.organisation)).order_by(Indicator.name)
    if flow_kind:
        stmt = stmt.where(Indicator.flow_kind == flow_kind)
    return paginate(stmt, page_arg, per_page=per_page)


# --- who sees what --------------------------------------------------------------------

@dataclass
class Coverage:
    """Which organisations contribute on each (flow kind, field), and the empty cells."""

    cells: dict[tuple[FlowKind, Field], list[Organisation]]
    organisations: list[Organisation]
    findings_by_organisation: dict[int, int]
    indicators_by_organisation: dict[int, int]
    gaps: list[tuple[FlowKind, Field]] = field(default_factory=list)

    def organisations_in(self, kind: FlowKind, area: Field) -> list[Organisation]:
        return self.cells.get((kind, area), [])


def coverage() -> Coverage:
    """Who sees what: a published finding counts for its flow kind and each of its fields;
    an indicator for its flow kind and the fields of the organisation producing it.
    Three queries, whatever the number of findings."""
    organisations = sorted(db.session.execute(select(Organisation)).scalars(), key=lambda o: french_sort_key(o.name))
    by_id = {o.id: o for o in organisations}
    cells: dict[tuple[FlowKind, Field], set[int]] = {}
    findings_count: dict[int, int] = {}
    rows = db.session.execute(
        select(Finding.organisation_id, Finding.flow_kind, Finding.fields)
        .where(Finding.status == FindingStatus.PUBLISHED)).all()
    for organisation_id, kind, fields in rows:
        findings_count[organisation_id] = findings_count.get(organisation_id, 0) + 1
        for value in fields.split():
            cells.setdefault((FlowKind(kind), Field(value)), set()).add(organisation_id)
    indicators_count: dict[int, int] = {}
    for organisation_id, kind in db.session.execute(select(Indicator.organisation_id, Indicator.flow_kind)).all():
        indicators_count[organisation_id] = indicators_count.get(organisation_id, 0) + 1
        for area in by_id[organisation_id].field_list:
            cells.setdefault((FlowKind(kind), area), set()).add(organisation_id)
    resolved = {key: sorted((by_id[i] for i in ids), key=lambda o: french_sort_key(o.name))
                for key, ids in cells.items()}
    gaps = [(kind, area) for kind in FlowKind for area in Field if (kind, area) not in resolved]
    contributors = [o for o in organisations if o.id in findings_count or o.id in indicators_count]
    return Coverage(cells=resolved, organisations=contributors, findings_by_organisation=findings_count,
                    indicators_by_organisation=indicators_count, gaps=gaps)


def observed_territory(kind: str, code: str) -> Territory | None:
    try:
        kind_enum = TerritoryKind(kind)
    except ValueError:
        return None
    if kind_enum not in OBSERVED_KINDS or len(code) > 16 or not code.isprintable():
        return None
    return db.session.execute(select(Territory).filter_by(kind=kind_enum, code=code)).scalar_one_or_none()


def counts_by_commune(epci: Territory) -> dict[int, int]:
    """Published findings per commune of an EPCI (one grouped query)."""
    rows = db.session.execute(
        select(Finding.territory_id, func.count(Finding.id))
        .join(Territory, Territory.id == Finding.territory_id)
        .where(Finding.status == FindingStatus.PUBLISHED, Territory.epci_id == epci.id)
        .group_by(Finding.territory_id)).all()
    return dict(rows)

