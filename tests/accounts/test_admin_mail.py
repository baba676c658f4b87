"""The administrators' page of the mail outbox: queued, sent and failed mail, with the last
error, counted in each language's plural."""
from __future__ import annotations

import re

from sqlalchemy import update

from plateforme.core.mail import queue_mail
from plateforme.core.outbox_models import MailStatus, OutgoingMail

from ..factories import page_text, sign_in


def _outbox(app, db):
    queue_mail("envoye@example.org", "Bienvenue", "Corps")
    db.session.commit()  # sent at once (memory backend)
    app.config["MAIL_BACKEND"] = "failing"
    try:
        queue_mail("patiente@example.org", "Réinitialisation", "Corps")
        queue_mail("refusee@example.org", "Confirmation", "Corps")
        db.session.commit()  # the server cannot be reached: both wait for a later attempt
    finally:
        app.config["MAIL_BACKEND"] = "memory"
    db.session.execute(update(OutgoingMail).where(OutgoingMail.to_address == "refusee@example.org").values(
        status=MailStatus.FAILED, last_error="PermanentFailure: 550 5.1.1 No such mailbox"))
    db.session.commit()


def test_administrators_see_queued_sent_and_failed_mail_with_the_last_error(app, client, make, db):
    _outbox(app, db)
    sign_in(client, make.admin())
    queued = page_text(client.get("/admin/courriels"))
    assert "patiente@example.org" in queued and "MAIL_BACKEND=failing" in queued
    assert "envoye@example.org" not in queued and "refusee@example.org" not in queued
    assert re.search(r"1 courriel en attente,\s+1 envoyé,\s+1 en échec", queued)

    sent = page_text(client.get("/admin/courriels?etat=envoyes"))
    assert "envoye@example.org" in sent and "Bienvenue" in sent and "patiente@example.org" not in sent

    failed = page_text(client.get("/admin/courriels?etat=en-echec"))
    assert "refusee@example.org" in failed and "550 5.1.1 No such mailbox" in failed

    english = page_text(client.get("/admin/courriels", headers={"Accept-Language": "en"}))
    assert "1 queued email, 1 sent, 1 failed" in " ".join(english.split())
    assert "Queued: 1 email" in english

    dashboard = page_text(client.get("/admin/"))
    assert "1 courriel en attente, 1 en échec" in " ".join(dashboard.split())


def test_counts_follow_the_plural_of_each_language(app, client, make, db):
    sign_in(client, make.admin())
    french = " ".join(page_text(client.get("/admin/courriels")).split())
    assert "0 courriel en attente, 0 envoyé, 0 en échec" in french
    for n in range(2):
        queue_mail(f"personne{n}@example.org", "Sujet", "Corps")
    db.session.commit()
    french = " ".join(page_text(client.get("/admin/courriels?etat=envoyes")).split())
    assert "2 envoyés" in french and re.search(r"Envoyés\s:\s2 courriels", french)
    english = " ".join(page_text(client.get("/admin/courriels?etat=envoyes",
                                            headers={"Accept-Language": "en"})).split())
    assert "0 queued emails, 2 sent, 0 failed" in english


def test_an_unknown_filter_is_refused_with_a_clear_message(client, make, db):
    sign_in(client, make.admin())
    response = client.get("/admin/courriels?etat=tout")
    assert response.status_code == 400
    assert re.search(r"Ce filtre n'existe pas\s:", page_text(response))


def test_the_page_says_how_long_sent_and_failed_mail_is_kept(app, client, make, db, monkeypatch):
    """The purge (outbox_sender.purge_old) empties « Envoyés » and « En échec » after
    MAIL_RETENTION_DAYS: the page says so, rather than let a count of 0 look like no mail."""
    sign_in(client, make.admin())
    monkeypatch.setitem(app.config, "MAIL_RETENTION_DAYS", 30)
    assert "effacés de cette liste au bout de 30 jours\u00a0: ils nomment" in page_text(client.get("/admin/courriels"))
    monkeypatch.setitem(app.config, "MAIL_RETENTION_DAYS", 1)
    english = page_text(client.get("/admin/courriels", headers={"Accept-Language": "en"}))
    assert "removed from this list after 1 day: they name" in english
