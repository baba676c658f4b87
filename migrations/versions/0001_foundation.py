"""Foundation: territories, population margins, accounts, sign-in sessions, mandates,
organisations and moderator appointments.

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-25 18:07:29.467617

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('territory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('region', 'departement', 'epci', 'commune', 'arrondissement', name='territorykind', native_enum=False, length=16), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('search_name', sa.String(length=200), nullable=False),
    sa.Column('epci_type', sa.String(length=8), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('postal_codes', sa.String(length=400), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('epci_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['epci_id'], ['territory.id'], name=op.f('fk_territory_epci_id_territory')),
    sa.ForeignKeyConstraint(['parent_id'], ['territory.id'], name=op.f('fk_territory_parent_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_territory')),
    sa.UniqueConstraint('kind', 'code', name=op.f('uq_territory_kind_code'))
    )
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_territory_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_territory_epci_id'), ['epci_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_territory_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_territory_search_name'), ['search_name'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('local_authority', 'company', 'association', 'study_firm', 'research', 'public_agency', 'other', name='organisationkind', native_enum=False, length=32), nullable=False),
    sa.Column('fields', sa.String(length=200), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_organisation_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_territory_id'), ['territory_id'], unique=False)

    op.create_table('population_margin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('sex', sa.Enum('F', 'M', name='sex', native_enum=False), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_population_margin_territory_id_territory'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_margin')),
    sa.UniqueConstraint('territory_id', 'sex', 'age_band', name=op.f('uq_population_margin_territory_id_sex_age_band'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['territory.id'], name=op.f('fk_user_account_commune_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_commune_id'), ['commune_id'], unique=False)

    op.create_table('auth_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_auth_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_session_token_hash'))
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_session_user_id'), ['user_id'], unique=False)

    op.create_table('mandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Enum('maire', 'adjoint', 'conseiller_municipal', 'president_epci', 'vice_president_epci', 'conseiller_communautaire', 'conseiller_departemental', 'conseiller_regional', name='mandatetitle', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'verified', 'rejected', 'ended', name='mandatestatus', native_enum=False, length=16), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_mandate_territory_id_territory')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mandate_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_mandate_verified_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandate'))
    )
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandate_user_id'), ['user_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_membership_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('organisation_id', 'user_id', name=op.f('uq_membership_organisation_id_user_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)

    op.create_table('moderator_appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('appointed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['user_account.id'], name=op.f('fk_moderator_appointment_appointed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_moderator_appointment_territory_id_territory')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_moderator_appointment_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_appointment')),
    sa.UniqueConstraint('territory_id', 'user_id', name=op.f('uq_moderator_appointment_territory_id_user_id'))
    )
    with op.batch_alter_table('moderator_appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderator_appointment_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('moderator_appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderator_appointment_user_id'))

    op.drop_table('moderator_appointment')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))

    op.drop_table('membership')
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_user_id'))
        batch_op.drop_index(batch_op.f('ix_mandate_territory_id'))

    op.drop_table('mandate')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_session_user_id'))

    op.drop_table('auth_session')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_commune_id'))

    op.drop_table('user_account')
    op.drop_table('population_margin')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_territory_id'))

    op.drop_table('organisation')
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territory_search_name'))
        batch_op.drop_index(batch_op.f('ix_territory_parent_id'))
        batch_op.drop_index(batch_op.f('ix_territory_epci_id'))
        batch_op.drop_index(batch_op.f('ix_territory_code'))

    op.drop_table('territory')
