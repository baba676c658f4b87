"""My notifications: only mine, newest first, unread said in words, written when shown,
paginated, "mark all as read", and the count in the main navigation."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from plateforme.consultations.models import Consultation  # first: the models map in dependency order
from plateforme.core.models import utcnow
from plateforme.core.text import french_spacing
from plateforme.notifications.models import Notification, NotificationKind

from tests.consultations.helpers import build_consultation

from ..factories import page_text, post_form, sign_in

URL = "/compte/notifications/"


def _notify(db, user, consultation: Consultation, kind=NotificationKind.RESPONSE_PUBLISHED, subject="",
            minutes_ago=0, read=False):
    when = utcnow() - timedelta(minutes=minutes_ago)
    row = Notification(user_id=user.id, kind=kind, consultation_id=consultation.id, subject=subject,
                       target_path=f"/consultations/{consultation.id}#reponse", created_at=when,
                       read_at=when if read else None)
    db.session.add(row)
    db.session.commit()
    return row


def test_visitors_are_asked_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_my_notifications_newest_first_with_unread_said_in_words(client, make, db):
    consultation = build_consultation(make, current="concluded", title="L'accueil des étudiants")
    me, someone = make.user(), make.user()
    _notify(db, me, consultation, NotificationKind.SYNTHESIS_PUBLISHED, minutes_ago=30, read=True)
    _notify(db, me, consultation, NotificationKind.COMMITMENT_UPDATED, subject="Ouvrir un guichet", minutes_ago=5)
    _notify(db, someone, consultation, NotificationKind.CONSULTATION_CANCELLED)
    sign_in(client, me)
    page = page_text(client.get(URL))
    update = french_spacing("L'engagement « Ouvrir un guichet » (consultation « L'accueil des étudiants ») a été mis à jour.")
    synthesis = french_spacing("La synthèse de la consultation « L'accueil des étudiants » est publiée.")
    assert page.index(update) < page.index(synthesis)
    assert page.count("Non lue") == 1 and "1 notification non lue." in page
    assert "a été annulée" not in page  # someone else's
    assert "Notifications (1 non lue)" in page  # the main navigation
    assert f'href="/consultations/{consultation.id}#reponse"' in page


def test_the_text_is_written_when_shown(client, make, db):
    consultation = build_consultation(make, current="concluded", title="Ancien titre")
    me = make.user()
    _notify(db, me, consultation)
    consultation.title = "Nouveau titre"
    db.session.commit()
    sign_in(client, me)
    assert "«\u00a0Nouveau titre\u00a0»" in page_text(client.get(URL))


def test_mark_all_as_read_touches_only_mine(client, make, db):
    consultation = build_consultation(make, current="concluded")
    me, someone = make.user(), make.user()
    for minutes in (1, 2):
        _notify(db, me, consultation, minutes_ago=minutes)
    theirs = _notify(db, someone, consultation)
    sign_in(client, me)
    response = post_form(client, URL + "tout-lu", {}, form_url=URL, follow_redirects=True)
    page = page_text(response)
    assert "2 notifications marquées comme lues." in page and "Non lue" not in page
    assert "Notifications (" not in page  # nothing unread any more
    mine = db.session.execute(select(Notification).where(Notification.user_id == me.id)).scalars().all()
    assert all(n.read_at is not None for n in mine)
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_notifications_are_paginated(client, make, db):
    consultation = build_consultation(make, current="concluded")
    me = make.user()
    for minutes in range(25):
        _notify(db, me, consultation, NotificationKind.PROPOSAL_ANSWERED, subject=f"Idée {minutes:02d}",
                minutes_ago=minutes)
    sign_in(client, me)
    first, second = page_text(client.get(URL)), page_text(client.get(URL + "?page=2"))
    assert "«\u00a0Idée 00\u00a0»" in first and "«\u00a0Idée 19\u00a0»" in first and "«\u00a0Idée 20\u00a0»" not in first
    assert "«\u00a0Idée 24\u00a0»" in second and "Page 2 sur 2" in second
    assert client.get(URL + "?page=abc").status_code == 200
