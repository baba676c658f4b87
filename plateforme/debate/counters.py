"""Counters kept by the database itself.

A comment's `endorsements_count` and a proposal's `supports_count` move with the rows they
count, by triggers: each INSERT of an endorsement or support adds one, each DELETE takes one
away, whatever deletes the row: withdrawing it, or the cascade when an account is erased
(before the triggers, an erased account's reactions stayed counted). A reaction needs no
UPDATE of its own, and people reacting at once each move the counter by exactly one under
the row lock the trigger's UPDATE takes (tests/debate/test_concurrency.py).

Attached to the tables here, so `create_all` installs them (tests); migration 0007 installs
them in databases made by migrations.
"""
from __future__ import annotations

from sqlalchemy import DDL, Table, event

from ..core.page_cache import also_changes

# (table of reactions, its column naming the content, table of the content, counter column)
COUNTED = (
    ("comment_endorsement", "comment_id", "comment", "endorsements_count"),
    ("proposal_support", "proposal_id", "proposal", "supports_count"),
)
# No statement names the content's table when a reaction is written: the cached pages
# that show the counter must hear of it all the same.
for _rows, _key, _content, _counter in COUNTED:
    also_changes(_rows, _content)


def sqlite_statements(rows: str, key: str, content: str, counter: str) -> list[str]:
    return [
        f"CREATE TRIGGER {rows}_counted AFTER INSERT ON {rows} BEGIN "
        f"UPDATE {content} SET {counter} = {counter} + 1 WHERE id = NEW.{key}; END",
        f"CREATE TRIGGER {rows}_uncounted AFTER DELETE ON {rows} BEGIN "
        f"UPDATE {content} SET {counter} = {counter} - 1 WHERE id = OLD.{key}; END",
    ]


def postgresql_statements(rows: str, key: str, content: str, counter: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {rows}_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN UPDATE {content} SET {counter} = {counter} + 1 WHERE id = NEW.{key}; "
        f"ELSE UPDATE {content} SET {counter} = {counter} - 1 WHERE id = OLD.{key}; END IF; "
        f"RETURN NULL; END $$",
        f"CREATE TRIGGER {rows}_count AFTER INSERT OR DELETE ON {rows} "
        f"FOR EACH ROW EXECUTE FUNCTION {rows}_count()",
    ]


def attach_counter_triggers(*tables: Table) -> None:
    """Have `create_all` create the triggers along with the reaction tables."""
    by_name = {table.name: table for table in tables}
    for rows, key, content, counter in COUNTED:
        for dialect, statements in (("sqlite", sqlite_statements), ("postgresql", postgresql_statements)):
            for statement in statements(rows, key, content, counter):
                event.listen(by_name[rows], "after_create", DDL(statement).execute_if(dialect=dialect))
