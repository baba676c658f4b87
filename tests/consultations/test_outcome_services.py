"""Services that close a consultation: synthesis, official response, commitments and their
updates, notifications of followers, the evidence chain and the accountability table."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from plateforme.accounts.services import delete_account, export_personal_data
from plateforme.consultations.models import (
    CommitmentStatus, CommitmentUpdate, ConsultationStatus, PhaseKind, Synthesis,
)
from plateforme.consultations.response_queries import accountability, evidence_chain
from plateforme.consultations.responses import (
    CommitmentInput, ResponseError, add_commitment, consultations_citing_finding, publish_response,
    publish_synthesis, update_commitment,
)
from plateforme.core.models import local_today
from plateforme.debate.models import Visibility
from plateforme.notifications.models import Notification, NotificationKind
from plateforme.notifications.services import notify_consultation_cancelled, notify_followers

from ..factories import PASSWORD
from ..observatory.helpers import Observatory
from .helpers import build_consultation, published_card
from .outcome_helpers import comment, follow, proposal, response_with_commitments, synthesis


def _notifications(db, **filters):
    return db.session.execute(select(Notification).filter_by(**filters)
                              .order_by(Notification.user_id, Notification.id)).scalars().all()


def _commitment(**overrides) -> CommitmentInput:
    values = dict(title="Ouvrir un guichet d'accueil", owner="Direction de la vie étudiante",
                  due_on=local_today() + timedelta(days=90), description="Au campus de la Doua.")
    values.update(overrides)
    return CommitmentInput(**values)


# --- synthesis --------------------------------------------------------------------------------

def test_a_moderator_publishes_a_synthesis_citing_visible_contributions(make, db, outbox, request_context):
    consultation = build_consultation(make, current=PhaseKind.SYNTHESIS)
    moderator, resident = make.moderator(), make.user()
    cited, other = comment(db, consultation, resident), proposal(db, consultation, resident)
    publish_synthesis(consultation, moderator, "Nous avons entendu **beaucoup** d'avis.<script>alert(1)</script>",
                      [cited.id], [other.id])
    db.session.commit()
    saved = db.session.execute(select(Synthesis)).scalar_one()
    assert [c.id for c in saved.comments] == [cited.id] and [p.id for p in saved.proposals] == [other.id]
    assert "<strong>beaucoup</strong>" in saved.body_html and "<script" not in saved.body_html


def test_a_synthesis_cites_only_this_consultations_visible_contributions(make, db, request_context):
    consultation = build_consultation(make, current=PhaseKind.SYNTHESIS)
    elsewhere = build_consultation(make, current=PhaseKind.SYNTHESIS, cards=consultation.cards)
    resident, moderator = make.user(), make.moderator()
    foreign = comment(db, elsewhere, resident)
    hidden = comment(db, consultation, resident, visibility=Visibility.HIDDEN)
    withdrawn = proposal(db, consultation, resident, visibility=Visibility.WITHDRAWN)
    body = "Une synthèse assez longue pour être acceptée."
    for comments, proposals, field in (([foreign.id], [], "comments"), ([hidden.id], [], "comments"),
                                       ([], [withdrawn.id], "proposals"), (["x"], [], "comments")):
        with pytest.raises(ResponseError) as refused:
            publish_synthesis(consultation, moderator, body, comments, proposals)
        assert refused.value.field == field
        db.session.rollback()
    assert db.session.execute(select(Synthesis)).first() is None


def test_a_synthesis_waits_for_its_phase_and_is_published_once(make, db, request_context):
    moderator = make.moderator()
    early = build_consultation(make, current=PhaseKind.PROPOSALS)
    with pytest.raises(ResponseError, match="à partir du"):
        publish_synthesis(early, moderator, "Une synthèse assez longue pour être acceptée.")
    db.session.rollback()
    done = build_consultation(make, current=PhaseKind.SYNTHESIS, cards=early.cards)
    synthesis(db, done, moderator)
    with pytest.raises(ResponseError, match="déjà publiée"):
        publish_synthesis(done, moderator, "Une deuxième synthèse qui ne passera pas.")
    with pytest.raises(ResponseError) as short:
        publish_synthesis(build_consultation(make, current=PhaseKind.SYNTHESIS, cards=early.cards), moderator, "Trop")
    assert short.value.field == "body"


# --- response and commitments -----------------------------------------------------------------------

def test_the_response_keeps_filled_commitments_in_order_and_ignores_blank_ones(make, db, request_context):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    official = consultation.opened_by
    response = publish_response(consultation, official, "La métropole retient deux idées et s'engage.", [
        _commitment(), CommitmentInput(), _commitment(title="Publier les chiffres chaque année", status="in_progress"),
    ])
    db.session.commit()
    assert [(c.position, c.title, c.status) for c in response.commitments] == [
        (1, "Ouvrir un guichet d'accueil", CommitmentStatus.PLANNED),
        (2, "Publier les chiffres chaque année", CommitmentStatus.IN_PROGRESS)]
    assert response.commitments[0].description_html.strip() == "<p>Au campus de la Doua.</p>"


@pytest.mark.parametrize("commitment, field", [
    (dict(owner=""), "owner"),
    (dict(due_on=None), "due_on"),
    (dict(title="abc"), "title"),
    (dict(status="abandoned"), "status"),
    (dict(due_on=local_today() - timedelta(days=1)), "due_on"),
])
def test_an_incomplete_commitment_refuses_the_whole_response(make, db, request_context, commitment, field):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    with pytest.raises(ResponseError) as refused:
        publish_response(consultation, consultation.opened_by, "Une réponse assez longue pour être acceptée.",
                         [_commitment(), CommitmentInput(), _commitment(**commitment)])
    assert (refused.value.field, refused.value.index) == (field, 2)


def test_a_response_without_commitment_must_say_so(make, db, request_context):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    body = "Nous ne prenons pas d'engagement : la compétence est régionale."
    with pytest.raises(ResponseError) as refused:
        publish_response(consultation, consultation.opened_by, body, [CommitmentInput()])
    assert refused.value.field == "no_commitment"
    db.session.rollback()
    response = publish_response(consultation, consultation.opened_by, body, [CommitmentInput()], no_commitment=True)
    assert response.commitments == []


def test_the_response_waits_for_its_phase_and_is_published_once(make, db, request_context):
    early = build_consultation(make, current=PhaseKind.SYNTHESIS)
    with pytest.raises(ResponseError, match="à partir du"):
        publish_response(early, early.opened_by, "Une réponse assez longue pour être acceptée.", [_commitment()])
    db.session.rollback()
    answered = build_consultation(make, current=PhaseKind.RESPONSE, cards=early.cards)
    response_with_commitments(db, answered, answered.opened_by)
    with pytest.raises(ResponseError, match="déjà publiée"):
        publish_response(answered, answered.opened_by, "Une réponse assez longue pour être acceptée.",
                         [_commitment()])


def test_a_commitment_added_later_goes_last(make, db, request_context):
    consultation = build_consultation(make, current="concluded")
    existing = response_with_commitments(db, consultation, consultation.opened_by, CommitmentStatus.PLANNED,
                                         CommitmentStatus.DONE)
    added = add_commitment(existing[0].response, consultation.opened_by, _commitment())
    db.session.commit()
    assert added.position == 3 and added.response.consultation_id == consultation.id


def test_a_progress_update_records_the_move_and_its_date(make, db, request_context):
    consultation = build_consultation(make, current="concluded")
    commitment = response_with_commitments(db, consultation, consultation.opened_by)[0]
    update_commitment(commitment, consultation.opened_by, "Le marché est attribué, les travaux commencent.",
                      "in_progress")
    update_commitment(commitment, consultation.opened_by, "Les travaux avancent, ouverture prévue en juin.",
                      "in_progress")
    db.session.commit()
    updates = db.session.execute(select(CommitmentUpdate).order_by(CommitmentUpdate.id)).scalars().all()
    assert [(u.status_before, u.status_after) for u in updates] == [
        (CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS),
        (CommitmentStatus.IN_PROGRESS, CommitmentStatus.IN_PROGRESS)]
    assert all(u.created_at is not None for u in updates)
    assert commitment.status == CommitmentStatus.IN_PROGRESS


@pytest.mark.parametrize("start, target", [
    (CommitmentStatus.DONE, "in_progress"), (CommitmentStatus.ABANDONED, "planned"),
    (CommitmentStatus.DONE, "abandoned"), (CommitmentStatus.IN_PROGRESS, "planned"), (CommitmentStatus.PLANNED, "x"),
])
def test_a_refused_move_saves_nothing(make, db, request_context, start, target):
    consultation = build_consultation(make, current="concluded")
    commitment = response_with_commitments(db, consultation, consultation.opened_by, start)[0]
    with pytest.raises(ResponseError) as refused:
        update_commitment(commitment, consultation.opened_by, "Un point d'étape assez long pour passer.", target)
    assert refused.value.field == "status"
    db.session.rollback()
    assert commitment.status == start
    assert db.session.execute(select(CommitmentUpdate)).first() is None


# --- notifying followers ----------------------------------------------------------------------------

def test_followers_are_notified_once_each_but_never_of_their_own_action(app, make, db, outbox, request_context):
    consultation = build_consultation(make, current=PhaseKind.SYNTHESIS)
    moderator = make.moderator()
    french, english = make.user(locale="fr"), make.user(locale="en")
    unconfirmed = make.user(confirmed=False)
    follow(db, consultation, french, english, unconfirmed, moderator)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        publish_synthesis(consultation, moderator, "Une synthèse assez longue pour être acceptée.")
        db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    inserts = [s.split("(")[0].split()[-1].lower() for s in statements if s.lstrip().upper().startswith("INSERT")]
    # One row for all the followers; their notifications are written by the queue, at the commit.
    assert inserts.count("notification_fanout") == 1 and "notification" not in inserts
    assert outbox == []  # emails wait for the commit
    db.session.commit()

    notified = _notifications(db, kind=NotificationKind.SYNTHESIS_PUBLISHED)
    assert sorted(n.user_id for n in notified) == sorted([french.id, english.id, unconfirmed.id])
    assert all(n.target_path == f"/consultations/{consultation.id}#synthese" and n.read_at is None
               for n in notified)
    by_address = {m.to: m for m in outbox}
    assert set(by_address) == {french.email, english.email}  # confirmed addresses only, not the moderator
    assert by_address[french.email].body.startswith("Bonjour")
    assert by_address[english.email].body.startswith("Hello")
    assert f"http://localhost/consultations/{consultation.id}#synthese" in by_address[french.email].body
    assert consultation.title in by_address[english.email].body


def test_nothing_is_mailed_when_the_action_is_rolled_back(make, db, outbox, request_context):
    consultation = build_consultation(make, current="concluded")
    follow(db, consultation, make.user())
    notify_followers(consultation, NotificationKind.COMMITMENT_UPDATED, "/x", "Un engagement")
    db.session.rollback()
    db.session.commit()
    assert outbox == [] and _notifications(db) == []


def test_response_and_update_and_cancellation_notify_followers(make, db, outbox, request_context):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE)
    official, follower = consultation.opened_by, make.user()
    follow(db, consultation, follower, official)
    response = publish_response(consultation, official, "Une réponse assez longue pour être acceptée.",
                                [_commitment()])
    update_commitment(response.commitments[0], official, "Les travaux ont commencé ce mois-ci.", "in_progress")
    notify_consultation_cancelled(consultation, official)
    db.session.commit()
    notified = _notifications(db)
    assert [(n.user_id, n.kind) for n in notified] == [
        (follower.id, NotificationKind.RESPONSE_PUBLISHED), (follower.id, NotificationKind.COMMITMENT_UPDATED),
        (follower.id, NotificationKind.CONSULTATION_CANCELLED)]
    assert notified[1].subject == "Ouvrir un guichet d'accueil"
    assert notified[1].target_path == f"/consultations/engagements/{response.commitments[0].id}"
    assert len(outbox) == 3 and {m.to for m in outbox} == {follower.email}


def test_notifications_are_exported_and_deleted_with_the_account(make, db, request_context):
    consultation = build_consultation(make, current="concluded")
    person = make.user()
    follow(db, consultation, person)
    notify_followers(consultation, NotificationKind.RESPONSE_PUBLISHED, "/consultations/1#reponse", consultation.title)
    db.session.commit()
    exported = export_personal_data(person)["notifications"]
    assert [(n["kind"], n["consultation_title"], n["read_at"]) for n in exported] == [
        ("response_published", consultation.title, None)]
    delete_account(person, PASSWORD)
    db.session.commit()
    assert _notifications(db) == []


# --- evidence chain, findings, accountability --------------------------------------------------------

def test_the_evidence_chain_walks_back_to_findings_and_values(make, db):
    observatory = Observatory(make, db)
    finding = observatory.finding()
    indicator = observatory.indicator()
    value = observatory.value(indicator, "69266", 2024, 1250, source="Rectorat de Lyon")
    card = published_card(make)
    card.published_version.findings.append(finding)
    card.published_version.indicator_values.append(value)
    never_published = published_card(make, title="Une fiche retirée")
    never_published.published_version_id = None
    db.session.commit()
    consultation = build_consultation(make, current="concluded", cards=[card, never_published])
    draft = build_consultation(make, current="concluded", cards=[card], status=ConsultationStatus.DRAFT)

    chain = evidence_chain(consultation)
    assert [c.id for c in chain] == [card.id]
    version = chain[0].published_version
    assert [(f.id, f.organisation.name) for f in version.findings] == [(finding.id, "Agence d'urbanisme test")]
    assert [(v.value, v.source, v.indicator.organisation.name) for v in version.indicator_values] == [
        (1250, "Rectorat de Lyon", "Agence d'urbanisme test")]
    assert [c.id for c in consultations_citing_finding(finding.id)] == [consultation.id]
    assert draft.id not in [c.id for c in consultations_citing_finding(finding.id)]


def test_accountability_counts_commitments_and_flags_overdue_ones(make, db):
    answered = build_consultation(make, current="concluded")
    response_with_commitments(db, answered, answered.opened_by, CommitmentStatus.PLANNED,
                              CommitmentStatus.DONE, CommitmentStatus.IN_PROGRESS, due_in=-3)
    in_commune = build_consultation(make, current=PhaseKind.DEBATE, territory_code="69266",
                                    cards=answered.cards, title="À Villeurbanne")
    build_consultation(make, current=PhaseKind.DEBATE, cards=answered.cards, status=ConsultationStatus.DRAFT)
    report = accountability(make.territory("200046977"), local_today())
    assert [row.consultation.id for row in report.rows] == [in_commune.id, answered.id]
    row = report.rows[1]
    assert row.counts == {CommitmentStatus.PLANNED: 1, CommitmentStatus.IN_PROGRESS: 1, CommitmentStatus.DONE: 1}
    assert [c.status for c in row.overdue] == [CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS]
    assert report.overdue_total == 2 and report.totals[CommitmentStatus.ABANDONED] == 0


def test_a_concurrent_second_synthesis_is_refused_not_crashed(make, db, request_context):
    from plateforme.consultations.services import consultation_for_view

    consultation = build_consultation(make, current=PhaseKind.SYNTHESIS)
    moderator = make.moderator()
    loaded = consultation_for_view(consultation.id)
    assert loaded.synthesis is None
    db.session.commit()  # what this request read stays in memory; another one publishes meanwhile
    with db.engine.begin() as connection:
        connection.execute(Synthesis.__table__.insert().values(
            consultation_id=consultation.id, body="Première.", body_html="<p>Première.</p>",
            published_at=consultation.created_at, created_at=consultation.created_at))
    with pytest.raises(ResponseError, match="vient d'être publiée"):
        publish_synthesis(loaded, moderator, "Une synthèse assez longue pour être acceptée.")
    db.session.rollback()


def test_a_cancelled_consultation_gets_neither_synthesis_nor_response(make, db, request_context):
    consultation = build_consultation(make, current=PhaseKind.RESPONSE, status=ConsultationStatus.CANCELLED)
    with pytest.raises(ResponseError, match="annulée"):
        publish_synthesis(consultation, make.moderator(), "Une synthèse assez longue pour être acceptée.")
    with pytest.raises(ResponseError, match="annulée"):
        publish_response(consultation, consultation.opened_by, "Une réponse assez longue pour être acceptée.",
                         [_commitment()])
