"""Public and private content on the Métropole de Lyon, one of its communes and a neighbour."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from plateforme.consultations.models import CommitmentStatus, CommitmentUpdate, ConsultationStatus
from plateforme.observatory.models import FindingStatus
from plateforme.surveys.publication import publish

from ..conftest import GENAS
from ..consultations.helpers import build_consultation
from ..consultations.outcome_helpers import response_with_commitments, synthesis
from ..factories import make_survey
from ..observatory.helpers import Observatory

METROPOLE = "200046977"
VILLEURBANNE = "69266"


@pytest.fixture
def world(db, make, neighbour):
    """Public events on the Métropole, on Villeurbanne (one of its communes) and on Genas (a
    neighbour), and drafts, each at a known moment."""
    base = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    moment = iter(base + timedelta(hours=h) for h in range(100))
    elected = make.elected(METROPOLE)
    metropole = build_consultation(make, title="Consultation de la Métropole")
    metropole.published_at = next(moment)
    villeurbanne = build_consultation(make, territory_code=VILLEURBANNE, title="Consultation de Villeurbanne",
                                      cards=[])
    villeurbanne.published_at = next(moment)
    cancelled = build_consultation(make, status=ConsultationStatus.CANCELLED, title="Consultation annulée test",
                                   cards=[])
    cancelled.published_at = next(moment)
    draft = build_consultation(make, status=ConsultationStatus.DRAFT, title="Brouillon de consultation", cards=[])
    build_consultation(make, territory_code=GENAS, title="Consultation de Genas", cards=[])
    draft_with_outcome = build_consultation(make, status=ConsultationStatus.DRAFT, title="Brouillon à synthèse",
                                            cards=[])
    synthesis(db, draft_with_outcome, elected)
    written = synthesis(db, metropole, elected)
    written.published_at = next(moment)
    commitment = response_with_commitments(db, metropole, elected, CommitmentStatus.PLANNED)[0]
    commitment.response.published_at = next(moment)
    update = CommitmentUpdate(commitment=commitment, body="Les travaux ont commencé.",
                              body_html="<p>Les travaux ont commencé.</p>", status_before=CommitmentStatus.PLANNED,
                              status_after=CommitmentStatus.IN_PROGRESS, author=elected, created_at=next(moment))
    db.session.add(update)
    survey = make_survey(db, "closed")
    first = publish(survey)
    first.created_at = next(moment)
    db.session.commit()
    obs = Observatory(make, db)
    finding = obs.finding(title="Constat de Villeurbanne", territory=make.territory(VILLEURBANNE))
    finding.published_at = next(moment)
    in_review = obs.finding(FindingStatus.IN_REVIEW, title="Constat en relecture")
    obs.finding(title="Constat de Genas", territory=make.territory(GENAS))
    db.session.commit()
    return {"survey": survey, "finding": finding, "commitment": commitment, "metropole": metropole,
            "villeurbanne": villeurbanne, "cancelled": cancelled,
            "draft": draft, "in_review": in_review, "draft_survey": make_survey(db, "draft")}
