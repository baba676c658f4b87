"""Notifications name who acted ("Camille a répondu à votre commentaire"): the actor's
account, set to NULL when that account is deleted so a deleted person is no longer named.

Revision ID: 0013_notification_actor
Revises: 0012_unlinkable_answers
Create Date: 2026-12-07 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_notification_actor'
down_revision = '0012_unlinkable_answers'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode: SQLite cannot add a foreign key to an existing table otherwise.
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_notification_actor_id_user_account', 'user_account', ['actor_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_actor_id_user_account', type_='foreignkey')
        batch_op.drop_column('actor_id')
