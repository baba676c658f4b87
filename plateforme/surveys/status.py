"""Where a survey stands, computed in one place from its facts (status, dates, the real
closing time, publications). Every page, the consultation that embeds the survey, the API
and the exports read it from here, so none of them can say "open" when another says "closed".
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..core.i18n import format_day
from .models import SurveyStatus

PARIS = ZoneInfo("Europe/Paris")


class SurveyState(enum.StrEnum):
    DRAFT = "draft"
    UPCOMING = "upcoming"    # open, before its opening date
    OPEN = "open"            # accepting answers today
    ENDED = "ended"          # past its closing date, not yet closed by hand: answers stopped
    CLOSED = "closed"        # closed; results being prepared
    PUBLISHING = "publishing"  # closed; its first publication asked for, being computed (publishing.py)
    PUBLISHED = "published"  # results published


def local_date(moment: datetime | None) -> date | None:
    """A stored UTC time as a French calendar day."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(PARIS).date()


@dataclass(frozen=True)
class SurveyStatusView:
    state: SurveyState
    opens_on: date
    planned_close: date          # the closing date announced when it opened
    collected_until: date | None  # the last day answers were taken (None while open or before)
    closed_early: bool           # closed by hand before its planned closing date
    published_on: date | None    # first publication of the results
    publishing: bool = False     # a publication (first or correction) waits for the task queue
    publication_failed: str = ""  # why the last one asked for could not be made (for staff)

    @property
    def accepts_answers(self) -> bool:
        return self.state == SurveyState.OPEN

    @property
    def is_over(self) -> bool:
        return self.state in (SurveyState.ENDED, SurveyState.CLOSED, SurveyState.PUBLISHING, SurveyState.PUBLISHED)

    @property
    def label(self) -> str:
        """One short sentence, the same on every page."""
        day = lambda d: format_day(d, "long")  # noqa: E731
        if self.state == SurveyState.DRAFT:
            return _("brouillon, pas encore ouvert")
        if self.state == SurveyState.UPCOMING:
            return _("ouvre le %(date)s", date=day(self.opens_on))
        if self.state == SurveyState.OPEN:
            return _("ouvert jusqu'au %(date)s inclus", date=day(self.planned_close))
        if self.state == SurveyState.PUBLISHED:
            return _("clos le %(closed)s ; résultats publiés le %(published)s",
                     closed=day(self.collected_until), published=day(self.published_on))
        if self.state == SurveyState.PUBLISHING:
            return _("clos le %(date)s ; publication des résultats en cours", date=day(self.collected_until))
        return _("clos le %(date)s ; résultats en préparation", date=day(self.collected_until))


def survey_status(survey, today: date) -> SurveyStatusView:
    """The survey's state on `today`, with the dates that explain it."""
    closed_on = local_date(survey.closed_at)
    if survey.status == SurveyStatus.OPEN:
        if today < survey.opens_at:
            state = SurveyState.UPCOMING
        elif today <= survey.closes_at:
            state = SurveyState.OPEN
        else:
            state = SurveyState.ENDED
    elif survey.status == SurveyStatus.CLOSED and survey.publishing:
        state = SurveyState.PUBLISHING
    else:
        state = SurveyState(survey.status.value)
    collected_until = None
    if state == SurveyState.ENDED:
        collected_until = survey.closes_at
    elif state in (SurveyState.CLOSED, SurveyState.PUBLISHING, SurveyState.PUBLISHED):
        # Answers stop at the planned date even when the survey is closed by hand later.
        collected_until = min(closed_on, survey.closes_at) if closed_on else survey.closes_at
    publications = survey.publications if state == SurveyState.PUBLISHED else []
    published_on = local_date(publications[0].created_at) if publications else None
    return SurveyStatusView(state=state, opens_on=survey.opens_at, planned_close=survey.closes_at,
                            collected_until=collected_until,
                            closed_early=collected_until is not None and collected_until < survey.closes_at,
                            published_on=published_on, publishing=survey.publishing,
                            publication_failed=survey.publish_failure or "")
