"""What runs on a schedule records what it did: a phase's start announced to the
consultation's followers once (`consultation_phase.announced_at`), an overdue commitment's
last reminder to the territory's officials (`commitment.reminded_at`).

Phases that have already begun when this runs are marked as announced: the first run of the
schedule must not tell every follower of every running consultation about a phase that
started weeks ago.

Revision ID: 0015_scheduled_notices
Revises: 0014_mail_outbox
Create Date: 2026-12-07 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_scheduled_notices'
down_revision = '0014_mail_outbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultation_phase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    # The database's date is close enough to France's: a phase starting on the day of the
    # upgrade may go unannounced, none is announced weeks late.
    op.execute("UPDATE consultation_phase SET announced_at = CURRENT_TIMESTAMP WHERE starts_on <= CURRENT_DATE")


def downgrade():
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('consultation_phase', schema=None) as batch_op:
        batch_op.drop_column('announced_at')
