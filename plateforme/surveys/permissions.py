"""Who may do what with perception surveys.

Running a survey is an act of authority over the territory: it needs a mandate (or a
moderator's appointment) covering the survey's territory. Answering the officials'
questionnaire is being asked as one of its officials, which a member commune's official is.
"""
from __future__ import annotations

from ..accounts.permissions import (
    counts_among_officials_of, holds_mandate_covering, is_administrator, is_elected_official, is_moderator,
    is_resident,
)
from ..core.models import local_today
from ..core.permissions import predicate
from .models import SamplingMode, SurveyStatus


@predicate
def can_create_survey(user) -> bool:
    """Elected officials (on their mandates' territories, which the form offers) and administrators."""
    return is_administrator(user) or is_elected_official(user)


@predicate
def can_manage_survey(user, survey) -> bool:
    """Open, close, generate codes, export: officials whose mandate covers the survey's
    territory, its moderators, administrators. An official of a member commune does not run
    the EPCI's survey (they answer it), nor does a neighbour's."""
    return (is_administrator(user) or is_moderator(user, survey.territory)
            or holds_mandate_covering(user, survey.territory))


@predicate
def can_see_survey(user, survey) -> bool:
    """A draft exists only for the people who manage it; every other survey is public."""
    return survey.status != SurveyStatus.DRAFT or can_manage_survey(user, survey)


@predicate
def can_publish_survey(user, survey) -> bool:
    """Publishing results is a moderator's or an administrator's act, not the officials'."""
    return is_administrator(user) or is_moderator(user, survey.territory)


@predicate
def can_import_paper_answers(user, survey) -> bool:
    return is_administrator(user)


@predicate
def can_answer_as_resident(user, survey) -> bool:
    """A resident of the territory, online, in an open (non-panel) survey."""
    from .services import lives_in

    return (survey.sampling_mode == SamplingMode.OPEN and survey.accepts_answers(local_today())
            and is_resident(user) and lives_in(user, survey.territory))


@predicate
def can_answer_as_official(user, survey) -> bool:
    """The officials asked are those counted among the territory's (`officials_of`): a
    member commune's mayor estimates what the EPCI's residents think. Answering is not
    running the survey: it grants nothing else."""
    return (survey.status in (SurveyStatus.OPEN, SurveyStatus.CLOSED)
            and counts_among_officials_of(user, survey.territory))


@predicate
def can_see_results(user, survey) -> bool:
    """Nobody sees results before publication, not even administrators."""
    return survey.status == SurveyStatus.PUBLISHED and bool(survey.publications)


@predicate
def can_see_own_feedback(user, survey) -> bool:
    """An official's private feedback page: open to the officials asked (those counted among
    the territory's), administrators not included; which answer is theirs only their receipt
    tells (feedback.py). Not "who answered": that list is deleted at publication (it would
    name the answers), and without the receipt the page shows nobody's figures."""
    return bool(getattr(user, "is_authenticated", False)) and counts_among_officials_of(user, survey.territory)
