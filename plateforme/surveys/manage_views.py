"""Running a survey: open, close, publish, invitation codes and letters, file imports,
the definition as JSON. Every action is a POST that goes back to the management page."""
from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..core.csvimport import CsvFileError, CsvLinesError
from ..core.models import local_today
from ..core.permissions import ensure
from ..core.sanitize import clean_line
from ..extensions import db
from . import bp
from .definitions import export_definition
from .forms import CsvImportForm, GenerateCodesForm, PublishForm
from .imports import import_answers, import_estimates
from .models import SamplingMode
from .presentation import survey_phase
from .publication import publish
from .queries import import_history, invitation_counts
from .services import (
    SurveyError, close_survey, count_officials, generate_codes, get_survey, open_survey, participation_counts,
)
from ..core.forms import attach_error


def _managed_survey(survey_id: int):
    survey = get_survey(survey_id) or abort(404)
    ensure("can_manage_survey", survey)
    return survey


def _render_manage(survey, *, codes_form=None, answers_form=None, estimates_form=None, publish_form=None,
                   line_errors=None, line_errors_kind=None):
    residents, officials = participation_counts(survey)
    issued, used = invitation_counts(survey) if survey.sampling_mode == SamplingMode.PANEL else (None, None)
    return render_template(
        "surveys/manage.html", survey=survey, residents_count=residents, officials_count=officials,
        officials_total=count_officials(survey), codes_issued=issued, codes_used=used,
        phase=survey_phase(survey, local_today()), imports=import_history(survey), confirm_form=ConfirmForm(),
        codes_form=codes_form or GenerateCodesForm(prefix="codes", formdata=None),
        answers_form=answers_form or CsvImportForm(prefix="answers", formdata=None),
        estimates_form=estimates_form or CsvImportForm(prefix="estimates", formdata=None),
        publish_form=publish_form or PublishForm(prefix="publish", formdata=None),
        line_errors=line_errors or [], line_errors_kind=line_errors_kind,
    )


@bp.route("/<int:survey_id>/gerer")
def manage(survey_id):
    return _render_manage(_managed_survey(survey_id))


def _lifecycle(survey_id: int, operation, done_message: str):
    survey = _managed_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        operation(survey)
    except SurveyError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for("surveys.manage", survey_id=survey_id))


@bp.route("/<int:survey_id>/gerer/ouvrir", methods=["POST"])
def open_(survey_id):
    return _lifecycle(survey_id, open_survey, _("Questionnaire ouvert : ses affirmations ne changeront plus."))


@bp.route("/<int:survey_id>/gerer/clore", methods=["POST"])
def close(survey_id):
    return _lifecycle(survey_id, close_survey, _("Questionnaire clos : il n'accepte plus de réponses d'habitants. "
                                                 "Les élus peuvent encore répondre jusqu'à la publication."))


@bp.route("/<int:survey_id>/gerer/publier", methods=["POST"])
def publish_results(survey_id):
    survey = _managed_survey(survey_id)
    ensure("can_publish_survey", survey)
    form = PublishForm(prefix="publish")
    if form.validate_on_submit():
        try:
            publication = publish(survey, current_user, form.change_note.data or "")
        except SurveyError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Résultats publiés (version %(version)s).", version=publication.version), "success")
            return redirect(url_for("surveys.results", survey_id=survey.id))
    return _render_manage(survey, publish_form=form)


@bp.route("/<int:survey_id>/gerer/codes", methods=["POST"])
def generate_invitation_codes(survey_id):
    """The codes are shown once, on printable letters: only their hashes are kept."""
    survey = _managed_survey(survey_id)
    form = GenerateCodesForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = generate_codes(survey, form.count.data)
        except SurveyError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            return render_template("surveys/letters.html", survey=survey, codes=codes,
                                   code_url=url_for("surveys.answer_with_code", survey_id=survey.id, _external=True))
    return _render_manage(survey, codes_form=form)


def _csv_import(survey_id: int, kind: str, importer, done_message):
    survey = _managed_survey(survey_id)
    ensure("can_import_paper_answers", survey)
    form = CsvImportForm(prefix=kind)
    line_errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            # The name comes from the browser: control characters (NUL, which PostgreSQL
            # refuses) become spaces before it is logged.
            rows = importer(survey, upload.read(), user=current_user, filename=clean_line(upload.filename))
        except CsvFileError as error:
            form.file.errors = list(form.file.errors) + [str(error)]
        except CsvLinesError as error:
            line_errors = error.errors
            form.file.errors = list(form.file.errors) + [
                ngettext("%(num)s ligne en erreur : rien n'a été importé.",
                         "%(num)s lignes en erreur : rien n'a été importé.", len(error.errors))]
        except SurveyError as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(done_message(rows), "success")
            return redirect(url_for("surveys.manage", survey_id=survey.id))
        db.session.rollback()
    return _render_manage(survey, line_errors=line_errors, line_errors_kind=kind, **{f"{kind}_form": form})


@bp.route("/<int:survey_id>/gerer/import-reponses", methods=["POST"])
def import_paper_answers(survey_id):
    return _csv_import(survey_id, "answers", import_answers,
                       lambda n: ngettext("%(num)s réponse papier importée.", "%(num)s réponses papier importées.", n))


@bp.route("/<int:survey_id>/gerer/import-estimations", methods=["POST"])
def import_official_estimates(survey_id):
    return _csv_import(survey_id, "estimates", import_estimates,
                       lambda n: ngettext("%(num)s estimation d'élu ou d'élue importée.",
                                          "%(num)s estimations d'élus importées.", n))


@bp.route("/<int:survey_id>/definition.json")
def definition(survey_id):
    survey = _managed_survey(survey_id)
    payload = json.dumps(export_definition(survey), ensure_ascii=False, indent=2, allow_nan=False)
    return Response(payload, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="questionnaire-{survey.id}-definition.json"',
    })
