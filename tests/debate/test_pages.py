"""Debate pages as people use them: comment, reply, withdraw, propose, answer; errors keep
what was typed; markup stays inert; the page costs a fixed number of queries."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from plateforme.consultations.models import Audience, PhaseKind
from plateforme.debate.models import Comment, Stance, Visibility

from ..consultations.helpers import build_consultation
from ..factories import csrf_token, page_text, sign_in
from .helpers import comment, comment_form, executable_markup

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[lien](javascript:alert(1))"]


@contextmanager
def count_queries(db):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _post(client, url, data, form_url):
    """Post like a browser: the prefixed CSRF token of the form on `form_url`."""
    match = re.search(r'name="(comment-csrf_token|proposal-csrf_token|csrf_token)" value="([^"]+)"',
                      client.get(form_url).get_data(as_text=True))
    assert match, form_url
    return client.post(url, data={match.group(1): match.group(2), **data})


def _count(db, model, **where):
    return db.session.execute(select(func.count()).select_from(model).filter_by(**where)).scalar_one()


def _h1_count(response) -> int:
    return len(re.findall(r"<h1[\s>]", response.get_data(as_text=True)))


def test_a_resident_comments_from_the_debate_page_and_sees_the_comment(client, db, make, debating):
    person = make.user(name="Camille Habitante")
    sign_in(client, person)
    url = f"/consultations/{debating.id}/debat"
    page = client.get(url)
    text = page_text(page)
    assert page.status_code == 200 and _h1_count(page) == 1
    assert '<h2 id="debat-title">Débat</h2>' in text and '<h2 id="propositions-title">Propositions</h2>' in text
    assert 'name="comment-stance"' in text and 'type="radio"' in text and "<fieldset" in text
    response = _post(client, f"/consultations/{debating.id}/commenter",
                     comment_form("question", "Combien d'étudiants *étrangers* à Lyon ?"), url)
    assert response.status_code == 302
    stored = db.session.execute(select(Comment)).scalar_one()
    assert response.headers["Location"].endswith(f"#commentaire-{stored.id}")
    assert stored.stance == Stance.QUESTION and stored.author_id == person.id
    text = page_text(client.get(url))
    assert f'id="commentaire-{stored.id}"' in text and "Camille Habitante" in text
    assert "Position\u00a0: Question" in text and "<em>étrangers</em>" in text and "<time datetime=" in text
    assert "1 commentaire publié." in text


@pytest.mark.parametrize("data, field, message", [
    (comment_form(body=""), "comment-body", "Écrivez votre commentaire."),
    (comment_form(body="ok"), "comment-body", "entre 3 et 5\u202f000 caractères"),
    (comment_form(body="x" * 5001), "comment-body", "entre 3 et 5\u202f000 caractères"),
    (comment_form(stance="peut-être"), "comment-stance", "Choisissez une des options proposées."),
    (comment_form(stance=None), "comment-stance", "Choisissez votre position"),
])
def test_comment_errors_are_shown_next_to_the_field_and_keep_what_was_typed(client, db, make, debating, data,
                                                                           field, message):
    sign_in(client, make.user())
    data = {k: v for k, v in data.items() if v is not None}
    response = _post(client, f"/consultations/{debating.id}/commenter", data, f"/consultations/{debating.id}/debat")
    text = page_text(response)
    assert response.status_code == 200 and "error-summary" in text and f'href="#{field}"' in text
    assert f'id="{field}-error"' in text and message in text
    if len(data.get("comment-body", "")) > 3:
        assert data["comment-body"][:50] in text
    assert _count(db, Comment) == 0


def test_a_comment_outside_the_debate_phase_is_refused_with_what_was_typed_kept(client, db, make):
    consultation = build_consultation(make, "concluded")
    sign_in(client, make.user())
    page = client.get(f"/consultations/{consultation.id}/debat")
    assert "Le débat est clos depuis le" in page_text(page) and 'name="comment-body"' not in page_text(page)
    response = client.post(f"/consultations/{consultation.id}/commenter", data={
        "comment-csrf_token": csrf_token(client, f"/consultations/{consultation.id}/debat"),
        **comment_form(body="Un avis arrivé trop tard.")})
    text = page_text(response)
    assert response.status_code == 200 and "Le débat est clos" in text and "Un avis arrivé trop tard." in text
    assert _count(db, Comment) == 0


def test_people_outside_the_audience_are_told_why(client, db, make):
    consultation = build_consultation(make, PhaseKind.DEBATE, audience=Audience.RESIDENTS)
    url = f"/consultations/{consultation.id}/debat"
    assert "Connectez-vous" in page_text(client.get(url))
    sign_in(client, make.user(commune="00000"))
    text = page_text(client.get(url))
    assert "réservée aux habitantes et habitants de la Métropole de Lyon" in text and 'name="comment-body"' not in text
    response = _post(client, f"/consultations/{consultation.id}/commenter", comment_form(), url)
    assert response.status_code == 200 and "réservée aux habitantes et habitants" in page_text(response)
    assert _count(db, Comment) == 0


@pytest.mark.parametrize("payload", XSS)
def test_markup_is_inert_in_storage_and_on_the_page(client, db, make, debating, payload):
    sign_in(client, make.user())
    url = f"/consultations/{debating.id}/debat"
    assert _post(client, f"/consultations/{debating.id}/commenter", comment_form(body=f"Attention {payload}"),
                 url).status_code == 302
    stored = db.session.execute(select(Comment)).scalar_one()
    assert executable_markup(stored.body_html) == []
    for page in (url, f"/consultations/{debating.id}"):
        html = client.get(page).get_data(as_text=True)
        assert executable_markup(html) == [] and 'id="debat"' in html
        assert "alert(1)" in html  # shown as text, not run


def test_replies_have_their_own_page_and_nest_to_the_bound(client, db, make, debating):
    author, other = make.user(name="Première"), make.user(name="Seconde")
    root = comment(db, author, debating)
    level1 = comment(db, other, debating, body="Une réponse.", parent=root)
    level2 = comment(db, author, debating, body="Une réponse à la réponse.", parent=level1)
    sign_in(client, other)
    url = f"/consultations/{debating.id}/commentaires/{level2.id}/repondre"
    page = client.get(url)
    assert page.status_code == 200 and "Le commentaire auquel vous répondez" in page_text(page)
    # The stance asked of a reply is about the comment answered, and the form says so.
    assert "<legend>Votre position sur le commentaire auquel vous répondez" in page_text(page)
    response = _post(client, url, comment_form("against", "Je ne suis pas d'accord."), url)
    assert response.status_code == 302
    deepest = db.session.execute(select(Comment).order_by(Comment.id.desc())).scalars().first()
    assert deepest.depth == 2 and deepest.parent_id == level1.id
    text = page_text(client.get(f"/consultations/{debating.id}/debat"))
    assert text.count('class="comment-replies"') == 2  # root > level1 > (level2, deepest)
    assert text.index(f'commentaire-{level2.id}') < text.index(f'commentaire-{deepest.id}')


def test_a_reply_to_a_comment_of_another_consultation_is_not_found(client, db, make, debating):
    elsewhere = build_consultation(make, PhaseKind.DEBATE, title="Ailleurs")
    foreign = comment(db, make.user(), elsewhere)
    sign_in(client, make.user())
    url = f"/consultations/{debating.id}/commentaires/{foreign.id}/repondre"
    assert client.get(url).status_code == 404
    assert _post(client, url, comment_form(), f"/consultations/{debating.id}/debat").status_code == 404
    assert _count(db, Comment) == 1


def test_the_author_withdraws_and_the_thread_shows_a_placeholder(client, db, make, debating):
    author, other = make.user(name="Autrice"), make.user()
    written = comment(db, author, debating, body="Un avis que je regrette.")
    reply = comment(db, other, debating, body="Une réponse qui reste.", parent=written)
    url = f"/consultations/{debating.id}/commentaires/{written.id}/retirer"
    sign_in(client, other)
    assert client.get(url).status_code == 403
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/plan-du-site")})
    sign_in(client, author)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Un avis que je regrette." in page_text(confirm)
    assert _post(client, url, {}, url).status_code == 302
    assert db.session.get(Comment, written.id).visibility == Visibility.WITHDRAWN
    text = page_text(client.get(f"/consultations/{debating.id}/debat"))
    assert "Commentaire retiré par la personne qui l'a écrit" in text and "Un avis que je regrette." not in text
    assert f'id="commentaire-{written.id}"' in text and "Une réponse qui reste." in text
    assert "0 commentaire publié." not in text and "1 commentaire publié." in text
    assert client.get(url).status_code == 302  # already withdrawn: back to the thread


def test_a_hidden_comment_shows_the_moderation_reason(client, db, make, debating):
    hidden = comment(db, make.user(), debating, body="Propos injurieux.")
    hidden.visibility, hidden.visibility_reason = Visibility.HIDDEN, "Propos injurieux envers une personne."
    db.session.commit()
    text = page_text(client.get(f"/consultations/{debating.id}/debat"))
    assert "Commentaire masqué par la modération." in text and "Propos injurieux envers une personne." in text
    assert "<p>Propos injurieux.</p>" not in text


def test_a_deleted_account_is_named_as_such(client, db, make, debating):
    written = comment(db, make.user(name="Partie"), debating)
    written.author_id = None
    db.session.commit()
    assert "Compte supprimé" in page_text(client.get(f"/consultations/{debating.id}/debat"))


def test_stance_filter_and_pagination_work_without_javascript(client, db, make, debating):
    person = make.user()
    for i in range(23):
        comment(db, person, debating, body=f"Avis numéro {i:02d}.", stance=Stance.AGAINST if i % 2 else Stance.FOR)
    url = f"/consultations/{debating.id}/debat"
    first = page_text(client.get(url))
    assert first.count('class="comment"') == 20 and "Page 1 sur 2" in first
    assert "page_commentaires=2#debat" in first and "Avis numéro 22." in first and "Avis numéro 02." not in first
    second = page_text(client.get(url + "?page_commentaires=2"))
    assert second.count('class="comment"') == 3 and "Avis numéro 00." in second
    against = page_text(client.get(url + "?position=against"))
    assert against.count('class="comment"') == 11 and "Position\u00a0: Pour" not in against
    assert '<option value="against" selected>' in against
    # An empty filter is the form's « all »; a malformed value is refused (tests/debate/test_debate_params.py).
    assert page_text(client.get(url + "?position=&tri=recent")).count('class="comment"') == 20


def test_the_debate_page_costs_the_same_queries_whatever_the_number_of_comments(client, db, make):
    results = {}
    for count in (5, 50):
        consultation = build_consultation(make, PhaseKind.DEBATE, title=f"Consultation à {count} commentaires")
        people = [make.user() for _ in range(3)]
        written = []
        for i in range(count):
            # One opening comment in three; the others reply, some of them to replies.
            parent = written[i - 1] if i % 3 else None
            written.append(comment(db, people[i % 3], consultation, body=f"Avis {i}.", parent=parent))
        results[count] = consultation
    sign_in(client, people[0])
    for page in ("/consultations/{id}/debat", "/consultations/{id}"):
        counts = {}
        for count, consultation in results.items():
            url = page.format(id=consultation.id)
            client.get(url)  # warm the templates
            with count_queries(db) as statements:
                response = client.get(url)
            assert response.status_code == 200 and f"Avis {count - 1}." in page_text(response)
            counts[count] = len(statements)
        assert counts[5] == counts[50], (page, counts)
    assert counts[5] <= 30, counts


def test_posting_is_rate_limited_per_person(client, db, make, debating):
    sign_in(client, make.user())
    url = f"/consultations/{debating.id}/commenter"
    token = csrf_token(client, f"/consultations/{debating.id}/debat")
    statuses = [client.post(url, data={"comment-csrf_token": token,
                                       **comment_form(body=f"Avis numéro {i}.")}).status_code for i in range(10)]
    assert statuses == [302] * 10
    # Replies share the allowance: the eleventh contribution in a minute waits.
    first = db.session.execute(select(Comment).order_by(Comment.id)).scalars().first()
    reply_url = f"/consultations/{debating.id}/commentaires/{first.id}/repondre"
    assert client.post(reply_url, data={"comment-csrf_token": token, **comment_form()}).status_code == 429
    assert _count(db, Comment) == 10
    # Someone else, from the same address, still may.
    other = client.application.test_client()
    sign_in(other, make.user())
    token = csrf_token(other, f"/consultations/{debating.id}/debat")
    assert other.post(url, data={"comment-csrf_token": token, **comment_form()}).status_code == 302


def _article(text: str, comment_id: int) -> str:
    """The HTML of comment `comment_id`'s article on a page."""
    start = text.index(f'id="commentaire-{comment_id}"')
    return text[start:text.index("</article>", start)]


def test_the_consultation_page_holds_the_debate_and_brings_people_back_to_it(client, db, make, debating):
    person = make.user()
    for i in range(21):
        comment(db, person, debating, body=f"Avis numéro {i:02d}.")
    sign_in(client, person)
    url = f"/consultations/{debating.id}"
    page = client.get(url + "?position=for")
    text = page_text(page)
    assert page.status_code == 200 and _h1_count(page) == 1
    assert 'id="debat"' in text and 'id="propositions"' in text and 'name="comment-body"' in text
    assert f"/consultations/{debating.id}?position=for&amp;page_commentaires=2#debat" in page.get_data(as_text=True)
    # A new comment sends its author back to the consultation page, at the comment.
    response = _post(client, f"/consultations/{debating.id}/commenter", comment_form(), url)
    newest = db.session.execute(select(Comment).order_by(Comment.id.desc())).scalars().first()
    landing = response.headers["Location"]
    assert landing.endswith(f"/consultations/{debating.id}?pres=commentaire-{newest.id}"
                            f"#commentaire-{newest.id}")
    # It is told there, beside the comment the address scrolls to, that the comment is published.
    landed = page_text(client.get(landing))
    assert "votre commentaire est publié" in _article(landed, newest.id)
    assert landed.count("votre commentaire est publié") == 1  # not repeated at the top
    # A reply to a thread on page 2 lands on page 2.
    oldest = db.session.execute(select(Comment).order_by(Comment.id)).scalars().first()
    reply_url = f"/consultations/{debating.id}/commentaires/{oldest.id}/repondre"
    response = _post(client, reply_url, comment_form(body="Je réponds au premier."), reply_url)
    reply = db.session.execute(select(Comment).order_by(Comment.id.desc())).scalars().first()
    assert response.headers["Location"].endswith(
        f"?page_commentaires=2&pres=commentaire-{reply.id}#commentaire-{reply.id}")
    assert "votre réponse est publiée" in _article(page_text(client.get(response.headers["Location"])), reply.id)
    assert f'id="commentaire-{reply.id}"' in page_text(client.get(f"{url}?page_commentaires=2"))


def test_a_draft_debate_is_its_managers_alone(client, db, make):
    from plateforme.consultations.models import ConsultationStatus

    draft = build_consultation(make, PhaseKind.DEBATE, status=ConsultationStatus.DRAFT)
    url = f"/consultations/{draft.id}/debat"
    assert "/connexion" in client.get(url).headers["Location"]
    sign_in(client, make.user())
    assert client.get(url).status_code == 404
    assert client.get(f"/consultations/{draft.id}/commenter").status_code == 404
    manager = client.application.test_client()
    sign_in(manager, draft.opened_by)
    text = page_text(manager.get(url))
    assert "pas encore publiée" in text and 'name="comment-body"' not in text


def test_a_comment_link_leads_to_the_page_of_threads_that_holds_it(client, make, db):
    """The synthesis cites comments by a lasting link: it finds the comment's page today,
    however many threads were opened after it."""
    from plateforme.debate.queries import COMMENTS_PAGE_ARG, COMMENTS_PER_PAGE

    consultation = build_consultation(make, PhaseKind.DEBATE)
    oldest = comment(db, make.user(), consultation, body="Le tout premier avis du débat.")
    for n in range(COMMENTS_PER_PAGE):
        comment(db, make.user(), consultation, body=f"Un avis plus récent, numéro {n}.")
    newest = comment(db, make.user(), consultation, body="Le dernier avis du débat.")

    old_link = client.get(f"/consultations/{consultation.id}/commentaires/{oldest.id}")
    assert old_link.status_code == 302
    assert f"{COMMENTS_PAGE_ARG}=2" in old_link.headers["Location"]
    assert old_link.headers["Location"].endswith(f"#commentaire-{oldest.id}")
    assert "Le tout premier avis du débat." in client.get(old_link.headers["Location"]).get_data(as_text=True)
    new_link = client.get(f"/consultations/{consultation.id}/commentaires/{newest.id}").headers["Location"]
    assert COMMENTS_PAGE_ARG not in new_link and new_link.endswith(f"#commentaire-{newest.id}")
    elsewhere = build_consultation(make, PhaseKind.DEBATE)
    assert client.get(f"/consultations/{elsewhere.id}/commentaires/{oldest.id}").status_code == 404


def test_a_comment_link_counts_only_the_threads_its_reader_is_shown(client, make, db):
    """Another person's first post waiting for a moderator is not listed for a visitor:
    it does not push the linked comment to a page where it is not."""
    from plateforme.debate.queries import COMMENTS_PAGE_ARG, COMMENTS_PER_PAGE

    consultation = build_consultation(make, PhaseKind.DEBATE)
    linked = comment(db, make.user(), consultation, body="L'avis vers lequel pointe le lien.")
    for n in range(COMMENTS_PER_PAGE - 1):
        comment(db, make.user(), consultation, body=f"Un avis plus récent, numéro {n}.")
    waiting_author = make.user()
    waiting = comment(db, waiting_author, consultation, body="Un premier message en attente de modération.")
    waiting.visibility = Visibility.HELD
    db.session.commit()
    link = f"/consultations/{consultation.id}/commentaires/{linked.id}"

    visitor_target = client.get(link).headers["Location"]
    assert COMMENTS_PAGE_ARG not in visitor_target  # 19 newer threads shown: the first page holds it
    assert f'id="commentaire-{linked.id}"' in client.get(visitor_target).get_data(as_text=True)
    # Its author sees the held thread listed too: for them the comment is on page 2.
    sign_in(client, waiting_author)
    author_target = client.get(link).headers["Location"]
    assert f"{COMMENTS_PAGE_ARG}=2" in author_target
    assert f'id="commentaire-{linked.id}"' in client.get(author_target).get_data(as_text=True)


def test_a_reply_dated_before_its_parent_is_still_shown_under_it(client, db, make):
    """The count says what the page shows: a reply whose date precedes its parent's (an import,
    a clock set wrong) was dropped from the thread while still counted (audit 19)."""
    consultation = build_consultation(make, PhaseKind.DEBATE)
    author = make.user()
    root = comment(db, author, consultation, body="Le message d'origine.")
    parent = comment(db, author, consultation, body="Une première réponse.", parent=root)
    reply = comment(db, author, consultation, body="Une réponse datée trop tôt.", parent=parent)
    db.session.get(Comment, reply.id).created_at = parent.created_at - timedelta(hours=2)
    db.session.commit()
    page = page_text(client.get(f"/consultations/{consultation.id}"))
    assert "Une réponse datée trop tôt." in page and re.search(r"3\scommentaires\spubliés", page)


def test_de_before_a_name_starting_with_a_vowel_is_elided_in_french(client, db, make):
    """« Répondre au commentaire d'Alex Martin », never « de Alex » (audit 19); English untouched."""
    consultation = build_consultation(make, PhaseKind.DEBATE)
    comment(db, make.user(name="Alex Martin"), consultation)
    comment(db, make.user(name="Léa Roux"), consultation)
    sign_in(client, make.user(locale=None))  # a participant sees the reply and report links
    french = page_text(client.get(f"/consultations/{consultation.id}", headers={"Accept-Language": "fr"}))
    assert re.search(r"commentaire d'Alex\b", french) and "de Alex" not in french
    assert re.search(r"commentaire de Léa\b", french)
    english = page_text(client.get(f"/consultations/{consultation.id}", headers={"Accept-Language": "en"}))
    assert "d'Alex" not in english and "Alex" in english
