"""Mixing survey answers, so that no answer can be told from at least MIX_BATCH others.

The threat is a reader of the whole database or of a backup — system columns (PostgreSQL's
`xmin`, the transaction that wrote a row), physical row order, ids, times, free pages —
who knows who took part. An answer written in the same transaction as its participation
shares its `xmin`; one appended as it comes lies in the order of the participations; the
commune given with an answer, next to the commune in respondents' profiles, singles people
out where few answered. So:

1. Submitting (services.py) writes the participation — its unique constraint keeps one
   answer per person or code, atomically — and the answer in a *pending pool* in the
   request's one transaction, so nothing is half-done. While pending, an answer IS
   linkable to its author (same transaction); the privacy page says so, and for how long.
2. `mix_if_due`: once MIX_BATCH answers of a survey are pending, one transaction of its
   own moves them all to the mixed table in an order drawn by `random.SystemRandom`, with
   fresh random keys and no time. Every row it writes carries the mixing transaction's id,
   and their order and keys are the draw's: within a batch of at least MIX_BATCH answers,
   nothing tells whose is whose.
3. `final_mix`, when answers stop being taken (residents: the survey closes; officials:
   at closing, and again at publication since they may answer until then), rewrites ALL
   the survey's answers in one transaction: the pool's remainder, however small, is mixed
   with everything rather than left as a small batch of its own. It then deletes the
   participation list, which nothing needs any more (one answer per person matters only
   while answers are taken; counts are the answers' counts), and replaces the commune of
   answers from communes named by fewer than COMMUNE_KEPT_FROM answers with None,
   "another commune of the territory", which weighting.py pools as one category.
   Officials' participation is kept at publication (publication.py): it says who answered,
   never what, and reserves each official's private feedback to them (feedback.py; their
   answer carries only the hash of a receipt they alone hold).
4. Deleted rows must be really gone (erasure.py, after the commit, by the task queue): on SQLite,
   `PRAGMA secure_delete` (set on every connection, core/transactions.py) overwrites
   deleted content in the file, and the write-ahead log is checkpointed and truncated; on
   PostgreSQL the pending and participation tables are rewritten by VACUUM FULL (a plain
   VACUUM frees dead rows for reuse but may leave their bytes in the page). The pending
   tables hold at most a few batches, so rewriting them costs little. What stays beyond
   the database's reach — the server's write-ahead log until it is recycled, filesystem
   blocks, backups taken while answers were pending — the privacy page states.

Paper answers (imports.py) go straight to the mixed tables: they have no participation, so
nothing links them to anyone, and their channel tells them apart anyway, so they could not
hide an online answer in a batch.
"""
from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import DeclarativeBase

from ..extensions import db
from .erasure import erase_deleted_after_commit
from .models import (
    OfficialParticipation, OfficialPending, OfficialResponse, PerceptionSurvey, ResidentParticipation,
    ResidentPending, ResidentResponse,
)

log = logging.getLogger("plateforme.surveys")

# The smallest number of answers mixed together, and so the fewest others any mixed
# answer hides among; the privacy page states it.
MIX_BATCH = 20
# A commune named by fewer answers than this is replaced, at the final mix, by "another
# commune of the territory": the same anonymity set as a batch.
COMMUNE_KEPT_FROM = MIX_BATCH

# The draw of the order of mixed rows. Tests may replace it by a seeded Random to check
# that the order written is the draw's; it is never seeded in production.
rng: random.Random = random.SystemRandom()


@dataclass(frozen=True)
class Pool:
    pending: type[DeclarativeBase]
    mixed: type[DeclarativeBase]
    participation: type[DeclarativeBase]
    columns: tuple[str, ...]  # what is copied, the random key aside


RESIDENTS = Pool(ResidentPending, ResidentResponse, ResidentParticipation,
                 ("survey_id", "sex", "age_band", "commune_id", "answers", "estimates", "channel"))
OFFICIALS = Pool(OfficialPending, OfficialResponse, OfficialParticipation,
                 ("survey_id", "estimates", "opinions", "channel", "receipt_hash"))


def lock_survey(survey: PerceptionSurvey) -> None:
    """Hold the survey row until the transaction ends (PostgreSQL; SQLite's write
    transactions are serialised anyway): submissions take a KEY SHARE lock on it before
    writing, so none is half-way through while answers are mixed, and none begins on a
    survey that this transaction closes. A plain SELECT: changes made to `survey` in this
    transaction are flushed, not overwritten."""
    db.session.execute(select(PerceptionSurvey.id).where(PerceptionSurvey.id == survey.id).with_for_update())


def pending_count(pool: Pool, survey_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(pool.pending).where(pool.pending.survey_id == survey_id)).scalar_one()


def _take(model, survey_id: int, columns: tuple[str, ...]) -> list[dict]:
    """Delete the survey's rows of `model` and return their columns (but the key)."""
    table = model.__table__
    rows = db.session.execute(
        delete(table).where(table.c.survey_id == survey_id).returning(*(table.c[name] for name in columns))).all()
    return [dict(row._mapping) for row in rows]


def _write_mixed(pool: Pool, rows: list[dict]) -> None:
    """Insert `rows` in the order of a fresh draw, each with a fresh random key: the order
    of storage and the keys follow the draw, nothing of when or by whom rows were written."""
    rng.shuffle(rows)
    for row in rows:
        row["id"] = uuid.uuid4().hex
    if rows:
        db.session.execute(insert(pool.mixed.__table__), rows)


def mix_pending(pool: Pool, survey: PerceptionSurvey, *, minimum: int = MIX_BATCH) -> int:
    """In the current transaction, move all the survey's pending answers to the mixed table
    if at least `minimum` are pending; the number moved."""
    lock_survey(survey)
    if pending_count(pool, survey.id) < minimum:
        return 0
    rows = _take(pool.pending, survey.id, pool.columns)
    _write_mixed(pool, rows)
    erase_deleted_after_commit(pool.pending.__tablename__)
    log.info("survey %s: %s %s answers mixed", survey.id, len(rows), pool.mixed.__tablename__)
    return len(rows)


def mix_if_due(pool: Pool, survey: PerceptionSurvey) -> int:
    """After a submission was committed: in a transaction of its own, mix the pool if it
    holds a batch; the number of answers moved.

    Its own transaction on purpose, apart from the request's: the mixed rows must not
    share the participation's transaction id (txid, xmin), or who answered what could be
    read back from the database."""
    if pending_count(pool, survey.id) < MIX_BATCH:
        return 0
    moved = mix_pending(pool, survey)
    db.session.commit()
    return moved


def _pool_small_communes(rows: list[dict]) -> None:
    counts: dict[int | None, int] = {}
    for row in rows:
        counts[row["commune_id"]] = counts.get(row["commune_id"], 0) + 1
    for row in rows:
        if counts[row["commune_id"]] < COMMUNE_KEPT_FROM:
            row["commune_id"] = None


def final_mix(pool: Pool, survey: PerceptionSurvey, *, forget_participation: bool) -> int:
    """In the current transaction: rewrite every answer of the survey, pending or mixed,
    in one fresh draw; with `forget_participation`, delete who took part (answers are no
    longer taken). The number of answers."""
    lock_survey(survey)
    rows = _take(pool.pending, survey.id, pool.columns) + _take(pool.mixed, survey.id, pool.columns)
    if pool is RESIDENTS:
        _pool_small_communes(rows)
    _write_mixed(pool, rows)
    tables = [pool.pending.__tablename__, pool.mixed.__tablename__]
    if forget_participation:
        db.session.execute(delete(pool.participation.__table__)
                           .where(pool.participation.__table__.c.survey_id == survey.id))
        tables.append(pool.participation.__tablename__)
    erase_deleted_after_commit(*tables)
    log.info("survey %s: final mix of %s %s answers", survey.id, len(rows), pool.mixed.__tablename__)
    return len(rows)
