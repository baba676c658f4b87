"""A survey may be declared the next wave of an earlier one on the same territory
(surveys/waves.py): a nullable self-reference, unique so that waves form a chain.

Revision ID: 0019_survey_waves
Revises: 0018_official_receipts
Create Date: 2026-12-07 23:50:00
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_survey_waves'
down_revision = '0018_official_receipts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("perception_survey") as batch:
        batch.add_column(sa.Column("previous_wave_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(op.f("uq_perception_survey_previous_wave_id"), ["previous_wave_id"])
        batch.create_foreign_key(op.f("fk_perception_survey_previous_wave_id_perception_survey"),
                                 "perception_survey", ["previous_wave_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("perception_survey") as batch:
        batch.drop_constraint(op.f("fk_perception_survey_previous_wave_id_perception_survey"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_perception_survey_previous_wave_id"), type_="unique")
        batch.drop_column("previous_wave_id")
