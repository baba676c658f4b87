"""The privacy page's promise: an account with no sign-in for three years is erased, by
`flask accounts purge-inactive`, as its owner's own deletion would."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from plateforme.accounts.models import User
from plateforme.core.models import utcnow

from ..factories import page_text, sign_in


def _dated(db, user, **values):
    db.session.execute(update(User).where(User.id == user.id).values(**values))
    db.session.commit()


def _emails(db) -> list[str]:
    return db.session.execute(select(User.email).order_by(User.email)).scalars().all()


def test_signing_in_records_the_date(client, make, db):
    user = make.user()
    assert user.last_sign_in_at is None
    sign_in(client, user)
    assert db.session.get(User, user.id).last_sign_in_at > utcnow() - timedelta(minutes=1)


def test_accounts_without_a_sign_in_for_three_years_are_erased(app, make, db):
    years = lambda n: utcnow() - timedelta(days=365 * n)  # noqa: E731
    _dated(db, make.user("ancienne@example.org"), created_at=years(5), last_sign_in_at=years(4))
    _dated(db, make.user("jamais@example.org"), created_at=years(4), last_sign_in_at=None)
    _dated(db, make.user("recente@example.org"), created_at=years(5), last_sign_in_at=years(1))
    _dated(db, make.user("nouvelle@example.org"), created_at=years(1), last_sign_in_at=None)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["accounts", "purge-inactive", "--dry-run"])
    assert dry.exit_code == 0 and "2 inactive account(s) would be erased" in dry.output
    assert len(_emails(db)) == 4

    result = runner.invoke(args=["accounts", "purge-inactive"])
    assert result.exit_code == 0 and "2 inactive account(s) erased" in result.output
    assert _emails(db) == ["nouvelle@example.org", "recente@example.org"]


def test_an_erased_inactive_account_leaves_its_contributions_without_a_name(app, make, db):
    from plateforme.consultations.models import PhaseKind
    from plateforme.debate.models import Comment

    from ..consultations.helpers import build_consultation
    from ..debate.helpers import comment

    debate = build_consultation(make, current=PhaseKind.DEBATE)
    author = make.user(name="Inès")
    written = comment(db, author, debate, body="Un avis ancien.")
    _dated(db, author, created_at=utcnow() - timedelta(days=4 * 365))
    app.test_cli_runner().invoke(args=["accounts", "purge-inactive"])
    db.session.expire_all()
    kept = db.session.get(Comment, written.id)
    assert (kept.author_id, kept.body) == (None, "Un avis ancien.")


def test_the_privacy_page_states_the_retention(client, db):
    page = page_text(client.get("/confidentialite"))
    assert "un compte sans connexion depuis 3 ans est effacé automatiquement" in page
    assert "sans adresse IP" in page
