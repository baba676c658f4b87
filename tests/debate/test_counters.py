"""Counters of endorsements and supports equal the rows they count, whatever removes the
rows: withdrawing, or erasing the account that reacted (the database's cascade)."""
from __future__ import annotations

from sqlalchemy import func, select

from plateforme.accounts.services import delete_account
from plateforme.debate.models import Comment, Endorsement, Proposal, Support
from plateforme.debate.reactions import endorse, support

from ..factories import PASSWORD
from .helpers import comment, proposal


def _count(db, model, **where):
    return db.session.execute(select(func.count()).select_from(model).filter_by(**where)).scalar_one()


def _fresh(db, model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def test_erasing_an_account_takes_its_supports_out_of_the_count(app, db, make, proposing):
    author, supporter, other = make.user(), make.user(), make.user()
    with app.test_request_context(method="POST"):
        proposed = proposal(db, author, proposing)
        support(supporter, proposed)
        support(other, proposed)
        db.session.commit()
        delete_account(supporter, PASSWORD)
        db.session.commit()
        assert _fresh(db, Proposal, proposed.id).supports_count == 1 == _count(db, Support, proposal_id=proposed.id)


def test_the_database_counts_rows_written_without_the_application(app, db, make, proposing):
    """The trigger, not the service, moves the counter: a row inserted or deleted in plain
    SQL (a script, an import) is counted too."""
    author, supporter = make.user(), make.user()
    with app.test_request_context(method="POST"):
        proposed = proposal(db, author, proposing)
        db.session.execute(Support.__table__.insert().values(proposal_id=proposed.id, user_id=supporter.id,
                                                             created_at=proposed.created_at))
        db.session.commit()
        assert _fresh(db, Proposal, proposed.id).supports_count == 1
        db.session.execute(Support.__table__.delete().where(Support.proposal_id == proposed.id))
        db.session.commit()
        assert _fresh(db, Proposal, proposed.id).supports_count == 0


def test_erasing_an_account_takes_its_endorsements_out_of_the_count(app, db, make, debating):
    author, reader = make.user(), make.user()
    with app.test_request_context(method="POST"):
        written = comment(db, author, debating)
        endorse(reader, written)
        db.session.commit()
        delete_account(reader, PASSWORD)
        db.session.commit()
        assert _fresh(db, Comment, written.id).endorsements_count == 0 == _count(db, Endorsement, comment_id=written.id)
