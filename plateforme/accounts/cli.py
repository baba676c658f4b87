"""`flask accounts …`: retention (inactive accounts) and expired sign-in sessions."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.transactions import writes
from ..extensions import db

accounts_cli = AppGroup("accounts", help="Comptes : conservation des données, sessions expirées.")


@accounts_cli.command("purge-inactive")
@click.option("--dry-run", is_flag=True, help="Count the accounts that would be erased; erase nothing.")
@writes
def purge_inactive_command(dry_run: bool) -> None:
    """Erase accounts with no sign-in for ACCOUNT_RETENTION_DAYS (3 years by default)."""
    from .retention import inactive_accounts, purge_inactive_accounts

    if dry_run:
        click.echo(f"{len(inactive_accounts())} inactive account(s) would be erased.")
        return
    count = purge_inactive_accounts()
    db.session.commit()
    click.echo(f"{count} inactive account(s) erased.")


@accounts_cli.command("purge-sessions")
@writes
def purge_sessions_command() -> None:
    """Delete sign-in sessions past their absolute lifetime or idle limit."""
    from .auth import purge_expired_sessions

    count = purge_expired_sessions()
    db.session.commit()
    click.echo(f"{count} expired session(s) deleted.")
