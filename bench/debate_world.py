"""Debate data for the benchmarks of issue 6: a consultation in its debate phase with many
comments (bulk inserts), replies, several stances, proposals and moderation actions; and
signed-in residents for the POST scenarios of bench/run.py.

    .venv/bin/python -m bench.debate_world --residents 16 --comments 200 --proposals 20
        (DATABASE_URL and the app's environment as bench/run.py sets them; prints JSON)

The consultation itself is made with the test suite's builder
(tests/consultations/helpers.py: published, phases around today, a published card), so
the benchmark reads the same kind of consultation the tests do.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESIDENT_PASSWORD = "banc-d-essai-debat-2026"
STANCES_CYCLE = ("for", "against", "nuance", "question", "for", "for", "against")


def build_debate(db, make, n_comments: int, *, n_proposals: int | None = None, title: str | None = None,
                 authors: int = 40, moderation_actions: int | None = None, current=None):
    """A consultation (debate phase running) with `n_comments` comments: a third open a
    thread, a third answer them, a third answer those answers; one in 50 is withdrawn
    and one in 70 hidden by a moderator. Rows go in with executemany inserts. Committed.
    `current`: the phase running today (default the debate; PhaseKind.PROPOSALS to support)."""
    from sqlalchemy import insert, select

    from plateforme.consultations.models import PhaseKind
    from plateforme.core.models import utcnow
    from plateforme.debate.models import Comment, ModerationAction, ModerationActionKind, Proposal
    from tests.consultations.helpers import build_consultation

    consultation = build_consultation(make, current or PhaseKind.DEBATE,
                                      title=title or f"Débat à {n_comments} commentaires")
    people = bench_users(db, make, authors, prefix=f"auteur-{consultation.id}", password_hash="!")
    moderator = people[0]
    start = utcnow() - timedelta(days=4)
    sizes = [n_comments - 2 * (n_comments // 3), n_comments // 3, n_comments // 3]
    parents: list[int | None] = [None]
    index = 0
    for depth, size in enumerate(sizes):
        if size <= 0:
            break
        rows = []
        for k in range(size):
            i = index + k
            visibility = "withdrawn" if i % 50 == 49 else ("hidden" if i % 70 == 69 else "visible")
            rows.append({
                "consultation_id": consultation.id, "author_id": people[i % len(people)].id,
                "parent_id": parents[k % len(parents)], "depth": depth,
                "stance": STANCES_CYCLE[i % len(STANCES_CYCLE)],
                "body": f"Avis {i} : l'accueil doit être mieux organisé.",
                "body_html": f"<p>Avis {i} : l'accueil doit être mieux organisé.</p>",
                "visibility": visibility, "visibility_reason": "Propos injurieux." if visibility == "hidden" else "",
                "endorsements_count": i % 7, "featured": i % 500 == 0, "locked": False,
                "created_at": start + timedelta(seconds=i * 7),
            })
        db.session.execute(insert(Comment), rows)
        index += size
        parents = list(db.session.execute(
            select(Comment.id).where(Comment.consultation_id == consultation.id, Comment.depth == depth)
            .order_by(Comment.id)).scalars())
    n_proposals = max(5, n_comments // 20) if n_proposals is None else n_proposals
    if n_proposals:
        db.session.execute(insert(Proposal), [{
            "consultation_id": consultation.id, "author_id": people[i % len(people)].id,
            "title": f"Proposition {i} pour l'accueil", "body": f"Proposition {i}.",
            "body_html": f"<p>Proposition {i}.</p>", "status": "submitted", "justification": "",
            "justification_html": "", "visibility": "visible", "visibility_reason": "",
            "supports_count": i % 11, "featured": False, "created_at": start + timedelta(minutes=i),
        } for i in range(n_proposals)])
    hidden = list(db.session.execute(select(Comment.id).where(
        Comment.consultation_id == consultation.id, Comment.visibility == "hidden")).scalars())
    actions = len(hidden) if moderation_actions is None else min(moderation_actions, len(hidden))
    if actions:
        db.session.execute(insert(ModerationAction), [{
            "consultation_id": consultation.id, "kind": ModerationActionKind.HIDE.value, "target_kind": "comment",
            "target_id": comment_id, "subject_user_id": people[1].id, "reason": "insult",
            "public_reason": "Propos injurieux.", "moderator_id": moderator.id, "actor_role": "moderator",
            "was_public": True, "created_at": start + timedelta(hours=1, seconds=n),
        } for n, comment_id in enumerate(hidden[:actions])])
    db.session.commit()
    return consultation


def bench_users(db, make, count: int, *, prefix: str, password_hash: str | None = None,
                commune: str = "69266"):
    """`count` confirmed residents of `commune` (Lyon), in one flush. With `password_hash`
    None they get RESIDENT_PASSWORD, hashed once (the hash is shared: same cost per sign-in)."""
    from plateforme.accounts.models import User
    from plateforme.accounts.passwords import hash_password
    from plateforme.core.models import utcnow
    from plateforme.territories.models import TerritoryKind

    hashed = password_hash or hash_password(RESIDENT_PASSWORD)
    lyon = make.territory(commune, TerritoryKind.COMMUNE)
    users = [User(email=f"{prefix}-{i}@example.org", display_name=f"Habitante {prefix} {i}", password_hash=hashed,
                  commune=lyon, email_confirmed_at=utcnow()) for i in range(count)]
    db.session.add_all(users)
    db.session.commit()
    return users


def main(argv=None) -> int:
    """Builds the data in the database of the app's environment (DATABASE_URL) and prints
    {"consultation": id, "proposals": [ids], "support_consultation": id,
    "supportable": [ids], "residents": [emails], "password": "…"}."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=16)
    parser.add_argument("--comments", type=int, default=200)
    parser.add_argument("--proposals", type=int, default=20)
    parser.add_argument("--supportable", type=int, default=3600,
                        help="proposals of a second consultation, in its proposals phase, to support "
                             "(bench/debate_scenarios.py hands out a fresh third of them per figure)")
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from plateforme import create_app
    from plateforme.consultations.models import PhaseKind
    from plateforme.debate.models import Proposal
    from plateforme.extensions import db
    from tests.factories import Factories

    app = create_app()
    with app.app_context():
        make = Factories(db)
        consultation = build_debate(db, make, args.comments, n_proposals=args.proposals,
                                    title="Banc d'essai — débat")
        proposing = build_debate(db, make, 0, n_proposals=args.supportable, current=PhaseKind.PROPOSALS,
                                 title="Banc d'essai — propositions")
        residents = bench_users(db, make, args.residents, prefix=f"habitant-banc-{consultation.id}")

        def proposals_of(consultation_id):
            return list(db.session.execute(select(Proposal.id).where(
                Proposal.consultation_id == consultation_id).order_by(Proposal.id)).scalars())

        print(json.dumps({"consultation": consultation.id, "proposals": proposals_of(consultation.id),
                          "support_consultation": proposing.id, "supportable": proposals_of(proposing.id),
                          "residents": [user.email for user in residents], "password": RESIDENT_PASSWORD}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
