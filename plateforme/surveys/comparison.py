"""Territories side by side (issue 24, part 3): published surveys that share statement keys,
compared statement by statement from each one's latest published snapshot.

Nothing is recomputed from answers: each figure is the snapshot's, and each difference is
built from the two snapshots' published intervals (stats/difference.py). A figure a
snapshot withholds stays withheld, and no difference is given when either side is
withheld, so no hidden cell can be worked out by subtraction. The samples must be
independent: surveys of the same or overlapping territories are refused (two waves of one
territory are compared on their own page).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..core.urls import MAX_DATABASE_ID
from ..extensions import db
from ..stats.difference import Difference, gap_difference, se_from_t_interval, share_difference
from ..territories.models import territory_contains
from .models import PerceptionSurvey, Publication, Statement, SurveyStatus
from .permissions import can_see_results

MAX_SURVEYS = 6  # a table a phone can still read, statement by statement
# How demo surveys (demo.py) say their answers are invented: the page repeats it above the figures.
ILLUSTRATIVE_MARK = "**Données illustratives.**"
_IDS = re.compile(r"\s*[0-9]{1,18}\s*(?:,\s*[0-9]{1,18}\s*)*")


class ComparisonError(ValueError):
    """Why these surveys cannot be compared, in the reader's language."""


def parse_survey_ids(values: list[str]) -> list[int]:
    """The ids given as "1,2,3" (the address) or as repeated values (the form's boxes), in
    order; refused when malformed or repeated. An empty list when nothing is given."""
    ids: list[int] = []
    for value in values:
        if not value.strip():
            continue
        if not _IDS.fullmatch(value):
            raise ComparisonError(_("des identifiants de questionnaires séparés par des virgules sont attendus "
                                    "(par exemple 1,2)"))
        ids.extend(int(part) for part in value.split(","))
    if any(not 1 <= number <= MAX_DATABASE_ID for number in ids):
        raise ComparisonError(_("identifiant de questionnaire hors des bornes"))
    if len(set(ids)) != len(ids):
        raise ComparisonError(_("un questionnaire est donné deux fois"))
    if len(ids) > MAX_SURVEYS:
        raise ComparisonError(ngettext("%(num)d questionnaire au plus", "%(num)d questionnaires au plus",
                                       MAX_SURVEYS))
    return ids


def _published(ids: list[int]) -> list[PerceptionSurvey]:
    found = {survey.id: survey for survey in db.session.execute(
        select(PerceptionSurvey).where(PerceptionSurvey.id.in_(ids))
        .options(joinedload(PerceptionSurvey.territory), selectinload(PerceptionSurvey.publications),
                 selectinload(PerceptionSurvey.statements))).scalars()}
    # Unknown and unpublished read the same: a draft's existence is nobody's business.
    missing = [str(i) for i in ids if i not in found or not can_see_results(None, found[i])]
    if missing:
        raise ComparisonError(ngettext("questionnaire introuvable ou pas encore publié : %(ids)s",
                                       "questionnaires introuvables ou pas encore publiés : %(ids)s",
                                       len(missing), ids=", ".join(missing)))
    return [found[i] for i in ids]


def _overlap(surveys: list[PerceptionSurvey]) -> None:
    for index, first in enumerate(surveys):
        for second in surveys[index + 1:]:
            if territory_contains(first.territory, second.territory) or \
                    territory_contains(second.territory, first.territory):
                # Named by their titles, what readers of the page know them by (the number for the address).
                raise ComparisonError(_("« %(a)s » (n° %(a_id)s) et « %(b)s » (n° %(b_id)s) portent sur le même "
                                        "territoire ou sur des territoires qui se recouvrent : leurs échantillons ne "
                                        "sont pas indépendants",
                                        a=first.title, a_id=first.id, b=second.title, b_id=second.id))


def _round(value: float) -> float:
    return round(value, 4)


def _difference(result: Difference | None) -> dict | None:
    if result is None:
        return None
    return {"estimate": _round(result.estimate), "ci_low": _round(result.ci_low), "ci_high": _round(result.ci_high),
            "excludes_zero": result.excludes_zero()}


def residents_figures(block: dict) -> dict:
    """A snapshot's residents' block, reduced to what a comparison shows (all None if withheld)."""
    hidden = bool(block["suppressed"]) or block["agree"] is None
    return {"suppressed": hidden, **{key: None if hidden else block.get(key)
                                     for key in ("agree", "ci_low", "ci_high", "n", "n_eff")}}


def _officials(block: dict) -> dict:
    hidden = bool(block["suppressed"])
    return {"suppressed": hidden, "n": None if hidden else block["n"],
            "mean_estimate": None if hidden else block["mean_estimate"],
            "mean_only": bool(block.get("mean_only")) and not hidden}


def gap_figures(block: dict) -> dict:
    """A snapshot's gap block, reduced likewise (df is absent from the oldest snapshots)."""
    hidden = block["value"] is None
    return {"suppressed": hidden, **{key: None if hidden else block.get(key)
                                     for key in ("value", "ci_low", "ci_high", "df")}}


def residents_difference(reference: dict, other: dict) -> Difference | None:
    """other − reference for two `residents_figures` blocks; None when either is withheld."""
    if reference["suppressed"] or other["suppressed"]:
        return None
    return share_difference(reference["agree"], reference["ci_low"], reference["ci_high"],
                            other["agree"], other["ci_low"], other["ci_high"])


def gap_block_difference(reference: dict, other: dict) -> Difference | None:
    """other − reference for two `gap_figures` blocks, each SE recovered from its published t interval
    (df absent: a snapshot from before the t quantile, read as normal); None when either is
    withheld."""
    if reference["suppressed"] or other["suppressed"]:
        return None
    sides = []
    for block in (reference, other):
        df = block["df"] if block["df"] is not None else float("inf")
        sides += [block["value"], se_from_t_interval(block["ci_low"], block["ci_high"], block["df"]), df]
    return gap_difference(*sides)


@dataclass
class Comparison:
    surveys: list[PerceptionSurvey]
    documents: list[dict]  # each survey's latest snapshot, as published
    statements: list[dict]

    @property
    def reference(self) -> PerceptionSurvey:
        return self.surveys[0]


def compare(ids: list[int]) -> Comparison:
    """The comparison of the published surveys `ids` (the first is the reference every other
    is compared with), over the statement keys all of them share, in the first's order."""
    if len(ids) < 2:
        raise ComparisonError(_("choisissez au moins deux questionnaires publiés"))
    surveys = _published(ids)
    _overlap(surveys)
    documents = [json.loads(survey.latest_publication.payload) for survey in surveys]
    by_key = [{s["key"]: s for s in document["statements"]} for document in documents]
    keys = [s["key"] for s in documents[0]["statements"] if all(s["key"] in other for other in by_key[1:])]
    if not keys:
        raise ComparisonError(_("ces questionnaires n'ont aucune affirmation en commun (même clé)"))
    statements = []
    for key in keys:
        rows = []
        for survey, statements_of in zip(surveys, by_key):
            published = statements_of[key]
            rows.append({"survey_id": survey.id, "text": published["text"],
                         "residents": residents_figures(published["residents"]),
                         "officials": _officials(published["officials"]), "gap": gap_figures(published["gap"])})
        reference = rows[0]
        for row in rows[1:]:
            row["difference"] = {
                "residents": _difference(residents_difference(reference["residents"], row["residents"])),
                "gap": _difference(gap_block_difference(reference["gap"], row["gap"]))}
        reference["difference"] = None
        statements.append({"key": key, "text": reference["text"],
                           "same_text": len({row["text"] for row in rows}) == 1, "territories": rows})
    return Comparison(surveys, documents, statements)


def survey_entry(survey: PerceptionSurvey, document: dict) -> dict:
    """Which snapshot a comparison read: the survey, its territory and the version's hash."""
    info, publication = document["survey"], survey.latest_publication
    return {"id": survey.id, "title": info["title"], "territory_code": info["territory_code"],
            "territory_name": info["territory_name"], "sampling_mode": info["sampling_mode"],
            "conducted_by": info.get("conducted_by") or None, "version": publication.version,
            "sha256": publication.sha256, "published_at": publication.created_at.isoformat(timespec="seconds")}


def _partners() -> tuple[dict[int, PerceptionSurvey], dict[int, list[PerceptionSurvey]]]:
    """Published surveys by id, and for each the others it can be compared with: published,
    sharing at least one statement key, on a territory that does not overlap its own."""
    surveys = {survey.id: survey for survey in db.session.execute(
        select(PerceptionSurvey).where(PerceptionSurvey.status == SurveyStatus.PUBLISHED)
        .options(joinedload(PerceptionSurvey.territory),
                 selectinload(PerceptionSurvey.publications).defer(Publication.payload))
        .order_by(PerceptionSurvey.id)).scalars() if survey.publications}
    keys: dict[int, set[str]] = {}
    for survey_id, key in db.session.execute(select(Statement.survey_id, Statement.key)
                                             .where(Statement.survey_id.in_(list(surveys)))):
        keys.setdefault(survey_id, set()).add(key)
    partners = {survey_id: [b for b in surveys.values() if b.id != survey_id
                            and keys.get(survey_id, set()) & keys.get(b.id, set())
                            and not territory_contains(a.territory, b.territory)
                            and not territory_contains(b.territory, a.territory)]
                for survey_id, a in surveys.items()}
    return surveys, partners


def comparable_surveys() -> list[PerceptionSurvey]:
    """The comparison form's choices: published surveys with at least one partner."""
    surveys, partners = _partners()
    return [survey for survey_id, survey in surveys.items() if partners[survey_id]]


def a_comparable_pair() -> list[int] | None:
    """Two published surveys that can be compared (the first such pair by id), or None: the API
    page's example of ?surveys=, so that it answers rather than refuses."""
    surveys, partners = _partners()
    return next(([survey_id, others[0].id] for survey_id, others in partners.items() if others), None)


def comparable_with(survey: PerceptionSurvey) -> list[PerceptionSurvey]:
    """The other published surveys `survey`'s results page offers to compare it with."""
    return _partners()[1].get(survey.id, [])
