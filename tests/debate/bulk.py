"""A consultation with many comments written in bulk (replies, stances, withdrawn and hidden
ones, proposals, moderation actions), for the tests that compare the debate pages' statements
at two sizes (test_query_counts_large.py). The benchmarks grow the demo's debate instead
(bench/load_world.py): no benchmark imports the test factories."""
from __future__ import annotations

from datetime import timedelta

STANCES_CYCLE = ("for", "against", "nuance", "question", "for", "for", "against")
RESIDENT_PASSWORD = "banc-d-essai-debat-2026"


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
    from ..consultations.helpers import build_consultation

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
