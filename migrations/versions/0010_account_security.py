"""Accounts that cannot be taken over; retention (issue 18, parts 3 and 4).

Revision ID: 0010
Revises: 0007_reaction_counter_triggers
Create Date: 2026-12-07 14:10:00

- user_account.pending_email: a new address waits for its confirmation, the old one stays in use;
- user_account.last_sign_in_at: inactive accounts are erased after three years;
- auth_session.last_seen_at: sessions end after an idle period (existing rows start from
  their creation, so a session unused for longer than the idle limit ends at once);
- survey_import_log.imported_by_label: a role code instead of the importer's email.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_account_security'
down_revision = '0007_reaction_counter_triggers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE auth_session SET last_seen_at = created_at")
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    # The importer's email was stored (and shown to the territory's officials): keep only a role.
    op.execute("UPDATE survey_import_log SET imported_by_label = 'admin' "
               "WHERE imported_by_label <> 'cli' AND imported_by_id IN "
               "(SELECT id FROM user_account WHERE is_admin)")
    op.execute("UPDATE survey_import_log SET imported_by_label = 'manager' "
               "WHERE imported_by_label NOT IN ('cli', 'admin')")


def downgrade():
    # The emails erased from survey_import_log are not restored.
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('pending_email')
