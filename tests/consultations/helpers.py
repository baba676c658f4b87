"""Consultation test data, shared by the consultations, debate, cards and notifications tests.

`build_consultation(make, current=PhaseKind.DEBATE)` gives a published consultation on the
Métropole de Lyon whose phases are placed around today so that `current` runs now:

    from tests.consultations.helpers import build_consultation, published_card
    consultation = build_consultation(make, current=PhaseKind.PROPOSALS, audience=Audience.RESIDENTS)

`current` may also be "upcoming" (every phase later), "concluded" (every phase over) or
"between_phases" (today falls in a gap between two phases).
"""
from __future__ import annotations

from datetime import date, timedelta

from plateforme.cards.models import IssueCard, IssueCardVersion, PoliticalStatus, VersionStatus
from plateforme.consultations.models import (
    PHASE_ORDER, Audience, Consultation, ConsultationPhase, ConsultationStatus, PhaseKind,
)
from plateforme.core.models import local_today, utcnow
from plateforme.core.sanitize import markdown_to_safe_html

PHASE_DAYS = 10  # each phase lasts 10 days (inclusive), back to back


def published_card(make, territory_code: str = "200046977", *, title: str = "Les étudiants étrangers à Lyon",
                   political_status: PoliticalStatus = PoliticalStatus.INVISIBLE, author=None) -> IssueCard:
    """An issue card with one published version, committed."""
    db = make.db
    author = author or make.user()
    card = IssueCard(territory=make.territory(territory_code), created_by=author, title=title,
                     political_status=political_status)
    version = IssueCardVersion(card=card, number=1, title=title, summary="En clair : la question posée.",
                               stakes="Ce qui est en jeu.", political_status=political_status,
                               status=VersionStatus.PUBLISHED, author=author, submitted_at=utcnow(),
                               published_at=utcnow())
    card.first_published_at = utcnow()
    db.session.add_all([card, version])
    db.session.flush()
    card.published_version_id = version.id
    db.session.commit()
    return card


def phase_dates(current, kinds=None, today: date | None = None) -> dict[PhaseKind, tuple[date, date]]:
    """Dates for `kinds` (default: all six, in order) so that `current` runs on `today`."""
    today = today or local_today()
    kinds = [PhaseKind(k) for k in (kinds or PHASE_ORDER)]
    length = timedelta(days=PHASE_DAYS)
    if current == "upcoming":
        start = today + timedelta(days=5)
    elif current == "concluded":
        start = today - length * len(kinds) - timedelta(days=5)
    elif current == "between_phases":
        # The first phase ends yesterday; the others start in 5 days.
        dates = {kinds[0]: (today - length, today - timedelta(days=1))}
        start = today + timedelta(days=5)
        for kind in kinds[1:]:
            dates[kind] = (start, start + length - timedelta(days=1))
            start += length
        return dates
    else:
        index = kinds.index(PhaseKind(current))
        start = today - timedelta(days=PHASE_DAYS // 2) - length * index
    dates = {}
    for kind in kinds:
        dates[kind] = (start, start + length - timedelta(days=1))
        start += length
    return dates


def build_consultation(make, current=PhaseKind.DEBATE, *, audience: Audience = Audience.REGISTERED,
                       cards: list[IssueCard] | None = None, survey=None, opened_by=None,
                       territory_code: str = "200046977", kinds=None,
                       status: ConsultationStatus = ConsultationStatus.PUBLISHED,
                       title: str = "L'accueil des étudiants étrangers",
                       description: str = "Donnez votre avis sur l'accueil des **étudiants** étrangers.",
                       today: date | None = None) -> Consultation:
    """A consultation on `territory_code`, `status` (published by default), with phases so that
    `current` runs today; a published card of the territory when `cards` is not given. Committed."""
    db = make.db
    territory = make.territory(territory_code)
    opened_by = opened_by or make.elected(territory_code)
    if cards is None:
        cards = [published_card(make, territory_code)]
    consultation = Consultation(title=title, description=description,
                                description_html=markdown_to_safe_html(description), territory=territory,
                                audience=audience, opened_by=opened_by, survey=survey, cards=list(cards))
    for kind, (starts_on, ends_on) in phase_dates(current, kinds, today).items():
        consultation.phases.append(ConsultationPhase(kind=kind, starts_on=starts_on, ends_on=ends_on))
    db.session.add(consultation)
    db.session.flush()
    if status != ConsultationStatus.DRAFT:
        if status == ConsultationStatus.CANCELLED:
            consultation.cancellation_reason = "Le calendrier municipal a changé."
        consultation.move_to(status)
    db.session.commit()
    return consultation


consultation = build_consultation  # the short name the brief announced


def route_matrix_fixtures(make, db) -> dict:
    """Objects the consultations' rows of the route matrix point at, on the Métropole de Lyon
    (where the matrix's elected official holds a mandate): a published consultation in its
    debate phase, and a draft."""
    published = build_consultation(make, current=PhaseKind.DEBATE, title="Consultation publiée de la matrice")
    draft = build_consultation(make, current=PhaseKind.DEBATE, status=ConsultationStatus.DRAFT,
                               cards=published.cards, opened_by=published.opened_by,
                               title="Brouillon de consultation de la matrice")
    return {"consultation": published.id, "consultation_draft": draft.id}
