"""Observatory: findings with their submitted versions and independent reviews,
indicators and their values per territory and year, and the authority's external
action (AECT inventory).

Revision ID: 0003_observatory
Revises: 0002_perception_surveys
Create Date: 2026-11-25 18:35:27.086408

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_observatory'
down_revision = '0002_perception_surveys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('external_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('twinning', 'decentralised_cooperation', 'student_mobility', 'economic_mission', 'cross_border_cooperation', 'network_membership', 'humanitarian_aid', name='externalactionkind', native_enum=False, length=32), nullable=False),
    sa.Column('partner_country', sa.String(length=100), nullable=False),
    sa.Column('partner_city', sa.String(length=100), nullable=False),
    sa.Column('budget_eur', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'ongoing', 'suspended', 'ended', name='externalactionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_external_action_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_external_action_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_external_action_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_action'))
    )
    with op.batch_alter_table('external_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_action_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_external_action_territory_id'), ['territory_id'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('flow_kind', sa.Enum('people', 'institutions', 'ideas', 'goods', 'urban_models', 'lifestyles', 'gastronomy', 'capital', 'other', name='flowkind', native_enum=False, length=16), nullable=False),
    sa.Column('direction', sa.Enum('inbound', 'outbound', 'both', name='direction', native_enum=False, length=16), nullable=False),
    sa.Column('character', sa.Enum('wanted', 'suffered', 'mixed', name='character', native_enum=False, length=16), nullable=False),
    sa.Column('fields', sa.String(length=200), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('period_label', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Integer(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('licence', sa.String(length=120), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'in_review', 'changes_requested', 'published', 'withdrawn', name='findingstatus', native_enum=False, length=24), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_finding_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_finding_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_finding_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_flow_kind'), ['flow_kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_territory_id'), ['territory_id'], unique=False)

    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('licence', sa.String(length=120), nullable=False),
    sa.Column('flow_kind', sa.Enum('people', 'institutions', 'ideas', 'goods', 'urban_models', 'lifestyles', 'gastronomy', 'capital', 'other', name='flowkind', native_enum=False, length=16), nullable=False),
    sa.Column('additive', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_indicator_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_indicator_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('name', name=op.f('uq_indicator_name'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_flow_kind'), ['flow_kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('finding_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('approve', 'request_changes', name='reviewdecision', native_enum=False, length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_review_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_finding_review_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_finding_review_reviewer_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_review'))
    )
    with op.batch_alter_table('finding_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_review_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_review_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('finding_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('flow_kind', sa.Enum('people', 'institutions', 'ideas', 'goods', 'urban_models', 'lifestyles', 'gastronomy', 'capital', 'other', name='flowkind', native_enum=False, length=16), nullable=False),
    sa.Column('direction', sa.Enum('inbound', 'outbound', 'both', name='direction', native_enum=False, length=16), nullable=False),
    sa.Column('character', sa.Enum('wanted', 'suffered', 'mixed', name='character', native_enum=False, length=16), nullable=False),
    sa.Column('fields', sa.String(length=200), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('period_label', sa.String(length=60), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('licence', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('change_note', sa.String(length=500), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_version_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_finding_version_submitted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_finding_version_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_version')),
    sa.UniqueConstraint('finding_id', 'number', name=op.f('uq_finding_version_finding_id_number'))
    )
    op.create_table('indicator_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=6, asdecimal=False), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_indicator_value_entered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_value_indicator_id_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_indicator_value_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_value')),
    sa.UniqueConstraint('indicator_id', 'territory_id', 'period', name=op.f('uq_indicator_value_indicator_id_territory_id_period'))
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_value_territory_id'), ['territory_id'], unique=False)



def downgrade():
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_value_territory_id'))

    op.drop_table('indicator_value')
    op.drop_table('finding_version')
    with op.batch_alter_table('finding_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_review_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_finding_review_finding_id'))

    op.drop_table('finding_review')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_flow_kind'))

    op.drop_table('indicator')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_territory_id'))
        batch_op.drop_index(batch_op.f('ix_finding_status'))
        batch_op.drop_index(batch_op.f('ix_finding_published_at'))
        batch_op.drop_index(batch_op.f('ix_finding_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_finding_flow_kind'))
        batch_op.drop_index(batch_op.f('ix_finding_author_id'))

    op.drop_table('finding')
    with op.batch_alter_table('external_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_action_territory_id'))
        batch_op.drop_index(batch_op.f('ix_external_action_organisation_id'))

    op.drop_table('external_action')
