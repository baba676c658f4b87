"""Waves: a survey that repeats an earlier one on the same territory.

A draft may be declared the next wave of a closed or published survey of its territory
whose collection ended before it opens, sharing at least one statement key. Its results
page then compares the two waves' published figures (wave_changes.py); the territory page
shows each series of published waves in order (territory_wave_series).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.i18n import format_day
from ..core.models import local_today
from ..extensions import db
from .models import PerceptionSurvey, Publication, SurveyStatus
from .services import SurveyError
from .status import survey_status

FIELD = "previous_wave"
FOLLOWABLE = (SurveyStatus.CLOSED, SurveyStatus.PUBLISHED)


def collection_end(survey: PerceptionSurvey):
    """The last day the survey took answers (its planned closing date when still open)."""
    return survey_status(survey, local_today()).collected_until or survey.closes_at


def wave_candidates(survey: PerceptionSurvey) -> list[PerceptionSurvey]:
    """The surveys the form offers: closed or published on the same territory, whose
    collection ended before this one opens, not already followed by another; latest first."""
    rows = db.session.execute(
        select(PerceptionSurvey).options(selectinload(PerceptionSurvey.publications).defer(Publication.payload))
        .where(PerceptionSurvey.territory_id == survey.territory_id, PerceptionSurvey.id != survey.id,
               PerceptionSurvey.status.in_(FOLLOWABLE))
        .order_by(PerceptionSurvey.opens_at.desc(), PerceptionSurvey.id.desc())
    ).scalars().all()
    followed = _followed_by({row.id for row in rows})
    return [row for row in rows if collection_end(row) < survey.opens_at
            and followed.get(row.id, survey.id) == survey.id]


def _followed_by(survey_ids: set[int]) -> dict[int, int]:
    """previous wave id → the survey that follows it, among `survey_ids`."""
    if not survey_ids:
        return {}
    return dict(db.session.execute(
        select(PerceptionSurvey.previous_wave_id, PerceptionSurvey.id)
        .where(PerceptionSurvey.previous_wave_id.in_(survey_ids))).all())


def next_wave(survey: PerceptionSurvey) -> PerceptionSurvey | None:
    return db.session.execute(
        select(PerceptionSurvey).where(PerceptionSurvey.previous_wave_id == survey.id)).scalar_one_or_none()


def _refuse(message: str):
    raise SurveyError(message, FIELD)


def set_previous_wave(survey: PerceptionSurvey, previous_id) -> None:
    """Declare (or, with None, undeclare) the wave `survey` follows, or raise SurveyError
    saying why not. Only a draft: once open, its results will be compared with that wave's."""
    if survey.status != SurveyStatus.DRAFT:
        _refuse(_("La vague précédente ne se choisit que tant que le questionnaire est en brouillon."))
    if previous_id is None:
        survey.previous_wave = None
        return
    if not isinstance(previous_id, int):
        _refuse(_("Choisissez un questionnaire de la liste."))
    # Locked (PostgreSQL): two drafts cannot both become its next wave at once.
    previous = db.session.execute(select(PerceptionSurvey).where(PerceptionSurvey.id == previous_id)
                                  .with_for_update()).scalar_one_or_none()
    if previous is None or (previous.status == SurveyStatus.DRAFT and previous.territory_id != survey.territory_id):
        # Another territory's draft exists only for its own managers: not even its title here.
        _refuse(_("Aucun questionnaire ne porte le numéro %(id)s.", id=previous_id))
    title = previous.title
    if previous.id == survey.id:
        _refuse(_("Un questionnaire ne peut pas être sa propre vague précédente."))
    seen, wave = {previous.id}, previous.previous_wave
    while wave is not None and wave.id not in seen:  # `seen` stops on a loop already in the data
        if wave.id == survey.id:
            _refuse(_("« %(title)s » fait déjà suite à ce questionnaire : le déclarer comme vague précédente "
                      "formerait une boucle.", title=title))
        seen.add(wave.id)
        wave = wave.previous_wave
    if previous.territory_id != survey.territory_id:
        _refuse(_("« %(title)s » porte sur %(other)s, pas sur %(territory)s : une vague fait suite à un "
                  "questionnaire du même territoire.", title=title, other=previous.territory.name,
                  territory=survey.territory.name))
    if previous.status not in FOLLOWABLE:
        _refuse(_("« %(title)s » n'est pas encore clos : une vague ne fait suite qu'à un questionnaire clos "
                  "ou publié.", title=title))
    end = collection_end(previous)
    if not end < survey.opens_at:
        _refuse(_("« %(title)s » a recueilli des réponses jusqu'au %(end)s : il n'est pas antérieur à ce "
                  "questionnaire, qui ouvre le %(opens)s.", title=title, end=format_day(end, "long"),
                  opens=format_day(survey.opens_at, "long")))
    keys = {s.key for s in survey.statements}
    if not keys & {s.key for s in previous.statements}:
        _refuse(_("« %(title)s » n'a aucune affirmation en commun avec ce questionnaire : les vagues se "
                  "comparent affirmation par affirmation, par leur clé (ici %(keys)s).", title=title,
                  keys=", ".join(sorted(keys))))
    follower = next_wave(previous)
    if follower is not None and follower.id != survey.id:
        _refuse(_("« %(title)s » a déjà une vague suivante : « %(other)s » (n° %(id)s).", title=title,
                  other=follower.title, id=follower.id))
    survey.previous_wave = previous


# --- series of published waves, for the territory page --------------------------------

@dataclass(frozen=True)
class Wave:
    survey: PerceptionSurvey
    publication: Publication
    data: dict


def territory_wave_series(territory) -> list[list[Wave]]:
    """Each chain of two or more published waves on `territory`, oldest wave first, each
    with its latest publication (payloads read once, in one query)."""
    surveys = db.session.execute(
        select(PerceptionSurvey).options(selectinload(PerceptionSurvey.publications))
        .where(PerceptionSurvey.territory_id == territory.id, PerceptionSurvey.status == SurveyStatus.PUBLISHED)
        .order_by(PerceptionSurvey.opens_at, PerceptionSurvey.id)
    ).scalars().all()
    published = {s.id: s for s in surveys if s.publications}
    following = {s.previous_wave_id: s for s in published.values() if s.previous_wave_id in published}
    series = []
    for survey in published.values():
        if survey.previous_wave_id in published:
            continue  # not the first of its chain
        chain, seen = [survey], {survey.id}
        while chain[-1].id in following and following[chain[-1].id].id not in seen:
            chain.append(following[chain[-1].id])
            seen.add(chain[-1].id)
        if len(chain) > 1:
            series.append([Wave(s, s.latest_publication, json.loads(s.latest_publication.payload)) for s in chain])
    return series


def wave_label(survey: PerceptionSurvey) -> str:
    return _("%(title)s — %(start)s au %(end)s (n° %(id)s)", title=survey.title,
             start=format_day(survey.opens_at, "long"), end=format_day(collection_end(survey), "long"), id=survey.id)


def wave_choices(survey: PerceptionSurvey, chosen) -> list[tuple[str, str]]:
    """The select's options: none, then the candidates; a survey sent that is not one of them
    (another territory, a later one…) is added, so the page keeps it beside its error."""
    candidates = wave_candidates(survey)
    options = [("", _("Aucune : ce questionnaire n'est la suite d'aucun autre"))]
    options += [(str(c.id), wave_label(c)) for c in candidates]
    if isinstance(chosen, int) and chosen not in {c.id for c in candidates}:
        other = db.session.get(PerceptionSurvey, chosen)
        if other is not None and other.status != SurveyStatus.DRAFT:
            options.append((str(other.id), wave_label(other)))
    return options
