"""A consultation's followers are notified by the task queue: the action writes one
`notification_fanout` row whatever their number (notifications/mailing.py).

Revision ID: 0017_notification_fanout
Revises: 0016_background_builds
Create Date: 2026-12-07 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_notification_fanout'
down_revision = '0016_background_builds'
branch_labels = None
depends_on = None

# Every kind the model knows once merged with main (phase_started included); no CHECK constraint either way.
KINDS = ('synthesis_published', 'response_published', 'commitment_updated', 'consultation_cancelled', 'phase_started',
         'comment_reply', 'proposal_answered', 'supported_proposal_answered', 'content_moderated',
         'finding_to_review', 'finding_published', 'finding_changes_requested')


def upgrade():
    op.create_table(
        'notification_fanout',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='notificationkind', native_enum=False, length=32), nullable=False),
        sa.Column('target_path', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_notification_fanout_consultation_id_consultation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'],
                                name=op.f('fk_notification_fanout_actor_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_fanout')),
    )


def downgrade():
    op.drop_table('notification_fanout')
