"""Sessions end on the server: an absolute lifetime and an idle limit, enforced on the
auth_session row whatever the cookie says; « Mes sessions » lists and ends them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from plateforme.accounts.models import AuthSession
from plateforme.core.models import utcnow

from ..factories import csrf_token, page_text, post_form, sign_in

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Mobile Safari/537.36")


def _age(db, **values):
    """Move every session's dates into the past (as if time had passed)."""
    db.session.execute(update(AuthSession).values(**values))
    db.session.commit()


def _signed_in(client) -> bool:
    return client.get("/compte").status_code == 200


def _sessions(db) -> list[AuthSession]:
    return db.session.execute(select(AuthSession).order_by(AuthSession.id)).scalars().all()


def test_a_session_unused_past_the_idle_limit_ends(client, make, db):
    sign_in(client, make.user())
    _age(db, last_seen_at=utcnow() - timedelta(days=13))
    assert _signed_in(client)
    _age(db, last_seen_at=utcnow() - timedelta(days=15))  # SESSION_IDLE_DAYS = 14
    assert not _signed_in(client)


def test_a_session_ends_after_its_absolute_lifetime_even_if_used_every_day(client, make, db):
    sign_in(client, make.user())
    _age(db, created_at=utcnow() - timedelta(days=29))
    assert _signed_in(client)
    _age(db, created_at=utcnow() - timedelta(days=31), last_seen_at=utcnow())  # SESSION_ABSOLUTE_DAYS = 30
    assert not _signed_in(client)


def test_an_expired_session_cannot_post_either(client, make, db):
    """The same limits hold on a POST as on a page."""
    from plateforme.consultations.models import PhaseKind
    from plateforme.debate.models import Comment

    from ..consultations.helpers import build_consultation
    from ..debate.helpers import comment_form

    debate = build_consultation(make, current=PhaseKind.DEBATE)
    sign_in(client, make.user())
    url, page = f"/consultations/{debate.id}/commenter", f"/consultations/{debate.id}"
    assert post_form(client, url, comment_form(body="Avant l'expiration."), form_url=page).status_code == 302
    assert db.session.execute(select(func.count(Comment.id))).scalar_one() == 1
    token = csrf_token(client, page)
    _age(db, last_seen_at=utcnow() - timedelta(days=15))
    response = client.post(url, data={"csrf_token": token, **comment_form(body="Après l'expiration.")})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert db.session.execute(select(func.count(Comment.id))).scalar_one() == 1


def test_the_last_visit_is_recorded_at_most_once_an_hour(client, make, db):
    sign_in(client, make.user())
    recent = utcnow() - timedelta(minutes=10)
    _age(db, last_seen_at=recent)
    client.get("/compte")
    assert _sessions(db)[0].last_seen_at == recent  # no write for every request
    stale = utcnow() - timedelta(hours=2)
    _age(db, last_seen_at=stale)
    client.get("/compte")
    assert _sessions(db)[0].last_seen_at > utcnow() - timedelta(minutes=1)


def test_my_sessions_lists_the_live_ones_and_marks_this_one(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = PHONE
    sign_in(phone, user)
    old = app.test_client()
    sign_in(old, user)
    db.session.execute(update(AuthSession).where(AuthSession.id == _sessions(db)[2].id)
                       .values(last_seen_at=utcnow() - timedelta(days=20)))
    db.session.commit()
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    page = page_text(client.get("/compte/sessions"))
    assert "Chrome sur Android" in page
    assert page.count("Fermer cette session") == 1  # the phone; the expired one is not listed
    assert page.count("cette session") == 2 and "Me déconnecter ici" in page


def test_closing_another_session_signs_that_browser_out(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    phone = app.test_client()
    sign_in(phone, user)
    phone_session = _sessions(db)[1]
    response = post_form(client, f"/compte/sessions/{phone_session.id}/fermer", {}, form_url="/compte/sessions")
    assert response.status_code == 302
    assert not _signed_in(phone) and _signed_in(client)


def test_nobody_closes_someone_elses_session(app, client, make, db):
    victim = app.test_client()
    sign_in(victim, make.user())
    sign_in(client, make.user())
    victim_session = _sessions(db)[0]
    response = post_form(client, f"/compte/sessions/{victim_session.id}/fermer", {}, form_url="/compte/sessions")
    assert response.status_code == 404
    assert _signed_in(victim)


def test_sign_out_everywhere_else_keeps_this_browser(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    others = [app.test_client() for _ in range(2)]
    for other in others:
        sign_in(other, user)
    post_form(client, "/compte/sessions/fermer-les-autres", {}, form_url="/compte/sessions")
    assert _signed_in(client)
    assert not any(_signed_in(other) for other in others)


def test_sign_out_everywhere_ends_this_browser_too(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    other = app.test_client()
    sign_in(other, user)
    response = post_form(client, "/compte/sessions/fermer-toutes", {}, form_url="/compte/sessions")
    assert response.status_code == 302
    assert not _signed_in(client) and not _signed_in(other)
    assert _sessions(db) == []


def test_closing_sessions_needs_the_csrf_token(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    client.post("/compte/sessions/fermer-toutes")
    assert _signed_in(client)


def test_expired_sessions_are_purged(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    for _ in range(2):
        sign_in(app.test_client(), user)
    ids = [s.id for s in _sessions(db)]
    db.session.execute(update(AuthSession).where(AuthSession.id == ids[0])
                       .values(created_at=utcnow() - timedelta(days=40)))
    db.session.execute(update(AuthSession).where(AuthSession.id == ids[1])
                       .values(last_seen_at=utcnow() - timedelta(days=20)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["accounts", "purge-sessions"])
    assert result.exit_code == 0 and "2 expired session(s) deleted" in result.output
    assert [s.id for s in _sessions(db)] == [ids[2]]


def test_signing_in_clears_ones_own_expired_sessions(app, client, make, db):
    user = make.user()
    sign_in(app.test_client(), user)
    _age(db, last_seen_at=utcnow() - timedelta(days=20))
    sign_in(client, user)
    assert len(_sessions(db)) == 1 and _signed_in(client)

