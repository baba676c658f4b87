"""`flask` commands: demo data, territory loading, margins import, the schedule by hand."""
from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .core.csvimport import CsvFileError, CsvLinesError
from .core.transactions import writes
from .extensions import db


territories_cli = AppGroup("territories", help="Territoires : chargement du référentiel INSEE, marges.")


@territories_cli.command("load")
@click.argument("code")
@writes
def load_command(code: str) -> None:
    """Load an EPCI (SIREN) or a département (code) with all it contains."""
    from .territories.services import UnknownTerritoryCode, load_territory

    try:
        summary = load_territory(code)
    except UnknownTerritoryCode as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    db.session.commit()
    details = ", ".join(f"{kind}: {count}" for kind, count in sorted(summary.by_kind.items()))
    click.echo(f"{summary.root.name} ({summary.root.code}) — {summary.created} created, "
               f"{summary.updated} updated ({details})")


@territories_cli.command("import-margins")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@writes
def import_margins_command(path: Path) -> None:
    """Import population margins: CSV with columns commune,sex,age_band,count."""
    from .territories.margins import import_margins

    try:
        cells = import_margins(path.read_bytes())
    except CsvFileError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    except CsvLinesError as error:
        db.session.rollback()
        for line_error in error.errors:
            click.echo(str(line_error), err=True)
        raise click.ClickException(f"{len(error.errors)} faulty line(s); nothing imported.")
    db.session.commit()
    click.echo(f"{cells} margin cells imported.")


@click.command("demo")
@click.option("--address", default="http://127.0.0.1:5000", show_default=True,
              help="Where the site is served (`make run` passes its HOST and PORT).")
@writes
def demo_command(address: str) -> None:
    """Load the demo data (Métropole de Lyon, one account per role) and print the logins."""
    from .demo import load_demo

    password = current_app.config["DEMO_PASSWORD"]
    accounts = load_demo(password)
    db.session.commit()
    click.echo(f"Demo data loaded. Sign in at {address.rstrip('/')}/connexion with:")
    for account in accounts:
        click.echo(f"  {account.role:<28} {account.email:<36} {password}")


schedule_cli = AppGroup("schedule", help="Ce qui se fait selon le calendrier, sans consommateur de tâches.")


@schedule_cli.command("run")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The French calendar day to run for (default: today).")
def schedule_run_command(today) -> None:
    """Run at once what the task consumer runs on its own: close the surveys past their date,
    announce the phases that have begun, recall the overdue commitments, write the pending
    notification emails and send the outbox. For servers without a consumer (from cron, e.g.
    hourly); running it twice tells nobody anything twice."""
    from .consultations.schedule import PARIS, announce_started_phases, remind_overdue_commitments
    from .core.outbox_sender import drain
    from .core.transactions import one_transaction
    from .notifications.mailing import write_pending_mail
    from .surveys.services import close_due_surveys

    day = today.date() if today else None
    # A run for another day records what it did as of that day (noon, Paris): stamped with
    # the real clock, a reminder sent "on" a later day was due again at the next run for it.
    now = datetime.combine(day, time(12), tzinfo=PARIS).astimezone(timezone.utc) if day else None
    for name, work in (("surveys closed", lambda: len(close_due_surveys(day))),
                       ("phases announced", lambda: len(announce_started_phases(day, now).announced)),
                       ("overdue commitments recalled",
                        lambda: len(remind_overdue_commitments(day, now).commitments))):
        with one_transaction():
            count = work()
        click.echo(f"{name}: {count}")
    click.echo(f"notification emails written: {write_pending_mail()}")
    report = drain()
    click.echo(f"mail sent: {report.sent}, to retry: {report.retried}, failed: {report.failed}")


def register_cli(app) -> None:
    from .accounts.cli import accounts_cli
    from .observatory.cli import observatory_cli
    from .surveys.cli import surveys_cli

    app.cli.add_command(territories_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(observatory_cli)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(schedule_cli)
