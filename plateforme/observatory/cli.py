"""`flask observatory …`: loading indicator values from the command line."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..core.csvimport import CsvFileError, CsvLinesError
from ..core.transactions import immediate_transactions
from ..extensions import db

observatory_cli = AppGroup("observatory", help="Observatoire : indicateurs et valeurs.")


def _fail(message: str):
    db.session.rollback()
    raise click.ClickException(message)


@observatory_cli.command("import-values")
@click.argument("indicator_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="", help="Source of the values, for lines without a source column.")
def import_values_command(indicator_id: int, path: Path, source: str) -> None:
    """Import an indicator's values: CSV territory_code,period,value,note (optional source).

    Every faulty line is reported and nothing is imported if one is wrong; a value already
    recorded for the same territory and year is replaced."""
    from .imports import import_values
    from .models import Indicator

    with immediate_transactions():
        indicator = db.session.get(Indicator, indicator_id)
        if indicator is None:
            _fail(f"no indicator with id {indicator_id}")
        try:
            summary = import_values(indicator, path.read_bytes(), source=source or f"import {path.name}")
        except CsvFileError as error:
            _fail(str(error))
        except CsvLinesError as error:
            for line_error in error.errors:
                click.echo(str(line_error), err=True)
            _fail(f"{len(error.errors)} faulty line(s); nothing imported.")
        db.session.commit()
    click.echo(f"{summary.created} values created, {summary.updated} replaced ({indicator.name}).")
