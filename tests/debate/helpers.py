"""Debate test data: comments and proposals written through the services, committed."""
from __future__ import annotations

from plateforme.consultations.models import PhaseKind
from plateforme.debate.models import Stance
from plateforme.debate.services import answer_proposal, post_comment, submit_proposal

from ..consultations.helpers import build_consultation

COMMENT_URL = "/consultations/{id}/commenter"


def comment(db, author, consultation, body="Je suis plutôt favorable à cette idée.", stance=Stance.FOR,
            parent=None):
    created = post_comment(author, consultation, stance, body, parent=parent)
    db.session.commit()
    return created


def proposal(db, author, consultation, title="Un guichet d'accueil unique",
             body="Ouvrir un guichet unique pour les étudiants étrangers."):
    created = submit_proposal(author, consultation, title, body)
    db.session.commit()
    return created


def answered(db, proposal_, consultation, official, status, justification="Nous l'étudions avec les universités."):
    answer_proposal(proposal_, consultation, official, status, justification)
    db.session.commit()
    return proposal_


def comment_form(stance="for", body="Un avis argumenté sur la question.", **extra):
    """What the comment form posts (its fields are prefixed: it shares the page)."""
    return {"comment-stance": stance, "comment-body": body, **extra}


def route_matrix_fixtures(make, db) -> dict:
    """Objects the debate's rows of the route matrix point at: a consultation open to any
    registered person with its debate and proposals phases both running today, a comment
    and a proposal by a person none of the tested roles is."""
    debating = build_consultation(make, PhaseKind.DEBATE, title="Consultation de la matrice (débat)")
    proposing = build_consultation(make, PhaseKind.PROPOSALS, title="Consultation de la matrice (propositions)")
    author = make.user(name="Autrice de la matrice")
    written = comment(db, author, debating)
    proposed = proposal(db, author, proposing)
    return {"debate_consultation": debating.id, "proposals_consultation": proposing.id,
            "comment": written.id, "proposal": proposed.id}


def executable_markup(html: str) -> list[str]:
    """What in `html` a browser would run: script-like elements, event-handler attributes,
    javascript: URLs. Escaped text (&lt;script&gt;) is inert and not reported."""
    from html.parser import HTMLParser

    found = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            own_script = tag == "script" and (dict(attrs).get("src") or "").startswith("/static/js/")
            if tag in ("script", "img", "iframe", "object", "embed", "svg", "style") and not own_script:
                found.append(tag)  # the site's own scripts (static/js, the CSP allows no other) excepted
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"{tag}[{name}]")
                if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                    found.append(f"{tag}[{name}={value}]")

    Finder().feed(html)
    return found
