"""The debate's reactions and moderation: endorsements, supports, comment revisions,
reports, moderation actions (the public log), account suspensions, each territory's
moderation policy; featured and locked flags on contributions.

Revision ID: 0005_moderation
Revises: 0004_consultations
Create Date: 2026-11-25 21:24:39.289874

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_moderation'
down_revision = '0004_consultations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('report_threshold', sa.Integer(), nullable=False),
    sa.Column('hold_first_posts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_moderation_policy_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_policy')),
    sa.UniqueConstraint('territory_id', name=op.f('uq_moderation_policy_territory_id'))
    )
    op.create_table('account_suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['user_account.id'], name=op.f('fk_account_suspension_moderator_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_suspension_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_suspension'))
    )
    with op.batch_alter_table('account_suspension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_suspension_user_id'), ['user_id'], unique=False)

    op.create_table('content_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.Enum('comment', 'proposal', name='targetkind', native_enum=False, length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('spam', 'insult', 'off_topic', 'personal_data', 'other', name='reportreason', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_content_report_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_content_report_reporter_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_report')),
    sa.UniqueConstraint('target_kind', 'target_id', 'reporter_id', name=op.f('uq_content_report_target_kind_target_id_reporter_id'))
    )
    with op.batch_alter_table('content_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_report_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_report_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_report_resolved_at'), ['resolved_at'], unique=False)

    op.create_table('moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('hide', 'restore', 'feature', 'unfeature', 'lock', 'unlock', 'approve', 'auto_hide', 'dismiss_reports', 'suspend', name='moderationactionkind', native_enum=False, length=16), nullable=False),
    sa.Column('target_kind', sa.Enum('comment', 'proposal', name='targetkind', native_enum=False, length=16), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('subject_user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('spam', 'insult', 'off_topic', 'personal_data', 'other', name='reportreason', native_enum=False, length=16), nullable=True),
    sa.Column('public_reason', sa.String(length=500), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('was_public', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_moderation_action_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderator_id'], ['user_account.id'], name=op.f('fk_moderation_action_moderator_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_user_id'], ['user_account.id'], name=op.f('fk_moderation_action_subject_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_action'))
    )
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_action_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('comment_endorsement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_endorsement_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_comment_endorsement_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_endorsement')),
    sa.UniqueConstraint('comment_id', 'user_id', name=op.f('uq_comment_endorsement_comment_id_user_id'))
    )
    with op.batch_alter_table('comment_endorsement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_endorsement_user_id'), ['user_id'], unique=False)

    op.create_table('comment_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('stance', sa.Enum('for', 'against', 'nuance', 'question', name='stance', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_revision_comment_id_comment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_revision'))
    )
    with op.batch_alter_table('comment_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_revision_comment_id'), ['comment_id'], unique=False)

    op.create_table('proposal_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_support_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_proposal_support_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_support')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_support_proposal_id_user_id'))
    )
    with op.batch_alter_table('proposal_support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_support_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('featured', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('locked', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('featured', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('featured')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('locked')
        batch_op.drop_column('featured')

    with op.batch_alter_table('proposal_support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_support_user_id'))

    op.drop_table('proposal_support')
    with op.batch_alter_table('comment_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_revision_comment_id'))

    op.drop_table('comment_revision')
    with op.batch_alter_table('comment_endorsement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_endorsement_user_id'))

    op.drop_table('comment_endorsement')
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_action_consultation_id'))

    op.drop_table('moderation_action')
    with op.batch_alter_table('content_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_report_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_content_report_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_content_report_consultation_id'))

    op.drop_table('content_report')
    with op.batch_alter_table('account_suspension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_suspension_user_id'))

    op.drop_table('account_suspension')
    op.drop_table('moderation_policy')
