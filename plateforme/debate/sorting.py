"""Orders of the debate's lists, chosen with GET arguments (no JavaScript).

Comments (opening comments of threads), argument `tri`: `recent` (newest first, the
default), `soutenus` (most endorsed first), `equilibre` (the stances in turn — for,
against, nuance, question, for, … — taking each stance's most endorsed, then newest,
comment, so no side fills the first page). Proposals, argument `tri_propositions`:
`recent` or `soutenus` (most supported first).

Every order is one SQL ORDER BY (the balanced one ranks comments within their stance with
row_number() OVER (PARTITION BY stance …), on SQLite ≥ 3.25 as on PostgreSQL), so a page
costs the same queries whatever the number of comments. Comments no longer shown
(withdrawn, hidden) keep their place in the newest-first order, and come last in the others.
"""
from __future__ import annotations

from sqlalchemy import case, func, select

from .models import Comment, Proposal, Stance, Visibility

SORT_ARG, PROPOSAL_SORT_ARG = "tri", "tri_propositions"
RECENT, MOST_ENDORSED, BALANCED = "recent", "soutenus", "equilibre"
COMMENT_ORDERS = (RECENT, MOST_ENDORSED, BALANCED)
PROPOSAL_ORDERS = (RECENT, MOST_ENDORSED)
STANCE_TURN = (Stance.FOR, Stance.AGAINST, Stance.NUANCE, Stance.QUESTION)


def _hidden_last(model):
    return case((model.visibility == Visibility.VISIBLE, 0), else_=1)


def order_comments(stmt, order: str):
    """`stmt` (a SELECT of Comment, filtered) in `order`."""
    newest = (Comment.created_at.desc(), Comment.id.desc())
    if order == MOST_ENDORSED:
        return stmt.order_by(_hidden_last(Comment), Comment.endorsements_count.desc(), *newest)
    if order == BALANCED:
        return _balanced(stmt)
    return stmt.order_by(*newest)


def _balanced(stmt):
    """Each comment's turn within its stance (1 for the most endorsed, then newest), computed
    over the same filtered rows in a subquery; rows are then taken turn by turn, stances in
    the order of STANCE_TURN."""
    shown = _hidden_last(Comment)
    turn = func.row_number().over(partition_by=(shown, Comment.stance),
                                  order_by=(Comment.endorsements_count.desc(), Comment.created_at.desc(),
                                            Comment.id.desc()))
    ranked = select(Comment.id.label("comment_id"), shown.label("shown"), turn.label("turn"))
    if stmt.whereclause is not None:
        ranked = ranked.where(stmt.whereclause)
    ranked = ranked.subquery("balanced")
    stance_turn = case({stance: position for position, stance in enumerate(STANCE_TURN)},
                       value=Comment.stance, else_=len(STANCE_TURN))
    return (stmt.join(ranked, ranked.c.comment_id == Comment.id)
            .order_by(ranked.c.shown, ranked.c.turn, stance_turn, Comment.id.desc()))


def order_proposals(stmt, order: str):
    newest = (Proposal.created_at.desc(), Proposal.id.desc())
    if order == MOST_ENDORSED:
        return stmt.order_by(_hidden_last(Proposal), Proposal.supports_count.desc(), *newest)
    return stmt.order_by(*newest)
