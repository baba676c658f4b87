"""Perception surveys: surveys, statements, participations kept apart from anonymous
responses (WITHOUT ROWID on SQLite), invitation codes, import log, publications.

Revision ID: 0002_perception_surveys
Revises: 0001_foundation
Create Date: 2026-11-25 18:21:21.483537

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_perception_surveys'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('perception_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('introduction_html', sa.Text(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('sampling_mode', sa.Enum('open', 'panel', name='samplingmode', native_enum=False, length=8), nullable=False),
    sa.Column('opens_at', sa.Date(), nullable=False),
    sa.Column('closes_at', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', 'published', name='surveystatus', native_enum=False, length=16), nullable=False),
    sa.Column('min_residents', sa.Integer(), nullable=False),
    sa.Column('min_officials', sa.Integer(), nullable=False),
    sa.Column('trim_low', sa.Float(), nullable=False),
    sa.Column('trim_high', sa.Float(), nullable=False),
    sa.Column('conducted_by', sa.String(length=200), nullable=False),
    sa.Column('officials_total', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_perception_survey_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_perception_survey_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perception_survey'))
    )
    with op.batch_alter_table('perception_survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perception_survey_territory_id'), ['territory_id'], unique=False)

    op.create_table('invitation_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_invitation_code_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_code')),
    sa.UniqueConstraint('survey_id', 'code_hash', name=op.f('uq_invitation_code_survey_id_code_hash'))
    )
    op.create_table('official_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_official_participation_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_official_participation_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_participation')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_official_participation_survey_id_user_id'))
    )
    with op.batch_alter_table('official_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_participation_user_id'), ['user_id'], unique=False)

    op.create_table('official_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('estimates', sa.String(length=800), nullable=False),
    sa.Column('opinions', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.Enum('online', 'panel', 'paper', name='channel', native_enum=False, length=8), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_official_response_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_response')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('official_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_response_survey_id'), ['survey_id'], unique=False)

    op.create_table('resident_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.String(length=200), nullable=False),
    sa.Column('estimates', sa.String(length=800), nullable=False),
    sa.Column('channel', sa.Enum('online', 'panel', 'paper', name='channel', native_enum=False, length=8), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['territory.id'], name=op.f('fk_resident_response_commune_id_territory')),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_resident_response_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_response')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('resident_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_response_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_import_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_label', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_survey_import_log_imported_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_survey_import_log_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_import_log'))
    )
    op.create_table('survey_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_survey_publication_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_survey_publication_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_publication')),
    sa.UniqueConstraint('survey_id', 'version', name=op.f('uq_survey_publication_survey_id_version'))
    )
    op.create_table('survey_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('theme', sa.Enum('people', 'institutions', 'ideas', 'goods', 'urban_models', 'lifestyles', 'gastronomy', 'capital', 'other', name='flowkind', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_survey_statement_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_statement')),
    sa.UniqueConstraint('survey_id', 'key', name=op.f('uq_survey_statement_survey_id_key')),
    sa.UniqueConstraint('survey_id', 'position', name=op.f('uq_survey_statement_survey_id_position'))
    )
    op.create_table('resident_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation_code.id'], name=op.f('fk_resident_participation_invitation_id_invitation_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_resident_participation_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_resident_participation_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_participation')),
    sa.UniqueConstraint('survey_id', 'invitation_id', name=op.f('uq_resident_participation_survey_id_invitation_id')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_resident_participation_survey_id_user_id'))
    )
    with op.batch_alter_table('resident_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_participation_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('resident_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_participation_user_id'))

    op.drop_table('resident_participation')
    op.drop_table('survey_statement')
    op.drop_table('survey_publication')
    op.drop_table('survey_import_log')
    with op.batch_alter_table('resident_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_response_survey_id'))

    op.drop_table('resident_response')
    with op.batch_alter_table('official_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_response_survey_id'))

    op.drop_table('official_response')
    with op.batch_alter_table('official_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_participation_user_id'))

    op.drop_table('official_participation')
    op.drop_table('invitation_code')
    with op.batch_alter_table('perception_survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_perception_survey_territory_id'))

    op.drop_table('perception_survey')
