"""Who may do what with perception surveys."""
from __future__ import annotations

from ..accounts.permissions import is_administrator, is_elected_official, is_moderator, is_resident
from ..core.models import local_today
from ..core.permissions import predicate
from .models import SamplingMode, SurveyStatus


@predicate
def can_create_survey(user) -> bool:
    """Elected officials (on their territory) and administrators create surveys."""
    return is_administrator(user) or is_elected_official(user)


@predicate
def can_manage_survey(user, survey) -> bool:
    """Open, close, generate codes, export: its author's peers on the territory, moderators, admins."""
    return (is_administrator(user) or is_moderator(user, survey.territory)
            or is_elected_official(user, survey.territory))


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
    return survey.status in (SurveyStatus.OPEN, SurveyStatus.CLOSED) and is_elected_official(user, survey.territory)


@predicate
def can_see_results(user, survey) -> bool:
    """Nobody sees results before publication, not even administrators."""
    return survey.status == SurveyStatus.PUBLISHED and bool(survey.publications)
