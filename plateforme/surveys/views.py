"""Survey pages: the list, creating a survey, the survey page, answering (residents,
invitation codes, elected officials). Management and results have their own modules."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import counts_among_officials_of, is_resident
from ..core.forms import attach_error
from ..core.models import local_today
from ..core.permissions import can, deny, ensure, requires
from ..core.rate_limits import rate_limited
from ..extensions import db, limiter
from . import bp
from .comparison import comparable_surveys
from .definitions import MAX_DEFINITION_BYTES, DefinitionError, create_from_definition, load_definition
from .feedback import keep_receipt, stored_receipt
from .forms import (
    CreateSurveyForm, ImportDefinitionForm, InvitationCodeForm, SubmittedAnswers,
    official_answer_form, resident_answer_form,
)
from .models import Channel, SamplingMode, SurveyStatus
from .presentation import register_template_helpers, survey_phase
from .status import survey_status
from .queries import published_surveys, survey_territories_for, surveys_awaiting_publication, surveys_open_now
from .services import (
    AlreadyAnswered, ResidentAnswers, SurveyError, commune_choices, find_invitation, format_code, get_survey,
    has_answered, lives_in, normalise_code, official_has_answered, participation_counts, submit_official_answers,
    submit_resident_answers,
)

bp.record_once(register_template_helpers)


def visible_survey(survey_id: int):
    """The survey, or 404; a draft exists only for the people who manage it."""
    survey = get_survey(survey_id) or abort(404)
    if not can("can_see_survey", survey):
        abort(404)
    return survey


# --- list and creation ---------------------------------------------------------------

@bp.route("/")
def index():
    return render_template("surveys/index.html", open_surveys=surveys_open_now(),
                           awaiting=surveys_awaiting_publication(), published=published_surveys(),
                           comparable=bool(comparable_surveys()), today=local_today())


def _creation_forms():
    territories = survey_territories_for(current_user)
    territory_choices = [("", _("Choisissez un territoire"))] + [(t.id, t.label) for t in territories]
    form = CreateSurveyForm()
    form.territory.choices = territory_choices
    import_form = ImportDefinitionForm(prefix="import")
    import_form.territory.choices = territory_choices
    return form, import_form, {t.id: t for t in territories}


def _render_create(form, import_form, territories, status=200):
    return render_template("surveys/create.html", form=form, import_form=import_form,
                           has_territories=bool(territories)), status


@bp.route("/nouveau", methods=["GET", "POST"])
@requires("can_create_survey")
def create():
    form, import_form, territories = _creation_forms()
    if form.validate_on_submit():
        try:
            survey = create_from_definition(form.definition(territories[form.territory.data].code),
                                            created_by=current_user)
        except DefinitionError as error:
            db.session.rollback()
            form.form_errors.extend(error.problems)
        else:
            db.session.commit()
            flash(_("Questionnaire créé en brouillon. Relisez-le, puis ouvrez-le quand il est prêt."), "success")
            return redirect(url_for("surveys.manage", survey_id=survey.id))
    return _render_create(form, import_form, territories)


@bp.route("/importer", methods=["POST"])
@requires("can_create_survey")
def import_definition():
    """A network of authorities runs the same questionnaire: same definition, another territory."""
    form, import_form, territories = _creation_forms()
    if import_form.validate_on_submit():
        try:
            data = load_definition(import_form.file.data.read(MAX_DEFINITION_BYTES + 1))
        except DefinitionError as error:
            import_form.file.errors = list(error.problems)
        else:
            if isinstance(data, dict):
                data = {**data, "territory": territories[import_form.territory.data].code}
            try:
                survey = create_from_definition(data, created_by=current_user)
            except DefinitionError as error:
                db.session.rollback()
                import_form.form_errors.extend(error.problems)
            else:
                db.session.commit()
                flash(_("Questionnaire importé en brouillon sur %(name)s. Vérifiez ses dates avant de l'ouvrir.",
                        name=survey.territory.name), "success")
                return redirect(url_for("surveys.manage", survey_id=survey.id))
    return _render_create(form, import_form, territories)


# --- the survey page ----------------------------------------------------------------

def resident_situation(survey) -> str:
    """What the current person can do as a resident now, as one word the templates explain."""
    phase = survey_phase(survey, local_today())
    if phase != "open":
        return phase
    if survey.sampling_mode == SamplingMode.PANEL:
        return "panel"
    if not current_user.is_authenticated:
        return "sign_in"
    if not is_resident(current_user):
        return "unconfirmed" if not current_user.is_confirmed else "no_commune"
    if not lives_in(current_user, survey.territory):
        return "elsewhere"
    return "answered" if has_answered(survey, current_user) else "answer"


def official_situation(survey) -> str | None:
    """'answer' or 'answered' for an elected official of the territory while their
    questionnaire is open; None for everyone else."""
    if not can("can_answer_as_official", survey):
        return None
    return "answered" if official_has_answered(survey, current_user) else "answer"


@bp.route("/<int:survey_id>")
def show(survey_id):
    survey = visible_survey(survey_id)
    residents, officials = participation_counts(survey)
    # Once answers stop, the counts follow the results' rule: a number under the threshold is not
    # published (the results page says « non publié (moins de 11 réponses) »; this one must not say 1).
    if survey_status(survey, local_today()).is_over:
        residents = residents if residents >= survey.min_residents else None
        officials = officials if officials >= survey.min_officials else None
    return render_template("surveys/show.html", survey=survey, residents_count=residents,
                           officials_count=officials, situation=resident_situation(survey),
                           official=official_situation(survey))


def _unavailable(survey, situation: str, status: int = 403):
    return render_template("surveys/unavailable.html", survey=survey, situation=situation), status


def _thanks(survey, *, official=False):
    """Post/redirect/get: the thank-you page is a GET, so reloading it submits nothing."""
    return redirect(url_for("surveys.thanks", survey_id=survey.id, **({"elu": 1} if official else {})))


@bp.route("/<int:survey_id>/merci")
def thanks(survey_id):
    survey = visible_survey(survey_id)
    official = request.args.get("elu") == "1"
    # The official's receipt, from their own browser (set with the answer): shown so they can
    # note it; the server keeps only its hash, on an answer it cannot tell from the others.
    receipt = (stored_receipt(request, survey.id, current_user.id)
               if official and current_user.is_authenticated else "")
    response = make_response(render_template("surveys/thanks.html", survey=survey, official=official,
                                             receipt=receipt))
    if receipt:
        response.headers["Cache-Control"] = "no-store"
    return response


def _already(survey, *, official=False, with_code=False):
    return render_template("surveys/answered.html", survey=survey, official=official, with_code=with_code)


def _resident_form_and_answers(survey, communes):
    """(form, answers) of a resident's POST: answers None when the form is not valid."""
    form = resident_answer_form(survey, communes)
    return form, (SubmittedAnswers.from_form(form) if form.validate_on_submit() else None)


def _resident_answers(answers: SubmittedAnswers, communes) -> ResidentAnswers:
    return ResidentAnswers(sex=answers.sex, age_band=answers.age_band,
                           commune=next((c for c in communes if c.id == answers.commune_id), None),
                           answers=answers.answers, estimates=answers.estimates)


def _refused(form, error: SurveyError):
    """The form, showing the service's refusal next to its field."""
    attach_error(form, error, prefix="answer_")
    return form


@bp.route("/<int:survey_id>/repondre", methods=["GET", "POST"])
def answer(survey_id):
    survey = visible_survey(survey_id)
    if not current_user.is_authenticated:
        return deny("can_answer_as_resident")
    situation = resident_situation(survey)
    if situation == "answered":
        return _already(survey)
    if situation != "answer":
        return _unavailable(survey, situation)
    ensure("can_answer_as_resident", survey)
    communes = commune_choices(survey)
    if request.method == "POST":
        form, answers = _resident_form_and_answers(survey, communes)
        if answers is not None:
            try:
                submit_resident_answers(survey, _resident_answers(answers, communes), user=current_user,
                                        channel=Channel.ONLINE)
            except AlreadyAnswered:
                return _already(survey)
            except SurveyError as error:
                form = _refused(form, error)
            else:
                return _thanks(survey)
    else:
        form = resident_answer_form(survey, communes)
        if any(c.id == current_user.commune_id for c in communes):
            form.commune.data = current_user.commune_id
    return render_template("surveys/answer.html", survey=survey, form=form)


@bp.route("/<int:survey_id>/code", methods=["GET", "POST"])
@rate_limited(limiter.limit("20 per hour", methods=["POST"]))
def answer_with_code(survey_id):
    """Panel mode: a one-time code from a letter, no account needed."""
    survey = visible_survey(survey_id)
    if survey.sampling_mode != SamplingMode.PANEL:
        abort(404)
    phase = survey_phase(survey, local_today())
    if phase != "open":
        return _unavailable(survey, phase)
    if request.method == "POST" and request.form.get("step") == "answers":
        return _answer_with_code(survey)
    code_form = InvitationCodeForm()
    if code_form.validate_on_submit():
        try:
            find_invitation(survey, code_form.code.data)
        except SurveyError as error:
            attach_error(code_form, error)
        else:
            form = resident_answer_form(survey, commune_choices(survey), formdata=None)
            form.code.data = format_code(normalise_code(code_form.code.data))
            return render_template("surveys/answer.html", survey=survey, form=form, with_code=True)
    return render_template("surveys/code.html", survey=survey, form=code_form)


def _answer_with_code(survey):
    """Second step: the answers, with the code carried in a hidden field and checked again."""
    communes = commune_choices(survey)
    form, answers = _resident_form_and_answers(survey, communes)
    code = answers.code if answers is not None else form.code.data
    try:
        invitation = find_invitation(survey, code or "")
    except SurveyError as error:
        code_form = InvitationCodeForm()
        code_form.code.data = code
        attach_error(code_form, error)
        return render_template("surveys/code.html", survey=survey, form=code_form)
    if answers is not None:
        try:
            submit_resident_answers(survey, _resident_answers(answers, communes), invitation=invitation,
                                    channel=Channel.PANEL)
        except AlreadyAnswered:
            return _already(survey, with_code=True)
        except SurveyError as error:
            form = _refused(form, error)
        else:
            return _thanks(survey)
    return render_template("surveys/answer.html", survey=survey, form=form, with_code=True)


@bp.route("/<int:survey_id>/elus", methods=["GET", "POST"])
def officials(survey_id):
    survey = visible_survey(survey_id)
    if not current_user.is_authenticated:
        return deny("can_answer_as_official")
    if not counts_among_officials_of(current_user, survey.territory):
        return _unavailable(survey, "not_official")
    if survey.status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED):
        return _unavailable(survey, "officials_" + survey.status.value)
    ensure("can_answer_as_official", survey)
    if official_has_answered(survey, current_user):
        return _already(survey, official=True)
    form = official_answer_form(survey)
    if form.validate_on_submit():
        try:
            receipt = submit_official_answers(survey, current_user, form.estimates(), form.opinions())
        except AlreadyAnswered:
            return _already(survey, official=True)
        except SurveyError as error:
            attach_error(form, error, prefix="opinion_")
        else:
            return keep_receipt(_thanks(survey, official=True), survey.id, current_user.id, receipt)
    return render_template("surveys/officials.html", survey=survey, form=form)
