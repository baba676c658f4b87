"""The mail outbox: every email is first a row written with the action that causes it, then
sent by the task queue (core/outbox_sender.py), retried with backoff, never twice; and a
notification's email is written by the queue too (notifications/mailing.py).

Revision ID: 0014_mail_outbox
Revises: 0013_notification_actor
Create Date: 2026-12-07 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_mail_outbox'
down_revision = '0013_notification_actor'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('headers', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', name='mailstatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claim_token', sa.String(length=32), nullable=True),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    )
    op.create_index('ix_outgoing_mail_status_next_attempt', 'outgoing_mail', ['status', 'next_attempt_at'],
                    unique=False)
    # A notification whose email the task queue has still to write, and why it is sent.
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_reason', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('mail_reason')
    op.drop_index('ix_outgoing_mail_status_next_attempt', table_name='outgoing_mail')
    op.drop_table('outgoing_mail')
