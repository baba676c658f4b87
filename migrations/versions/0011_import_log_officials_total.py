"""An import of officials' estimates that raises the survey's number of officials says so
in the import log: the total shown beside "N personnes élues sur M" is never silently changed.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-07 15:00:00
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_import_log_officials_total'
down_revision = '0010_account_security'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_import_log") as batch:
        batch.add_column(sa.Column("officials_total_before", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("officials_total_after", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("survey_import_log") as batch:
        batch.drop_column("officials_total_after")
        batch.drop_column("officials_total_before")
