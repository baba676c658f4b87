"""Survey answers wait in a pending pool before they are mixed (plateforme/surveys/mixing.py):
the pending tables, and a commune that may be None ("another commune of the territory").

Revision ID: 0012_unlinkable_answers
Revises: 0007
Create Date: 2026-12-07 14:10:00

Answers already stored stay in the mixed tables, but each survey's are rewritten here in a
random order with fresh keys: written with their participation, they shared its
transaction id (PostgreSQL's xmin) and followed its order. For surveys no longer taking
answers, what closing or publishing now does is done too: residents' participation list
deleted once closed, officials' once published, communes named by fewer than 20 answers
pooled. The statements are written out here, not imported, so that this migration keeps
doing what it did when the application changes.
"""
import random
import uuid

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_unlinkable_answers'
down_revision = '0011_import_log_officials_total'
branch_labels = None
depends_on = None

MIX_BATCH = 20
CHANNEL = sa.Enum('online', 'panel', 'paper', name='channel', native_enum=False, length=8)
RESIDENT_COLUMNS = ("survey_id", "sex", "age_band", "commune_id", "answers", "estimates", "channel")
OFFICIAL_COLUMNS = ("survey_id", "estimates", "opinions", "channel")


def _create_pending_tables():
    op.create_table('resident_pending',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.String(length=200), nullable=False),
    sa.Column('estimates', sa.String(length=800), nullable=False),
    sa.Column('channel', CHANNEL, nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['territory.id'], name=op.f('fk_resident_pending_commune_id_territory')),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_resident_pending_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_pending')),
    sqlite_with_rowid=False
    )
    op.create_index(op.f('ix_resident_pending_survey_id'), 'resident_pending', ['survey_id'], unique=False)
    op.create_table('official_pending',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('estimates', sa.String(length=800), nullable=False),
    sa.Column('opinions', sa.String(length=200), nullable=False),
    sa.Column('channel', CHANNEL, nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['perception_survey.id'], name=op.f('fk_official_pending_survey_id_perception_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_pending')),
    sqlite_with_rowid=False
    )
    op.create_index(op.f('ix_official_pending_survey_id'), 'official_pending', ['survey_id'], unique=False)


def _remix(table: str, columns: tuple, survey_id: int, pool_communes: bool) -> None:
    """Rewrite one survey's answers in `table` in a random order with fresh keys."""
    bind = op.get_bind()
    names = ", ".join(columns)
    rows = [dict(r._mapping) for r in bind.execute(
        sa.text(f"SELECT {names} FROM {table} WHERE survey_id = :s"), {"s": survey_id})]
    if not rows:
        return
    if pool_communes:
        counts = {}
        for row in rows:
            counts[row["commune_id"]] = counts.get(row["commune_id"], 0) + 1
        for row in rows:
            if counts[row["commune_id"]] < MIX_BATCH:
                row["commune_id"] = None
    random.SystemRandom().shuffle(rows)
    for row in rows:
        row["id"] = uuid.uuid4().hex
    bind.execute(sa.text(f"DELETE FROM {table} WHERE survey_id = :s"), {"s": survey_id})
    bind.execute(sa.text(f"INSERT INTO {table} (id, {names}) VALUES (:id, {', '.join(':' + c for c in columns)})"),
                 rows)


def upgrade():
    _create_pending_tables()
    # SQLite rebuilds the table; its storage stays WITHOUT ROWID (the random key's order).
    with op.batch_alter_table('resident_response', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.alter_column('commune_id', existing_type=sa.Integer(), nullable=True)

    bind = op.get_bind()
    for survey_id, status in bind.execute(sa.text("SELECT id, status FROM perception_survey")).all():
        closed = status in ('closed', 'published')
        _remix('resident_response', RESIDENT_COLUMNS, survey_id, pool_communes=closed)
        _remix('official_response', OFFICIAL_COLUMNS, survey_id, pool_communes=False)
        if closed:
            bind.execute(sa.text("DELETE FROM resident_participation WHERE survey_id = :s"), {"s": survey_id})
        if status == 'published':
            bind.execute(sa.text("DELETE FROM official_participation WHERE survey_id = :s"), {"s": survey_id})

    if bind.dialect.name == 'postgresql':
        # What was deleted must not stay readable in free space (VACUUM runs outside a
        # transaction). SQLite overwrites it as it deletes (PRAGMA secure_delete).
        # Through the driver's cursor: the application's listener (core/transactions.py)
        # would otherwise open a transaction around the statement.
        with op.get_context().autocommit_block():
            with op.get_bind().connection.driver_connection.cursor() as cursor:
                for table in ("resident_participation", "official_participation", "resident_response",
                              "official_response"):
                    cursor.execute(f"VACUUM FULL {table}")


def downgrade():
    # Pending answers are put with the mixed ones (they are not lost). A pooled commune
    # cannot be given back: rather than delete such answers, refuse.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM resident_response WHERE commune_id IS NULL")).scalar():
        raise RuntimeError("answers pooled into 'other communes' have no commune to give back: "
                           "the previous schema cannot hold them")
    bind.execute(sa.text(f"INSERT INTO resident_response (id, {', '.join(RESIDENT_COLUMNS)}) "
                         f"SELECT id, {', '.join(RESIDENT_COLUMNS)} FROM resident_pending"))
    bind.execute(sa.text(f"INSERT INTO official_response (id, {', '.join(OFFICIAL_COLUMNS)}) "
                         f"SELECT id, {', '.join(OFFICIAL_COLUMNS)} FROM official_pending"))
    with op.batch_alter_table('resident_response', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.alter_column('commune_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f('ix_official_pending_survey_id'), table_name='official_pending')
    op.drop_table('official_pending')
    op.drop_index(op.f('ix_resident_pending_survey_id'), table_name='resident_pending')
    op.drop_table('resident_pending')
