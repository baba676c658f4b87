"""Anonymous, once-only submissions: residents online or by code, officials, atomicity."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from plateforme.surveys.models import (
    Channel, OfficialPending, OfficialResponse, PerceptionSurvey, ResidentParticipation, ResidentPending,
    ResidentResponse, SurveyStatus,
)
from plateforme.surveys.services import (
    AlreadyAnswered, ResidentAnswers, SurveyError, find_invitation, generate_codes, submit_official_answers,
    submit_resident_answers,
)

from plateforme.surveys.mixing import MIX_BATCH
from plateforme.territories.models import Territory

from ..factories import make_survey


def _answers(make, commune="69266", **overrides):
    values = dict(sex="F", age_band="30-44", commune=make.territory(commune), answers={"s1": "5", "s2": "d"},
                  estimates={"s1": 40, "s2": None})
    values.update(overrides)
    return ResidentAnswers(**values)


def _count(db, model):
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _answers_count(db):
    """Residents' answers, pending or mixed: a single answer waits in the pending pool
    until a batch is mixed (tests/surveys/test_unlinkability.py)."""
    return _count(db, ResidentPending) + _count(db, ResidentResponse)


def test_answer_is_stored_apart_from_who_answered(db, make):
    survey = make_survey(db)
    user = make.user()
    submit_resident_answers(survey, _answers(make), user=user)
    # Alone, it waits in the pending pool (mixed once a batch has gathered).
    response = db.session.execute(select(ResidentPending)).scalar_one()
    assert response.answers == "5d" and response.estimates == "40," and response.channel == Channel.ONLINE
    participation = db.session.execute(select(ResidentParticipation)).scalar_one()
    assert participation.user_id == user.id
    # Nothing on the answer can lead back to a person, a session, a code or a time.
    for model in (ResidentPending, ResidentResponse):
        columns = {c.name for c in inspect(model).columns}
        assert columns == {"id", "survey_id", "sex", "age_band", "commune_id", "answers", "estimates", "channel"}
    assert len(response.id) == 32 and not response.id.isdigit()


def test_second_answer_is_refused_and_changes_nothing(db, make):
    survey = make_survey(db)
    user = make.user()
    submit_resident_answers(survey, _answers(make), user=user)
    with pytest.raises(AlreadyAnswered):
        submit_resident_answers(survey, _answers(make, answers={"s1": "1", "s2": "1"}), user=user)
    assert _answers_count(db) == 1 and _count(db, ResidentParticipation) == 1


@pytest.mark.parametrize("field,overrides", [
    ("sex", {"sex": "Z"}),  # "X" is a valid answer: prefers not to say
    ("age_band", {"age_band": "12-17"}),
    ("commune", {"commune": None}),
    ("s1", {"answers": {"s1": "7"}}),
    ("estimate_s1", {"estimates": {"s1": 140}}),
])
def test_bad_answers_are_refused_with_the_field_named(db, make, field, overrides):
    survey = make_survey(db)
    with pytest.raises(SurveyError) as error:
        submit_resident_answers(survey, _answers(make, **overrides), user=make.user())
    assert error.value.field == field
    assert _answers_count(db) == 0 and _count(db, ResidentParticipation) == 0


def test_commune_outside_the_territory_is_refused(db, make):
    from plateforme.territories.services import load_territory

    load_territory("200040715")  # Grenoble-Alpes-Métropole
    db.session.commit()
    survey = make_survey(db)
    with pytest.raises(SurveyError, match="ne fait pas partie du territoire"):
        submit_resident_answers(survey, _answers(make, commune="38185"), user=make.user())


def test_late_answer_after_closing_is_refused(db, make):
    survey = make_survey(db, status="closed")
    with pytest.raises(SurveyError, match="clos"):
        submit_resident_answers(survey, _answers(make), user=make.user())
    past = make_survey(db, opens_at="2020-01-01", closes_at="2020-02-01")
    assert past.status == SurveyStatus.OPEN and not past.accepts_answers(date.today())
    with pytest.raises(SurveyError, match="clos"):
        submit_resident_answers(past, _answers(make), user=make.user())


def test_invitation_code_works_once(db, make, app):
    survey = make_survey(db, sampling_mode="panel")
    codes = generate_codes(survey, 3)
    db.session.commit()
    assert len(set(codes)) == 3 and all(len(c) == 12 for c in codes)  # XXXX-XXXX-XX
    invitation = find_invitation(survey, codes[0].lower().replace("-", " "))  # typed loosely from paper
    submit_resident_answers(survey, _answers(make), invitation=invitation, channel=Channel.PANEL)
    with pytest.raises(SurveyError, match="déjà servi"):
        find_invitation(survey, codes[0])
    with pytest.raises(SurveyError, match="n'existe pas"):
        find_invitation(survey, "AAAA-BBBB-CC")
    # The code itself is never stored, only its keyed hash.
    from plateforme.surveys.models import InvitationCode
    stored = {c.code_hash for c in db.session.execute(select(InvitationCode)).scalars()}
    assert not any(code.replace("-", "") in h for code in codes for h in stored)


def test_codes_only_for_panel_surveys(db):
    with pytest.raises(SurveyError):
        generate_codes(make_survey(db), 5)


def test_official_answers_are_kept_apart_and_once(db, make):
    survey = make_survey(db)
    official = make.elected()
    submit_official_answers(survey, official, {"s1": 30, "s2": 55}, {"s1": "4", "s2": ""})
    response = db.session.execute(select(OfficialPending)).scalar_one()  # mixed with others later
    assert response.estimates == "30,55" and response.opinions == "4."
    assert _count(db, OfficialResponse) == 0
    with pytest.raises(AlreadyAnswered):
        submit_official_answers(survey, official, {"s1": 31, "s2": 56}, {})
    with pytest.raises(SurveyError) as error:
        submit_official_answers(survey, make.elected(), {"s1": 31}, {})
    assert error.value.field == "estimate_s2"


def test_fifty_concurrent_submissions_by_one_person_store_exactly_one(app, db, make):
    survey = make_survey(db)
    user = make.user()
    survey_id, user_id, commune_id = survey.id, user.id, make.territory("69266").id
    outcomes = _race(app, 50, lambda n: (survey_id, user_id, commune_id))
    assert outcomes.count("ok") == 1 and outcomes.count("already") == 49, outcomes
    assert _answers_count(db) == 1 and _count(db, ResidentParticipation) == 1


def test_two_hundred_people_submitting_at_once_all_land(app, db, make):
    survey = make_survey(db)
    user_ids = [make.user().id for _ in range(200)]
    survey_id, commune_id = survey.id, make.territory("69266").id
    outcomes = _race(app, 200, lambda n: (survey_id, user_ids[n], commune_id))
    assert outcomes.count("ok") == 200, set(outcomes)
    assert _answers_count(db) == 200 and _count(db, ResidentParticipation) == 200
    # Batches were mixed on the way. Racing answers on PostgreSQL may each miss the others'
    # rows (services._write_answer), so a full batch can still wait: the next answer mixes it.
    if _count(db, ResidentPending) >= MIX_BATCH:
        late = make.user()
        submit_resident_answers(db.session.get(PerceptionSurvey, survey_id),
                                ResidentAnswers("F", "30-44", db.session.get(Territory, commune_id), {"s1": "4"}, {}),
                                user=late)
    assert _count(db, ResidentPending) < MIX_BATCH


def _race(app, count, arguments):
    """Fire `count` submissions from as many threads, released together; return outcomes."""
    from plateforme.accounts.models import User
    from plateforme.extensions import db as _db
    from plateforme.surveys.models import PerceptionSurvey
    from plateforme.territories.models import Territory

    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(n):
        survey_id, user_id, commune_id = arguments(n)
        with app.test_request_context("/questionnaires/x/repondre", method="POST"):
            try:
                survey = _db.session.get(PerceptionSurvey, survey_id)
                user = _db.session.get(User, user_id)
                commune = _db.session.get(Territory, commune_id)
                _db.session.rollback()  # end the reads: every thread starts its write together
                barrier.wait(timeout=30)
                submit_resident_answers(survey, ResidentAnswers("M", "18-29", commune, {"s1": "4"}, {}), user=user)
                result = "ok"
            except AlreadyAnswered:
                result = "already"
            except Exception as error:  # reported in the assertion message
                result = f"error: {error!r}"
            finally:
                _db.session.remove()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_personal_data_export_lists_participations_but_never_answers(client, db, make):
    from ..factories import sign_in

    survey = make_survey(db)
    user = make.user()
    submit_resident_answers(survey, _answers(make), user=user)
    sign_in(client, user)
    data = client.get("/compte/mes-donnees.json").get_json()
    assert data["survey_participations"] == [{"survey_id": survey.id, "title": survey.title, "as": "resident"}]
    assert "5d" not in str(data) and "answers" not in str(data)


def test_codes_cannot_be_issued_after_closing(db):
    survey = make_survey(db, status="closed", sampling_mode="panel")
    with pytest.raises(SurveyError, match="avant la clôture"):
        generate_codes(survey, 2)


def test_residents_cannot_answer_outside_the_dates(db, make):
    from plateforme.core.permissions import PREDICATES

    user = make.user()
    assert PREDICATES["can_answer_as_resident"](user, make_survey(db))
    assert not PREDICATES["can_answer_as_resident"](user, make_survey(db, opens_at="2020-01-01",
                                                                      closes_at="2020-02-01"))
    draft = make_survey(db, status="draft")
    with pytest.raises(SurveyError, match="pas encore ouvert"):
        submit_resident_answers(draft, _answers(make), user=user)


def test_officials_total_counts_councillors_of_the_containing_epci(db, make):
    from plateforme.surveys.services import count_officials

    make.elected(territory_code="200046977")  # EPCI councillor
    make.elected(territory_code="69266")      # mayor of Villeurbanne
    make.elected(territory_code="69029")      # mayor of Bron: not an official of Villeurbanne
    assert count_officials(make_survey(db, territory="69266")) == 2
    assert count_officials(make_survey(db)) == 3


def test_an_answer_checked_before_the_survey_closed_is_refused_when_written_after(db, make):
    """Closing mixes every pending answer and deletes who answered: an answer written after
    that would be left alone in the pool, next to its participation."""
    from sqlalchemy import update

    from plateforme.surveys.models import PerceptionSurvey

    survey = make_survey(db)
    user = make.user()
    assert survey.status == SurveyStatus.OPEN  # what the submission's first checks see
    with db.engine.begin() as other:  # meanwhile, someone closes it
        other.execute(update(PerceptionSurvey).where(PerceptionSurvey.id == survey.id).values(status="closed"))
    with pytest.raises(SurveyError, match="clos"):
        submit_resident_answers(survey, _answers(make), user=user)
    assert _answers_count(db) == 0 and _count(db, ResidentParticipation) == 0
