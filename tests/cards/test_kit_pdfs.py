"""The debate kits' PDFs are built by the task queue when a version is published, one per
language, stored, and served as stored; until then the address says the kit is being
prepared (503, Retry-After) and asks the queue for it; the sweep builds what is missing."""
from __future__ import annotations

from babel.dates import format_date
from sqlalchemy import select

from plateforme.cards import kits
from plateforme.cards.kits import build_card_kits, build_missing_kits
from plateforme.cards.models import CardKitPdf
from plateforme.core.models import utcnow
from plateforme.core.tasks import huey

from ..core.test_task_queue import Completions, consumer, real_queue
from ..factories import page_text
from .pdftext import extract_text


def _kits(db, version_id=None) -> list[str]:
    db.session.rollback()
    stmt = select(CardKitPdf.language).order_by(CardKitPdf.language)
    if version_id is not None:
        stmt = stmt.where(CardKitPdf.version_id == version_id)
    return list(db.session.execute(stmt).scalars())


def test_publishing_a_version_builds_its_kit_in_every_language_and_the_page_serves_it(app, client, db, cards):
    card = cards.published(title="L’accueil des étudiants étrangers")
    assert _kits(db, card.published_version_id) == ["en", "fr"]
    french = client.get(f"/fiches-enjeux/{card.id}/kit.pdf", headers={"Accept-Language": "fr"})
    english = client.get(f"/fiches-enjeux/{card.id}/kit.pdf", headers={"Accept-Language": "en"})
    assert french.status_code == english.status_code == 200
    # Each in its reader's language (the date's month tells them apart).
    month_fr, month_en = format_date(utcnow(), "MMMM", locale="fr"), format_date(utcnow(), "MMMM", locale="en")
    assert month_fr in " ".join(extract_text(french.get_data()).split())
    assert month_en in " ".join(extract_text(english.get_data()).split())
    stored = db.session.execute(select(CardKitPdf).filter_by(version_id=card.published_version_id,
                                                             language="fr")).scalar_one()
    assert french.get_data() == stored.content and french.headers["ETag"] == f'"{stored.sha256}"'
    assert client.get(f"/fiches-enjeux/{card.id}/kit.pdf", headers={
        "Accept-Language": "fr", "If-None-Match": french.headers["ETag"]}).status_code == 304


def test_while_the_queue_has_not_built_it_the_kit_is_being_prepared(app, db, cards, tmp_path):
    with real_queue(app, "sqlite", tmp_path):
        card = cards.published()
        assert [task.name for task in huey.pending()] == [build_card_kits.s().name]
        assert _kits(db) == []
        visitor = app.test_client()
        response = visitor.get(f"/fiches-enjeux/{card.id}/kit.pdf")
        assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
        text = page_text(response)
        assert "en cours de préparation" in text and f"/fiches-enjeux/{card.id}/kit" in text
        assert len(huey.pending()) == 2  # the reader's visit asked again: a lost kick is caught up
        assert visitor.get(f"/fiches-enjeux/{card.id}/kit").status_code == 200  # the printable page, as is
        with Completions(build_card_kits.s().name, expected=2) as built, consumer():
            assert built.wait(60)
    assert _kits(db, card.published_version_id) == ["en", "fr"]  # built once each, whoever came second
    response = app.test_client().get(f"/fiches-enjeux/{card.id}/kit.pdf")
    assert response.status_code == 200 and response.get_data().startswith(b"%PDF-")


def test_a_failed_build_stores_nothing_and_the_sweep_builds_it_later(app, db, cards, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(kits, "build_kit_pdf", broken)
    card = cards.published()
    assert _kits(db) == []
    response = app.test_client().get(f"/fiches-enjeux/{card.id}/kit.pdf")
    assert response.status_code == 503 and "en cours de préparation" in page_text(response)
    monkeypatch.undo()
    assert build_missing_kits() == 2
    assert build_missing_kits() == 0  # nothing left to build
    assert app.test_client().get(f"/fiches-enjeux/{card.id}/kit.pdf").status_code == 200


def test_a_new_version_gets_its_own_kit(app, db, cards):
    card = cards.published()
    first = card.published_version_id
    cards.new_version(card, title="Une fiche mise à jour")
    assert _kits(db, first) == ["en", "fr"]
    version = card.latest_version
    from plateforme.cards.services import publish_version, submit_version

    submit_version(version, cards.elected)
    publish_version(version, cards.moderator)
    db.session.commit()
    assert _kits(db, version.id) == ["en", "fr"]
    body = app.test_client().get(f"/fiches-enjeux/{card.id}/kit.pdf").get_data()
    assert "Une fiche mise à jour" in " ".join(extract_text(body).split())


def test_a_kit_missing_when_asked_for_is_built_by_the_queue_then_served(app, db, cards):
    card = cards.published()
    db.session.execute(CardKitPdf.__table__.delete())
    db.session.commit()
    response = app.test_client().get(f"/fiches-enjeux/{card.id}/kit.pdf")  # the immediate queue builds it
    assert response.status_code == 200 and response.get_data().startswith(b"%PDF-")
