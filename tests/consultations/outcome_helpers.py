"""Test data for what closes a consultation: contributions, a response with commitments,
followers. Built directly with the models (committed), on top of `build_consultation`."""
from __future__ import annotations

from datetime import timedelta

from plateforme.consultations.models import (
    AuthorityResponse, Commitment, CommitmentStatus, ConsultationFollow, PhaseKind, Synthesis,
)
from plateforme.core.models import local_today, utcnow
from plateforme.core.sanitize import markdown_to_safe_html
from plateforme.debate.models import Comment, Proposal, Stance, Visibility

from .helpers import build_consultation


def comment(db, consultation, author, body="Je suis pour, à condition d'informer les habitants.",
            visibility=Visibility.VISIBLE) -> Comment:
    row = Comment(consultation_id=consultation.id, author=author, stance=Stance.FOR, body=body,
                  body_html=markdown_to_safe_html(body), visibility=visibility)
    db.session.add(row)
    db.session.commit()
    return row


def proposal(db, consultation, author, title="Un guichet d'accueil unique", visibility=Visibility.VISIBLE):
    body = "Un seul lieu pour les démarches des étudiants étrangers."
    row = Proposal(consultation_id=consultation.id, author=author, title=title, body=body,
                   body_html=markdown_to_safe_html(body), visibility=visibility)
    db.session.add(row)
    db.session.commit()
    return row


def follow(db, consultation, *users) -> None:
    for user in users:
        db.session.add(ConsultationFollow(consultation_id=consultation.id, user_id=user.id))
    db.session.commit()


def response_with_commitments(db, consultation, author, *statuses, due_in=30) -> list[Commitment]:
    """A published response with one commitment per status (due `due_in` days from today)."""
    response = AuthorityResponse(consultation=consultation, body="Nous retenons trois idées.",
                                 body_html="<p>Nous retenons trois idées.</p>", author=author, published_at=utcnow())
    for position, status in enumerate(statuses or (CommitmentStatus.PLANNED,), start=1):
        response.commitments.append(Commitment(
            position=position, title=f"Engagement numéro {position}", owner="Direction des relations internationales",
            due_on=local_today() + timedelta(days=due_in), status=status))
    db.session.add(response)
    db.session.commit()
    return response.commitments


def synthesis(db, consultation, author, comments=(), proposals=()) -> Synthesis:
    row = Synthesis(consultation=consultation, body="Ce que nous avons entendu.",
                    body_html="<p>Ce que nous avons entendu.</p>", author=author, published_at=utcnow(),
                    comments=list(comments), proposals=list(proposals))
    db.session.add(row)
    db.session.commit()
    return row


def route_matrix_fixtures(make, db) -> dict:
    """A consultation in its synthesis phase, one in its response phase, and a concluded one
    with a response and a commitment — all on the Métropole de Lyon."""
    in_synthesis = build_consultation(make, current=PhaseKind.SYNTHESIS, title="Synthèse de la matrice")
    in_response = build_consultation(make, current=PhaseKind.RESPONSE, title="Réponse de la matrice",
                                     cards=in_synthesis.cards, opened_by=in_synthesis.opened_by)
    concluded = build_consultation(make, current="concluded", title="Engagements de la matrice",
                                   cards=in_synthesis.cards, opened_by=in_synthesis.opened_by)
    commitment = response_with_commitments(db, concluded, concluded.opened_by)[0]
    return {"synthesis_consultation": in_synthesis.id, "response_consultation": in_response.id,
            "concluded_consultation": concluded.id, "commitment": commitment.id}
