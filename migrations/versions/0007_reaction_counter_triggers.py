"""Endorsement and support counters moved by database triggers (plateforme/debate/counters.py),
and recounted: an erased account's reactions had stayed counted.

Revision ID: 0007_reaction_counter_triggers
Revises: 0006_email_notifications
Create Date: 2026-11-26 07:25:00

The statements are written out here, not imported, so that this migration keeps doing what
it did when the application changes.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_reaction_counter_triggers'
down_revision = '0006_email_notifications'
branch_labels = None
depends_on = None

# (table of reactions, its column naming the content, table of the content, counter column)
COUNTED = (
    ("comment_endorsement", "comment_id", "comment", "endorsements_count"),
    ("proposal_support", "proposal_id", "proposal", "supports_count"),
)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for rows, key, content, counter in COUNTED:
        add = f"UPDATE {content} SET {counter} = {counter} + 1 WHERE id = NEW.{key};"
        take = f"UPDATE {content} SET {counter} = {counter} - 1 WHERE id = OLD.{key};"
        if postgresql:
            op.execute(f"CREATE OR REPLACE FUNCTION {rows}_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       f"IF TG_OP = 'INSERT' THEN {add} ELSE {take} END IF; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {rows}_count AFTER INSERT OR DELETE ON {rows} "
                       f"FOR EACH ROW EXECUTE FUNCTION {rows}_count()")
        else:
            op.execute(f"CREATE TRIGGER {rows}_counted AFTER INSERT ON {rows} BEGIN {add} END")
            op.execute(f"CREATE TRIGGER {rows}_uncounted AFTER DELETE ON {rows} BEGIN {take} END")
        op.execute(f"UPDATE {content} SET {counter} = "
                   f"(SELECT count(*) FROM {rows} WHERE {rows}.{key} = {content}.id)")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for rows, _key, _content, _counter in COUNTED:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {rows}_count ON {rows}")
            op.execute(f"DROP FUNCTION IF EXISTS {rows}_count()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {rows}_counted")
            op.execute(f"DROP TRIGGER IF EXISTS {rows}_uncounted")
