"""Paper answers and officials' estimates imported from CSV: all lines or nothing, logged.

They go straight to the mixed tables, not through the pending pool: no participation is
written for them, so nothing links them to anyone, and their channel (paper) tells them
apart from online answers anyway, so they could not hide one in a batch (mixing.py)."""
from __future__ import annotations

import hashlib
import logging

from flask_babel import gettext as _, ngettext
from sqlalchemy import select

from ..core.csvimport import CsvFileError, CsvLinesError, LineError, read_csv
from ..extensions import db
from ..territories.models import AGE_BANDS, RESPONDENT_SEXES, Territory, TerritoryKind, territory_contains
from .models import Channel, ImportLog, OfficialResponse, PerceptionSurvey, ResidentResponse, SurveyStatus
from .services import SurveyError, count_officials, encode_answers, encode_estimates, participation_counts

log = logging.getLogger("plateforme.surveys")

ANSWER_CELLS = {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "dk": "d", "": "."}


def _check_importable(survey: PerceptionSurvey) -> None:
    # Not while a publication is being computed: it would freeze the answers or not by chance.
    if survey.status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED) or survey.publishing:
        raise SurveyError(_("On ne peut importer des réponses que dans un questionnaire ouvert ou clos, "
                            "avant publication."))


def importer_role(user) -> str:
    """What the import log keeps about who imported: a role code, never an address or a name
    (the log is shown to the survey's managers; templates/surveys/manage.html labels it)."""
    return "admin" if getattr(user, "is_admin", False) else "manager"


def _check_rows(errors, responses) -> None:
    if errors:
        raise CsvLinesError(sorted(errors, key=lambda e: e.line))
    if not responses:
        raise CsvLinesError([LineError(1, _("aucune ligne de données"))])


def _save(survey, kind, responses, errors, raw, user, label, filename, totals=(None, None)) -> int:
    """Write every row and one log entry, or nothing when any line was faulty."""
    _check_rows(errors, responses)
    db.session.add_all(responses)
    db.session.add(ImportLog(survey_id=survey.id, kind=kind, filename=(filename or "")[:200], rows=len(responses),
                             sha256=hashlib.sha256(raw).hexdigest(), imported_by_id=getattr(user, "id", None),
                             imported_by_label=(label or importer_role(user))[:120],
                             officials_total_before=totals[0], officials_total_after=totals[1]))
    db.session.flush()
    log.info("%s rows (%s) imported into survey %s", len(responses), kind, survey.id)
    return len(responses)


def import_answers(survey: PerceptionSurvey, raw: bytes, *, user=None, label: str = "", filename: str = "") -> int:
    """Import paper answers: columns sex,age_band,commune then one column per statement key
    (1 … 5, dk or empty), and optionally estimate_KEY columns: the resident's own estimate of
    how many residents out of 100 agree (0 … 100 or empty). Every faulty line is reported;
    nothing is imported if one is wrong."""
    _check_importable(survey)
    keys = [s.key for s in survey.statements]
    estimate_columns = {f"estimate_{k.lower()}": k for k in keys}
    table = read_csv(raw, ["sex", "age_band", "commune", *[k.lower() for k in keys]], max_bytes=20 * 1024 * 1024,
                     allow_extra_columns=True)
    extra = [c for c in table.header if c not in ("sex", "age_band", "commune", *[k.lower() for k in keys],
                                                  *estimate_columns)]
    if extra:
        raise CsvFileError(_("Colonnes inconnues : %(extra)s.", extra=", ".join(extra)))
    communes = {c.code: c for c in db.session.execute(
        select(Territory).where(Territory.kind == TerritoryKind.COMMUNE)).scalars()
        if territory_contains(survey.territory, c)}
    errors: list[LineError] = list(table.errors)
    responses = []
    for line, row in table.rows:
        problems = []
        sex = row["sex"].upper()
        if sex not in RESPONDENT_SEXES:  # X: prefers not to say (weighting.py)
            problems.append(_("sexe « %(value)s » invalide (F, M ou X pour « préfère ne pas répondre »)",
                              value=row["sex"]))
        if row["age_band"] not in AGE_BANDS:
            problems.append(_("tranche d'âge « %(value)s » invalide", value=row["age_band"]))
        commune = communes.get(row["commune"])
        if commune is None:
            problems.append(_("commune « %(code)s » hors du territoire ou inconnue", code=row["commune"]))
        answers = {}
        for key in keys:
            cell = row[key.lower()].strip().lower()
            if cell not in ANSWER_CELLS:
                problems.append(_("réponse « %(value)s » invalide pour %(key)s (1 à 5, dk ou vide)",
                                  value=row[key.lower()], key=key))
            else:
                answers[key] = ANSWER_CELLS[cell]
        estimates = {}
        for column, key in estimate_columns.items():
            cell = row.get(column, "").strip()
            if cell.isascii() and cell.isdigit() and int(cell) <= 100:
                estimates[key] = int(cell)
            elif cell:
                problems.append(_("estimation « %(value)s » invalide pour %(key)s (nombre entier de 0 à 100 ou vide)",
                                  value=row[column], key=key))
        if problems:
            errors.append(LineError(line, " ; ".join(problems)))
            continue
        responses.append(ResidentResponse(survey_id=survey.id, sex=sex, age_band=row["age_band"],
                                          commune_id=commune.id, answers=encode_answers(survey, answers),
                                          estimates=encode_estimates(survey, estimates), channel=Channel.PAPER))
    return _save(survey, "answers", responses, errors, raw, user, label, filename)


def _officials_totals(survey: PerceptionSurvey, new_rows: int, raise_total: bool) -> tuple[int | None, int | None]:
    """More officials having answered than the survey counts would publish "24 sur 1": refuse,
    unless the importer says the territory has more officials than the verified mandates, in
    which case the total is raised to match, and the import log keeps both numbers."""
    total = count_officials(survey)
    answered = participation_counts(survey)[1] + new_rows
    if answered <= total:
        return None, None
    if not raise_total:
        raise SurveyError(ngettext(
            "Ce fichier porterait à %(answered)s le nombre de personnes élues qui ont répondu, alors que le "
            "questionnaire n'en compte que %(num)s sur le territoire. Vérifiez le fichier ; si le territoire compte "
            "réellement plus de personnes élues, cochez « Relever le nombre de personnes élues ».",
            "Ce fichier porterait à %(answered)s le nombre de personnes élues qui ont répondu, alors que le "
            "questionnaire n'en compte que %(num)s sur le territoire. Vérifiez le fichier ; si le territoire compte "
            "réellement plus de personnes élues, cochez « Relever le nombre de personnes élues ».",
            total, answered=answered), "raise_total")
    survey.officials_total = answered
    log.warning("survey %s: officials_total raised from %s to %s by an import of estimates",
                survey.id, total, answered)
    return total, answered


def import_estimates(survey: PerceptionSurvey, raw: bytes, *, user=None, label: str = "", filename: str = "",
                     raise_total: bool = False) -> int:
    """Import officials' estimates: one row per official, one column per statement key (0–100).
    Refused when it would make more officials answer than the survey counts, unless
    `raise_total` raises that count (logged)."""
    _check_importable(survey)
    keys = [s.key for s in survey.statements]
    table = read_csv(raw, [k.lower() for k in keys], allow_extra_columns=True)  # e.g. a name column, ignored
    errors: list[LineError] = list(table.errors)
    responses = []
    for line, row in table.rows:
        values, problems = [], []
        for key in keys:
            cell = row[key.lower()].strip()
            if not (cell.isascii() and cell.isdigit()) or not 0 <= int(cell) <= 100:
                problems.append(_("estimation « %(value)s » invalide pour %(key)s (entier de 0 à 100)",
                                  value=cell, key=key))
            else:
                values.append(str(int(cell)))
        if problems:
            errors.append(LineError(line, " ; ".join(problems)))
            continue
        responses.append(OfficialResponse(survey_id=survey.id, estimates=",".join(values), opinions="",
                                          channel=Channel.PAPER))
    _check_rows(errors, responses)
    totals = _officials_totals(survey, len(responses), raise_total)
    return _save(survey, "estimates", responses, errors, raw, user, label, filename, totals)
