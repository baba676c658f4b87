"""Heavy work off the request path: a survey's publication requested and done by the task
queue, the open-data bundle and the debate kits' PDFs built by it and kept in the database
(every web server reads them there).

Revision ID: 0016_background_builds
Revises: 0014_mail_outbox
Create Date: 2026-12-07 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_background_builds'
down_revision = '0015_scheduled_notices'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('perception_survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('publish_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('publish_change_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('publish_failure', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_perception_survey_publish_requested_by_id_user_account'),
                                    'user_account', ['publish_requested_by_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'card_kit_pdf',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['issue_card_version.id'],
                                name=op.f('fk_card_kit_pdf_version_id_issue_card_version'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_card_kit_pdf')),
        sa.UniqueConstraint('version_id', 'language', name=op.f('uq_card_kit_pdf_version_id_language')),
    )
    op.create_table(
        'open_data_bundle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_open_data_bundle')),
    )


def downgrade():
    op.drop_table('open_data_bundle')
    op.drop_table('card_kit_pdf')
    with op.batch_alter_table('perception_survey', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_perception_survey_publish_requested_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('publish_failure')
        batch_op.drop_column('publish_change_note')
        batch_op.drop_column('publish_requested_by_id')
        batch_op.drop_column('publish_requested_at')
