"""Reading the debate of a consultation for its page, at a fixed number of queries
whatever the number of comments: the page of opening comments (count + rows, authors
joined), then every reply under them in one query, then the proposals (count + rows)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..consultations.models import Consultation, PhaseKind
from ..core.pagination import Page, paginate
from ..core.params import Param, filters
from ..extensions import db
from .models import Comment, Proposal, ProposalStatus, Stance, Visibility
from .sorting import (
    COMMENT_ORDERS, PROPOSAL_ORDERS, PROPOSAL_SORT_ARG, RECENT, SORT_ARG, order_comments, order_proposals,
)

COMMENTS_PER_PAGE = 20
PROPOSALS_PER_PAGE = 20
COMMENTS_PAGE_ARG, STANCE_ARG = "page_commentaires", "position"
PROPOSALS_PAGE_ARG, STATUS_ARG = "page_propositions", "statut"
# The debate sections' query parameters, declared like every list's (core/params.py): a value
# that does not fit is refused with a 400 page naming it, not replaced by everything. The
# filters' « all » sends them empty; the orders' and pages' forms never do.
_PAGE = {"kind": "integer", "minimum": 1, "maximum": 10**6}
DEBATE_PARAMS = (
    *filters(Param(STANCE_ARG, "Fils ouverts par une position", "enum", Stance),
             Param(STATUS_ARG, "Propositions dans un état", "enum", ProposalStatus)),
    Param(SORT_ARG, "Ordre des fils", "choice", choices=COMMENT_ORDERS, default=RECENT),
    Param(PROPOSAL_SORT_ARG, "Ordre des propositions", "choice", choices=PROPOSAL_ORDERS, default=RECENT),
    Param(COMMENTS_PAGE_ARG, "Page des commentaires", **_PAGE),
    Param(PROPOSALS_PAGE_ARG, "Page des propositions", **_PAGE),
)


@dataclass
class Thread:
    """A comment and the replies under it, oldest first."""

    comment: Comment
    replies: list[Thread] = field(default_factory=list)


def shown_to(model, consultation: Consultation, user):
    """The SQL condition for the contributions `user` may see listed: held first posts are
    listed only for their author and the consultation's moderators (see_held, for the
    page's own checks); None when nothing is held back from them."""
    from .permissions import can_moderate

    signed_in = user is not None and user.is_authenticated
    if signed_in and can_moderate(user, consultation):
        return None
    condition = model.visibility != Visibility.HELD
    return (condition | (model.author_id == user.id)) if signed_in else condition


def comment_threads(consultation: Consultation, page_arg=None, stance: Stance | None = None,
                    order: str = RECENT, user=None) -> Page:
    """A page of opening comments in `order` (sorting.py; newest first by default, withdrawn
    and hidden ones keep their place unless a stance is chosen), each with its replies:
    `page.items` are Threads. Held first posts of others are left out in the query (a page
    keeps its 20 threads)."""
    stmt = (select(Comment).options(joinedload(Comment.author))
            .where(Comment.consultation_id == consultation.id, Comment.parent_id.is_(None)))
    shown = shown_to(Comment, consultation, user)
    if shown is not None:
        stmt = stmt.where(shown)
    if stance is not None:
        stmt = stmt.where(Comment.stance == stance, Comment.visibility == Visibility.VISIBLE)
    page = paginate(order_comments(stmt, order), page_arg, per_page=COMMENTS_PER_PAGE)
    threads = [Thread(comment) for comment in page.items]
    if threads:
        by_id = {thread.comment.id: thread for thread in threads}
        replies = [Thread(reply) for reply in _replies(consultation, list(by_id))]
        by_id.update((node.comment.id, node) for node in replies)
        # Attached once every node is known: a reply dated before its parent (an import, a clock
        # set wrong) must still be shown under it, never dropped while the count includes it.
        for node in replies:
            parent = by_id.get(node.comment.parent_id)
            if parent is not None:
                parent.replies.append(node)
    page.items = threads
    return page


def _replies(consultation: Consultation, root_ids: list[int]) -> list[Comment]:
    """Every reply under the comments `root_ids`, at any depth, in one query (a recursive
    common table expression, on SQLite as on PostgreSQL), authors joined."""
    tree = (select(Comment.id)
            .where(Comment.consultation_id == consultation.id, Comment.parent_id.in_(root_ids))
            .cte("reply_tree", recursive=True))
    tree = tree.union_all(select(Comment.id).where(Comment.parent_id == tree.c.id))
    stmt = (select(Comment).options(joinedload(Comment.author))
            .where(Comment.id.in_(select(tree.c.id)))
            .order_by(Comment.created_at, Comment.id))
    return list(db.session.execute(stmt).scalars())


def visible_comments_count(consultation: Consultation) -> int:
    return db.session.execute(select(func.count(Comment.id)).where(
        Comment.consultation_id == consultation.id, Comment.visibility == Visibility.VISIBLE)).scalar_one()


def contribution_counts(consultation_ids) -> dict[int, tuple[int, int]]:
    """{consultation id: (visible comments, visible proposals)} in two grouped queries,
    for listings of consultations."""
    ids = list(consultation_ids)
    counts = {consultation_id: [0, 0] for consultation_id in ids}
    if not ids:
        return {}
    for position, model in enumerate((Comment, Proposal)):
        rows = db.session.execute(
            select(model.consultation_id, func.count(model.id))
            .where(model.consultation_id.in_(ids), model.visibility == Visibility.VISIBLE)
            .group_by(model.consultation_id))
        for consultation_id, count in rows:
            counts[consultation_id][position] = count
    return {consultation_id: (c, p) for consultation_id, (c, p) in counts.items()}


def proposals_page(consultation: Consultation, page_arg=None, status: ProposalStatus | None = None,
                   order: str = RECENT, user=None) -> Page:
    """A page of proposals in `order` (newest or most supported first), authors joined;
    others' held first proposals are left out."""
    stmt = (select(Proposal).options(joinedload(Proposal.author))
            .where(Proposal.consultation_id == consultation.id))
    shown = shown_to(Proposal, consultation, user)
    if shown is not None:
        stmt = stmt.where(shown)
    if status is not None:
        stmt = stmt.where(Proposal.status == status, Proposal.visibility == Visibility.VISIBLE)
    return paginate(order_proposals(stmt, order), page_arg, per_page=PROPOSALS_PER_PAGE)


def comment_page_number(comment: Comment, consultation: Consultation, viewer=None) -> int:
    """The page (unfiltered) on which `viewer` finds the thread holding `comment`: the
    threads newer than it that they see are counted (others' held first posts are not
    listed for them, see `shown_to`)."""
    root_id = comment.id if comment.parent_id is None else _root_id(comment)
    root = db.session.get(Comment, root_id)
    stmt = select(func.count(Comment.id)).where(
        Comment.consultation_id == comment.consultation_id, Comment.parent_id.is_(None),
        (Comment.created_at > root.created_at)
        | ((Comment.created_at == root.created_at) & (Comment.id > root.id)))
    shown = shown_to(Comment, consultation, viewer)
    if shown is not None:
        stmt = stmt.where(shown)
    return db.session.execute(stmt).scalar_one() // COMMENTS_PER_PAGE + 1


def _root_id(comment: Comment) -> int:
    node = comment
    while node.parent_id is not None:
        node = db.session.get(Comment, node.parent_id)
    return node.id


@dataclass
class DebateSection:
    """What the consultation page's debate and proposals sections show."""

    consultation: Consultation
    threads: Page
    comments_count: int
    stance: Stance | None
    proposals: Page
    proposal_status: ProposalStatus | None
    comment_refusal: str | None
    proposal_refusal: str | None
    order: str = RECENT           # the comments' and proposals' orders (sorting.py)
    proposal_order: str = RECENT
    comment_form: object = None   # blank forms, set by the view helper
    proposal_form: object = None

    @property
    def can_comment(self) -> bool:
        return self.comment_refusal is None

    @property
    def can_propose(self) -> bool:
        return self.proposal_refusal is None

    @property
    def has_debate(self) -> bool:
        return self.consultation.phase(PhaseKind.DEBATE) is not None

    @property
    def has_proposals(self) -> bool:
        return self.consultation.phase(PhaseKind.PROPOSALS) is not None


def debate_section(consultation: Consultation, query: dict, user) -> DebateSection:
    """Everything the sections need, from the page's parsed query parameters (DEBATE_PARAMS).
    Who may take part is decided by the predicates; the refusal only says why not."""
    from .permissions import can_comment, can_propose
    from .permissions import participation_refusal

    def refusal(allowed, kind):
        return None if allowed else (participation_refusal(user, consultation, kind) or "other")

    stance, status = query[STANCE_ARG], query[STATUS_ARG]
    order, proposal_sort = query[SORT_ARG], query[PROPOSAL_SORT_ARG]
    return DebateSection(
        consultation=consultation,
        threads=comment_threads(consultation, query[COMMENTS_PAGE_ARG], stance, order, user),
        comments_count=visible_comments_count(consultation),
        stance=stance,
        proposals=proposals_page(consultation, query[PROPOSALS_PAGE_ARG], status, proposal_sort, user),
        proposal_status=status,
        order=order,
        proposal_order=proposal_sort,
        comment_refusal=refusal(can_comment(user, consultation), PhaseKind.DEBATE),
        proposal_refusal=refusal(can_propose(user, consultation), PhaseKind.PROPOSALS),
    )
