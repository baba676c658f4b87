"""Reading for moderation: the moderators' queue (reported, held, recently hidden
contributions on the territories they moderate) and a consultation's public moderation
log, each at a fixed number of queries."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import ModeratorAppointment, User
from ..consultations.models import Consultation
from ..core.models import utcnow
from ..core.pagination import Page, paginate
from ..extensions import db
from ..territories.models import Territory
from .models import (
    Comment, ModerationAction, ModerationActionKind as Act, Proposal, Report, ReportReason, TargetKind, Visibility,
)

LOG_PER_PAGE = 30
RECENT_DAYS, RECENT_LIMIT = 30, 30
QUEUE_LIMIT = 100


def territory_ids_within(root_ids) -> select:
    """A subquery of the ids of the territories `root_ids` and of everything within them (by
    administrative parent or EPCI), as one recursive query on SQLite as on PostgreSQL."""
    roots = root_ids if hasattr(root_ids, "subquery") else list(root_ids)
    tree = select(Territory.id).where(Territory.id.in_(roots)).cte("moderated_tree", recursive=True)
    tree = tree.union_all(select(Territory.id).where(
        or_(Territory.parent_id == tree.c.id, Territory.epci_id == tree.c.id)))
    return select(tree.c.id)


def moderated_territories(user: User) -> list[Territory]:
    """The territories whose rules `user` may set, to link from the queue: a moderator's own;
    for administrators (who may set any), those that have consultations."""
    if user.is_admin:
        return list(db.session.execute(
            select(Territory).where(Territory.id.in_(select(Consultation.territory_id)))
            .order_by(Territory.search_name, Territory.name)).scalars())
    return list(db.session.execute(
        select(Territory).join(ModeratorAppointment, ModeratorAppointment.territory_id == Territory.id)
        .where(ModeratorAppointment.user_id == user.id).order_by(Territory.search_name, Territory.name)).scalars())


@dataclass
class QueueItem:
    content: Comment | Proposal
    kind: TargetKind
    reasons: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def reports_count(self) -> int:
        return sum(self.reasons.values())

    @property
    def consultation(self) -> Consultation:
        return self.content.consultation_ref  # set by _contents, loaded with the contribution


@dataclass
class Queue:
    reported: list[QueueItem]
    held: list[QueueItem]
    hidden: list[QueueItem]

    @property
    def is_empty(self) -> bool:
        return not (self.reported or self.held or self.hidden)


def _in_scope(stmt, consultation_id_column, user: User):
    if user.is_admin:
        return stmt
    roots = select(ModeratorAppointment.territory_id).where(ModeratorAppointment.user_id == user.id)
    scoped = select(Consultation.id).where(Consultation.territory_id.in_(territory_ids_within(roots)))
    return stmt.where(consultation_id_column.in_(scoped))


def _contents(ids_by_kind: dict[TargetKind, set[int]]) -> dict[tuple[TargetKind, int], Comment | Proposal]:
    """The contributions named, authors and consultations loaded: one query per kind."""
    found = {}
    for kind, model in ((TargetKind.COMMENT, Comment), (TargetKind.PROPOSAL, Proposal)):
        ids = ids_by_kind.get(kind)
        if not ids:
            continue
        rows = db.session.execute(select(model, Consultation).join(Consultation, Consultation.id == model.consultation_id)
                                  .options(joinedload(model.author)).where(model.id.in_(ids))).all()
        for content, consultation in rows:
            content.consultation_ref = consultation
            found[(kind, content.id)] = content
    return found


def moderation_queue(user: User) -> Queue:
    """What waits for `user`'s decision on the territories they moderate (every territory for
    administrators): reported contributions with their reasons and notes, held first posts,
    and what was hidden these last days (to restore if needed)."""
    reports = db.session.execute(_in_scope(
        select(Report).where(Report.resolved_at.is_(None)).order_by(Report.created_at), Report.consultation_id,
        user).limit(QUEUE_LIMIT * 5)).scalars().all()
    held_ids: dict[TargetKind, set[int]] = {TargetKind.COMMENT: set(), TargetKind.PROPOSAL: set()}
    for kind, model in ((TargetKind.COMMENT, Comment), (TargetKind.PROPOSAL, Proposal)):
        held_ids[kind] = set(db.session.execute(_in_scope(
            select(model.id).where(model.visibility == Visibility.HELD), model.consultation_id, user)
            .limit(QUEUE_LIMIT)).scalars())
    since = utcnow() - timedelta(days=RECENT_DAYS)
    hidden_acts = db.session.execute(_in_scope(
        select(ModerationAction.target_kind, ModerationAction.target_id)
        .where(ModerationAction.kind == Act.HIDE, ModerationAction.created_at >= since,
               ModerationAction.target_id.is_not(None))
        .order_by(ModerationAction.created_at.desc()), ModerationAction.consultation_id, user)
        .limit(RECENT_LIMIT)).all()

    wanted: dict[TargetKind, set[int]] = {TargetKind.COMMENT: set(), TargetKind.PROPOSAL: set()}
    for item in reports:
        wanted[item.target_kind].add(item.target_id)
    for kind, ids in held_ids.items():
        wanted[kind] |= ids
    for kind, target_id in hidden_acts:
        wanted[kind].add(target_id)
    contents = _contents(wanted)

    reported: dict[tuple, QueueItem] = {}
    for item in reports:
        content = contents.get((item.target_kind, item.target_id))
        if content is None:
            continue
        entry = reported.setdefault((item.target_kind, item.target_id), QueueItem(content, item.target_kind))
        entry.reasons[ReportReason(item.reason)] += 1
        if item.note:
            entry.notes.append(item.note)
    held = [QueueItem(contents[(kind, i)], kind) for kind, ids in held_ids.items() for i in sorted(ids)
            if (kind, i) in contents]
    seen, hidden = set(), []
    for kind, target_id in hidden_acts:
        content = contents.get((kind, target_id))
        if content is not None and content.visibility == Visibility.HIDDEN and (kind, target_id) not in seen:
            seen.add((kind, target_id))
            hidden.append(QueueItem(content, kind))
    reported_items = sorted(reported.values(), key=lambda q: (q.content.visibility != Visibility.REPORTED,
                                                               -q.reports_count))
    return Queue(reported=reported_items[:QUEUE_LIMIT], held=held, hidden=hidden)


@dataclass
class PublicLog:
    actions: Page
    by_reason: dict[ReportReason, int]
    by_kind: dict[Act, int]
    suspensions: int


def public_log(consultation: Consultation, page_arg=None) -> PublicLog:
    """A consultation's public moderation log: acts on content that was public (newest first),
    then counts per reason and per act. Suspensions are counted, never listed."""
    public = (ModerationAction.consultation_id == consultation.id, ModerationAction.was_public.is_(True))
    stmt = (select(ModerationAction).where(*public, ModerationAction.kind != Act.SUSPEND)
            .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc()))
    actions = paginate(stmt, page_arg, per_page=LOG_PER_PAGE)
    by_reason = {ReportReason(reason): count for reason, count in db.session.execute(
        select(ModerationAction.reason, func.count(ModerationAction.id))
        .where(*public, ModerationAction.reason.is_not(None), ModerationAction.kind != Act.SUSPEND)
        .group_by(ModerationAction.reason))}
    by_kind = {Act(kind): count for kind, count in db.session.execute(
        select(ModerationAction.kind, func.count(ModerationAction.id))
        .where(ModerationAction.consultation_id == consultation.id,
               (ModerationAction.was_public.is_(True)) | (ModerationAction.kind == Act.SUSPEND))
        .group_by(ModerationAction.kind))}
    return PublicLog(actions=actions, by_reason=by_reason, by_kind=by_kind, suspensions=by_kind.get(Act.SUSPEND, 0))


def waiting_count(user: User) -> int:
    """How many contributions wait for `user`'s decision (reported ones, each counted once,
    and held first posts), on the territories they moderate: one query, for the navigation."""
    scoped = None
    if not user.is_admin:  # one scope (its tree is a named CTE) shared by the three counts
        roots = select(ModeratorAppointment.territory_id).where(ModeratorAppointment.user_id == user.id)
        scoped = select(Consultation.id).where(Consultation.territory_id.in_(territory_ids_within(roots)))

    def in_scope(stmt, column):
        return stmt if scoped is None else stmt.where(column.in_(scoped))

    reported = in_scope(select(Report.target_kind, Report.target_id).where(Report.resolved_at.is_(None)),
                        Report.consultation_id).distinct().subquery()
    counts = [select(func.count()).select_from(reported).scalar_subquery()]
    for model in (Comment, Proposal):
        counts.append(in_scope(select(func.count(model.id)).where(model.visibility == Visibility.HELD),
                               model.consultation_id).scalar_subquery())
    return sum(db.session.execute(select(*counts)).one())
