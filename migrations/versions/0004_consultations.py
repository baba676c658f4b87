"""Issue cards and their versions with the evidence they cite; consultations with dated
phases, follows, synthesis, the authority's response and commitments with updates;
comments and proposals (the debate); notifications.

Revision ID: 0004_consultations
Revises: 0003_observatory
Create Date: 2026-11-25 21:10:20.514020

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_consultations'
down_revision = '0003_observatory'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issue_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('political_status', sa.Enum('consensual', 'invisible', 'divisive', name='politicalstatus', native_enum=False, length=16), nullable=False),
    sa.Column('published_version_id', sa.Integer(), nullable=True),
    sa.Column('first_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_issue_card_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_issue_card_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_card'))
    )
    with op.batch_alter_table('issue_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_card_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_card_first_published_at'), ['first_published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_card_territory_id'), ['territory_id'], unique=False)

    op.create_table('consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('registered', 'residents', name='audience', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='consultationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancellation_reason', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_consultation_opened_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_consultation_survey_id_perception_survey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_consultation_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation'))
    )
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_opened_by_id'), ['opened_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_territory_id'), ['territory_id'], unique=False)

    op.create_table('issue_card_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'published', 'superseded', name='versionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('stakes', sa.Text(), nullable=False),
    sa.Column('known', sa.Text(), nullable=False),
    sa.Column('unknown', sa.Text(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('political_status', sa.Enum('consensual', 'invisible', 'divisive', name='politicalstatus', native_enum=False, length=16), nullable=False),
    sa.Column('change_note', sa.String(length=500), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_issue_card_version_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['card_id'], ['issue_card.id'], name=op.f('fk_issue_card_version_card_id_issue_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_issue_card_version_published_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_card_version')),
    sa.UniqueConstraint('card_id', 'number', name=op.f('uq_issue_card_version_card_id_number'))
    )
    with op.batch_alter_table('issue_card_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_card_version_status'), ['status'], unique=False)
    # The card points at its public version and the versions at their card: the cycle is
    # closed once both tables exist.
    with op.batch_alter_table('issue_card', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_issue_card_published_version_id_issue_card_version'),
                                    'issue_card_version', ['published_version_id'], ['id'], ondelete='SET NULL')

    op.create_table('authority_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_authority_response_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_authority_response_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authority_response')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_authority_response_consultation_id'))
    )
    op.create_table('card_version_finding',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_card_version_finding_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['issue_card_version.id'], name=op.f('fk_card_version_finding_version_id_issue_card_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'finding_id', name=op.f('pk_card_version_finding'))
    )
    with op.batch_alter_table('card_version_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_version_finding_finding_id'), ['finding_id'], unique=False)

    op.create_table('card_version_value',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('indicator_value_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_value_id'], ['indicator_value.id'], name=op.f('fk_card_version_value_indicator_value_id_indicator_value'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['issue_card_version.id'], name=op.f('fk_card_version_value_version_id_issue_card_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'indicator_value_id', name=op.f('pk_card_version_value'))
    )
    with op.batch_alter_table('card_version_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_version_value_indicator_value_id'), ['indicator_value_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('stance', sa.Enum('for', 'against', 'nuance', 'question', name='stance', native_enum=False, length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('visibility', sa.Enum('visible', 'hidden', 'withdrawn', name='visibility', native_enum=False, length=16), nullable=False),
    sa.Column('visibility_reason', sa.String(length=500), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('endorsements_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_comment_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['comment.id'], name=op.f('fk_comment_parent_id_comment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_visibility'), ['visibility'], unique=False)

    op.create_table('consultation_card',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['issue_card.id'], name=op.f('fk_consultation_card_card_id_issue_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_card_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', 'card_id', name=op.f('pk_consultation_card'))
    )
    with op.batch_alter_table('consultation_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_card_card_id'), ['card_id'], unique=False)

    op.create_table('consultation_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_follow_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_consultation_follow_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_follow')),
    sa.UniqueConstraint('consultation_id', 'user_id', name=op.f('uq_consultation_follow_consultation_id_user_id'))
    )
    with op.batch_alter_table('consultation_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_follow_user_id'), ['user_id'], unique=False)

    op.create_table('consultation_phase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('information', 'debate', 'proposals', 'survey', 'synthesis', 'response', name='phasekind', native_enum=False, length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_phase_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_phase')),
    sa.UniqueConstraint('consultation_id', 'kind', name=op.f('uq_consultation_phase_consultation_id_kind'))
    )
    with op.batch_alter_table('consultation_phase', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_phase_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('synthesis_published', 'response_published', 'commitment_updated', 'consultation_cancelled', 'comment_reply', 'proposal_answered', 'content_moderated', name='notificationkind', native_enum=False, length=32), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('target_path', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_notification_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'under_study', 'accepted', 'rejected', name='proposalstatus', native_enum=False, length=16), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('justification_html', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('visibility', sa.Enum('visible', 'hidden', 'withdrawn', name='visibility', native_enum=False, length=16), nullable=False),
    sa.Column('visibility_reason', sa.String(length=500), nullable=False),
    sa.Column('supports_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_proposal_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_visibility'), ['visibility'], unique=False)

    op.create_table('synthesis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_synthesis_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_synthesis_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_synthesis_consultation_id'))
    )
    op.create_table('commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'abandoned', name='commitmentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['authority_response.id'], name=op.f('fk_commitment_response_id_authority_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment'))
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_status'), ['status'], unique=False)

    op.create_table('synthesis_comment',
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_synthesis_comment_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['synthesis_id'], ['synthesis.id'], name=op.f('fk_synthesis_comment_synthesis_id_synthesis'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('synthesis_id', 'comment_id', name=op.f('pk_synthesis_comment'))
    )
    op.create_table('synthesis_proposal',
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_synthesis_proposal_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['synthesis_id'], ['synthesis.id'], name=op.f('fk_synthesis_proposal_synthesis_id_synthesis'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('synthesis_id', 'proposal_id', name=op.f('pk_synthesis_proposal'))
    )
    op.create_table('commitment_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status_before', sa.Enum('planned', 'in_progress', 'done', 'abandoned', name='commitmentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('status_after', sa.Enum('planned', 'in_progress', 'done', 'abandoned', name='commitmentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_commitment_update_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id'], name=op.f('fk_commitment_update_commitment_id_commitment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_update'))
    )
    with op.batch_alter_table('commitment_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_update_commitment_id'), ['commitment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('issue_card', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_issue_card_published_version_id_issue_card_version'),
                                 type_='foreignkey')
    with op.batch_alter_table('commitment_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_update_commitment_id'))

    op.drop_table('commitment_update')
    op.drop_table('synthesis_proposal')
    op.drop_table('synthesis_comment')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_status'))
        batch_op.drop_index(batch_op.f('ix_commitment_response_id'))

    op.drop_table('commitment')
    op.drop_table('synthesis')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_visibility'))
        batch_op.drop_index(batch_op.f('ix_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_proposal_consultation_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_author_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')

    op.drop_table('notification')
    with op.batch_alter_table('consultation_phase', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_phase_consultation_id'))

    op.drop_table('consultation_phase')
    with op.batch_alter_table('consultation_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_follow_user_id'))

    op.drop_table('consultation_follow')
    with op.batch_alter_table('consultation_card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_card_card_id'))

    op.drop_table('consultation_card')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_visibility'))
        batch_op.drop_index(batch_op.f('ix_comment_parent_id'))
        batch_op.drop_index(batch_op.f('ix_comment_consultation_id'))
        batch_op.drop_index(batch_op.f('ix_comment_author_id'))

    op.drop_table('comment')
    with op.batch_alter_table('card_version_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_version_value_indicator_value_id'))

    op.drop_table('card_version_value')
    with op.batch_alter_table('card_version_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_version_finding_finding_id'))

    op.drop_table('card_version_finding')
    op.drop_table('authority_response')
    with op.batch_alter_table('issue_card_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_card_version_status'))

    op.drop_table('issue_card_version')
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_territory_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_survey_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_status'))
        batch_op.drop_index(batch_op.f('ix_consultation_published_at'))
        batch_op.drop_index(batch_op.f('ix_consultation_opened_by_id'))

    op.drop_table('consultation')
    with op.batch_alter_table('issue_card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_card_territory_id'))
        batch_op.drop_index(batch_op.f('ix_issue_card_first_published_at'))
        batch_op.drop_index(batch_op.f('ix_issue_card_created_by_id'))

    op.drop_table('issue_card')
