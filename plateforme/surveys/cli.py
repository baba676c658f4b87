"""`flask surveys …`: the stable command-line interface other tools rely on (see README)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from ..core.csvimport import CsvFileError, CsvLinesError
from ..core.transactions import immediate_transactions
from ..extensions import db

surveys_cli = AppGroup("surveys", help="Questionnaires de perception.")


def _survey(survey_id: int):
    from .services import get_survey

    survey = get_survey(survey_id)
    if survey is None:
        raise click.ClickException(f"no survey with id {survey_id}")
    return survey


def _fail(message: str):
    db.session.rollback()
    raise click.ClickException(message)


@surveys_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Keep it as a draft instead of opening it.")
@click.option("--previous-wave", type=int, default=None,
              help="Id of the earlier survey (same territory, closed or published) this one is the next wave of.")
def import_command(path: Path, draft: bool, previous_wave: int | None) -> None:
    """Create a survey from a JSON definition; print its id alone on the last line."""
    from .definitions import MAX_DEFINITION_BYTES, DefinitionError, create_from_definition, load_definition
    from .services import SurveyError, open_survey
    from .waves import set_previous_wave

    try:
        with path.open("rb") as file:  # no more than the limit is read, whatever the file's size
            data = load_definition(file.read(MAX_DEFINITION_BYTES + 1))
    except DefinitionError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException("not a survey definition file; nothing created.")
    with immediate_transactions():
        try:
            survey = create_from_definition(data)
        except DefinitionError as error:
            for problem in error.problems:
                click.echo(problem, err=True)
            _fail(f"{len(error.problems)} problem(s) in the definition; nothing created.")
        if previous_wave is not None:
            try:
                set_previous_wave(survey, previous_wave)
            except SurveyError as error:
                _fail(f"{error.message} Nothing created.")
        if not draft:
            open_survey(survey)
        db.session.commit()
    click.echo(survey.id)


@surveys_cli.command("set-previous-wave")
@click.argument("survey_id", type=int)
@click.argument("previous_id", type=int, required=False)
def set_previous_wave_command(survey_id: int, previous_id: int | None) -> None:
    """Declare a draft the next wave of PREVIOUS_ID (without it: of none)."""
    from .services import SurveyError
    from .waves import set_previous_wave

    with immediate_transactions():
        try:
            set_previous_wave(_survey(survey_id), previous_id)
        except SurveyError as error:
            _fail(error.message)
        db.session.commit()
    click.echo(f"survey {survey_id}: previous wave {previous_id if previous_id is not None else 'none'}")


@surveys_cli.command("export")
@click.argument("survey_id", type=int)
def export_command(survey_id: int) -> None:
    """Print a survey's definition as JSON."""
    from .definitions import export_definition

    click.echo(json.dumps(export_definition(_survey(survey_id)), ensure_ascii=False, indent=2, allow_nan=False))


def _import_csv(survey_id: int, path: Path, importer, **options) -> None:
    from .services import SurveyError

    with immediate_transactions():
        survey = _survey(survey_id)
        try:
            count = importer(survey, path.read_bytes(), label="cli", filename=path.name, **options)
        except CsvFileError as error:
            _fail(str(error))
        except CsvLinesError as error:
            for line_error in error.errors:
                click.echo(str(line_error), err=True)
            _fail(f"{len(error.errors)} faulty line(s); nothing imported.")
        except SurveyError as error:
            # The message names the form's box; here the same choice is an option.
            hint = " On the command line: --raise-total." if error.field == "raise_total" else ""
            _fail(error.message + hint)
        db.session.commit()
    click.echo(f"{count} rows imported.")


@surveys_cli.command("import-answers")
@click.argument("survey_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_answers_command(survey_id: int, path: Path) -> None:
    """Import residents' answers (paper): sex,age_band,commune, then one column per statement key, and
    optionally estimate_KEY columns (the resident's own estimate out of 100)."""
    from .imports import import_answers

    _import_csv(survey_id, path, import_answers)


@surveys_cli.command("import-estimates")
@click.argument("survey_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--raise-total", is_flag=True,
              help="The territory has more officials than verified mandates: raise the survey's number of "
                   "officials to those who answered (logged) instead of refusing the file.")
def import_estimates_command(survey_id: int, path: Path, raise_total: bool) -> None:
    """Import officials' estimates: one row per official, one column per statement key (0–100)."""
    from .imports import import_estimates

    _import_csv(survey_id, path, import_estimates, raise_total=raise_total)


def _lifecycle(survey_id: int, operation) -> None:
    from .services import SurveyError

    with immediate_transactions():
        survey = _survey(survey_id)
        try:
            operation(survey)
        except SurveyError as error:
            _fail(error.message)
        db.session.commit()
    click.echo(f"survey {survey_id}: {survey.status.value}")


@surveys_cli.command("generate-codes")
@click.argument("survey_id", type=int)
@click.argument("count", type=int)
def generate_codes_command(survey_id: int, count: int) -> None:
    """Create COUNT one-time invitation codes (panel mode) and print them, one per line,
    for a mail merge: only their hashes are kept, so this is the only time they are shown."""
    from .services import SurveyError, generate_codes

    with immediate_transactions():
        survey = _survey(survey_id)
        try:
            codes = generate_codes(survey, count)
        except SurveyError as error:
            _fail(error.message)
        db.session.commit()
    click.echo("\n".join(codes))


@surveys_cli.command("open")
@click.argument("survey_id", type=int)
def open_command(survey_id: int) -> None:
    """Open a draft survey to answers."""
    from .services import open_survey

    _lifecycle(survey_id, open_survey)


@surveys_cli.command("close")
@click.argument("survey_id", type=int)
def close_command(survey_id: int) -> None:
    """Close a survey: no more answers."""
    from .services import close_survey

    _lifecycle(survey_id, close_survey)


@surveys_cli.command("close-due")
def close_due_command() -> None:
    """Close every open survey whose closing date has passed, mixing its answers and
    deleting its participation list. The task consumer does it every hour
    (surveys/tasks.py); this runs it at once."""
    from .services import close_due_surveys

    with immediate_transactions():
        closed = close_due_surveys()
        db.session.commit()
    for survey in closed:
        click.echo(f"survey {survey.id}: closed")


@surveys_cli.command("publish")
@click.argument("survey_id", type=int)
@click.option("--note", default="", help="Public change note (required for a correction).")
def publish_command(survey_id: int, note: str) -> None:
    """Freeze and publish the results of a closed survey (or a corrected version)."""
    from .publication import publish
    from .services import SurveyError

    with immediate_transactions():
        survey = _survey(survey_id)
        if survey.publishing:  # the queue is on it: a second version would race it
            _fail("a publication requested on the site is under way; wait for it")
        try:
            publication = publish(survey, change_note=note)
        except SurveyError as error:
            _fail(error.message)
        db.session.commit()
    click.echo(f"survey {survey_id}: version {publication.version} published, sha256 {publication.sha256}")
