"""Public pages kept in the cache (core/page_cache.py): served again without a query to
visitors, and never stale: what a person writes shows at once on the visitor's page, counts
moved by the database's triggers included; nothing personal is ever kept."""
from __future__ import annotations

import re

import pytest
import redis
from sqlalchemy import event

from plateforme.consultations.models import PhaseKind
from plateforme.core import page_cache
from plateforme.debate.models import Comment, Stance

from ..consultations.helpers import build_consultation
from ..factories import page_text, sign_in

BODY = "Un accueil à la gare, dès septembre, changerait tout."


def _visitor(app):
    return app.test_client(use_cookies=False)


def _statements(db, client, url):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return response, len(seen)


def _comment_token(client, url):
    return re.search(r'name="comment-csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_a_visitor_gets_the_page_again_without_a_query_and_without_a_cookie(app, db, make, cached):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    url = f"/consultations/{consultation.id}/debat"
    first, _ = _statements(db, _visitor(app), url)
    again, statements = _statements(db, _visitor(app), url)
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data() and statements == 0
    assert "Set-Cookie" not in first.headers and "csrf_token" not in first.get_data(as_text=True)


def test_a_comment_shows_at_once_on_the_visitors_debate_and_consultation_pages(app, db, make, cached):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    debate_url, page_url = f"/consultations/{consultation.id}/debat", f"/consultations/{consultation.id}"
    visitor = _visitor(app)
    assert re.search(r"\b0 commentaire publié", page_text(visitor.get(debate_url)))
    visitor.get(page_url)
    author = app.test_client()
    sign_in(author, make.user())
    url = f"/consultations/{consultation.id}/commenter"
    posted = author.post(url, data={"comment-csrf_token": _comment_token(author, url), "comment-stance": "for",
                                    "comment-body": BODY})
    assert posted.status_code == 302
    for shown in (page_text(visitor.get(debate_url)), page_text(visitor.get(page_url))):
        assert BODY in shown and re.search(r"\b1 commentaire publié", shown)


def test_an_endorsement_counted_by_a_trigger_shows_at_once(app, db, make, cached):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    written = Comment(consultation_id=consultation.id, author=make.user(), stance=Stance.FOR, body=BODY,
                      body_html=f"<p>{BODY}</p>", depth=0)
    db.session.add(written)
    db.session.commit()
    debate_url = f"/consultations/{consultation.id}/debat"
    visitor = _visitor(app)
    assert "1 approbation" not in page_text(visitor.get(debate_url))
    reader = app.test_client()
    sign_in(reader, make.user())
    html = reader.get(debate_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    endorsed = reader.post(f"/consultations/{consultation.id}/commentaires/{written.id}/soutenir",
                           data={"csrf_token": token})
    assert endorsed.status_code == 302
    assert "1 approbation" in page_text(visitor.get(debate_url))


def test_a_change_made_by_the_services_or_by_hand_shows_at_once(app, db, make, cached):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    page_url = f"/consultations/{consultation.id}"
    visitor = _visitor(app)
    assert "Un titre corrigé" not in page_text(visitor.get(page_url))
    consultation.title = "Un titre corrigé"
    db.session.commit()
    assert "Un titre corrigé" in page_text(visitor.get(page_url))


def test_the_territory_page_follows_its_margins(app, db, make, cached):
    from sqlalchemy import update

    from plateforme.territories.models import PopulationMargin, Territory, TerritoryKind

    visitor = _visitor(app)
    commune = db.session.execute(db.select(Territory).filter_by(kind=TerritoryKind.COMMUNE, code="69266")).scalar_one()
    db.session.add(PopulationMargin(territory=commune, sex="F", age_band="18-29", count=12345))
    db.session.commit()
    url = "/territoires/epci/200046977"
    assert re.search(r"12\s345", page_text(visitor.get(url)))
    db.session.execute(update(PopulationMargin).where(PopulationMargin.territory_id == commune.id)
                       .values(count=23456))
    db.session.commit()
    shown = page_text(visitor.get(url))
    assert re.search(r"23\s456", shown) and not re.search(r"12\s345", shown)


def test_a_signed_in_page_is_never_kept_nor_given_to_a_visitor(app, db, make, cached):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    debate_url = f"/consultations/{consultation.id}/debat"
    person = app.test_client()
    sign_in(person, make.user(name="Ondine Personnelle"))
    mine = person.get(debate_url).get_data(as_text=True)
    assert "Ondine Personnelle" in mine and "comment-csrf_token" in mine
    seen = page_text(_visitor(app).get(debate_url))
    assert "Ondine Personnelle" not in seen and "csrf_token" not in seen
    again = person.get(debate_url).get_data(as_text=True)
    assert "comment-csrf_token" in again  # a signed-in person never gets the visitors' copy


def test_a_visitor_switches_language_without_a_token_a_signed_in_person_needs_one(app, db, make, cached):
    visitor = app.test_client()
    switched = visitor.post("/langue", data={"lang": "en", "next": "/"})
    assert switched.status_code == 302
    assert 'lang="en"' in visitor.get("/").get_data(as_text=True)
    person = app.test_client()
    sign_in(person, make.user())
    assert person.post("/langue", data={"lang": "en", "next": "/"}).status_code == 400


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://ailleurs.example"}])
def test_another_site_cannot_switch_a_visitors_language(app, db, headers):
    visitor = app.test_client()
    assert visitor.post("/langue", data={"lang": "en", "next": "/"}, headers=headers).status_code == 400
    assert 'lang="fr"' in visitor.get("/").get_data(as_text=True)
    same_site = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert visitor.post("/langue", data={"lang": "en", "next": "/"}, headers=same_site).status_code == 302


def test_signing_in_keeps_the_pages_but_a_new_name_shows_at_once(app, db, make, cached):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    author = make.user(name="Autrice Première")
    db.session.add(Comment(consultation_id=consultation.id, author=author, stance=Stance.FOR, body=BODY,
                           body_html=f"<p>{BODY}</p>", depth=0))
    db.session.commit()
    debate_url = f"/consultations/{consultation.id}/debat"
    visitor = _visitor(app)
    assert "Autrice Première" in page_text(visitor.get(debate_url))
    sign_in(app.test_client(), author)  # records the time of the sign-in, shown nowhere public
    _, statements = _statements(db, visitor, debate_url)
    assert statements == 0
    author.display_name = "Autrice Renommée"
    db.session.commit()
    assert "Autrice Renommée" in page_text(visitor.get(debate_url))


def test_a_kept_french_page_is_served_finished_without_a_second_pass(app, db, make, cached, monkeypatch):
    consultation = build_consultation(make, PhaseKind.DEBATE, title="Faut-il accueillir mieux ? Oui : vite")
    url = f"/consultations/{consultation.id}"
    first = _visitor(app).get(url).get_data(as_text=True)
    passes = []
    from plateforme.core import typography
    original = typography.french_page
    monkeypatch.setattr(typography, "french_page", lambda html: passes.append(1) or original(html))
    again = _visitor(app).get(url).get_data(as_text=True)
    assert "mieux\u00a0? Oui\u00a0: vite" in first and again == first
    assert passes == []  # kept finished: a visit pays no second pass over the page


@pytest.mark.parametrize("queue, expected", [(None, "NullCache"), ("sqlite:////tmp/tasks.sqlite", "NullCache"),
                                             ("immediate", "SimpleCache")])
def test_development_keeps_pages_in_memory_only_without_a_consumer(monkeypatch, queue, expected):
    """A consumer's writes (a survey published, a phase announced) never reach the web
    server's memory: with one, `make run` kept showing visitors the page as it was before."""
    from plateforme.config import load_config

    monkeypatch.setenv("PLATEFORME_ENV", "development")
    monkeypatch.delenv("CACHE_TYPE", raising=False)
    if queue is None:
        monkeypatch.delenv("TASK_QUEUE_URL", raising=False)  # the default: SQLite, a consumer
    else:
        monkeypatch.setenv("TASK_QUEUE_URL", queue)
    assert load_config()["CACHE_TYPE"] == expected
    monkeypatch.setenv("CACHE_TYPE", "RedisCache")  # shared by every process: chosen, it stays
    assert load_config()["CACHE_TYPE"] == "RedisCache"


def test_production_keeps_pages_in_redis(monkeypatch):
    from plateforme.config import load_config

    monkeypatch.setenv("PLATEFORME_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("SITE_URL", "https://plateforme.example.fr")
    monkeypatch.delenv("CACHE_TYPE", raising=False)
    assert load_config()["CACHE_TYPE"] == "RedisCache"


def test_an_unreachable_cache_costs_no_page_no_write_and_no_stale_answer(app, db, make, cached, monkeypatch):
    """Redis down: visitors get the pages drawn afresh, a write is saved all the same (a mail
    task used to die there, its message stuck « en cours d'envoi »), no data answer claims a
    validator; once the cache answers again, the change made meanwhile is told to it, so
    the page kept before the outage is not served again."""
    consultation = build_consultation(make, PhaseKind.DEBATE)
    page_url = f"/consultations/{consultation.id}"
    visitor = _visitor(app)
    assert "Un titre corrigé" not in page_text(visitor.get(page_url))  # kept
    backend = page_cache.cache.cache

    def down(*args, **kwargs):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for method in ("get", "get_many", "set", "set_many", "add", "inc"):
        monkeypatch.setattr(backend, method, down)
    consultation.title = "Un titre corrigé"
    db.session.commit()  # announced at check-in: refused by the cache, the write stands
    assert page_cache.untold_changes()
    assert "Un titre corrigé" in page_text(visitor.get(page_url))
    data = visitor.get("/api/v1/consultations")
    assert data.status_code == 200 and "ETag" not in data.headers

    monkeypatch.undo()  # the cache answers again, as it was: the old page still in it
    db.session.execute(db.select(Comment).limit(1)).all()  # any connection checked in tells it
    db.session.commit()
    assert not page_cache.untold_changes()
    assert "Un titre corrigé" in page_text(visitor.get(page_url))
    assert "ETag" in visitor.get("/api/v1/consultations").headers
