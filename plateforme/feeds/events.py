"""The public events of a territory, for its Atom feed: what a visitor may already read on
the site, dated by the same fields the pages show (no clock of the feed's own).

Scope: a territory's feed lists its own events and those of every territory it contains
(an EPCI's feed has its communes' events, a département's its communes', a commune's its
arrondissements'); never a neighbour's. Drafts never appear; a cancelled consultation and a
withdrawn finding stay listed, said to be so, as their pages say it. A survey's results
give one entry per published version; commitments give one entry per progress report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..consultations.models import (
    AuthorityResponse, Commitment, CommitmentUpdate, Consultation, ConsultationStatus, Synthesis,
)
from ..consultations.response_forms import COMMITMENT_STATUS_LABELS
from ..core.sanitize import markdown_to_plain_text
from ..extensions import db
from ..observatory.models import PUBLIC_STATUSES, Finding, FindingStatus
from ..surveys.models import PerceptionSurvey, Publication, SurveyStatus
from ..territories.models import Territory

FEED_LENGTH = 50  # the most recent events; older ones stay on the pages
PUBLIC_CONSULTATION = (ConsultationStatus.PUBLISHED, ConsultationStatus.CANCELLED)
# What the feed reads, for its ETag (core/http_cache.py `conditional`).
TABLES = ("territory", "consultation", "synthesis", "authority_response", "commitment", "commitment_update",
          "perception_survey", "survey_publication", "finding", "organisation", "user_account")


@dataclass
class Event:
    key: str            # stable within the site: the feed entry's id is built from it
    title: str
    summary: str
    endpoint: str
    values: dict
    updated: datetime
    territory: Territory
    authors: list[str] = field(default_factory=list)


def territory_ids_within(territory: Territory) -> list[int]:
    """`territory` and every territory inside it, by EPCI or administrative parent (a région
    holds départements, which hold communes, which hold arrondissements: four levels)."""
    found, frontier = {territory.id}, {territory.id}
    while frontier:
        rows = db.session.execute(select(Territory.id).where(
            Territory.parent_id.in_(frontier) | Territory.epci_id.in_(frontier))).scalars()
        frontier = set(rows) - found
        found |= frontier
    return sorted(found)


def _excerpt(markdown: str, length: int = 400) -> str:
    """The text a reader sees of `markdown`, cut at a word near `length` characters."""
    text = markdown_to_plain_text(markdown)
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


def _within(stmt, column, ids):
    return stmt if ids is None else stmt.where(column.in_(ids))


def public_events(territory: Territory | None, limit: int = FEED_LENGTH) -> list[Event]:
    """The most recent public events of `territory` (and what it contains), or of the whole
    site when None, newest first (ties broken by their key, so the order never wavers)."""
    ids = territory_ids_within(territory) if territory is not None else None
    events = [*_consultations(ids, limit), *_syntheses(ids, limit), *_responses(ids, limit),
              *_commitment_updates(ids, limit), *_survey_results(ids, limit), *_findings(ids, limit)]
    events.sort(key=lambda e: (e.updated, e.key), reverse=True)
    return events[:limit]


def _consultations(ids, limit):
    stmt = _within(select(Consultation).options(joinedload(Consultation.territory))
                   .where(Consultation.status.in_(PUBLIC_CONSULTATION), Consultation.published_at.is_not(None)),
                   Consultation.territory_id, ids)
    for c in db.session.execute(stmt.order_by(Consultation.published_at.desc()).limit(limit)).scalars():
        cancelled = c.status == ConsultationStatus.CANCELLED
        title = (_("Consultation annulée : %(title)s", title=c.title) if cancelled
                 else _("Nouvelle consultation : %(title)s", title=c.title))
        summary = _excerpt(c.description)
        if cancelled:
            summary = _("Cette consultation a été annulée.") + (" " + summary if summary else "")
        yield Event(f"consultation-{c.id}", title, summary, "consultations.show", {"consultation_id": c.id},
                    c.published_at, c.territory)


def _outcome_rows(model, ids, limit):
    stmt = (select(model).join(model.consultation)
            .options(joinedload(model.consultation).joinedload(Consultation.territory))
            .where(Consultation.status.in_(PUBLIC_CONSULTATION)))
    stmt = _within(stmt, Consultation.territory_id, ids)
    return db.session.execute(stmt.order_by(model.published_at.desc()).limit(limit)).scalars()


def _syntheses(ids, limit):
    for s in _outcome_rows(Synthesis, ids, limit):
        c = s.consultation
        yield Event(f"synthesis-{s.id}", _("Synthèse publiée : %(title)s", title=c.title),
                    _excerpt(s.body), "consultations.show",
                    {"consultation_id": c.id, "_anchor": "synthese"}, s.published_at, c.territory,
                    [_("La modération du territoire")])


def _responses(ids, limit):
    for r in _outcome_rows(AuthorityResponse, ids, limit):
        c = r.consultation
        yield Event(f"response-{r.id}", _("Réponse officielle : %(title)s", title=c.title),
                    _excerpt(r.body), "consultations.show",
                    {"consultation_id": c.id, "_anchor": "reponse"}, r.published_at, c.territory)


def _commitment_updates(ids, limit):
    stmt = (select(CommitmentUpdate).join(CommitmentUpdate.commitment).join(Commitment.response)
            .join(AuthorityResponse.consultation)
            .options(joinedload(CommitmentUpdate.commitment).joinedload(Commitment.response)
                     .joinedload(AuthorityResponse.consultation).joinedload(Consultation.territory))
            .where(Consultation.status.in_(PUBLIC_CONSULTATION)))
    stmt = _within(stmt, Consultation.territory_id, ids)
    for u in db.session.execute(stmt.order_by(CommitmentUpdate.created_at.desc()).limit(limit)).scalars():
        commitment = u.commitment
        status = COMMITMENT_STATUS_LABELS[u.status_after]
        yield Event(f"commitment-update-{u.id}",
                    _("Engagement « %(title)s » : %(status)s", title=commitment.title, status=status),
                    _excerpt(u.body), "consultations.commitment", {"commitment_id": commitment.id},
                    u.created_at, commitment.response.consultation.territory)


def _survey_results(ids, limit):
    stmt = (select(Publication).join(Publication.survey)
            .options(joinedload(Publication.survey).joinedload(PerceptionSurvey.territory))
            .where(PerceptionSurvey.status == SurveyStatus.PUBLISHED))
    stmt = _within(stmt, PerceptionSurvey.territory_id, ids)
    for p in db.session.execute(stmt.order_by(Publication.created_at.desc()).limit(limit)).scalars():
        survey = p.survey
        title = (_("Résultats publiés : %(title)s", title=survey.title) if p.version == 1 else
                 _("Résultats corrigés (version %(version)s) : %(title)s", version=p.version, title=survey.title))
        yield Event(f"survey-{survey.id}-results-v{p.version}", title, p.change_note.strip(),
                    "surveys.results_version", {"survey_id": survey.id, "version": p.version},
                    p.created_at, survey.territory, [survey.conducted_by] if survey.conducted_by else [])


def _findings(ids, limit):
    stmt = _within(select(Finding).options(joinedload(Finding.territory), joinedload(Finding.organisation),
                                           joinedload(Finding.author))
                   .where(Finding.status.in_(list(PUBLIC_STATUSES)), Finding.published_at.is_not(None)),
                   Finding.territory_id, ids)
    for f in db.session.execute(stmt.order_by(Finding.published_at.desc()).limit(limit)).scalars():
        withdrawn = f.status == FindingStatus.WITHDRAWN
        title = (_("Constat retiré : %(title)s", title=f.title) if withdrawn
                 else _("Constat publié : %(title)s", title=f.title))
        summary = _excerpt(f.body)
        if withdrawn:
            summary = _("Ce constat a été retiré par son organisation.") + (" " + summary if summary else "")
        authors = ([f.author.display_name] if f.author else []) + [f.organisation.name]
        yield Event(f"finding-{f.id}", title, summary, "observatory.finding", {"finding_id": f.id},
                    f.published_at, f.territory, authors)
