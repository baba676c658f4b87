"""Consultation operations: the stage derived from dates, the lifecycle, the rules on what
a draft and a published consultation may change, following, and the listings."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from plateforme.consultations.models import (
    Audience, Consultation, ConsultationFollow, ConsultationStatus, PhaseKind, Stage,
)
from plateforme.consultations.services import (
    ConsultationError, ConsultationInput, cancel_consultation, consultation_for_view, create_consultation,
    current_consultations, follow, followers_of, is_following, phase_problems, publish_consultation, unfollow,
    update_consultation,
)
from plateforme.core.models import local_today

from ..factories import make_survey
from .helpers import build_consultation, phase_dates, published_card

DAY = timedelta(days=1)
D = date(2030, 3, 1)


def _input(make, **overrides) -> ConsultationInput:
    today = local_today()
    values = dict(
        title="Quel accueil pour les étudiants étrangers ?", description="Pourquoi **cette** consultation.",
        territory=make.territory("200046977"), audience=Audience.REGISTERED, card_ids=[],
        phases={PhaseKind.INFORMATION: (today + 2 * DAY, today + 10 * DAY),
                PhaseKind.DEBATE: (today + 11 * DAY, today + 30 * DAY)},
    )
    values.update(overrides)
    return ConsultationInput(**values)


def _count(db) -> int:
    return db.session.query(Consultation).count()


# --- stage, from the dates ----------------------------------------------------------

def test_stage_follows_the_calendar_day_by_day(make, db):
    consultation = build_consultation(make, current="upcoming", today=D,
                                      kinds=[PhaseKind.INFORMATION, PhaseKind.DEBATE, PhaseKind.RESPONSE])
    info, debate, response = consultation.phases
    assert consultation.stage(info.starts_on - DAY) == Stage.UPCOMING
    assert consultation.stage(info.starts_on) == Stage.INFORMATION
    assert consultation.stage(info.ends_on) == Stage.INFORMATION  # the end day is included
    assert consultation.stage(debate.starts_on) == Stage.DEBATE
    assert consultation.stage(response.ends_on) == Stage.RESPONSE
    assert consultation.stage(response.ends_on + DAY) == Stage.CONCLUDED


@pytest.mark.parametrize("kind", list(PhaseKind))
def test_each_phase_is_the_stage_while_it_runs(make, db, kind):
    consultation = build_consultation(make, current=kind, today=D)
    assert consultation.stage(D) == Stage(kind.value)
    assert consultation.phase_is_open(kind, D)


def test_a_gap_between_phases_is_its_own_stage(make, db):
    consultation = build_consultation(make, current="between_phases", today=D)
    assert consultation.stage(D) == Stage.BETWEEN_PHASES


def test_draft_and_cancelled_ignore_the_dates(make, db):
    draft = build_consultation(make, current=PhaseKind.DEBATE, status=ConsultationStatus.DRAFT, today=D)
    cancelled = build_consultation(make, current=PhaseKind.DEBATE, status=ConsultationStatus.CANCELLED, today=D)
    assert draft.stage(D) == Stage.DRAFT and not draft.phase_is_open(PhaseKind.DEBATE, D)
    assert cancelled.stage(D) == Stage.CANCELLED and not cancelled.phase_is_open(PhaseKind.DEBATE, D)


# --- phase dates ----------------------------------------------------------------------

def test_phase_dates_are_checked_and_each_problem_names_its_field(db):
    assert phase_problems({PhaseKind.DEBATE: (D, D + DAY)}) == []
    [problem] = phase_problems({})
    assert problem.field == "information_starts_on"
    [problem] = phase_problems({PhaseKind.DEBATE: (D, None)})
    assert problem.field == "debate_ends_on"
    [problem] = phase_problems({PhaseKind.DEBATE: (None, D)})
    assert problem.field == "debate_starts_on"
    [problem] = phase_problems({PhaseKind.DEBATE: (D, D - DAY)})
    assert problem.field == "debate_ends_on"
    # The proposals cannot start before the debate ends (nor on its last day).
    [problem] = phase_problems({PhaseKind.DEBATE: (D, D + 5 * DAY), PhaseKind.PROPOSALS: (D + 5 * DAY, D + 9 * DAY)})
    assert problem.field == "proposals_starts_on"
    problems = phase_problems({PhaseKind.INFORMATION: (D, None), PhaseKind.DEBATE: (D, D - DAY)})
    assert [p.field for p in problems] == ["information_ends_on", "debate_ends_on"]


# --- creating -------------------------------------------------------------------------

def test_an_official_drafts_a_consultation_on_their_territory(make, db):
    official = make.elected()
    card = published_card(make, "69266")  # a commune's card, within the EPCI
    consultation = create_consultation(official, _input(make, card_ids=[card.id]))
    db.session.commit()
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.opened_by == official and consultation.cards == [card]
    assert "<strong>cette</strong>" in consultation.description_html
    assert [p.kind for p in consultation.phases] == [PhaseKind.INFORMATION, PhaseKind.DEBATE]


def test_markup_in_the_description_is_sanitised_on_write(make, db):
    card = published_card(make)
    consultation = create_consultation(make.elected(), _input(
        make, card_ids=[card.id], description="<script>alert(1)</script> [lien](javascript:alert(1))"))
    assert "<script>" not in consultation.description_html
    assert "href=\"javascript" not in consultation.description_html


@pytest.mark.parametrize("case, field", [
    ("outside the mandate", "territory"),
    ("no card", "cards"),
    ("unknown card", "cards"),
    ("unpublished card", "cards"),
    ("card of another territory", "cards"),
    ("unknown survey", "survey"),
    ("survey of another territory", "survey"),
    ("phase without an end", "debate_ends_on"),
    ("dates out of order", "debate_ends_on"),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(make, db, case, field):
    official = make.elected("69266")  # Villeurbanne's mayor
    villeurbanne, lyon = make.territory("69266"), make.territory("69123")
    card = published_card(make, "69266")
    data = _input(make, territory=villeurbanne, card_ids=[card.id])
    if case == "outside the mandate":
        data.territory = lyon
    elif case == "no card":
        data.card_ids = []
    elif case == "unknown card":
        data.card_ids = [card.id, 999999]
    elif case == "unpublished card":
        draft_card = published_card(make, "69266", title="Fiche pas encore publiée")
        draft_card.published_version_id = None
        db.session.commit()
        data.card_ids = [draft_card.id]
    elif case == "card of another territory":
        data.card_ids = [published_card(make, "69123").id]
    elif case == "unknown survey":
        data.survey_id = 999999
    elif case == "survey of another territory":
        data.survey_id = make_survey(db, "open", territory="69123").id
    elif case == "phase without an end":
        data.phases[PhaseKind.DEBATE] = (local_today() + 11 * DAY, None)
    elif case == "dates out of order":
        data.phases[PhaseKind.DEBATE] = (local_today() + 30 * DAY, local_today() + 11 * DAY)
    with pytest.raises(ConsultationError) as refused:
        create_consultation(official, data)
    db.session.rollback()
    assert refused.value.field == field
    assert _count(db) == 0


def test_an_attached_survey_lends_its_dates_to_an_empty_survey_phase(make, db):
    survey = make_survey(db, "open", opens_at=str(local_today() + 40 * DAY), closes_at=str(local_today() + 60 * DAY))
    data = _input(make, card_ids=[published_card(make).id], survey_id=survey.id)
    consultation = create_consultation(make.elected(), data)
    phase = consultation.phase(PhaseKind.SURVEY)
    assert (phase.starts_on, phase.ends_on) == (survey.opens_at, survey.closes_at)


# --- editing --------------------------------------------------------------------------

def test_a_draft_changes_freely(make, db):
    official = make.elected()
    card, other = published_card(make), published_card(make, "69123", title="Les entreprises étrangères")
    consultation = create_consultation(official, _input(make, card_ids=[card.id]))
    update_consultation(consultation, official, _input(
        make, title="Un autre titre", territory=make.territory("69123"), audience=Audience.RESIDENTS,
        card_ids=[other.id], phases={PhaseKind.PROPOSALS: (local_today() + DAY, local_today() + 5 * DAY)}))
    db.session.commit()
    assert consultation.title == "Un autre titre" and consultation.territory.code == "69123"
    assert consultation.cards == [other] and [p.kind for p in consultation.phases] == [PhaseKind.PROPOSALS]


def _published_input(consultation: Consultation, **overrides) -> ConsultationInput:
    values = dict(title=consultation.title, description=consultation.description, territory=consultation.territory,
                  audience=consultation.audience, card_ids=[c.id for c in consultation.cards],
                  survey_id=consultation.survey_id,
                  phases={p.kind: (p.starts_on, p.ends_on) for p in consultation.phases})
    values.update(overrides)
    return ConsultationInput(**values)


def test_published_its_description_and_phases_to_come_may_change(make, db):
    consultation = build_consultation(make, current=PhaseKind.DEBATE)
    official = consultation.opened_by
    phases = {p.kind: (p.starts_on, p.ends_on) for p in consultation.phases}
    start, end = phases[PhaseKind.RESPONSE]
    phases[PhaseKind.RESPONSE] = (start + 10 * DAY, end + 20 * DAY)
    update_consultation(consultation, official, _published_input(consultation, description="Corrigée.",
                                                                 phases=phases))
    db.session.commit()
    assert consultation.description_html == "<p>Corrigée.</p>\n"
    assert consultation.phase(PhaseKind.RESPONSE).ends_on == end + 20 * DAY


@pytest.mark.parametrize("change, field", [
    ("title", "title"), ("audience", "audience"), ("cards", "cards"), ("territory", "territory"),
    ("started phase", "debate_starts_on"), ("removed started phase", "information_starts_on"),
])
def test_published_the_rest_is_refused(make, db, change, field):
    consultation = build_consultation(make, current=PhaseKind.DEBATE)
    phases = {p.kind: (p.starts_on, p.ends_on) for p in consultation.phases}
    data = _published_input(consultation, phases=phases)
    if change == "title":
        data.title = "Un titre changé après coup"
    elif change == "audience":
        data.audience = Audience.RESIDENTS
    elif change == "cards":
        data.card_ids = [published_card(make).id]
    elif change == "territory":
        data.territory = make.territory("69123")
    elif change == "started phase":
        start, end = phases[PhaseKind.DEBATE]
        phases[PhaseKind.DEBATE] = (start, end - DAY)
    elif change == "removed started phase":
        del phases[PhaseKind.INFORMATION]
    with pytest.raises(ConsultationError) as refused:
        update_consultation(consultation, consultation.opened_by, data)
    db.session.rollback()
    assert refused.value.field == field


def test_published_a_phase_to_come_cannot_be_moved_into_the_past(make, db):
    # Information ended 4 days ago; the debate starts in 2 days.
    consultation = build_consultation(make, current="between_phases", today=local_today() - 3 * DAY,
                                      kinds=[PhaseKind.INFORMATION, PhaseKind.DEBATE])
    phases = {p.kind: (p.starts_on, p.ends_on) for p in consultation.phases}
    phases[PhaseKind.DEBATE] = (local_today() - 2 * DAY, phases[PhaseKind.DEBATE][1])
    with pytest.raises(ConsultationError) as refused:
        update_consultation(consultation, consultation.opened_by, _published_input(consultation, phases=phases))
    assert refused.value.field == "debate_starts_on"


def test_a_cancelled_consultation_changes_no_more(make, db):
    consultation = build_consultation(make, current=PhaseKind.DEBATE, status=ConsultationStatus.CANCELLED)
    with pytest.raises(ConsultationError):
        update_consultation(consultation, consultation.opened_by, _published_input(consultation))


# --- lifecycle ------------------------------------------------------------------------

def test_publish_then_cancel_with_a_public_reason(make, db):
    consultation = build_consultation(make, current="upcoming", status=ConsultationStatus.DRAFT)
    publish_consultation(consultation, consultation.opened_by)
    assert consultation.status == ConsultationStatus.PUBLISHED and consultation.published_at is not None
    with pytest.raises(ConsultationError):
        publish_consultation(consultation, consultation.opened_by)  # already published
    with pytest.raises(ConsultationError) as refused:
        cancel_consultation(consultation, consultation.opened_by, "court")
    assert refused.value.field == "reason"
    cancel_consultation(consultation, consultation.opened_by, "Le conseil a reporté le projet à 2027.")
    assert consultation.status == ConsultationStatus.CANCELLED
    assert consultation.cancellation_reason == "Le conseil a reporté le projet à 2027."
    for move in (lambda: publish_consultation(consultation, consultation.opened_by),
                 lambda: cancel_consultation(consultation, consultation.opened_by, "Encore une fois, annulée.")):
        with pytest.raises(ConsultationError):
            move()


def test_a_draft_whose_phases_are_all_over_is_not_published(make, db):
    consultation = build_consultation(make, current="concluded", status=ConsultationStatus.DRAFT)
    with pytest.raises(ConsultationError):
        publish_consultation(consultation, consultation.opened_by)
    assert consultation.status == ConsultationStatus.DRAFT


# --- following and listings -------------------------------------------------------------

def test_follow_is_idempotent_and_lists_followers(make, db):
    consultation = build_consultation(make)
    ada, bob = make.user(), make.user()
    follow(ada, consultation)
    follow(ada, consultation)
    follow(bob, consultation)
    db.session.commit()
    assert db.session.query(ConsultationFollow).count() == 2
    assert followers_of(consultation) == [ada, bob]
    assert is_following(ada, consultation)
    unfollow(ada, consultation)
    unfollow(ada, consultation)
    db.session.commit()
    assert followers_of(consultation) == [bob]


def test_current_consultations_are_running_ones_within_a_territory(make, db):
    lyon = build_consultation(make, current=PhaseKind.DEBATE, territory_code="69123", title="À Lyon")
    between = build_consultation(make, current="between_phases", title="Entre deux phases")
    build_consultation(make, current="upcoming", title="À venir")
    build_consultation(make, current="concluded", title="Terminée")
    build_consultation(make, current=PhaseKind.DEBATE, status=ConsultationStatus.DRAFT, title="Brouillon")
    build_consultation(make, current=PhaseKind.DEBATE, status=ConsultationStatus.CANCELLED, title="Annulée")
    assert {c.id for c in current_consultations()} == {lyon.id, between.id}
    assert [c.id for c in current_consultations(make.territory("69123"))] == [lyon.id]
    assert {c.id for c in current_consultations(make.territory("200046977"))} == {lyon.id, between.id}
    assert current_consultations(make.territory("69266")) == []


def test_consultation_for_view_loads_the_page(make, db):
    consultation = build_consultation(make)
    loaded = consultation_for_view(consultation.id)
    assert loaded.cards and loaded.phases and loaded.territory
    assert consultation_for_view("pas-un-nombre") is None and consultation_for_view(999999) is None


def test_helpers_place_the_current_phase_on_today():
    dates = phase_dates(PhaseKind.SURVEY, today=D)
    start, end = dates[PhaseKind.SURVEY]
    assert start <= D <= end


def test_cancelling_tells_the_followers_but_not_the_official_who_cancels(make, db):
    from plateforme.notifications.models import Notification, NotificationKind

    consultation = build_consultation(make, current=PhaseKind.DEBATE)
    official = consultation.opened_by
    follower = make.user(name="Suiveuse")
    follow(follower, consultation)
    follow(official, consultation)
    db.session.commit()

    cancel_consultation(consultation, official, "Le conseil a reporté le sujet à l'automne.")
    db.session.commit()

    notified = db.session.query(Notification.user_id, Notification.kind).all()
    assert notified == [(follower.id, NotificationKind.CONSULTATION_CANCELLED)]
