"""An official's answer carries the SHA-256 of a receipt only they hold, so that they alone
can open their personal feedback after publication (surveys/feedback.py): no user id.

Revision ID: 0018_official_receipts
Revises: 0017_notification_fanout
Create Date: 2026-12-07 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_official_receipts'
down_revision = '0017_notification_fanout'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column: a plain ALTER TABLE ADD COLUMN, on SQLite too (no rebuild).
    for table in ('official_pending', 'official_response'):
        op.add_column(table, sa.Column('receipt_hash', sa.String(length=64), nullable=True))


def downgrade():
    for table in ('official_pending', 'official_response'):
        # SQLite rebuilds the table; its storage stays WITHOUT ROWID (the random key's order).
        with op.batch_alter_table(table, table_kwargs={'sqlite_with_rowid': False}) as batch_op:
            batch_op.drop_column('receipt_hash')
