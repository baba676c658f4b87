"""Running a survey: open, close, publish, invitation codes and letters, file imports,
the definition as JSON. Every action is a POST that goes back to the management page."""
from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..core.csvimport import CsvFileError, CsvLinesError
from ..core.models import local_today
from ..core.permissions import ensure, ensure_visible
from ..core.sanitize import clean_line
from ..core.urls import external_url_for
from ..extensions import db
from . import bp
from .definitions import export_definition
from .forms import CsvImportForm, EstimatesImportForm, GenerateCodesForm, PreviousWaveForm, PublishForm
from .imports import import_answers, import_estimates
from .models import SamplingMode, SurveyStatus
from .presentation import survey_phase
from .status import survey_status
from .publication import preview, publication_refusal, repeats_latest, unchanged_message
from .publishing import request_publication
from .queries import import_history, invitation_counts
from .services import (
    SurveyError, close_survey, count_officials, generate_codes, get_survey, open_survey, participation_counts,
)
from ..core.forms import attach_error, confirmed
from .waves import next_wave, set_previous_wave, wave_choices


def _managed_survey(survey_id: int):
    """The survey, for the people who run it. A draft is unknown to others (404, as on its
    page); a survey already public is refused (403)."""
    survey = get_survey(survey_id) or abort(404)
    ensure_visible("can_see_survey", survey)
    ensure("can_manage_survey", survey)
    return survey


def _wave_form(survey, formdata=None) -> PreviousWaveForm:
    form = PreviousWaveForm(prefix="wave", formdata=formdata,
                            data={"previous_wave": survey.previous_wave_id})
    form.previous_wave.choices = wave_choices(survey, form.previous_wave.data)
    return form


def _render_manage(survey, *, codes_form=None, answers_form=None, estimates_form=None,
                   line_errors=None, line_errors_kind=None, wave_form=None):
    residents, officials = participation_counts(survey)
    issued, used = invitation_counts(survey) if survey.sampling_mode == SamplingMode.PANEL else (None, None)
    return render_template(
        "surveys/manage.html", survey=survey, residents_count=residents, officials_count=officials,
        officials_total=count_officials(survey), codes_issued=issued, codes_used=used,
        phase=survey_phase(survey, local_today()), imports=import_history(survey), confirm_form=ConfirmForm(),
        codes_form=codes_form or GenerateCodesForm(prefix="codes", formdata=None),
        answers_form=answers_form or CsvImportForm(prefix="answers", formdata=None),
        estimates_form=estimates_form or EstimatesImportForm(prefix="estimates", formdata=None),
        line_errors=line_errors or [], line_errors_kind=line_errors_kind,
        wave_form=wave_form or (_wave_form(survey) if survey.status == SurveyStatus.DRAFT else None),
        next_wave=next_wave(survey),
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


# Closing and publishing cannot be undone: each has a confirmation page (GET) that says what
# will happen; the POST acts only when it comes from that page (confirm=yes), and otherwise
# goes back to it having done nothing.

@bp.route("/<int:survey_id>/gerer/clore", endpoint="confirm_close")
def confirm_close(survey_id):
    survey = _managed_survey(survey_id)
    today = local_today()
    residents, officials = participation_counts(survey)
    return render_template("surveys/confirm_close.html", survey=survey, state=survey_status(survey, today),
                           days_early=max((survey.closes_at - today).days, 0), residents_count=residents,
                           officials_count=officials, confirm_form=ConfirmForm())


@bp.route("/<int:survey_id>/gerer/clore", methods=["POST"])
def close(survey_id):
    if not confirmed(request.form):
        _managed_survey(survey_id)
        return redirect(url_for("surveys.confirm_close", survey_id=survey_id))
    return _lifecycle(survey_id, close_survey, _("Questionnaire clos : il n'accepte plus de réponses d'habitants. "
                                                 "Les élus peuvent encore répondre jusqu'à la publication."))


def _render_confirm_publish(survey, form, status=200):
    refusal = _("Une publication est déjà en cours pour ce questionnaire.") if survey.publishing else None
    try:
        if refusal is None:
            publication_refusal(survey, "-")  # everything but the change note, which the form asks for
    except SurveyError as error:
        refusal = error.message
    figures = None if refusal else preview(survey)
    if figures is not None and repeats_latest(survey, figures.results):
        refusal, figures = unchanged_message(survey), None
    return render_template("surveys/confirm_publish.html", survey=survey, form=form, refusal=refusal,
                           preview=figures), status


@bp.route("/<int:survey_id>/gerer/publier", endpoint="confirm_publish")
def confirm_publish(survey_id):
    survey = _managed_survey(survey_id)
    ensure("can_publish_survey", survey)
    return _render_confirm_publish(survey, PublishForm(prefix="publish", formdata=None))


def _after_publication_request(survey_id: int) -> str:
    """Where the person goes once publication is asked: the results if the queue has already
    made them (a small survey, an idle consumer), else the management page that says it is
    under way."""
    db.session.expire_all()
    survey = get_survey(survey_id)
    if survey.publishing:
        flash(_("Publication demandée : les résultats seront publiés dès que leur calcul sera terminé."), "success")
        return url_for("surveys.manage", survey_id=survey_id)
    if survey.publish_failure:
        flash(_("La publication n'a pas abouti : %(reason)s", reason=survey.publish_failure), "error")
        return url_for("surveys.manage", survey_id=survey_id)
    flash(_("Résultats publiés (version %(version)s).", version=survey.latest_publication.version), "success")
    return url_for("surveys.results", survey_id=survey_id)


@bp.route("/<int:survey_id>/gerer/publier", methods=["POST"])
def publish_results(survey_id):
    survey = _managed_survey(survey_id)
    ensure("can_publish_survey", survey)
    if not confirmed(request.form):
        return redirect(url_for("surveys.confirm_publish", survey_id=survey.id))
    form = PublishForm(prefix="publish")
    if form.validate_on_submit():
        try:
            request_publication(survey, current_user, form.change_note.data or "")
        except SurveyError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()  # the task is enqueued now (at once in immediate mode)
            return redirect(_after_publication_request(survey_id))
    return _render_confirm_publish(survey, form)


@bp.route("/<int:survey_id>/gerer/vague-precedente", methods=["POST"])
def previous_wave(survey_id):
    """Declare the earlier survey this draft repeats; a refusal is shown on the field, with
    the choice kept."""
    survey = _managed_survey(survey_id)
    form = _wave_form(survey, formdata=request.form)
    if form.validate_on_submit():
        try:
            set_previous_wave(survey, form.previous_wave.data)
        except SurveyError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Vague précédente enregistrée.") if survey.previous_wave is not None
                  else _("Ce questionnaire n'est plus déclaré comme la suite d'un autre."), "success")
            return redirect(url_for("surveys.manage", survey_id=survey.id))
    return _render_manage(survey, wave_form=form)


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
                                   code_url=external_url_for("surveys.answer_with_code", survey_id=survey.id))
    return _render_manage(survey, codes_form=form)


def _csv_import(survey_id: int, kind: str, importer, done_message, form_class=CsvImportForm):
    survey = _managed_survey(survey_id)
    ensure("can_import_paper_answers", survey)
    form = form_class(prefix=kind)
    line_errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            options = {"raise_total": form.raise_total.data} if "raise_total" in form else {}
            # The name comes from the browser: control characters (NUL, which PostgreSQL
            # refuses) become spaces before it is logged.
            rows = importer(survey, upload.read(), user=current_user, filename=clean_line(upload.filename),
                            **options)
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
                                          "%(num)s estimations d'élus importées.", n),
                       EstimatesImportForm)


@bp.route("/<int:survey_id>/definition.json")
def definition(survey_id):
    survey = _managed_survey(survey_id)
    payload = json.dumps(export_definition(survey), ensure_ascii=False, indent=2, allow_nan=False)
    return Response(payload, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="questionnaire-{survey.id}-definition.json"',
    })
