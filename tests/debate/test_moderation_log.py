"""The public moderation log of a consultation: acts on public content only, the actor's
role never their name, counts per reason and per act, suspensions counted never listed."""
from __future__ import annotations

from plateforme.consultations.models import PhaseKind
from plateforme.debate.moderation import approve, hide, suspend_author
from plateforme.debate.moderation_queries import public_log

from ..consultations.helpers import build_consultation
from ..factories import page_text
from .helpers import comment
from .moderation_helpers import policy, reported


def test_the_log_lists_public_acts_with_roles_and_counts(client, make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    moderator = make.moderator(name="Dominique Modératrice")
    author = make.user(name="Sacha Suspendu")
    insulting = comment(db, author, consultation, body="Un commentaire insultant.")
    spam = comment(db, make.user(), consultation, body="Achetez nos montres !")
    hide(insulting, consultation, moderator, "insult", "Propos insultants envers une personne.")
    hide(spam, consultation, make.admin(name="Alex Admin"), "spam", "Publicité sans rapport avec le débat.")
    suspend_author(insulting, consultation, moderator, 7, "Insultes répétées dans le débat.")
    policy(make, hold_first_posts=1)
    held = comment(db, make.user(), consultation, body="Un premier message retenu.")
    approve(held, consultation, moderator)  # never public: not in the log
    db.session.commit()

    text = page_text(client.get(f"/consultations/{consultation.id}/moderation"))
    assert "Propos insultants envers une personne." in text and "Publicité sans rapport" in text
    assert "Modération du territoire" in text and "Administration de la plateforme" in text
    for name in ("Dominique Modératrice", "Alex Admin", "Sacha Suspendu"):
        assert name not in text
    assert "Insultes répétées" not in text  # a suspension's reason names nobody but is not listed either
    assert "1 compte suspendu" in text
    assert f"/consultations/{consultation.id}/commentaires/{insulting.id}" in text
    assert "Validé" not in text
    log = public_log(consultation)
    assert log.actions.total == 2
    assert {reason.value: count for reason, count in log.by_reason.items()} == {"insult": 1, "spam": 1}
    assert {kind.value: count for kind, count in log.by_kind.items()} == {"hide": 2, "suspend": 1}


def test_auto_hide_is_logged_as_automatic(client, make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    written = comment(db, make.user(), consultation)
    for _ in range(3):
        reported(db, make.user(), consultation, written)
    text = page_text(client.get(f"/consultations/{consultation.id}/moderation"))
    assert "Automatique (seuil de signalements)" in text


def test_the_log_reads_at_a_fixed_number_of_queries(client, make, db):
    from sqlalchemy import event

    consultation = build_consultation(make, PhaseKind.DEBATE)
    moderator = make.moderator()

    def count_queries():
        statements = []

        def record(*_args):
            statements.append(1)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            client.get(f"/consultations/{consultation.id}/moderation")
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    written = comment(db, make.user(), consultation)
    hide(written, consultation, moderator, "spam", "Publicité sans rapport avec le débat.")
    db.session.commit()
    few = count_queries()
    for n in range(5):
        other = comment(db, make.user(), consultation, body=f"Un commentaire de plus, numéro {n}.")
        hide(other, consultation, moderator, "off_topic", "Hors sujet : il ne parle pas de la question.")
    db.session.commit()
    assert count_queries() == few


def test_the_consultation_page_links_to_the_log(client, make, db):
    consultation = build_consultation(make, PhaseKind.DEBATE)
    assert f"/consultations/{consultation.id}/moderation" in client.get(f"/consultations/{consultation.id}").get_data(
        as_text=True)
