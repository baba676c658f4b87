"""Whether each person also receives their notifications by email (on by default, as
before; turned off from the profile or from the link in every notification email).

Revision ID: 0006_email_notifications
Revises: 0005_moderation
Create Date: 2026-11-26 04:32:50.268608

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_email_notifications'
down_revision = '0005_moderation'
branch_labels = None
depends_on = None


def upgrade():
    # sa.true() renders as each backend spells it (1 on SQLite, true on PostgreSQL).
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_notifications', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_notifications')
