"""Counters stay exact under concurrent clicks (issue 6): real threads, each with its own
request context, session and connection, released together by a barrier, against the
file database (SQLite in WAL, writes in BEGIN IMMEDIATE) and PostgreSQL.

50 supports by one person count once; 200 supports by 200 people all count; the same for
endorsements; and concurrent withdrawals never take the counter below the true count."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from plateforme.consultations.models import PhaseKind
from plateforme.debate.models import Comment, Endorsement, Proposal, Stance, Support
from plateforme.debate.reactions import endorse, support, withdraw_endorsement

from ..consultations.helpers import build_consultation


def _race(app, count, action, model, target_id, user_ids):
    """Run `action(user, content)` in `count` threads released together (thread n acts as
    user_ids[n]); each commits its own transaction. Returns the outcomes."""
    from plateforme.accounts.models import User
    from plateforme.extensions import db as _db

    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(n):
        with app.test_request_context(f"/consultations/x/{n}/soutenir", method="POST"):
            try:
                content = _db.session.get(model, target_id)
                user = _db.session.get(User, user_ids[n])
                _db.session.rollback()  # end the reads: every thread starts its write together
                barrier.wait(timeout=60)
                result = "counted" if action(user, content) else "already"
                _db.session.commit()
            except Exception as error:  # reported in the assertion message
                _db.session.rollback()
                result = f"error: {error!r}"
            finally:
                _db.session.remove()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcomes


def _fresh(db, model, target_id):
    db.session.expire_all()
    return db.session.get(model, target_id)


def _rows(db, model, **where):
    return db.session.execute(select(func.count()).select_from(model).filter_by(**where)).scalar_one()


def _proposal(db, make):
    consultation = build_consultation(make, PhaseKind.PROPOSALS)
    proposed = Proposal(consultation_id=consultation.id, author=make.user(), title="Une navette universitaire",
                        body="Relier les campus par une navette.", body_html="<p>Relier les campus.</p>")
    db.session.add(proposed)
    db.session.commit()
    return proposed.id


def _comment(db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    written = Comment(consultation_id=consultation.id, author=make.user(), stance=Stance.FOR, depth=0,
                      body="Un avis à soutenir.", body_html="<p>Un avis à soutenir.</p>")
    db.session.add(written)
    db.session.commit()
    return written.id


def test_fifty_concurrent_supports_by_one_person_count_once(app, db, make):
    proposal_id, person = _proposal(db, make), make.user().id
    outcomes = _race(app, 50, support, Proposal, proposal_id, [person] * 50)
    assert outcomes.count("counted") == 1 and outcomes.count("already") == 49, outcomes
    assert _fresh(db, Proposal, proposal_id).supports_count == 1 == _rows(db, Support, proposal_id=proposal_id)


def test_two_hundred_people_supporting_at_once_all_count(app, db, make):
    proposal_id = _proposal(db, make)
    people = [make.user().id for _ in range(200)]
    outcomes = _race(app, 200, support, Proposal, proposal_id, people)
    assert outcomes.count("counted") == 200, set(outcomes)
    assert _fresh(db, Proposal, proposal_id).supports_count == 200 == _rows(db, Support, proposal_id=proposal_id)


def test_fifty_concurrent_endorsements_by_one_person_count_once(app, db, make):
    comment_id, person = _comment(db, make), make.user().id
    outcomes = _race(app, 50, endorse, Comment, comment_id, [person] * 50)
    assert outcomes.count("counted") == 1 and outcomes.count("already") == 49, outcomes
    assert _fresh(db, Comment, comment_id).endorsements_count == 1 == _rows(db, Endorsement, comment_id=comment_id)


def test_two_hundred_people_endorsing_at_once_all_count(app, db, make):
    comment_id = _comment(db, make)
    people = [make.user().id for _ in range(200)]
    outcomes = _race(app, 200, endorse, Comment, comment_id, people)
    assert outcomes.count("counted") == 200, set(outcomes)
    assert _fresh(db, Comment, comment_id).endorsements_count == 200 == _rows(db, Endorsement, comment_id=comment_id)


def test_concurrent_withdrawals_by_one_person_take_one_off(app, db, make):
    comment_id = _comment(db, make)
    people = [make.user().id for _ in range(3)]
    _race(app, 3, endorse, Comment, comment_id, people)
    outcomes = _race(app, 30, withdraw_endorsement, Comment, comment_id, [people[0]] * 30)
    assert outcomes.count("counted") == 1 and outcomes.count("already") == 29, outcomes
    assert _fresh(db, Comment, comment_id).endorsements_count == 2 == _rows(db, Endorsement, comment_id=comment_id)
