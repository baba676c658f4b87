"""The addresses of the public pages, for sitemap.xml (sitemaps.org protocol 0.9).

Listed: the site-wide public pages, the territories that have public content (and the
EPCI and départements the territory index lists), public consultations and the commitments
of their responses, published cards, public findings, indicators, published survey
results, the comparison of territories (when two published surveys can be compared), the
open-data page. Never an account, management, moderation or draft page.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, union

from ..cards.models import IssueCard
from ..consultations.models import AuthorityResponse, Commitment, Consultation
from ..core.urls import external_url_for
from ..extensions import db
from ..observatory.models import PUBLIC_STATUSES, Finding, Indicator
from ..surveys.comparison import comparable_surveys
from ..surveys.models import PerceptionSurvey, SurveyStatus
from ..territories.models import Territory, TerritoryKind
from .events import PUBLIC_CONSULTATION

MAX_URLS = 50_000  # per sitemap file (the protocol's limit); above it, a sitemap index
STATIC_PAGES = ("core.home", "core.legal", "core.privacy", "core.accessibility", "core.sitemap",
                "territories.index", "consultations.index", "cards.index", "observatory.index",
                "observatory.findings", "observatory.indicators", "observatory.external_actions",
                "observatory.who_sees_what", "observatory.open_data", "surveys.index")


def _rows(stmt):
    return db.session.execute(stmt).all()


def public_urls() -> list[tuple[str, datetime | None]]:
    """(absolute address, last change or None) of every public page listed."""
    urls = [(external_url_for(endpoint), None) for endpoint in STATIC_PAGES]
    with_content = union(
        select(Consultation.territory_id).where(Consultation.status.in_(PUBLIC_CONSULTATION)),
        select(PerceptionSurvey.territory_id).where(PerceptionSurvey.status == SurveyStatus.PUBLISHED),
        select(Finding.territory_id).where(Finding.status.in_(list(PUBLIC_STATUSES))),
        select(IssueCard.territory_id).where(IssueCard.published_version_id.is_not(None)),
    ).subquery()
    listed = Territory.kind.in_([TerritoryKind.EPCI, TerritoryKind.DEPARTEMENT])  # as the territory index
    territories = (select(Territory.kind, Territory.code)
                   .where(Territory.id.in_(select(with_content.c[0])) | listed)
                   .order_by(Territory.kind, Territory.code))
    urls += [(external_url_for("territories.show", kind=kind.value, code=code), None)
             for kind, code in _rows(territories)]
    urls += [(external_url_for("consultations.show", consultation_id=i), at) for i, at in _rows(
        select(Consultation.id, Consultation.updated_at).where(Consultation.status.in_(PUBLIC_CONSULTATION))
        .order_by(Consultation.id))]
    urls += [(external_url_for("consultations.commitment", commitment_id=i), at) for i, at in _rows(
        select(Commitment.id, Commitment.updated_at).join(Commitment.response).join(AuthorityResponse.consultation)
        .where(Consultation.status.in_(PUBLIC_CONSULTATION)).order_by(Commitment.id))]
    urls += [(external_url_for("cards.show", card_id=i), at) for i, at in _rows(
        select(IssueCard.id, IssueCard.updated_at).where(IssueCard.published_version_id.is_not(None))
        .order_by(IssueCard.id))]
    urls += [(external_url_for("observatory.finding", finding_id=i), at) for i, at in _rows(
        select(Finding.id, Finding.updated_at).where(Finding.status.in_(list(PUBLIC_STATUSES))).order_by(Finding.id))]
    urls += [(external_url_for("observatory.indicator", indicator_id=i), at) for i, at in _rows(
        select(Indicator.id, Indicator.updated_at).order_by(Indicator.id))]
    urls += [(external_url_for("surveys.results", survey_id=i), None) for (i,) in _rows(
        select(PerceptionSurvey.id).where(PerceptionSurvey.status == SurveyStatus.PUBLISHED)
        .order_by(PerceptionSurvey.id))]
    if comparable_surveys():  # the comparison page, once it has something to compare
        urls.append((external_url_for("surveys.comparison"), None))
    return urls
