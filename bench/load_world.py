"""The world of the load benchmark (bench/load.py), on top of the demo (`flask demo`).

    PYTHONPATH=<checkout> PLATEFORME_ENV=production SECRET_KEY=… DATABASE_URL=… \\
        python bench/load_world.py --accounts 3000 --comments 1000      (prints JSON)

It imports only the application's models and the demo loader, never the test factories, and
writes rows as the demo does (models, and Core inserts for the bulk), so that the same script
seeds the code of today and that of an older commit (bench/load.py runs both): the demo's
debate consultation grows to `--comments` comments; `--accounts` residents of Lyon are added.
The demo's open survey, published results and territory page are used as they are.

Residents `bench-signin-*` carry a password hashed as production hashes it (their sign-ins
are part of the measured mix); the others (`bench-user-*`, signed in once before the
measurement to comment, react and answer the survey) carry a cheap scrypt hash so that
signing in thousands of them takes seconds, not minutes: it changes nothing measured.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta

PASSWORD = "banc-de-charge-2026-accueil"
CHEAP_HASH_METHOD = "scrypt:1024:8:1"
SIGN_IN_ACCOUNTS = 200
DEBATE_TITLE = "L'accueil des étudiantes et étudiants étrangers%"
OPEN_SURVEY_TITLE = "L'international et nous — vague 2026%"
PUBLISHED_SURVEY_TITLE = "L'international et nous — vague 2025%"
STANCES = ("for", "against", "nuance", "question", "for", "for", "against")


def bench_authors(password_hash: str, commune_id: int, now, count: int = 40, prefix: str = "bench-author"):
    """Authors of the seeded comments: people of their own, so the benchmark's residents may
    endorse any comment (nobody endorses their own)."""
    from plateforme.accounts.models import User
    from plateforme.extensions import db

    authors = [User(email=f"{prefix}-{i}@example.org", display_name=f"Autrice {i}", password_hash=password_hash,
                    commune_id=commune_id, email_confirmed_at=now, locale="fr") for i in range(count)]
    db.session.add_all(authors)
    db.session.flush()
    return authors


def grow_debate(consultation, total: int, authors, now) -> None:
    """Comments in bulk (Core inserts) until the consultation has `total`: a third open
    threads, a third answer them, a third answer those answers. Not committed."""
    from sqlalchemy import func, insert, select

    from plateforme.debate.models import Comment
    from plateforme.extensions import db

    have = db.session.execute(select(func.count()).select_from(Comment)
                              .where(Comment.consultation_id == consultation.id)).scalar_one()
    missing = max(0, total - have)
    start = now - timedelta(days=3)
    sizes = [missing - 2 * (missing // 3), missing // 3, missing // 3]
    parents: list[int | None] = [None]
    index = have
    author_ids = [a.id for a in authors]
    for depth, size in enumerate(sizes):
        if size <= 0:
            break
        db.session.execute(insert(Comment), [{
            "consultation_id": consultation.id, "author_id": author_ids[(index + k) % len(author_ids)],
            "parent_id": parents[k % len(parents)], "depth": depth, "stance": STANCES[(index + k) % len(STANCES)],
            "body": f"Avis {index + k} : l'accueil doit être mieux organisé.",
            "body_html": f"<p>Avis {index + k} : l'accueil doit être mieux organisé.</p>",
            "visibility": "visible", "visibility_reason": "", "endorsements_count": 0, "featured": False,
            "locked": False, "created_at": start + timedelta(seconds=(index + k) * 7),
        } for k in range(size)])
        index += size
        parents = list(db.session.execute(
            select(Comment.id).where(Comment.consultation_id == consultation.id, Comment.depth == depth,
                                     Comment.author_id.in_(author_ids)).order_by(Comment.id.desc())
            .limit(max(1, size))).scalars())


def seed(comments: int, accounts: int) -> dict:
    from sqlalchemy import func, select
    from werkzeug.security import generate_password_hash

    from plateforme.accounts.models import User
    from plateforme.accounts.passwords import hash_password
    from plateforme.consultations.models import Consultation
    from plateforme.core.models import utcnow
    from plateforme.debate.models import Comment
    from plateforme.extensions import db
    from plateforme.surveys.models import PerceptionSurvey
    from plateforme.territories.models import Territory

    consultation = db.session.execute(
        select(Consultation).where(Consultation.title.like(DEBATE_TITLE))).scalar_one()
    open_survey = db.session.execute(
        select(PerceptionSurvey).where(PerceptionSurvey.title.like(OPEN_SURVEY_TITLE))).scalar_one()
    published = db.session.execute(
        select(PerceptionSurvey).where(PerceptionSurvey.title.like(PUBLISHED_SURVEY_TITLE))).scalar_one()
    lyon = db.session.execute(select(Territory).where(Territory.code == "69123")).scalars().first()
    epci = db.session.get(Territory, consultation.territory_id)

    cheap = generate_password_hash(PASSWORD, method=CHEAP_HASH_METHOD)
    real = hash_password(PASSWORD)  # hashed once, shared: each sign-in still costs one check
    now = utcnow()
    signers = min(SIGN_IN_ACCOUNTS, accounts)
    db.session.add_all([User(email=f"bench-signin-{i}@example.org", display_name=f"Habitante {i}",
                             password_hash=real, commune_id=lyon.id, email_confirmed_at=now, locale="fr")
                        for i in range(signers)])
    db.session.add_all([User(email=f"bench-user-{i}@example.org", display_name=f"Habitant {i}",
                             password_hash=cheap, commune_id=lyon.id, email_confirmed_at=now, locale="fr")
                        for i in range(accounts)])
    db.session.flush()

    authors = bench_authors(cheap, lyon.id, now)
    grow_debate(consultation, comments, authors, now)
    endorsable = list(db.session.execute(
        select(Comment.id).where(Comment.consultation_id == consultation.id, Comment.visibility == "visible",
                                 Comment.author_id.in_([a.id for a in authors])).order_by(Comment.id)).scalars())
    db.session.commit()
    return {
        "consultation": consultation.id,
        "comments": db.session.execute(select(func.count()).select_from(Comment)
                                       .where(Comment.consultation_id == consultation.id)).scalar_one(),
        "endorsable": endorsable,
        "open_survey": open_survey.id,
        "published_survey": published.id,
        "territory": [epci.kind.value if hasattr(epci.kind, "value") else str(epci.kind), epci.code],
        "sign_in_accounts": [f"bench-signin-{i}@example.org" for i in range(signers)],
        "accounts": [f"bench-user-{i}@example.org" for i in range(accounts)],
        "password": PASSWORD,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=3000)
    args = parser.parse_args(argv)
    from plateforme import create_app
    from plateforme.extensions import db

    app = create_app()
    with app.app_context():
        world = seed(args.comments, args.accounts)
        db.session.remove()
    print(json.dumps(world))
    return 0


if __name__ == "__main__":
    sys.exit(main())
