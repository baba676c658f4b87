"""Sorting the debate: newest (default), most endorsed, balanced (stances in turn), combined
with the stance filter and the pages; proposals by newest or most supported; every order at
a fixed number of queries."""
from __future__ import annotations

from datetime import timedelta

import pytest

from plateforme.consultations.models import PhaseKind
from plateforme.core.models import utcnow
from plateforme.debate.models import Comment, Endorsement, Proposal, Stance, Visibility
from plateforme.debate.queries import COMMENTS_PER_PAGE, comment_threads, proposals_page

from ..consultations.helpers import build_consultation
from ..factories import page_text, sign_in
from .test_pages import count_queries

FOR, AGAINST, NUANCE, QUESTION = Stance.FOR, Stance.AGAINST, Stance.NUANCE, Stance.QUESTION


def _comments(db, consultation, author, specs):
    """Opening comments from (label, stance, endorsements) specs, the first one oldest."""
    start = utcnow() - timedelta(hours=len(specs))
    for n, (label, stance, endorsements) in enumerate(specs):
        db.session.add(Comment(consultation_id=consultation.id, author=author, stance=stance, depth=0,
                               body=label, body_html=f"<p>{label}</p>", endorsements_count=endorsements,
                               created_at=start + timedelta(hours=n)))
    db.session.commit()


def _labels(page):
    return [thread.comment.body for thread in page.items]


@pytest.fixture
def debating(make):
    return build_consultation(make, PhaseKind.DEBATE)


def test_newest_first_by_default_and_most_endorsed_on_request(app, db, make, debating):
    _comments(db, debating, make.user(), [("a", FOR, 5), ("b", AGAINST, 9), ("c", FOR, 0), ("d", NUANCE, 9)])
    with app.test_request_context():
        assert _labels(comment_threads(debating)) == ["d", "c", "b", "a"]
        assert _labels(comment_threads(debating, order="soutenus")) == ["d", "b", "a", "c"]  # ties: newest first
        assert _labels(comment_threads(debating, order="inconnu")) == ["d", "c", "b", "a"]


def test_balanced_takes_the_stances_in_turn_so_no_side_dominates(app, db, make, debating):
    # Eight "for" comments, heavily endorsed, and a few of each other stance.
    specs = [(f"pour{n}", FOR, 50 + n) for n in range(8)]
    specs += [("contre-peu", AGAINST, 1), ("contre-beaucoup", AGAINST, 7), ("nuance", NUANCE, 0),
              ("question-ancienne", QUESTION, 0), ("question-recente", QUESTION, 0)]
    _comments(db, debating, make.user(), specs)
    with app.test_request_context():
        labels = _labels(comment_threads(debating, order="equilibre"))
    assert labels[:4] == ["pour7", "contre-beaucoup", "nuance", "question-recente"]
    assert labels[4:7] == ["pour6", "contre-peu", "question-ancienne"]
    assert labels[7:] == ["pour5", "pour4", "pour3", "pour2", "pour1", "pour0"]


def test_comments_no_longer_shown_come_last_in_the_ranked_orders(app, db, make, debating):
    _comments(db, debating, make.user(), [("retiré", FOR, 40), ("visible", AGAINST, 1)])
    withdrawn = db.session.query(Comment).filter_by(body="retiré").one()
    withdrawn.visibility = Visibility.WITHDRAWN
    db.session.commit()
    with app.test_request_context():
        assert _labels(comment_threads(debating, order="soutenus")) == ["visible", "retiré"]
        assert _labels(comment_threads(debating, order="equilibre")) == ["visible", "retiré"]


def test_sorting_combines_with_the_stance_filter_and_the_pages(app, db, make, debating):
    specs = [(f"pour{n:02d}", FOR, n) for n in range(COMMENTS_PER_PAGE + 5)] + [("contre", AGAINST, 99)]
    _comments(db, debating, make.user(), specs)
    with app.test_request_context():
        first = comment_threads(debating, None, FOR, "soutenus")
        second = comment_threads(debating, "2", FOR, "soutenus")
        balanced = comment_threads(debating, "2", None, "equilibre")
    assert first.total == COMMENTS_PER_PAGE + 5 and "contre" not in _labels(first)
    assert _labels(first)[:2] == ["pour24", "pour23"] and _labels(second) == [f"pour{n:02d}" for n in range(4, -1, -1)]
    assert balanced.number == 2 and len(balanced.items) == 6


def test_proposals_by_newest_or_most_supported(app, db, make):
    proposing = build_consultation(make, PhaseKind.PROPOSALS)
    author = make.user()
    start = utcnow() - timedelta(hours=3)
    for n, (title, supports) in enumerate([("ancienne", 10), ("milieu", 2), ("récente", 0)]):
        db.session.add(Proposal(consultation_id=proposing.id, author=author, title=title, body="Une proposition.",
                                body_html="<p>Une proposition.</p>", supports_count=supports,
                                created_at=start + timedelta(hours=n)))
    db.session.commit()
    with app.test_request_context():
        assert [p.title for p in proposals_page(proposing).items] == ["récente", "milieu", "ancienne"]
        assert [p.title for p in proposals_page(proposing, order="soutenus").items] == ["ancienne", "milieu", "récente"]


def test_the_sort_form_works_without_javascript_and_keeps_the_filter(client, db, make, debating):
    _comments(db, debating, make.user(), [("Avis pour peu soutenu", FOR, 1), ("Avis contre", AGAINST, 3),
                                          ("Avis pour très soutenu", FOR, 8)])
    url = f"/consultations/{debating.id}/debat"
    page = client.get(url).get_data(as_text=True)
    assert 'name="tri"' in page and 'value="equilibre"' in page and 'name="position"' in page
    text = page_text(client.get(f"{url}?tri=soutenus&position=for"))
    assert text.index("Avis pour très soutenu") < text.index("Avis pour peu soutenu")
    assert "Avis contre" not in text
    assert '<option value="soutenus" selected>' in client.get(f"{url}?tri=soutenus").get_data(as_text=True)
    assert client.get(f"{url}?tri=n'importe-quoi").status_code == 400  # named, not the default order


@pytest.mark.parametrize("order", ["recent", "soutenus", "equilibre"])
def test_every_order_costs_the_same_queries_whatever_the_number_of_comments(client, db, make, order):
    reader = make.user()
    counts = {}
    for size in (6, 45):
        consultation = build_consultation(make, PhaseKind.DEBATE, title=f"Consultation à {size} avis")
        people = [make.user() for _ in range(4)]
        stances = list(Stance)
        _comments(db, consultation, people[0], [(f"Avis {n}", stances[n % 4], n % 7) for n in range(size)])
        # Replies, and the reader's own endorsements, so the buttons in both states are drawn.
        roots = db.session.query(Comment).filter_by(consultation_id=consultation.id).all()
        for n, root in enumerate(roots[: size // 2]):
            db.session.add(Comment(consultation_id=consultation.id, author=people[n % 4], parent_id=root.id,
                                   depth=1, stance=Stance.NUANCE, body="Réponse.", body_html="<p>Réponse.</p>"))
        for root in roots[: size // 3]:
            db.session.add(Endorsement(comment_id=root.id, user_id=reader.id))
        db.session.commit()
        counts[size] = consultation.id
    sign_in(client, reader)
    measured = {}
    for size, consultation_id in counts.items():
        for page in ("/consultations/{id}/debat?tri=" + order, "/consultations/{id}?tri=" + order):
            url = page.format(id=consultation_id)
            client.get(url)
            with count_queries(db) as statements:
                response = client.get(url)
            assert response.status_code == 200
            measured.setdefault(page, {})[size] = len(statements)
    for page, by_size in measured.items():
        assert by_size[6] == by_size[45], (page, by_size)
